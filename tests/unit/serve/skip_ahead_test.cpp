// Skip-ahead over steady decode runs must not change any result: every workload kind,
// both schedulers, prefix caching, guaranteed admission, KV pressure (preemptions),
// several replicas (how PP virtual engines reach serve) and disaggregated pools run
// with ServeOptions::skip_ahead on and off and are compared exactly (==, not within a
// tolerance): each step is priced with the same shape and times add in the same order.
#include <gtest/gtest.h>

#include <cmath>

#include "fake_coster.h"
#include "tessera/serve/simulator.h"

namespace tessera {
namespace {

// Attention cost not linear in the KV read, so a closed form over the run would not be
// exact; the run prices every step.
class CurvedCoster final : public IterationCoster {
 public:
  CurvedCoster(int64_t kv_blocks, int block_tokens) : kv_blocks_(kv_blocks), block_tokens_(block_tokens) {}
  IterationCost cost(const BatchShape& s) override {
    ++calls;
    IterationCost c;
    c.total = Seconds(4e-3 + 3e-5 * static_cast<double>(s.tokens()) + 2e-8 * s.prefill_pairs +
                      1e-6 * std::sqrt(static_cast<double>(s.decode_kv_tokens) * (1 + s.decode_seqs)));
    c.overhead = Seconds(4e-3);
    return c;
  }
  int64_t kv_blocks() const override { return kv_blocks_; }
  int block_tokens() const override { return block_tokens_; }
  int64_t calls = 0;

