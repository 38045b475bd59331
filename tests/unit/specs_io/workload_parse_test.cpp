#include "tessera/specs/io/workload_parse.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

std::string error_of(std::string_view spec) {
  auto r = parse_workload(spec);
  EXPECT_FALSE(r.ok()) << spec;
  if (r.ok()) return "";
  EXPECT_EQ(r.error().kind, ErrorKind::BadInput);
  return r.error().message;
}

TEST(WorkloadParse, PoissonConstants) {
  auto w = parse_workload("poisson:rate=5,input=512,output=128,n=200");
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->kind, WorkloadKind::Poisson);
  EXPECT_DOUBLE_EQ(w->rate, 5.0);
  EXPECT_EQ(w->n, 200);
  EXPECT_EQ(w->input.kind, LengthDist::Kind::Constant);
  EXPECT_DOUBLE_EQ(w->input.a, 512);
  EXPECT_DOUBLE_EQ(w->output.a, 128);
  EXPECT_EQ(w->text, "poisson:rate=5,input=512,output=128,n=200");
}

TEST(WorkloadParse, BatchWithAndWithoutRounds) {
  auto w = parse_workload("batch:size=8,input=128,output=64");
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->kind, WorkloadKind::Batch);
  EXPECT_EQ(w->size, 8);
  EXPECT_EQ(w->rounds, 1);
  auto r = parse_workload("batch:size=8,input=128,output=64,rounds=3");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rounds, 3);
}

TEST(WorkloadParse, Closed) {
  auto w = parse_workload("closed:concurrency=4,input=100,output=10,n=50");
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->kind, WorkloadKind::Closed);
  EXPECT_EQ(w->concurrency, 4);
  EXPECT_EQ(w->n, 50);
}

TEST(WorkloadParse, TraceWithOptions) {
  auto w = parse_workload("trace:/data/t:x.csv,rate-scale=2.5,limit=100");
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->kind, WorkloadKind::Trace);
  EXPECT_EQ(w->trace_path, "/data/t:x.csv");
  EXPECT_DOUBLE_EQ(w->rate_scale, 2.5);
  EXPECT_EQ(w->limit, 100);
  auto plain = parse_workload("trace:conv.csv");
  ASSERT_TRUE(plain.ok());
  EXPECT_DOUBLE_EQ(plain->rate_scale, 1.0);
  EXPECT_EQ(plain->limit, 0);
}

TEST(WorkloadParse, LognormalParamsContinueAfterComma) {
  auto w = parse_workload("poisson:rate=5,input=lognormal:mean=900,sd=300,output=128,n=200");
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->input.kind, LengthDist::Kind::Lognormal);
  EXPECT_DOUBLE_EQ(w->input.a, 900);
  EXPECT_DOUBLE_EQ(w->input.b, 300);
  EXPECT_EQ(w->input.min, 1);
  EXPECT_EQ(w->output.kind, LengthDist::Kind::Constant);
  EXPECT_DOUBLE_EQ(w->output.a, 128);
  EXPECT_EQ(w->n, 200);
}

TEST(WorkloadParse, SemicolonsInsideDistribution) {
  auto w = parse_workload("closed:concurrency=2,input=lognormal:mean=900;sd=300;max=4096,output=uniform:min=10;max=20,n=5");
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->input.kind, LengthDist::Kind::Lognormal);
  EXPECT_EQ(w->input.max, 4096);
  EXPECT_EQ(w->output.kind, LengthDist::Kind::Uniform);
  EXPECT_EQ(w->output.min, 10);
  EXPECT_EQ(w->output.max, 20);
  EXPECT_DOUBLE_EQ(w->output.a, 10);
  EXPECT_DOUBLE_EQ(w->output.b, 20);
}

TEST(WorkloadParse, ValueErrorsNameKeyAndValue) {
  EXPECT_EQ(error_of("poisson:rate=-1,input=512,output=128,n=200"), "--workload: key 'rate': '-1' must be > 0");
  EXPECT_EQ(error_of("poisson:rate=nan,input=512,output=128,n=200"),
            "--workload: key 'rate': 'nan' is not a finite number");
  EXPECT_EQ(error_of("poisson:rate=5,input=512,output=128,n=2.5"), "--workload: key 'n': '2.5' is not an integer");
  EXPECT_EQ(error_of("batch:size=0,input=1,output=1"), "--workload: key 'size': '0' must be > 0");
  EXPECT_EQ(error_of("batch:size=4,input=abc,output=1"), "--workload: key 'input': 'abc' is not an integer");
  EXPECT_EQ(error_of("poisson:rate=5,input=lognormal:mean=900,sd=-3,output=1,n=2"),
            "--workload: key 'input.sd': '-3' must be >= 0");
  EXPECT_EQ(error_of("trace:x.csv,rate-scale=0"), "--workload: key 'rate-scale': '0' must be > 0");
}

