// Prefix caching, admission policies, speculative decoding, disaggregated pools,
// routers, the queue limit and the event sink, against hand calculations with the
// FakeCoster (time = a + b * tokens + c * decode KV entries read).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "fake_coster.h"
#include "tessera/serve/simulator.h"

namespace tessera {
namespace {

using test::FakeCoster;
using test::VectorSource;

constexpr double kA = 0.01, kB = 0.001, kC = 1e-5;

RequestArrival req(double t, int64_t in, int64_t out, std::vector<uint64_t> hashes = {}) {
  RequestArrival a;
  a.arrival_s = t;
  a.input_tokens = in;
  a.output_tokens = out;
  a.prefix_hashes = std::move(hashes);
  return a;
}

WorkloadSpec trace(int64_t prefix_block_tokens = 512) {
  WorkloadSpec w;
  w.kind = WorkloadKind::Trace;
  w.prefix_block_tokens = prefix_block_tokens;
  return w;
}

WorkloadSpec batch(int64_t size, int64_t input, int64_t output) {
  WorkloadSpec w;
  w.kind = WorkloadKind::Batch;
  w.size = size;
  w.input.a = static_cast<double>(input);
  w.output.a = static_cast<double>(output);
  return w;
}

ServeOptions options(const std::string& scheduler = "vllm") {
  ServeOptions o;
  o.deployment.scheduler = scheduler;
  o.keep_request_records = true;
  o.check_invariants = true;
  return o;
}

ServeResult run_ok(IterationCoster& c, const WorkloadSpec& w, const ServeOptions& o, RequestSource* src = nullptr) {
  auto r = simulate(c, w, src, o);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(*r) : ServeResult{};
}

// --- prefix caching ---------------------------------------------------------

TEST(PrefixCaching, HitSkipsPrefillOfCachedTokens) {
  // 64-token prefix blocks. A (200 tokens, hashes 1 2 3 4) caches its 3 full
  // blocks; B shares 1 2 3, so 192 tokens are cached and it prefills 8 after them.
  auto rows = [] { return std::vector<RequestArrival>{req(0, 200, 2, {1, 2, 3, 4}), req(1.0, 200, 2, {1, 2, 3, 9})}; };
  ServeOptions o = options();
  o.deployment.prefix_caching = true;
  FakeCoster c(kA, kB, kC, 1000, 16);
  VectorSource src(rows());
  const ServeResult r = run_ok(c, trace(64), o, &src);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_NEAR(r.records[0].first_token_s, 0.21, 1e-12);        // 0.01 + 200 x 0.001
  EXPECT_NEAR(r.records[1].first_token_s - 1.0, 0.018, 1e-12);  // 0.01 + 8 x 0.001
  EXPECT_EQ(r.records[0].cached_tokens, 0);
  EXPECT_EQ(r.records[1].cached_tokens, 192);
  ASSERT_TRUE(r.prefix_cache_hit_rate.has_value());
  EXPECT_DOUBLE_EQ(*r.prefix_cache_hit_rate, 192.0 / 400.0);
  const auto b = std::find_if(c.shapes.begin(), c.shapes.end(), [](const BatchShape& s) { return s.prefill_tokens == 8; });
  ASSERT_NE(b, c.shapes.end());
  EXPECT_EQ(b->prefill_context, 192);
  EXPECT_DOUBLE_EQ(b->prefill_pairs, 8 * 192 + 8 * 9 / 2);

  o.deployment.prefix_caching = false;
  FakeCoster c2(kA, kB, kC, 1000, 16);
  VectorSource src2(rows());
  const ServeResult off = run_ok(c2, trace(64), o, &src2);
  EXPECT_NEAR(off.records[1].first_token_s - 1.0, 0.21, 1e-12);
  EXPECT_FALSE(off.prefix_cache_hit_rate.has_value());
}

TEST(PrefixCaching, FullyCachedPromptStillComputesItsLastToken) {
  ServeOptions o = options();
  o.deployment.prefix_caching = true;
  FakeCoster c(kA, kB, kC, 1000, 16);
  VectorSource src({req(0, 128, 1, {5, 6}), req(1.0, 128, 1, {5, 6})});
  const ServeResult r = run_ok(c, trace(64), o, &src);
  EXPECT_EQ(r.records[1].cached_tokens, 127);
  EXPECT_NEAR(r.records[1].first_token_s - 1.0, 0.011, 1e-12);
}

TEST(PrefixCaching, SharedPrefixWorkloadParameter) {
  // Every request shares its first 100 tokens: cached in whole KV blocks of 16, so
  // 96 tokens. Round 1 (two requests at t=0) computes everything; the second batch
  // round hits.
  WorkloadSpec w = batch(2, 300, 1);
  w.rounds = 2;
  w.shared_prefix = 100;
  ServeOptions o = options();
  o.deployment.prefix_caching = true;
  FakeCoster c(kA, kB, kC, 1000, 16);
  const ServeResult r = run_ok(c, w, o);
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_EQ(r.records[0].cached_tokens, 0);
  EXPECT_EQ(r.records[1].cached_tokens, 0);
  EXPECT_EQ(r.records[2].cached_tokens, 96);
  EXPECT_EQ(r.records[3].cached_tokens, 96);
  EXPECT_DOUBLE_EQ(*r.prefix_cache_hit_rate, 2 * 96.0 / 1200.0);
}

// Heavy load, a small KV cache and shared prefixes: pinned entries, LRU evictions
// and recompute preemptions together; invariants are checked every iteration.
TEST(PrefixCaching, InvariantsUnderEvictionAndPreemption) {
  std::vector<RequestArrival> rows;
  Rng rng(11);
  for (int i = 0; i < 400; ++i) {
    const int64_t in = 40 + static_cast<int64_t>(rng.uniform() * 200);
    std::vector<uint64_t> h;
    const uint64_t family = rng.next_u64() % 5;
    for (int64_t b = 0; b < in / 32 + 1; ++b) h.push_back(b < 3 ? family * 1000 + b : 100000 + i * 100 + b);
    rows.push_back(req(i * 0.002, in, 1 + static_cast<int64_t>(rng.uniform() * 40), h));
  }
  for (const char* sched : {"vllm", "sarathi"}) {
    ServeOptions o = options(sched);
    o.deployment.prefix_caching = true;
    o.deployment.max_tokens = 256;
    o.replicas = 2;
    o.router = "prefix-affinity";
    FakeCoster c(kA, kB, kC, 60, 16, false);
    VectorSource src(rows);
    const ServeResult r = run_ok(c, trace(32), o, &src);
    EXPECT_EQ(r.completed + r.rejected, 400) << sched;
    EXPECT_GT(r.preemptions, 0) << sched;
    EXPECT_GT(*r.prefix_cache_hit_rate, 0.05) << sched;
    EXPECT_GT(r.replicas[0].prefix_evictions + r.replicas[1].prefix_evictions, 0) << sched;
  }
}

// --- admission ------------------------------------------------------------------

TEST(Admission, GuaranteedReservesTheWholeRequestAndNeverPreempts) {
  // 10 blocks of 4 tokens; each request peaks at 8 + 20 - 1 = 27 tokens = 7 blocks.
  // Optimistic admission runs both and preempts (simulator_test); guaranteed admits
  // B only when A completes. A: prefill 8 (0.018) + decodes k = 1..19 reading 8 + k
  // entries: 19 x 0.011 + 1e-5 x (152 + 190) = 0.21242; done at 0.23042.
  ServeOptions o = options();
  o.deployment.admission = "guaranteed";
  FakeCoster c(kA, kB, kC, 10, 4);
  const ServeResult r = run_ok(c, batch(2, 8, 20), o);
  EXPECT_EQ(r.preemptions, 0);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_NEAR(r.records[0].completion_s, 0.23042, 1e-12);
  EXPECT_NEAR(r.records[1].admitted_s, 0.23042, 1e-12);
  EXPECT_NEAR(r.records[1].first_token_s, 0.24842, 1e-12);
  EXPECT_NEAR(r.records[1].completion_s, 2 * 0.23042, 1e-12);
  EXPECT_DOUBLE_EQ(r.kv_cache_peak_fraction, 0.7);
}

TEST(Admission, UnknownPolicyIsBadInput) {
  ServeOptions o = options();
  o.deployment.admission = "guarantee";
  FakeCoster c(kA, kB, kC, 10, 4);
  auto r = simulate(c, batch(1, 1, 1), nullptr, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("did you mean 'guaranteed'"), std::string::npos) << r.error().message;
}

TEST(Sarathi, ChunkTokensIsTheBudget) {
  ServeOptions o = options("sarathi");
  o.deployment.chunk_tokens = 64;
  FakeCoster c(kA, kB, kC, 1000, 16);
  const ServeResult r = run_ok(c, batch(1, 100, 2), o);
  // Steps come first in the recorded shapes; the TTFT breakdown prices solo prefills after.
  ASSERT_EQ(r.replicas[0].iterations, 3);
  EXPECT_EQ(c.shapes[0].prefill_tokens, 64);
  EXPECT_EQ(c.shapes[1].prefill_tokens, 36);
}

// --- speculative decoding -------------------------------------------------

TEST(SpecDecode, NothingAcceptedCostsDraftAndVerificationPerToken) {
  // k = 3. Iteration 1: target prefill 0.11 + draft prefill 0.001 + 100 x 1e-4 = 0.121.
  // Each later step: target verifies a 4-token chunk after the context (0.01 +
  // 4 x 0.001 = 0.014) after 3 draft steps of 0.001 + 1e-4 = 0.0011: 0.0173, one token.
  ServeOptions o = options();
  FakeCoster target(kA, kB, kC, 1000, 16), draft(0.001, 1e-4, 0, 1000, 16);
  o.spec = SpecDecodeOptions{3, 0.0, &draft};
  const ServeResult r = run_ok(target, batch(1, 100, 5), o);
  EXPECT_NEAR(r.ttft.max, 0.121, 1e-12);
  EXPECT_NEAR(r.e2e.max, 0.121 + 4 * 0.0173, 1e-12);
  ASSERT_EQ(r.replicas[0].iterations, 5);
  EXPECT_EQ(target.shapes[1].prefill_tokens, 4);
  EXPECT_EQ(target.shapes[1].prefill_context, 100);
  EXPECT_DOUBLE_EQ(target.shapes[1].prefill_pairs, 4 * 100 + 10);
  EXPECT_EQ(target.shapes[2].prefill_context, 101);
  EXPECT_EQ(draft.shapes[1].decode_seqs, 1);
  EXPECT_EQ(draft.shapes[1].decode_kv_tokens, 101);
  ASSERT_TRUE(r.spec_acceptance.has_value());
  EXPECT_DOUBLE_EQ(*r.spec_acceptance, 0.0);
  EXPECT_NEAR(r.replicas[0].draft_s, 0.001 + 0.01 + 4 * 0.0033, 1e-12);
}

TEST(SpecDecode, AllAcceptedEmitsKPlusOneTokensPerStep) {
  ServeOptions o = options();
  FakeCoster target(kA, kB, kC, 1000, 16);
  o.spec = SpecDecodeOptions{3, 0.999999999, nullptr};  // n-gram/MTP: no draft cost
  const ServeResult r = run_ok(target, batch(1, 100, 9), o);
  // Tokens 2..9 in two steps of 4, each 0.014.
  EXPECT_NEAR(r.e2e.max, 0.11 + 2 * 0.014, 1e-12);
  EXPECT_EQ(r.itl.count, 8);
  EXPECT_DOUBLE_EQ(r.itl.p50, 0.0);  // six of the eight tokens arrive with another
  EXPECT_NEAR(r.itl.max, 0.014, 1e-12);
  EXPECT_NEAR(r.tpot.max, 0.028 / 8, 1e-12);
  EXPECT_EQ(target.shapes[2].prefill_context, 104);
}

TEST(SpecDecode, MeanTokensPerStepFollowsLeviathan) {
  // E[tokens/step] = (1 - p^(k+1)) / (1 - p) = (1 - 0.6^5) / 0.4 = 2.3056 for k = 4.
  ServeOptions o = options();
  o.check_invariants = false;
  o.spec = SpecDecodeOptions{4, 0.6, nullptr};
  FakeCoster target(kA, kB, kC, 100000, 16, false);
  const ServeResult r = run_ok(target, batch(1, 10, 40001), o);
  const double steps = static_cast<double>(r.replicas[0].iterations - 1);
  EXPECT_NEAR(40000 / steps, (1 - std::pow(0.6, 5)) / 0.4, 0.04);
  EXPECT_NEAR(*r.spec_acceptance, ((1 - std::pow(0.6, 5)) / 0.4 - 1) / 4, 0.01);
}

// --- disaggregated pools --------------------------------------------------

ServeResult run_disagg(FakeCoster& p, FakeCoster& d, std::vector<RequestArrival> rows, double per_token_s,
                       int decode_replicas = 1) {
  ServeOptions o = options("disagg");
  DisaggOptions g;
  g.decode_replicas = decode_replicas;
  g.kv_transfer_s = [per_token_s](int64_t tokens) { return 0.001 + per_token_s * static_cast<double>(tokens); };
  VectorSource src(std::move(rows));
  auto r = simulate_disaggregated(p, d, trace(), &src, o, g);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(*r) : ServeResult{};
}

TEST(Disagg, TtftIncludesTheKvTransferAndDecodeRunsOnTheDecodePool) {
  // Prefill 100 tokens: 0.11; KV of 100 tokens: 0.001 + 100 x 1e-5 = 0.002. Decode
  // pool (a = 5 ms): kv 101 -> 0.00701, kv 102 -> 0.00702.
  FakeCoster p(kA, kB, kC, 1000, 16), d(0.005, kB, kC, 1000, 16);
  const ServeResult r = run_disagg(p, d, {req(0, 100, 3)}, 1e-5);
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_NEAR(r.records[0].prefill_end_s, 0.11, 1e-12);
  EXPECT_NEAR(r.records[0].first_token_s, 0.112, 1e-12);
  EXPECT_NEAR(r.records[0].completion_s, 0.112 + 0.00701 + 0.00702, 1e-12);
  EXPECT_EQ(r.records[0].replica, 0);
  EXPECT_EQ(r.records[0].decode_replica, 1);
  EXPECT_EQ(r.prefill_replicas, 1);
  ASSERT_EQ(r.replicas.size(), 2u);
  EXPECT_EQ(r.replicas[0].iterations, 1);
  EXPECT_EQ(r.replicas[1].iterations, 2);
  ASSERT_TRUE(r.kv_transfer_share.has_value());
  EXPECT_NEAR(*r.kv_transfer_share, 0.002 / 0.112, 1e-12);
  EXPECT_EQ(p.shapes.size(), 2u);  // the step, then the solo prefill of the TTFT breakdown
  EXPECT_EQ(d.shapes[0].decode_seqs, 1);
  EXPECT_EQ(d.shapes[0].prefill_tokens, 0);

  FakeCoster p2(kA, kB, kC, 1000, 16), d2(0.005, kB, kC, 1000, 16);
  const ServeResult slow = run_disagg(p2, d2, {req(0, 100, 3)}, 1e-4);
  EXPECT_NEAR(slow.ttft.max, 0.11 + 0.011, 1e-12);
  EXPECT_GT(slow.ttft.max, r.ttft.max);
}

TEST(Disagg, OneTransferAtATimePerPrefillLink) {
  // Both prefill together (0.21); transfers end at 0.212 and 0.214. A decodes alone
  // (0.00701), then with B admitted straight into decode: kv 102 + 101 -> 0.00903.
  FakeCoster p(kA, kB, kC, 1000, 16), d(0.005, kB, kC, 1000, 16);
  const ServeResult r = run_disagg(p, d, {req(0, 100, 3), req(0, 100, 3)}, 1e-5);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_NEAR(r.records[0].first_token_s, 0.212, 1e-12);
  EXPECT_NEAR(r.records[1].first_token_s, 0.214, 1e-12);
  EXPECT_NEAR(r.records[1].kv_transfer_s, 0.004, 1e-12);
  EXPECT_NEAR(r.records[0].completion_s, 0.212 + 0.00701 + 0.00903, 1e-12);
  EXPECT_NEAR(r.records[1].completion_s, 0.212 + 0.00701 + 0.00903 + 0.00702, 1e-12);
  ASSERT_EQ(d.shapes.size(), 3u);
  EXPECT_EQ(d.shapes[1].decode_seqs, 2);
  EXPECT_EQ(d.shapes[1].decode_kv_tokens, 203);
}

TEST(Disagg, SingleTokenRequestsFinishOnThePrefillPool) {
  FakeCoster p(kA, kB, kC, 1000, 16), d(0.005, kB, kC, 1000, 16);
  const ServeResult r = run_disagg(p, d, {req(0, 100, 1)}, 1e-5);
  EXPECT_NEAR(r.records[0].completion_s, 0.11, 1e-12);
  EXPECT_EQ(r.records[0].decode_replica, -1);
  EXPECT_TRUE(d.shapes.empty());
}

// --- routing and admission control -------------------------------------------

TEST(Routing, PrefixAffinityKeepsAPrefixOnOneReplicaUntilItIsOverloaded) {
  ServeOptions o = options();
  o.replicas = 4;
  o.router = "prefix-affinity";
  FakeCoster c(kA, kB, kC, 100000, 16);
  VectorSource src({req(0, 5000, 10, {0, 7}), req(0, 5000, 10, {0, 7}), req(0, 5000, 10, {0, 7}),
                    req(0, 10, 10, {})});
  const ServeResult r = run_ok(c, trace(), o, &src);
  ASSERT_EQ(r.records.size(), 4u);
  EXPECT_EQ(r.records[1].replica, r.records[0].replica);
  // Third: 10020 outstanding on the chosen replica > 2 x 0 + 8192: least loaded instead.
  EXPECT_NE(r.records[2].replica, r.records[0].replica);
  EXPECT_NE(r.records[3].replica, r.records[0].replica);  // no prefix: least loaded
}

TEST(Routing, QueueLimitRejectsAndReports) {
  ServeOptions o = options();
  o.queue_limit = 1;
  FakeCoster c(kA, kB, kC, 1000, 16);
  const ServeResult r = run_ok(c, batch(3, 10, 2), o);
  EXPECT_EQ(r.completed, 1);
  EXPECT_EQ(r.rejected, 2);
  EXPECT_EQ(r.rejected_queue, 2);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("--queue-limit"), std::string::npos) << r.warnings[0];
}

// --- event sink ----------------------------------------------------------------

class CountingSink final : public ServeEventSink {
 public:
  void on_iteration(const IterationRecord& it) override {
    ++iterations;
    busy_s += it.end_s - it.start_s;
  }
  void on_request(const RequestRecord& r) override { r.rejected ? ++rejected : ++completed; }
  int64_t iterations = 0, completed = 0, rejected = 0;
  double busy_s = 0;
};

TEST(Sink, SeesEveryIterationAndRequest) {
  CountingSink sink;
  ServeOptions o = options();
  o.sink = &sink;
  o.queue_limit = 2;
  FakeCoster c(kA, kB, kC, 1000, 16);
  const ServeResult r = run_ok(c, batch(4, 10, 3), o);
  EXPECT_EQ(sink.iterations, r.replicas[0].iterations);
  EXPECT_NEAR(sink.busy_s, r.replicas[0].busy_s, 1e-12);
  EXPECT_EQ(sink.completed, r.completed);
  EXPECT_EQ(sink.rejected, r.rejected);
  EXPECT_GT(sink.rejected, 0);
}

}  // namespace
}  // namespace tessera
