// The compiler's back half: cost one iteration of a replica by lowering the
// batch and pricing every op through the device and collective models. The
// token-bound part (GEMMs, element-wise, collectives) depends only on the token
// and sampled-sequence counts, so it is memoized exactly on them; attention is
// priced fresh because it depends on the KV lengths.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "tessera/compute/device_model.h"
#include "tessera/network/collective.h"
#include "tessera/plan/batch.h"
#include "tessera/plan/lowering.h"
#include "tessera/plan/memory.h"
#include "tessera/specs/platform.h"

namespace tessera {

// A costed op, for `--explain-ops` breakdowns. The op's name may point into the model's
// graph: keep the ModelSpec (which shares the graph) alive as long as the op.
struct CostedOp {
  PlannedOp op;                // as lowered: name, shape, repeats per iteration
  OpCost cost;                 // one execution on the device (zero for collectives)
  Seconds collective{0};       // one execution of a collective on the fabric
  Seconds fixed{0};            // the platform's per-call cost (per_collective), one execution
  Seconds time() const { return cost.time + collective + fixed; }  // one execution
};

class IterationModel final : public IterationCoster {
 public:
  IterationModel(const ModelSpec& model, const DeploymentSpec& dep, const Placement& placement,
                 const MemoryPlan& memory, std::shared_ptr<const DeviceModel> device,
                 std::shared_ptr<const CollectiveModel> network, PlatformOverheads overheads);

  IterationCost cost(const BatchShape& batch) override;
  // With pipeline parallelism a replica runs pp batches in flight (vLLM's virtual
  // engines): the serving simulator sees pp engines per replica, each with 1/pp
  // of the KV cache and each iteration crossing every stage.
  int64_t kv_blocks() const override { return memory_.kv_blocks / virtual_engines_; }
  int virtual_engines() const { return virtual_engines_; }
  int block_tokens() const override { return block_tokens_; }

  // Every op of one iteration with its cost (not memoized; for reports and tests), the
  // batch padded to the platform's compiled buckets (buckets.h) as cost() runs it. The
  // iteration's time is the sum of time() x repeat over the ops plus overhead(batch).
  std::vector<CostedOp> explain(const BatchShape& batch) const;
  Seconds overhead(const BatchShape& batch) const;
  const MemoryPlan& memory() const { return memory_; }
  const DeviceModel& device() const { return *device_; }
  size_t memo_size() const { return memo_.size(); }

 private:
  void accumulate(const std::vector<PlannedOp>& ops, IterationCost& acc) const;
  IterationCost token_bound_cost(const BatchShape& batch);
  Lowering lowering_;
  MemoryPlan memory_;
  int block_tokens_;
  int tp_;
  int virtual_engines_ = 1;
  std::shared_ptr<const DeviceModel> device_;
  std::shared_ptr<const CollectiveModel> network_;
  PlatformOverheads overheads_;
  std::unordered_map<uint64_t, IterationCost> memo_;
  std::vector<PlannedOp> scratch_;
};

}  // namespace tessera
