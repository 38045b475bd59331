#include "tessera/plan/iteration_model.h"

#include <algorithm>
#include <type_traits>

#include "tessera/plan/buckets.h"

namespace tessera {

IterationModel::IterationModel(const ModelSpec& model, const DeploymentSpec& dep, const Placement& placement,
                               const MemoryPlan& memory, std::shared_ptr<const DeviceModel> device,
                               std::shared_ptr<const CollectiveModel> network, PlatformOverheads overheads)
    : lowering_(model, dep, placement, overheads.fused_elementwise, overheads.sequence_parallel), memory_(memory),
      block_tokens_(with_serving_defaults(dep).block_tokens), tp_(dep.tp),
      device_(std::move(device)), network_(std::move(network)), overheads_(std::move(overheads)) {
  virtual_engines_ = std::max(1, dep.pp);
  scratch_.reserve(64);
}

namespace {
struct OpCoster {
  const DeviceModel& dev;
  const CollectiveModel& net;
  CostedOp operator()(const GemmOp& g) const { return {{}, dev.gemm(g)}; }
  CostedOp operator()(const AttentionOp& a) const { return {{}, dev.attention(a)}; }
  CostedOp operator()(const ElementwiseOp& e) const { return {{}, dev.elementwise(e)}; }
  CostedOp operator()(const CollectiveCall& c) const { return {{}, OpCost{}, net.cost(c.kind, c.bytes, c.group).time}; }
};
}  // namespace

void IterationModel::accumulate(const std::vector<PlannedOp>& ops, IterationCost& acc) const {
  const OpCoster coster{*device_, *network_};
  for (const PlannedOp& p : ops) {
    const CostedOp c = std::visit(coster, p.op);
    const double r = p.repeat;
    if (std::holds_alternative<CollectiveCall>(p.op)) {
      acc.collective += c.collective * r + overheads_.per_collective * r;
      continue;
    }
    const Seconds t = c.cost.time * r;
    const bool memory_bound = c.cost.memory >= c.cost.compute;
    if (std::holds_alternative<GemmOp>(p.op)) {
      (memory_bound ? acc.weight_read : acc.gemm_compute) += t;
    } else if (std::holds_alternative<AttentionOp>(p.op)) {
      (memory_bound ? acc.kv_read : acc.attention_compute) += t;
    } else {
      acc.elementwise += t;
    }
    // Every TP rank does the same work on its shard: the replica does tp times it.
    acc.flops += c.cost.flops * (r * tp_);
    acc.hbm_bytes += c.cost.hbm_bytes * (r * tp_);
  }
}

static void finalize(IterationCost& c) {
  c.total = c.weight_read + c.gemm_compute + c.kv_read + c.attention_compute + c.elementwise + c.collective +
            c.overhead;
}

// Memoized on what the token-bound ops depend on: tokens, sampled sequences, whether
// the step runs a prefill, and whether it is prefill only (sequence parallelism).
IterationCost IterationModel::token_bound_cost(const BatchShape& b) {
  const uint64_t sampled = static_cast<uint64_t>(b.prefill_seqs + b.decode_seqs);
  const uint64_t has_prefill = b.prefill_tokens > 0 ? 1 : 0;
  const uint64_t prefill_only = has_prefill && b.decode_seqs == 0 ? 1 : 0;
  const uint64_t key =
      (static_cast<uint64_t>(b.tokens()) << 26) ^ (sampled << 2) ^ (has_prefill << 1) ^ prefill_only;
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  IterationCost c;
  lowering_.lower(b, OpSet::TokenBound, scratch_);
  accumulate(scratch_, c);
  memo_.emplace(key, c);
  return c;
}

// The device runs the batch padded to its compiled buckets; the fixed costs are the
// real batch's (host work is per real sequence).
IterationCost IterationModel::cost(const BatchShape& b) {
  if (b.empty()) return {};
  const BatchShape run = pad_to_buckets(b, overheads_.buckets);
  IterationCost c = token_bound_cost(run);
  lowering_.lower(run, OpSet::Attention, scratch_);
  accumulate(scratch_, c);
  c.overhead = overhead(b);
  finalize(c);
  return c;
}

Seconds IterationModel::overhead(const BatchShape& b) const {
  Seconds o = overheads_.per_iteration + overheads_.per_layer * lowering_.layers();
  if (b.prefill_tokens > 0) o += overheads_.per_prefill_iteration;
  // Host work per sequence in the step (sampling, detokenizing); the memo key holds
  // the sequence count, so the memoized token-bound part stays exact.
  o += overheads_.per_sequence * static_cast<double>(b.prefill_seqs + b.decode_seqs);
  return o;
}

std::vector<CostedOp> IterationModel::explain(const BatchShape& b) const {
  std::vector<PlannedOp> ops;
  if (!b.empty()) lowering_.lower(pad_to_buckets(b, overheads_.buckets), OpSet::All, ops);
  std::vector<CostedOp> out;
  const OpCoster coster{*device_, *network_};
  for (const PlannedOp& p : ops) {
    CostedOp c = std::visit(coster, p.op);
    c.op = p;
    if (std::holds_alternative<CollectiveCall>(p.op)) c.fixed = overheads_.per_collective;
    out.push_back(c);
  }
  return out;
}

}  // namespace tessera
