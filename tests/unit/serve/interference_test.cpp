// TTFT interference below saturation (issue 15 item 3, docs/models/serving.md): a
// request waits for the step in flight, shares its prefill step with other prompts
// (vLLM V0) or with the running decodes (chunked), and a closed-loop client's next
// request arrives after the engine started its next step. Hand calculations use the
// FakeCoster: time = 10 ms + 1 ms per token + 10 us per decode KV entry read.
#include <gtest/gtest.h>

#include "fake_coster.h"
#include "tessera/serve/simulator.h"

namespace tessera {
namespace {

using test::FakeCoster;
using test::VectorSource;

constexpr double kA = 0.01, kB = 0.001, kC = 1e-5;

RequestArrival req(double t, int64_t in, int64_t out) {
  RequestArrival a;
  a.arrival_s = t;
  a.input_tokens = in;
  a.output_tokens = out;
  return a;
}

ServeOptions options(const std::string& scheduler, int64_t max_tokens) {
  ServeOptions o;
  o.deployment.scheduler = scheduler;
  o.deployment.max_tokens = max_tokens;
  o.keep_request_records = true;
  o.check_invariants = true;
  return o;
}

TEST(Interference, TtftSplitsIntoQueuePrefillAndInterference) {
  // A (100 in, 3 out) at 0 prefills alone: 0.11, then decodes (kv 101): 0.01201 to
  // 0.12201. B (50 in) at 0.115 and C (30 in) at 0.116 wait for that step, then
  // prefill together (vLLM V0: prompts first): 0.01 + 0.08 = 0.09, to 0.21201.
  //   A: TTFT 0.11    = queue 0       + solo 0.11 + interference 0
  //   B: TTFT 0.09701 = queue 0.00701 + solo 0.06 + interference 0.03 (C's tokens)
  //   C: TTFT 0.09601 = queue 0.00601 + solo 0.04 + interference 0.05 (B's tokens)
  FakeCoster c(kA, kB, kC, 1000, 16);
  WorkloadSpec w;
  w.kind = WorkloadKind::Trace;
  VectorSource src({req(0, 100, 3), req(0.115, 50, 1), req(0.116, 30, 1)});
  auto r = simulate(c, w, &src, options("vllm", 8192));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_NEAR(r->records[1].first_token_s, 0.21201, 1e-12);
  EXPECT_NEAR(r->ttft.mean, (0.11 + 0.09701 + 0.09601) / 3, 1e-12);
  EXPECT_NEAR(r->ttft_breakdown.queue_s, (0.00701 + 0.00601) / 3, 1e-12);
  EXPECT_NEAR(r->ttft_breakdown.prefill_s, (0.11 + 0.06 + 0.04) / 3, 1e-12);
  EXPECT_NEAR(r->ttft_breakdown.interference_s, (0.03 + 0.05) / 3, 1e-12);
}

TEST(Interference, ClosedLoopFollowUpWaitsForTheStepInFlight) {
  // Sarathi, budget 64, two clients of 100 in / 3 out:
  //   0       A chunk 64                         0.074  -> 0.074
  //   0.074   A chunk 36 + B chunk 28            0.074  -> 0.148   (A's first token)
  //   0.148   A decode (kv 101) + B chunk 63     0.07501 -> 0.22301
  //   0.22301 A decode (kv 102) + B chunk 9      0.02102 -> 0.24403 (A done, B's first token)
  // A's client sends C at 0.24403, after the engine built its next step (B's decode,
  // kv 101: 0.01201), so C is first scheduled at 0.25604, not at 0.24403.
  FakeCoster c(kA, kB, kC, 1000, 16);
  WorkloadSpec w;
  w.kind = WorkloadKind::Closed;
  w.concurrency = 2;
  w.n = 3;
  w.input.a = 100;
  w.output.a = 3;
  auto r = simulate(c, w, nullptr, options("sarathi", 64));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 3u);
  EXPECT_NEAR(r->records[0].completion_s, 0.24403, 1e-12);
  EXPECT_NEAR(r->records[1].first_token_s, 0.24403, 1e-12);
  EXPECT_NEAR(r->records[2].arrival_s, 0.24403, 1e-12);
  EXPECT_NEAR(r->records[2].admitted_s, 0.25604, 1e-12);
}

// Below saturation, more clients mean more prompts and decodes sharing the steps
// that carry a prefill, and longer steps to wait for: TTFT never falls.
TEST(Interference, ClosedLoopTtftNonDecreasingInConcurrency) {
  for (const char* scheduler : {"vllm", "sarathi"}) {
    double last = 0;
    for (int64_t conc = 1; conc <= 64; conc *= 2) {
      WorkloadSpec w;
      w.kind = WorkloadKind::Closed;
      w.concurrency = conc;
      w.n = std::max<int64_t>(160, 6 * conc);
      w.input.kind = LengthDist::Kind::Uniform;
      w.input.min = 200;
      w.input.max = 400;
      w.output.kind = LengthDist::Kind::Uniform;
      w.output.min = 50;
      w.output.max = 150;
      FakeCoster c(0.005, 2e-5, 1e-7, 100000, 16, false);
      ServeOptions o = options(scheduler, 1024);
      o.check_invariants = false;
      o.keep_request_records = false;
      auto r = simulate(c, w, nullptr, o);
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->preemptions, 0);  // below saturation of the KV cache
      EXPECT_GE(r->ttft.mean, last) << scheduler << " concurrency " << conc;
      last = r->ttft.mean;
    }
  }
}

// Warm-up (benchmark_serving-style cold start excluded): the first N requests are
// completed and conserved but left out of every metric, and the window starts at the
// N+1-th arrival.
TEST(Warmup, FirstRequestsAreConservedButNotMeasured) {
  FakeCoster c(kA, kB, kC, 1000, 16);
  WorkloadSpec w;
  w.kind = WorkloadKind::Closed;
  w.concurrency = 4;
  w.n = 12;
  w.input.a = 64;
  w.output.a = 8;
  auto all = simulate(c, w, nullptr, options("vllm", 8192));
  ASSERT_TRUE(all.ok()) << all.error().message;
  w.warmup = 4;
  auto warm = simulate(c, w, nullptr, options("vllm", 8192));
  ASSERT_TRUE(warm.ok()) << warm.error().message;
  EXPECT_EQ(warm->completed, 12);
  EXPECT_EQ(warm->warmup_requests, 4);
  EXPECT_EQ(warm->ttft.count, 8);
  EXPECT_EQ(warm->output_tokens, 8 * 8);
  EXPECT_EQ(all->output_tokens, 12 * 8);
  // The window opens at the fifth arrival, so it is shorter than the whole run.
  EXPECT_LT(warm->duration_s, all->duration_s);
  EXPECT_GT(warm->duration_s, 0);
  // Same requests, same times: excluding a window changes the metrics, not the run.
  ASSERT_EQ(warm->records.size(), all->records.size());
  for (size_t i = 0; i < all->records.size(); ++i)
    EXPECT_DOUBLE_EQ(warm->records[i].completion_s, all->records[i].completion_s);
}

}  // namespace
}  // namespace tessera
