// Compiled shape buckets (AWS Neuron runtimes): a graph-compiling runtime runs the
// smallest ahead-of-time compiled graph that holds a step, so the step costs what
// its padded shape costs. Transformers-NeuronX and NxD Inference compile one
// context-encoding graph per prompt-length bucket and one token-generation graph
// per (batch, KV-length) bucket; docs/models/neuron.md §Compiled buckets.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/plan/batch.h"
#include "tessera/specs/platform.h"

namespace tessera {

// The batch as the compiled graphs execute it. From the batch's sums:
// - prefill: the mean prompt chunk of the prefill sequences padded to the next
//   context bucket, every sequence at that length (exact for one sequence per
//   context-encoding call, which is how these runtimes run prefill, and for a
//   static batch of equal prompts); causal pairs recomputed for the padded chunk;
// - decode: the sequence count padded to the next batch bucket, and every line
//   of the padded batch reads the mean KV length padded to the next KV bucket
//   (a token-generation graph reads its whole KV bucket for every batch line).
// Dimensions without buckets are left as they are.
BatchShape pad_to_buckets(const BatchShape& b, const CompiledBuckets& buckets);

// Powers of two from `lo` up to and including `hi` (`hi` appended when it is not a
// power of two): the default ladder of NxD Inference's autobucketing and of
// Transformers-NeuronX's token buckets (docs/models/neuron.md §Compiled buckets).
std::vector<int64_t> power_of_two_buckets(int64_t lo, int64_t hi);

}  // namespace tessera