TEST(WorkloadParse, UnknownNamesSuggest) {
  EXPECT_EQ(error_of("poison:rate=5,input=1,output=1,n=1"),
            "--workload: unknown kind 'poison' (did you mean 'poisson'?); expected batch, poisson, closed, offline or trace");
  EXPECT_EQ(error_of("poisson:rte=5,input=1,output=1,n=1"),
            "--workload: unknown key 'rte' for poisson (did you mean 'rate'?)");
  EXPECT_NE(error_of("poisson:rate=5,input=lognorm:mean=1,sd=1,output=1,n=1").find("did you mean 'lognormal'"),
            std::string::npos);
  // A distribution parameter with no distribution open is an unknown key.
  EXPECT_NE(error_of("poisson:rate=5,input=3,sd=2,output=1,n=1").find("unknown key 'sd'"), std::string::npos);
}

TEST(WorkloadParse, StructuralErrors) {
  EXPECT_EQ(error_of("poisson:rate=5,input=512,output=128"), "--workload: poisson needs key 'n'");
  EXPECT_EQ(error_of("batch:size=2,size=3,input=1,output=1"), "--workload: key 'size' given twice");
  EXPECT_EQ(error_of("batch:size=2,input,output=1"), "--workload: item 'input' is not key=value");
  EXPECT_EQ(error_of("poisson:rate=5,input=lognormal:mean=900,output=1,n=2"),
            "--workload: key 'input': lognormal needs 'sd'");
  EXPECT_EQ(error_of("poisson:rate=5,input=uniform:min=9,max=3,output=1,n=2"),
            "--workload: key 'input.max': '3' must be >= min (9)");
  EXPECT_EQ(error_of("poisson:rate=5,input=uniform:min=1,max=3,mean=2,output=1,n=2"),
            "--workload: key 'input.mean': uniform takes only min and max");
  EXPECT_EQ(error_of("trace:"), "--workload: trace needs a path, e.g. 'trace:conv.csv'");
  EXPECT_FALSE(error_of("").empty());
}

// Benchmark-faithful keys: --random-range-ratio jitter, warm-up exclusion, offline mode.
TEST(WorkloadParse, RangeRatioMakesConstantLengthsUniform) {
  auto w = parse_workload("closed:concurrency=8,input=1000,output=200,n=64,range-ratio=0.1");
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->input.kind, LengthDist::Kind::Uniform);
  EXPECT_EQ(w->input.min, 900);
  EXPECT_EQ(w->input.max, 1100);
  EXPECT_EQ(w->output.min, 180);
  EXPECT_EQ(w->output.max, 220);
  EXPECT_NE(error_of("closed:concurrency=8,input=1000,output=200,n=64,range-ratio=1").find("must be in [0, 1)"),
            std::string::npos);
}

TEST(WorkloadParse, WarmupMustLeaveRequestsToMeasure) {
  auto w = parse_workload("closed:concurrency=8,input=100,output=10,n=64,warmup=8");
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->warmup, 8);
  EXPECT_NE(error_of("closed:concurrency=8,input=100,output=10,n=8,warmup=8").find("must be below n=8"),
            std::string::npos);
  EXPECT_NE(error_of("batch:size=8,input=100,output=10,warmup=2").find("unknown key 'warmup'"), std::string::npos);
}

TEST(WorkloadParse, OfflineQueuesEveryRequestAtOnce) {
  auto w = parse_workload("offline:n=3000,input=128,output=2048");
  ASSERT_TRUE(w.ok()) << w.error().message;
  EXPECT_EQ(w->kind, WorkloadKind::Batch);
  EXPECT_EQ(w->size, 3000);
  EXPECT_EQ(w->rounds, 1);
}

}  // namespace
}  // namespace tessera
