// Serving features that need more than the one compiled deployment of
// run_simulation: the draft model of speculative decoding (a second deployment on
// the same ranks), disaggregated prefill/decode pools (two deployments, possibly on
// different hardware) and the KV transfer between them.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tessera/planner/compile.h"
#include "tessera/serve/simulator.h"

namespace tessera {

// Holds what ServeOptions points at (the draft model's coster) for the run.
struct ServingSetup {
  std::optional<CompiledDeployment> draft;
  std::unique_ptr<IterationCoster> target_with_draft;  // the target's coster, KV budget shared with the draft
  std::vector<std::string> warnings;
};

// Fills the serving options of `req` (queue limit, sink, speculative decoding) for a
// run on `target`; `coster` is then the coster to simulate with (the target's, or a
// view of it whose KV budget leaves room for the draft model).
Status prepare_serving(const SimulationRequest& req, CompiledDeployment& target, ServeOptions& opts,
                       ServingSetup& setup, IterationCoster*& coster);

// Seconds to move the KV of `tokens` prompt tokens from a prefill replica to a decode
// replica: latency + tokens x KV bytes per token / bandwidth. Inside one system the
// latency and bandwidth are those of the collective model's send/recv between two
// chips, with the replicas' chip pairs sending their shards in parallel; between
// systems, the systems' scale-out (EFA/IB) bandwidth and latency. `link_bandwidth`
// (bytes/s) overrides the bandwidth.
struct KvLink {
  double latency_s = 0;
  double bandwidth = 0;       // bytes/s, all parallel paths together
  double bytes_per_token = 0; // the whole model's KV of one token
  std::string path;           // "send/recv inside trn2.48xlarge", "scale-out", "--kv-link-bandwidth"
  [[nodiscard]] double seconds(int64_t tokens) const {
    return latency_s + static_cast<double>(tokens) * bytes_per_token / bandwidth;
  }
};
Result<KvLink> kv_link(const CompiledDeployment& prefill, const CompiledDeployment& decode,
                       std::optional<double> link_bandwidth);

}  // namespace tessera
