// The serving simulator: requests arrive (batch, Poisson, closed loop or a trace),
// a router spreads them over identical replicas, and each replica runs
// continuous batching over a paged KV cache (replica.h), its iteration times
// taken from an IterationCoster. Discrete-event: a heap of (time, insertion id)
// events, so equal times resolve in scheduling order and runs are reproducible.
//
// Metrics (seconds): TTFT = end of the iteration that finishes the prefill -
// arrival; TPOT = (e2e - TTFT) / (output_tokens - 1) per request, requests with
// one output token excluded; ITL = every gap between consecutive output tokens of
// a request (exact, over all gaps); queue = first scheduled - arrival;
// duration = last completion - first arrival. Percentiles: stats.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/plan/batch.h"
#include "tessera/serve/replica.h"
#include "tessera/serve/stats.h"
#include "tessera/specs/deployment.h"
#include "tessera/specs/workload.h"

namespace tessera {

struct ServeOptions {
  DeploymentSpec deployment;   // scheduler ("vllm" | "sarathi"), max_batch, max_tokens
  int replicas = 1;
  uint64_t seed = 1;
  std::string router = "rr";   // "rr" (round-robin) | "least-outstanding-tokens"
  bool keep_request_records = false;
  // Verify KV conservation and time order every iteration (always on in debug
  // builds); a violation is returned as an internal error.
  bool check_invariants = false;
};

struct RequestRecord {
  int64_t id;
  double arrival_s, first_token_s, completion_s;
  int64_t input_tokens, output_tokens;
  int32_t preemptions;
  int32_t replica;
};

struct ServeResult {
  int64_t requests = 0, completed = 0, rejected = 0;
  double duration_s = 0;
  int64_t input_tokens = 0, output_tokens = 0;  // of completed requests
  LatencyStats ttft, tpot, itl, e2e, queue;
  int64_t preemptions = 0;
  double kv_cache_peak_fraction = 0;             // max over replicas
  std::vector<ReplicaStats> replicas;
  IterationCost busy_breakdown;                  // summed over replicas
  std::vector<RequestRecord> records;            // completed requests by id, if kept
  std::vector<std::string> warnings;
};

// `trace_source` is read for WorkloadKind::Trace (and ignored otherwise); a row
// error it reports ends the run with bad_input. The coster is shared by all
// replicas (they are identical). Requests that can never fit in one replica's KV
// cache are rejected with a warning.
Result<ServeResult> simulate(IterationCoster& coster, const WorkloadSpec& workload, RequestSource* trace_source,
                             const ServeOptions& opts);

}  // namespace tessera
