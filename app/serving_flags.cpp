#include "app/serving_flags.h"

#include <fmt/format.h>

#include "tessera/specs/io/units.h"

namespace tessera::app {

void add_serving_flags(CLI::App* c, ServingArgs& a, SimulationRequest& req) {
  DeploymentSpec& d = req.deployment;
  c->add_option("--chunk-tokens", d.chunk_tokens, "sarathi: per-iteration token budget (0 = --max-tokens)")
      ->capture_default_str();
  c->add_option("--admission", d.admission,
                "optimistic (vLLM: prompt blocks, recompute preemption) | guaranteed (TensorRT-LLM "
                "GUARANTEED_NO_EVICT: input + output reserved)")
      ->capture_default_str();
  c->add_flag("--prefix-caching,!--no-prefix-caching", d.prefix_caching,
              "automatic prefix caching (trace hash_ids, or the workload's shared-prefix=N)");
  c->add_option("--prefill-hardware", a.prefill_hardware, "disagg: prefill pool system (default --hardware)");
  c->add_option("--prefill-tp", a.prefill_tp, "disagg: prefill pool TP degree (default --tp)");
  c->add_option("--prefill-replicas", a.prefill_replicas, "disagg: prefill pool replicas (default 1)");
  c->add_option("--decode-hardware", a.decode_hardware, "disagg: decode pool system (default --hardware)");
  c->add_option("--decode-tp", a.decode_tp, "disagg: decode pool TP degree (default --tp)");
  c->add_option("--decode-replicas", a.decode_replicas, "disagg: decode pool replicas (default 1)");
  c->add_option("--kv-link-bandwidth", a.kv_link_bandwidth,
                "disagg: bandwidth between the pools, e.g. '50 GB/s' (default: the fabric's send/recv in one "
                "system, the scale-out bandwidth across systems)");
  c->add_option("--draft-model", req.draft_model,
                "speculative decoding: draft model (catalog name or config.json), or ngram|mtp (no draft cost)");
  c->add_option("--spec-tokens", req.spec_tokens, "speculative decoding: drafted tokens per step (k)")
      ->capture_default_str();
  c->add_option("--spec-acceptance", a.spec_acceptance,
                "speculative decoding: probability each drafted token is accepted (i.i.d.), in [0, 1)");
  c->add_option("--queue-limit", req.queue_limit, "waiting requests per replica beyond which arrivals are rejected "
                                                  "(0 = no limit)")
      ->capture_default_str();
  c->add_option("--trace", a.trace, "write a Chrome/Perfetto trace-event JSON timeline to this file");
  c->add_option("--requests-csv", a.requests_csv, "write one CSV row per request to this file");
}

Status apply_serving_flags(const ServingArgs& a, SimulationRequest& req) {
  const bool disagg = req.deployment.scheduler == "disagg";
  const bool pool_flags = !a.prefill_hardware.empty() || !a.decode_hardware.empty() || a.prefill_tp || a.decode_tp ||
                          a.prefill_replicas || a.decode_replicas || !a.kv_link_bandwidth.empty();
  if (pool_flags && !disagg) {
    return bad_input(fmt::format("--scheduler: '{}': the --prefill-*/--decode-*/--kv-link-bandwidth flags need "
                                 "--scheduler disagg", req.deployment.scheduler));
  }
  for (const auto& [flag, v] : {std::pair{"--prefill-tp", a.prefill_tp}, std::pair{"--decode-tp", a.decode_tp},
                                std::pair{"--prefill-replicas", a.prefill_replicas},
                                std::pair{"--decode-replicas", a.decode_replicas}}) {
    if (v && *v < 1) return bad_input(fmt::format("{}: '{}' must be > 0", flag, *v));
  }
  req.prefill_pool = {a.prefill_hardware, a.prefill_tp.value_or(0), a.prefill_replicas.value_or(1)};
  req.decode_pool = {a.decode_hardware, a.decode_tp.value_or(0), a.decode_replicas.value_or(1)};
  if (!a.kv_link_bandwidth.empty()) {
    auto bw = parse_bandwidth(a.kv_link_bandwidth);
    if (!bw) return bad_input("--kv-link-bandwidth: " + bw.error().message);
    req.kv_link_bandwidth = bw->value();
  }
  req.spec_acceptance = a.spec_acceptance;
  if (req.deployment.chunk_tokens > 0 && req.deployment.scheduler != "sarathi") {
    return bad_input(fmt::format("--chunk-tokens: chunked prefill is the sarathi scheduler's; got --scheduler '{}'",
                                 req.deployment.scheduler));
  }
  return {};
}

StreamedFile::~StreamedFile() {
  if (!open_) return;
  out_.close();
  std::error_code ec;
  std::filesystem::remove(tmp_, ec);
}

Status StreamedFile::open(const std::filesystem::path& path, const char* flag) {
  path_ = path;
  flag_ = flag;
  tmp_ = path.string() + ".tmp-tessera";
  out_.open(tmp_, std::ios::binary);
  if (!out_) return bad_input(fmt::format("{}: cannot write '{}'", flag, path.string()));
  open_ = true;
  return {};
}

Status StreamedFile::commit() {
  out_.close();
  if (!out_) return bad_input(fmt::format("{}: error writing '{}'", flag_, path_.string()));
  std::error_code ec;
  std::filesystem::rename(tmp_, path_, ec);
  if (ec) return bad_input(fmt::format("{}: cannot write '{}'", flag_, path_.string()));
  open_ = false;
  return {};
}

Status Timelines::open(const ServingArgs& a) {
  if (!a.trace.empty()) {
    TESSERA_TRY(trace_file_.open(a.trace, "--trace"));
    trace_ = std::make_unique<TraceEventWriter>(trace_file_.stream());
    fanout_.add(trace_.get());
  }
  if (!a.requests_csv.empty()) {
    TESSERA_TRY(csv_file_.open(a.requests_csv, "--requests-csv"));
    csv_ = std::make_unique<RequestsCsvWriter>(csv_file_.stream());
    fanout_.add(csv_.get());
  }
  return {};
}

Status Timelines::commit() {
  if (trace_) {
    trace_->finish();
    TESSERA_TRY(trace_file_.commit());
  }
  if (csv_) {
    csv_->finish();
    TESSERA_TRY(csv_file_.commit());
  }
  return {};
}

}  // namespace tessera::app
