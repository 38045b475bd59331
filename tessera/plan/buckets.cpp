#include "tessera/plan/buckets.h"

#include <algorithm>
#include <cmath>

namespace tessera {

BatchShape pad_to_buckets(const BatchShape& b, const CompiledBuckets& k) {
  if (k.empty()) return b;
  BatchShape p = b;
  if (b.prefill_seqs > 0 && b.prefill_tokens > 0 && !k.context_tokens.empty()) {
    const double seqs = b.prefill_seqs;
    const auto chunk = static_cast<int64_t>(std::ceil(static_cast<double>(b.prefill_tokens) / seqs));
    const int64_t padded = CompiledBuckets::pad(k.context_tokens, chunk);
    if (padded > chunk) {
      const auto context = static_cast<int64_t>(std::llround(static_cast<double>(b.prefill_context) / seqs));
      p.prefill_tokens = padded * b.prefill_seqs;
      p.prefill_pairs = seqs * causal_pairs(context, padded);
    }
  }
  if (b.decode_seqs > 0) {
    const int64_t seqs = CompiledBuckets::pad(k.decode_batch, b.decode_seqs);
    const auto kv = static_cast<int64_t>(
        std::ceil(static_cast<double>(b.decode_kv_tokens) / static_cast<double>(b.decode_seqs)));
    p.decode_seqs = static_cast<int32_t>(seqs);
    p.decode_kv_tokens = seqs * CompiledBuckets::pad(k.decode_kv, kv);
  }
  return p;
}

std::vector<int64_t> power_of_two_buckets(int64_t lo, int64_t hi) {
  std::vector<int64_t> out;
  if (lo <= 0 || hi <= 0) return out;
  for (int64_t v = lo; v < hi; v *= 2) out.push_back(v);
  out.push_back(hi);
  return out;
}

}  // namespace tessera
