// Element-wise ops (norms, activations, residuals) on VectorE or ScalarE
// (docs/models/neuron.md §Element-wise).
#include <algorithm>
#include <cmath>

#include "tessera/compute/neuron_core_model.h"

namespace tessera::neuron {

NeuronBreakdown cost_elementwise(const CoreParams& p, const ElementwiseOp& op) {
  const double elements = static_cast<double>(std::max<int64_t>(op.elements, 0));
  const Flops flops(elements * std::max(op.flops_per_element, 0.0));
  if (elements <= 0) return finish(p, EngineLoad{}, 1, Bytes(0), Bytes(0), flops);

  // LNC=2 splits the elements evenly between the physical cores.
  const double per_core = std::ceil(elements / p.cores);
  const double bytes_per_element = std::max(op.bytes.value(), 0.0) / elements;
  const bool wide32 = dtype_bits(op.dtype) > 16;
  const double tile_free = kElementwiseTileBytesPerPartition / dtype_bytes(op.dtype);
  const double passes = op.engine == ElementwiseEngine::Vector
                            ? std::max(1.0, std::ceil(op.flops_per_element / kVectorFlopsPerPass))
                            : kScalarPassesPerOp;

  EngineLoad l;
  add_elementwise(l, p, op.engine, per_core, tile_free, passes, wide32);
  if (bytes_per_element > 0) {
    add_dma(l, p, per_core * bytes_per_element);
    l.dma_tile_bytes = std::min(per_core, p.pe_rows * tile_free) * bytes_per_element;
  }
  const int active = static_cast<int>(std::min<double>(p.cores, elements));
  return finish(p, l, active, op.bytes, Bytes(0), flops);
}

}  // namespace tessera::neuron
