#include "tessera/compute/roofline_model.h"

#include <algorithm>

namespace tessera {

Bytes gemm_bytes(const GemmOp& op) {
  const double w = static_cast<double>(op.k) * static_cast<double>(op.n) * dtype_bytes(op.weight_dtype);
  const double x = static_cast<double>(op.m) * static_cast<double>(op.k) * dtype_bytes(op.act_dtype);
  const double y = static_cast<double>(op.m) * static_cast<double>(op.n) * dtype_bytes(op.act_dtype);
  return Bytes((w + x + y) * static_cast<double>(op.count));
}

Bytes attention_bytes(const AttentionOp& op) {
  const double kv = static_cast<double>(op.kv_tokens) * static_cast<double>(op.kv_bytes_per_token);
  const double act = dtype_bytes(op.compute_dtype);
  const double q = static_cast<double>(op.q_tokens) * op.heads * op.head_dim_qk * act;
  const double o = static_cast<double>(op.q_tokens) * op.heads * op.head_dim_v * act;
  return Bytes(kv + q + o);
}

RooflineModel::RooflineModel(RankResources rank, RooflineParams params)
    : rank_(rank), params_(params),
      bandwidth_(rank.chip->hbm_bandwidth * rank.chip_fraction * params.memory_efficiency) {}

OpCost RooflineModel::finish(Flops flops, FlopsPerSecond peak, Bytes bytes) const {
  OpCost c;
  c.flops = flops;
  c.hbm_bytes = bytes;
  const FlopsPerSecond rate = peak * rank_.chip_fraction * params_.compute_efficiency;
  c.compute = rate.value() > 0 ? flops / rate : Seconds(0);
  c.memory = bandwidth_.value() > 0 ? bytes / bandwidth_ : Seconds(0);
  c.overhead = params_.op_overhead;
  c.time = max(c.compute, c.memory) + c.overhead;
  return c;
}

OpCost RooflineModel::gemm(const GemmOp& op) const {
  // Narrow weights are dequantized into the activation dtype on chips without a
  // native rate; the math runs at the narrower of the two supported formats.
  const DType math = dtype_bits(op.weight_dtype) < dtype_bits(op.act_dtype) &&
                             rank_.chip->peak_dense.count(op.weight_dtype)
                         ? op.weight_dtype
                         : op.act_dtype;
  return finish(gemm_flops(op), rank_.chip->peak(math), gemm_bytes(op));
}

OpCost RooflineModel::attention(const AttentionOp& op) const {
  return finish(attention_flops(op), rank_.chip->peak(op.compute_dtype), attention_bytes(op));
}

OpCost RooflineModel::elementwise(const ElementwiseOp& op) const {
  // Element-wise math runs on vector units at roughly FP32 non-tensor rate.
  const Flops flops(static_cast<double>(op.elements) * op.flops_per_element);
  return finish(flops, rank_.chip->peak(DType::FP32), op.bytes);
}

}  // namespace tessera