 private:
  int64_t kv_blocks_;
  int block_tokens_;
};

WorkloadSpec lengths(WorkloadKind kind, double in, double out) {
  WorkloadSpec w;
  w.kind = kind;
  w.input.kind = LengthDist::Kind::Lognormal;
  w.input.a = in;
  w.input.b = in / 2;
  w.input.min = 1;
  w.input.max = 4 * in;
  w.output.kind = LengthDist::Kind::Lognormal;
  w.output.a = out;
  w.output.b = out / 2;
  w.output.min = 1;
  w.output.max = 4 * out;
  return w;
}

struct Case {
  const char* name;
  WorkloadSpec w;
  ServeOptions o;
  int64_t kv_blocks = 4000;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  auto opt = [](const char* scheduler) {
    ServeOptions o;
    o.deployment.scheduler = scheduler;
    o.deployment.max_tokens = 2048;
    o.keep_request_records = true;
    return o;
  };
  WorkloadSpec batch = lengths(WorkloadKind::Batch, 300, 120);
  batch.size = 40;
  batch.rounds = 3;
  out.push_back({"batch", batch, opt("vllm")});
  WorkloadSpec poisson = lengths(WorkloadKind::Poisson, 400, 150);
  poisson.rate = 6;
  poisson.n = 300;
  out.push_back({"poisson", poisson, opt("vllm")});
  WorkloadSpec closed = lengths(WorkloadKind::Closed, 500, 100);
  closed.concurrency = 12;
  closed.n = 200;
  out.push_back({"closed", closed, opt("vllm")});
  Case chunked{"chunked", poisson, opt("sarathi")};
  chunked.o.deployment.chunk_tokens = 256;
  out.push_back(chunked);
  Case prefix{"prefix", closed, opt("sarathi")};
  prefix.w.shared_prefix = 256;
  prefix.o.deployment.prefix_caching = true;
  out.push_back(prefix);
  Case guaranteed{"guaranteed", poisson, opt("vllm")};
  guaranteed.o.deployment.admission = "guaranteed";
  out.push_back(guaranteed);
  Case pressure{"kv_pressure", closed, opt("vllm"), 150};  // many preemptions
  out.push_back(pressure);
  Case engines{"replicas", poisson, opt("sarathi")};
  engines.w.rate = 20;
  engines.o.replicas = 3;
  engines.o.router = "least-loaded";
  out.push_back(engines);
  return out;
}

void expect_same_stats(const LatencyStats& a, const LatencyStats& b, const char* what) {
  EXPECT_EQ(a.count, b.count) << what;
  EXPECT_EQ(a.mean, b.mean) << what;
  EXPECT_EQ(a.p50, b.p50) << what;
  EXPECT_EQ(a.p90, b.p90) << what;
  EXPECT_EQ(a.p99, b.p99) << what;
  EXPECT_EQ(a.max, b.max) << what;
}

void expect_same(const ServeResult& a, const ServeResult& b) {
  EXPECT_EQ(a.completed, b.completed);
  EXPECT_EQ(a.duration_s, b.duration_s);
  EXPECT_EQ(a.preemptions, b.preemptions);
  EXPECT_EQ(a.kv_cache_peak_fraction, b.kv_cache_peak_fraction);
  expect_same_stats(a.ttft, b.ttft, "ttft");
  expect_same_stats(a.tpot, b.tpot, "tpot");
  expect_same_stats(a.itl, b.itl, "itl");
  expect_same_stats(a.e2e, b.e2e, "e2e");
  expect_same_stats(a.queue, b.queue, "queue");
  EXPECT_EQ(a.ttft_breakdown.interference_s, b.ttft_breakdown.interference_s);
  ASSERT_EQ(a.replicas.size(), b.replicas.size());
  for (size_t i = 0; i < a.replicas.size(); ++i) {
    EXPECT_EQ(a.replicas[i].iterations, b.replicas[i].iterations);
    EXPECT_EQ(a.replicas[i].busy_s, b.replicas[i].busy_s);
    EXPECT_EQ(a.replicas[i].preemptions, b.replicas[i].preemptions);
  }
  ASSERT_EQ(a.records.size(), b.records.size());
  for (size_t i = 0; i < a.records.size(); ++i) {
    EXPECT_EQ(a.records[i].arrival_s, b.records[i].arrival_s) << i;
    EXPECT_EQ(a.records[i].first_token_s, b.records[i].first_token_s) << i;
    EXPECT_EQ(a.records[i].completion_s, b.records[i].completion_s) << i;
    EXPECT_EQ(a.records[i].preemptions, b.records[i].preemptions) << i;
  }
}

TEST(SkipAhead, IdenticalToTheStepByStepLoop) {
  for (Case& c : cases()) {
    SCOPED_TRACE(c.name);
    CurvedCoster slow(c.kv_blocks, 16), fast(c.kv_blocks, 16);
    c.o.skip_ahead = false;
    c.o.check_invariants = true;
    auto a = simulate(slow, c.w, nullptr, c.o);
    c.o.skip_ahead = true;
    auto b = simulate(fast, c.w, nullptr, c.o);
    ASSERT_TRUE(a.ok() && b.ok());
    expect_same(*a, *b);
    if (std::string(c.name) == "kv_pressure") EXPECT_GT(a->preemptions, 0);
    EXPECT_LT(b->events, a->events);  // the runs were taken
    EXPECT_GT(a->replicas[0].iterations, 0);
  }
}

TEST(SkipAhead, IdenticalWithDisaggregatedPools) {
  WorkloadSpec w = lengths(WorkloadKind::Poisson, 400, 150);
  w.rate = 8;
  w.n = 200;
  ServeOptions o;
  o.deployment.scheduler = "disagg";
  o.keep_request_records = true;
  o.check_invariants = true;
  DisaggOptions g;
  g.decode_replicas = 2;
  g.kv_transfer_s = [](int64_t tokens) { return 1e-3 + 1e-6 * static_cast<double>(tokens); };
  CurvedCoster p1(4000, 16), d1(4000, 16), p2(4000, 16), d2(4000, 16);
  o.skip_ahead = false;
  auto a = simulate_disaggregated(p1, d1, w, nullptr, o, g);
  o.skip_ahead = true;
  auto b = simulate_disaggregated(p2, d2, w, nullptr, o, g);
  ASSERT_TRUE(a.ok() && b.ok());
  expect_same(*a, *b);
}

// A long decode with nothing else going on is one run: the loop's work is the pricing
// of each step, not batch building or events (the Replica counts each priced step).
TEST(SkipAhead, OneRequestDecodesAsOneRun) {
  WorkloadSpec w;
  w.kind = WorkloadKind::Batch;
  w.input.a = 100;
  w.output.a = 1000;
  ServeOptions o;
  CurvedCoster c(1000, 16);
  auto r = simulate(c, w, nullptr, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->replicas[0].iterations, 1000);
  EXPECT_EQ(r->events, 3);  // the arrival, the prefill's end, the last step's end
  // 1000 steps + the solo prefill of the TTFT breakdown + the step the run stops before.
  EXPECT_LE(c.calls, 1002);
}

}  // namespace
}  // namespace tessera
