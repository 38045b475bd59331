// Micro-benchmarks: the discrete-event loop (a fixed-cost coster, so only the
// simulator is timed), the iteration-cost lookup of a real compiled deployment
// (memo hits on the token-bound part plus fresh attention), and trace parsing.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "tessera/planner/simulation.h"
#include "tessera/serve/simulator.h"
#include "tessera/specs/io/trace_reader.h"
#include "tessera/specs/io/workload_parse.h"

namespace tessera {
namespace {

// time = 5 ms + 20 us per token + 1 ns per KV token read: an H100-like 8B model.
class LinearCoster final : public IterationCoster {
 public:
  IterationCost cost(const BatchShape& s) override {
    IterationCost c;
    c.total = Seconds(5e-3 + 20e-6 * static_cast<double>(s.tokens()) + 1e-9 * static_cast<double>(s.decode_kv_tokens));
    c.overhead = c.total;
    return c;
  }
  int64_t kv_blocks() const override { return 200000; }
  int block_tokens() const override { return 16; }
};

void BM_EventLoop(benchmark::State& state) {
  const int64_t n = state.range(0);
  auto w = parse_workload("poisson:rate=400,input=512,output=128,n=" + std::to_string(n));
  ServeOptions opts;
  opts.replicas = 8;
  LinearCoster coster;
  for (auto _ : state) {
    auto r = simulate(coster, *w, nullptr, opts);
    if (!r) state.SkipWithError(r.error().message.c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * n);  // requests
}
BENCHMARK(BM_EventLoop)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_IterationCostLookup(benchmark::State& state) {
  SimulationRequest req;
  req.model = "llama-3-8b";
  req.hardware = "p5.48xlarge";
  auto c = compile_deployment(req);
  if (!c) {
    state.SkipWithError(c.error().message.c_str());
    return;
  }
  IterationModel& m = *c->iteration;
  int32_t seqs = 1;
  for (auto _ : state) {
    BatchShape b;
    b.decode_seqs = seqs;
    b.decode_kv_tokens = int64_t{seqs} * 600;
    benchmark::DoNotOptimize(m.cost(b));
    seqs = seqs % 256 + 1;  // 256 distinct shapes: the token-bound part is memoized
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IterationCostLookup);

void BM_TraceParse(benchmark::State& state) {
  const int64_t rows = state.range(0);
  const auto path = std::filesystem::temp_directory_path() / "tessera_bench_trace.csv";
  {
    std::ofstream out(path);
    out << "arrival_s,input_tokens,output_tokens\n";
    for (int64_t i = 0; i < rows; ++i) out << i * 0.01 << "," << 100 + i % 900 << "," << 10 + i % 300 << "\n";
  }
  for (auto _ : state) {
    auto src = open_trace(path);
    if (!src) {
      state.SkipWithError(src.error().message.c_str());
      break;
    }
    int64_t n = 0;
    while ((*src)->next()) ++n;
    if (n != rows) state.SkipWithError("trace row count mismatch");
  }
  state.SetItemsProcessed(state.iterations() * rows);
  std::filesystem::remove(path);
}
BENCHMARK(BM_TraceParse)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace tessera

BENCHMARK_MAIN();
