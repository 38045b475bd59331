#include "tessera/planner/serving.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "tessera/network/topology_model.h"
#include "tessera/plan/params.h"

namespace tessera {
namespace {

// The target's iteration costs with a KV budget that leaves room for the draft
// model on the same ranks: its weights come out of the KV memory, and every cached
// token also stores the draft's KV.
class SharedKvCoster final : public IterationCoster {
 public:
  SharedKvCoster(IterationCoster& inner, int64_t blocks) : inner_(inner), blocks_(blocks) {}
  IterationCost cost(const BatchShape& b) override { return inner_.cost(b); }
  int64_t kv_blocks() const override { return blocks_; }
  int block_tokens() const override { return inner_.block_tokens(); }

 private:
  IterationCoster& inner_;
  int64_t blocks_;
};

bool draft_free(const std::string& name) { return name == "ngram" || name == "mtp"; }

Status check_spec(const SimulationRequest& req) {
  if (req.spec_tokens == 0 && req.draft_model.empty()) return {};
  if (req.spec_tokens < 1) {
    return bad_input(fmt::format("--spec-tokens: '{}' must be > 0 with --draft-model '{}'", req.spec_tokens,
                                 req.draft_model));
  }
  if (req.draft_model.empty()) {
    return bad_input("--draft-model: speculative decoding needs a draft (a catalog model, ngram or mtp)");
  }
  if (!req.spec_acceptance) {
    return bad_input("--spec-acceptance: speculative decoding needs the per-token acceptance rate (0 <= p < 1)");
  }
  if (!(*req.spec_acceptance >= 0 && *req.spec_acceptance < 1)) {
    return bad_input(fmt::format("--spec-acceptance: '{}' must be in [0, 1)", *req.spec_acceptance));
  }
  return {};
}

Result<int64_t> shared_kv_blocks(const CompiledDeployment& target, const CompiledDeployment& draft) {
  const MemoryPlan& t = target.memory;
  const MemoryPlan& d = draft.memory;
  const double room = t.kv_cache.value() - d.weights.value();
  const double per_block = (t.kv_bytes_per_token.value() + d.kv_bytes_per_token.value()) * target.deployment.block_tokens;
  const int64_t blocks = room > 0 ? static_cast<int64_t>(std::floor(room / per_block)) * target.placement.attention_dp : 0;
  if (blocks < 1) {
    return infeasible(fmt::format("--draft-model: {} ({} of weights per rank) leaves no KV cache for {} on {}",
                                  draft.model->name, format_bytes(d.weights), target.model->name,
                                  target.system->name));
  }
  return blocks;
}

}  // namespace

Status prepare_serving(const SimulationRequest& req, CompiledDeployment& target, ServeOptions& opts,
                       ServingSetup& setup, IterationCoster*& coster) {
  coster = target.iteration.get();
  opts.queue_limit = req.queue_limit;
  opts.sink = req.sink;
  if (req.queue_limit < 0) return bad_input(fmt::format("--queue-limit: '{}' must be >= 0", req.queue_limit));
  TESSERA_TRY(check_spec(req));
  if (req.spec_tokens == 0) return {};
  opts.spec.tokens = req.spec_tokens;
  opts.spec.acceptance = *req.spec_acceptance;
  if (draft_free(req.draft_model)) return {};
  SimulationRequest dreq = req;
  dreq.model = req.draft_model;
  dreq.deployment = target.deployment;
  dreq.deployment.scheduler = "vllm";
  auto draft = compile_deployment(dreq);
  if (!draft) {
    Error e = draft.error();
    e.message = "--draft-model: " + e.message;
    return e;
  }
  setup.draft = std::move(*draft);
  auto blocks = shared_kv_blocks(target, *setup.draft);
  if (!blocks) return blocks.error();
  setup.target_with_draft = std::make_unique<SharedKvCoster>(*target.iteration, *blocks);
  coster = setup.target_with_draft.get();
  opts.spec.draft = setup.draft->iteration.get();
  setup.warnings.push_back(fmt::format(
      "speculative decoding: draft {} on the same ranks; its weights ({} per rank) and KV leave {} KV blocks of {} "
      "for the target",
      setup.draft->model->name, format_bytes(setup.draft->memory.weights), *blocks, target.memory.kv_blocks));
  return {};
}

Result<KvLink> kv_link(const CompiledDeployment& prefill, const CompiledDeployment& decode,
                       std::optional<double> link_bandwidth) {
  KvLink k;
  const ModelSpec& m = *decode.model;
  k.bytes_per_token = kv_elements_per_token_per_layer(m) * m.layers * dtype_bytes(decode.deployment.kv_dtype);
  const SystemSpec& ps = *prefill.system;
  const SystemSpec& ds = *decode.system;
  const bool one_system = ps.name == ds.name && prefill.placement.systems == 1 && decode.placement.systems == 1 &&
                          prefill.placement.total_chips + decode.placement.total_chips <= ds.chips;
  if (one_system) {
    // Send/recv between two chips of the system, linearised (latency + bytes / rate)
    // from the collective model at 1 B and 256 MiB; every chip pair of the two
    // replicas moves its shard at once.
    const auto net = make_collective_model(ds);
    const CollectiveGroup pair{2, 1};
    const double big = 256.0 * 1024 * 1024;
    const double t0 = net->cost(CollectiveKind::SendRecv, Bytes(1), pair).time.value();
    const double t1 = net->cost(CollectiveKind::SendRecv, Bytes(big), pair).time.value();
    const int pairs = std::max(1, std::min(prefill.placement.chips_per_replica, decode.placement.chips_per_replica));
    k.latency_s = t0;
    k.bandwidth = t1 > t0 ? pairs * big / (t1 - t0) : 0;
    k.path = fmt::format("send/recv inside {} ({} chip pairs)", ds.name, pairs);
  } else {
    k.latency_s = std::max(ps.scaleout_latency.value(), ds.scaleout_latency.value());
    k.bandwidth = std::min(ps.scaleout_bandwidth.value(), ds.scaleout_bandwidth.value());
    k.path = fmt::format("scale-out {} -> {}", ps.name, ds.name);
  }
  if (link_bandwidth) {
    if (!(*link_bandwidth > 0)) return bad_input(fmt::format("--kv-link-bandwidth: '{}' must be > 0", *link_bandwidth));
    k.bandwidth = *link_bandwidth;
    k.path += ", bandwidth from --kv-link-bandwidth";
  }
  if (!(k.bandwidth > 0)) {
    return bad_input(fmt::format("--kv-link-bandwidth: the link between {} and {} has no known bandwidth (the "
                                 "catalog's scale-out figure is unknown); pass --kv-link-bandwidth",
                                 ps.name, ds.name));
  }
  k.path += fmt::format(": {:.3g} GB/s, {:.3g} us", k.bandwidth / 1e9, k.latency_s * 1e6);
  return k;
}

}  // namespace tessera
