// Serving flags of `simulate`: scheduler details, admission, prefix caching,
// disaggregated pools, speculative decoding, admission control, and the timeline
// outputs (--trace, --requests-csv), which stream to temporary files renamed into
// place only when the run succeeds.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>

#include "app/cli.h"
#include "tessera/planner/simulation.h"
#include "tessera/report/requests_csv.h"
#include "tessera/report/trace_event.h"

namespace tessera::app {

struct ServingArgs {
  std::string prefill_hardware, decode_hardware, kv_link_bandwidth;
  std::optional<int> prefill_tp, decode_tp, prefill_replicas, decode_replicas;
  std::optional<double> spec_acceptance;
  std::string trace, requests_csv;
};

// `req` receives the flags that map onto it directly (chunk tokens, admission, ...).
void add_serving_flags(CLI::App* app, ServingArgs& args, SimulationRequest& req);

// Validates the flags and completes `req` (pools, link bandwidth, acceptance).
Status apply_serving_flags(const ServingArgs& args, SimulationRequest& req);

// A file written as the run goes, under a temporary name until commit().
class StreamedFile {
 public:
  StreamedFile() = default;
  StreamedFile(const StreamedFile&) = delete;
  StreamedFile& operator=(const StreamedFile&) = delete;
  ~StreamedFile();
  Status open(const std::filesystem::path& path, const char* flag);
  Status commit();
  std::ostream& stream() { return out_; }

 private:
  std::filesystem::path path_, tmp_;
  const char* flag_ = "";
  std::ofstream out_;
  bool open_ = false;
};

// The timelines a run writes; sink() is null when none was asked for.
class Timelines {
 public:
  Status open(const ServingArgs& args);
  ServeEventSink* sink() { return fanout_.empty() ? nullptr : &fanout_; }
  Status commit();  // finishes the documents and renames them into place

 private:
  StreamedFile trace_file_, csv_file_;
  std::unique_ptr<TraceEventWriter> trace_;
  std::unique_ptr<RequestsCsvWriter> csv_;
  SinkFanout fanout_;
};

}  // namespace tessera::app
