// Small hand-made specs for plan tests (no catalog files involved).
#pragma once

#include "tessera/plan/batch.h"
#include "tessera/specs/hardware.h"
#include "tessera/specs/platform.h"
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

// A small bucket ladder: context 128-1024, decode batch 1/4/8, KV 128-512.
inline CompiledBuckets bucket_ladder() {
  CompiledBuckets k;
  k.context_tokens = {128, 256, 512, 1024};
  k.decode_batch = {1, 4, 8};
  k.decode_kv = {128, 256, 512};
  return k;
}

// `seqs` prompts of tokens/seqs each, no cached context.
inline BatchShape prefill_batch(int32_t seqs, int64_t tokens) {
  BatchShape b;
  b.prefill_seqs = seqs;
  b.prefill_tokens = tokens;
  b.prefill_pairs = seqs * causal_pairs(0, tokens / seqs);
  return b;
}

inline BatchShape decode_batch(int32_t seqs, int64_t kv_tokens) {
  BatchShape b;
  b.decode_seqs = seqs;
  b.decode_kv_tokens = kv_tokens;
  return b;
}

}  // namespace tessera::testing
