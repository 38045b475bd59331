// Chrome / Perfetto trace-event JSON of a serving run, written as the run goes
// (https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU):
//   {"traceEvents":[ ... ]}
// - one process per replica (pid = replica + 1; pid 0 is the router), named by "M"
//   metadata events; tid 0 carries the replica's iterations as complete ("X") events
//   with the batch composition in args; tid 1 carries requests;
// - each request's lifecycle as async spans ("b"/"e", cat "request", id = request id):
//   queued (arrival -> first scheduled), prefill (-> first token computed),
//   kv-transfer (disaggregated: -> KV at the decode replica), decode (-> last token);
// - a rejected request is an instant ("i") event on the router.
// Times are microseconds with three decimals. Nothing is kept per event: the writer
// formats into a reused buffer and flushes it to the stream.
#pragma once

#include <fmt/format.h>

#include <ostream>
#include <vector>

#include "tessera/serve/sink.h"

namespace tessera {

class TraceEventWriter final : public ServeEventSink {
 public:
  explicit TraceEventWriter(std::ostream& out);
  ~TraceEventWriter() override = default;

  void on_iteration(const IterationRecord& it) override;
  void on_request(const RequestRecord& r) override;
  // Closes the JSON document and flushes; call once after the run.
  void finish();

 private:
  void begin_event();
  void name_process(int32_t pid, PoolRole role);
  void span(const char* name, int64_t id, int32_t pid, double begin_s, double end_s, const RequestRecord* args);
  void flush_if_full();

  std::ostream& out_;
  fmt::memory_buffer buf_;
  bool first_ = true;
  std::vector<bool> named_;  // per pid: metadata written
  // Per pid: the end (ns) of its last iteration slice. A start within 1 ns before it is
  // the same instant computed along another path (start + duration vs the event
  // time) straddling a rounding boundary; it is printed as touching, not overlapping.
  std::vector<int64_t> last_end_ns_;
};

}  // namespace tessera
