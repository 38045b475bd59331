// The serving simulator: requests arrive (batch, Poisson, closed loop or a trace),
// a router spreads them over identical replicas (or a prefill and a decode pool),
// and each replica runs
// continuous batching over a paged KV cache (replica.h), its iteration times
// taken from an IterationCoster. Discrete-event: a heap of (time, insertion id)
// events, so equal times resolve in scheduling order and runs are reproducible.
//
// Metrics (seconds): TTFT = first token delivered - arrival (the end of the
// iteration that finishes the prefill; disaggregated: when its KV reaches the decode
// pool); TPOT = (e2e - TTFT) / (output_tokens - 1) per request, requests with
// one output token excluded; ITL = every gap between consecutive output tokens of
// a request (exact, over all gaps); queue = first scheduled - arrival;
// duration = last completion - first arrival. Percentiles: stats.h.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/plan/batch.h"
#include "tessera/serve/replica.h"
#include "tessera/serve/sink.h"
#include "tessera/serve/stats.h"
#include "tessera/specs/deployment.h"
#include "tessera/specs/workload.h"

namespace tessera {

// Speculative decoding: k drafted tokens per step, each accepted i.i.d. with
// probability `acceptance`. `draft` prices the draft model's iterations on the same
// ranks (a second compiled deployment); null for n-gram or MTP drafting (no cost).
struct SpecDecodeOptions {
  int tokens = 0;            // k; 0 = off
  double acceptance = 0;     // p in [0, 1)
  IterationCoster* draft = nullptr;
};

struct ServeOptions {
  // Read: scheduler ("vllm" | "sarathi"; "disagg" only through simulate_disaggregated),
  // max_batch, max_tokens, chunk_tokens, admission, prefix_caching. The KV block size
  // and count come from the IterationCoster (deployment.block_tokens is not read), and
  // the replica count from `replicas` (deployment.dp is not read).
  DeploymentSpec deployment;
  int replicas = 1;
  uint64_t seed = 1;
  // "rr" (round-robin) | "least-loaded" (least outstanding tokens; alias
  // "least-outstanding-tokens") | "prefix-affinity".
  std::string router = "rr";
  int64_t queue_limit = 0;   // waiting requests per replica beyond which arrivals are rejected; 0 = none
  SpecDecodeOptions spec;
  ServeEventSink* sink = nullptr;  // not owned; every iteration and request, as they end
  bool keep_request_records = false;
  // Verify KV conservation and time order every iteration (always on in debug
  // builds); a violation is returned as an internal error.
  bool check_invariants = false;
  // Skip ahead over runs of decode steps in which the batch does not change (no
  // arrival, completion, admission or preemption; docs/models/serving.md): each step
  // is still priced, but without rebuilding the batch or touching the event heap.
  // Results equal the step-by-step loop (false) exactly. Off when a sink is attached.
  bool skip_ahead = true;
};

// Where TTFT goes, mean seconds over completed requests (docs/models/serving.md):
// queue = arrival -> first scheduled; prefill = the request's own prefill as it would
// run alone on an idle replica under the same scheduler (its chunks, its cached
// prefix skipped); interference = the rest (other requests' prefills and decodes in
// the steps that carry its prefill, waits between chunks, a disaggregated KV transfer).
struct TtftBreakdown {
  double queue_s = 0, prefill_s = 0, interference_s = 0;
};

// Disaggregated serving: a prefill pool and a decode pool, each with its own
// hardware, parallelism and replica count. A request prefills on a prefill replica,
// its prompt KV moves to a decode replica (the link of each prefill replica carries
// one transfer at a time), and the decode replica streams every token: the first
// token reaches the user when the KV lands, so TTFT includes the transfer.
struct DisaggOptions {
  int prefill_replicas = 1;
  int decode_replicas = 1;
  // Seconds to move the KV of `tokens` prompt tokens between the pools.
  std::function<double(int64_t tokens)> kv_transfer_s;
};

struct ServeResult {
  int64_t requests = 0, completed = 0, rejected = 0;
  int64_t rejected_queue = 0;                    // of `rejected`: turned away by queue_limit
  double duration_s = 0;
  int64_t input_tokens = 0, output_tokens = 0;  // of completed requests (measured ones: warm-up excluded)
  int64_t warmup_requests = 0;                   // completed but left out of every metric (workload warmup=N)
  LatencyStats ttft, tpot, itl, e2e, queue;
  TtftBreakdown ttft_breakdown;
  int64_t preemptions = 0;
  double kv_cache_peak_fraction = 0;             // max over replicas
  // Null when the feature is off. Hit rate: prompt tokens found cached over prompt
  // tokens of every (re)prefill. KV transfer share: transfer time (link queueing
  // included) over TTFT, summed over completed requests. Spec acceptance: drafted
  // tokens accepted over drafted.
  std::optional<double> prefix_cache_hit_rate, kv_transfer_share, spec_acceptance;
  std::vector<ReplicaStats> replicas;            // disaggregated: prefill pool first
  int prefill_replicas = 0;                      // disaggregated: the first this many are the prefill pool
  IterationCost busy_breakdown;                  // summed over replicas
  std::vector<RequestRecord> records;            // completed requests by id, if kept
  std::vector<std::string> warnings;
  int64_t events = 0;                            // heap events processed (skip-ahead makes it << iterations)
};

// `trace_source` is read for WorkloadKind::Trace (and ignored otherwise), open it with
// open_trace(workload.trace_path, workload.rate_scale, workload.limit); a row error it
// reports ends the run with bad_input. The coster is shared by all
// replicas (they are identical). Requests that can never fit in one replica's KV
// cache are rejected with a warning.
Result<ServeResult> simulate(IterationCoster& coster, const WorkloadSpec& workload, RequestSource* trace_source,
                             const ServeOptions& opts);

// The same run over a prefill pool (`prefill` prices its iterations) and a decode
// pool (`decode`); opts.replicas is not read. Speculative decoding applies to the
// decode pool; prefix caching to the prefill pool.
Result<ServeResult> simulate_disaggregated(IterationCoster& prefill, IterationCoster& decode,
                                           const WorkloadSpec& workload, RequestSource* trace_source,
                                           const ServeOptions& opts, const DisaggOptions& disagg);

}  // namespace tessera
