// Small hand-made specs for plan tests (no catalog files involved).
#pragma once

#include "tessera/specs/hardware.h"
#include "tessera/specs/model.h"

namespace tessera::testing {

// Llama-2-70B as in its config.json.
inline ModelSpec llama2_70b() {
  ModelSpec m;
  m.name = "llama-2-70b";
  m.hidden = 8192;
  m.layers = 80;
  m.heads = 64;
  m.kv_heads = 8;
  m.head_dim = 128;
  m.intermediate = 28672;
  m.vocab = 32000;
  return m;
}

// A toy GPU with round numbers so roofline times are easy to compute by hand.
inline SystemSpec toy_gpu_system(int chips = 8) {
  SystemSpec s;
  s.name = "toy";
  s.chip.name = "toy-gpu";
  s.chip.vendor = Vendor::Nvidia;
  s.chip.peak_dense[DType::BF16] = TFLOPS(1000);
  s.chip.peak_dense[DType::FP32] = TFLOPS(50);
  s.chip.hbm_capacity = GB(80);
  s.chip.hbm_bandwidth = TBps(2);
  s.chip.links = 18;
  s.chips = chips;
  s.topology = TopologyKind::Switch;
  s.link_bandwidth = GBps(400);
  s.link_latency = us(5);
  return s;
}

}  // namespace tessera::testing
