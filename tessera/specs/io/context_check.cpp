#include "tessera/specs/io/context_check.h"

#include <fmt/format.h>

#include "tessera/specs/io/trace_reader.h"

namespace tessera {

namespace {

// The fewest tokens a length distribution can produce.
int64_t smallest(const LengthDist& d) {
  return d.kind == LengthDist::Kind::Constant ? static_cast<int64_t>(d.a) : d.min;
}

int64_t synthetic_requests(const WorkloadSpec& w) {
  return w.kind == WorkloadKind::Batch ? w.size * w.rounds : w.n;
}

Error all_over(const WorkloadSpec& w, int64_t context, const std::string& model, const std::string& what) {
  return bad_input(fmt::format("--workload: '{}': {} exceed {}'s context of {} tokens (max_position_embeddings): a "
                               "runtime refuses them all",
                               w.text, what, model, context));
}

}  // namespace

Result<ContextCheck> check_context(const WorkloadSpec& w, int64_t context, const std::string& model) {
  ContextCheck c;
  if (context <= 0) return c;
  if (w.kind != WorkloadKind::Trace) {
    c.requests = synthetic_requests(w);
    const int64_t least = smallest(w.input) + smallest(w.output);
    if (least > context)
      return all_over(w, context, model, fmt::format("every request's prompt + output ({} tokens or more)", least));
    return c;
  }
  auto src = open_trace(w.trace_path, w.rate_scale, w.limit);
  if (!src) return src.error();
  while (auto a = (*src)->next()) {
    ++c.requests;
    if (a->input_tokens + a->output_tokens > context) ++c.over;
  }
  if (!(*src)->error().empty()) return bad_input((*src)->error());
  if (c.requests > 0 && c.over == c.requests)
    return all_over(w, context, model, fmt::format("all {} trace requests (prompt + output)", c.requests));
  if (c.over > 0)
    c.warning = fmt::format("{} of {} trace requests need more than {}'s context of {} tokens (prompt + output; "
                            "max_position_embeddings): a runtime refuses them, this run simulated them as given",
                            c.over, c.requests, model, context);
  return c;
}

}  // namespace tessera
