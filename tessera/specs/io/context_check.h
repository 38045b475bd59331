// Requests longer than the model's context. A serving runtime refuses a request whose
// prompt plus requested output exceeds the model's context (vLLM's OpenAI server:
// "This model's maximum context length is N tokens"; TensorRT-LLM: max_seq_len), so a
// workload that sends them is checked before a run: all of them over is bad input, some
// of them over is a warning with the count.
#pragma once

#include <cstdint>
#include <string>

#include "tessera/core/status.h"
#include "tessera/specs/workload.h"

namespace tessera {

struct ContextCheck {
  int64_t requests = 0;  // counted (traces: every row up to `limit`; synthetic: the workload's count)
  int64_t over = 0;      // of them, prompt + output > context
  std::string warning;   // empty when none is over
};

// `context` is the model's max_position_embeddings (0 = unknown: nothing is checked).
// Constant lengths are checked exactly; traces are streamed once and counted; sampled
// lengths (lognormal, uniform) are checked against their clamp only when even the
// smallest draw is over. Every request over is bad input naming --workload.
Result<ContextCheck> check_context(const WorkloadSpec& w, int64_t context, const std::string& model);

}  // namespace tessera
