#include "tessera/compute/fp8_kernel_choice.h"

namespace tessera {

Fp8Gemm fp8_gemm_from_name(const std::string& name) {
  if (name == "block-scaled") return Fp8Gemm::BlockScaled;
  if (name == "autotuned") return Fp8Gemm::Autotuned;
  return Fp8Gemm::PerTensor;  // the profile parser admits only the three names
}

namespace {

class Fp8KernelChoice final : public DeviceModel {
 public:
  Fp8KernelChoice(std::shared_ptr<const DeviceModel> inner, Fp8Gemm choice)
      : inner_(std::move(inner)), choice_(choice) {}
  std::string_view name() const override { return inner_->name(); }
  OpCost attention(const AttentionOp& op) const override { return inner_->attention(op); }
  OpCost elementwise(const ElementwiseOp& op) const override { return inner_->elementwise(op); }

  OpCost gemm(const GemmOp& op) const override {
    const OpCost per_tensor = inner_->gemm(op);
    if (op.weight_dtype != DType::FP8 || op.act_dtype != DType::FP8) return per_tensor;
    GemmOp block = op;
    block.weight_dtype = block.act_dtype = DType::MXFP8;  // the block-scaled FP8 kernel's table and fit
    OpCost b = inner_->gemm(block);
    // The kernel's time; the op still moves FP8 bytes and does FP8 FLOPs.
    b.flops = per_tensor.flops;
    b.hbm_bytes = per_tensor.hbm_bytes;
    if (choice_ == Fp8Gemm::BlockScaled) return b;
    return b.time < per_tensor.time ? b : per_tensor;
  }

 private:
  std::shared_ptr<const DeviceModel> inner_;
  Fp8Gemm choice_;
};

}  // namespace

std::shared_ptr<const DeviceModel> with_fp8_gemm(std::shared_ptr<const DeviceModel> inner, Fp8Gemm choice) {
  if (choice == Fp8Gemm::PerTensor) return inner;
  return std::make_shared<const Fp8KernelChoice>(std::move(inner), choice);
}

}  // namespace tessera
