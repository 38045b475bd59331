// Per-request CSV of a serving run, one row per request as it ends (completion
// order, not id order):
//   id,arrival_s,first_token_s,completion_s,input_tokens,output_tokens,cached_tokens,preemptions,replica,status
// Times in seconds (9 decimals: nanoseconds). `replica` is where the request was
// first scheduled (the prefill replica when disaggregated). A rejected request has
// status "rejected" and empty first_token_s, completion_s and replica.
#pragma once

#include <fmt/format.h>

#include <ostream>

#include "tessera/serve/sink.h"

namespace tessera {

class RequestsCsvWriter final : public ServeEventSink {
 public:
  explicit RequestsCsvWriter(std::ostream& out);
  void on_iteration(const IterationRecord&) override {}
  void on_request(const RequestRecord& r) override;
  void finish();  // flushes; call once after the run

 private:
  std::ostream& out_;
  fmt::memory_buffer buf_;
};

}  // namespace tessera
