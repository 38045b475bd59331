// What requests arrive, and when. Parsed from a SPEC string (see ARCHITECTURE.md):
//   batch:size=B,input=I,output=O[,rounds=R][,shared-prefix=N]
//   poisson:rate=R,input=I,output=O,n=N[,shared-prefix=N]
//   closed:concurrency=C,input=I,output=O,n=N[,shared-prefix=N]
//   (poisson/closed also take range-ratio=R and warmup=N; batch takes range-ratio=R)
//   trace:PATH[,rate-scale=X][,limit=N]
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tessera {

// A token-length distribution: a constant, or a lognormal/uniform draw.
struct LengthDist {
  enum class Kind { Constant, Lognormal, Uniform } kind = Kind::Constant;
  double a = 0;   // constant value | lognormal mean | uniform min
  double b = 0;   // lognormal sd   | uniform max
  int64_t min = 1;
  int64_t max = 1 << 20;
};

enum class WorkloadKind { Batch, Poisson, Closed, Trace };

struct WorkloadSpec {
  WorkloadKind kind = WorkloadKind::Batch;
  std::string text;            // the SPEC as given, for reports
  int64_t size = 1;            // batch: requests per round
  int64_t rounds = 1;          // batch: rounds, each starting when the previous completes
  double rate = 0;             // poisson: requests per second
  int64_t concurrency = 1;     // closed: clients
  int64_t n = 0;               // poisson/closed: total requests
  LengthDist input;
  LengthDist output;
  std::string trace_path;      // trace
  double rate_scale = 1.0;     // trace: >1 compresses time (more load)
  int64_t limit = 0;           // trace: 0 = all rows
  // Prefix sharing: batch/poisson/closed requests share their first `shared_prefix`
  // prompt tokens (0 = none). Trace prefix hashes each cover `prefix_block_tokens`
  // tokens (Mooncake FAST'25: 512, per its README).
  int64_t shared_prefix = 0;
  int64_t prefix_block_tokens = 512;
  // Input/output length jitter as vLLM's benchmark_serving --random-range-ratio: a
  // constant length L becomes uniform in [L(1 - r), L(1 + r)]; 0 = none.
  double range_ratio = 0;
  // Requests left out of every metric: the first `warmup` to arrive (the cold start of
  // a closed loop, when all clients send at once); 0 = all requests count.
  int64_t warmup = 0;
};

// One request as it arrives.
struct RequestArrival {
  double arrival_s = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  std::vector<uint64_t> prefix_hashes;  // Mooncake hash_ids (one per prefix block), may be empty
};

// A stream of arrivals in nondecreasing time order. Implemented by generators
// (serve/) and trace readers (specs/io/); pulled one at a time so that a trace of
// any length is never held in memory.
class RequestSource {
 public:
  virtual ~RequestSource() = default;
  // Next arrival, or nullopt at the end. A malformed row is reported through error().
  virtual std::optional<RequestArrival> next() = 0;
  // Non-empty when the stream stopped because of bad input (one line: file, row, key, value).
  virtual const std::string& error() const = 0;
};

}  // namespace tessera
