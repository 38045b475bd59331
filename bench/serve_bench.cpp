// Serving-loop benchmark (issue 17): runs one deployment on one workload twice in
// process, with skip-ahead over steady decode runs and step by step, checks that the
// two summaries are identical (==), and prints both wall times, the iteration and
// event counts and the peak RSS. bench/serve_bench.sh drives it and times the CLI.
//
// Usage: tessera_serve_bench MODEL HARDWARE TP SCHEDULER CHUNK WORKLOAD [--skip-only]
#include <sys/resource.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tessera/planner/simulation.h"
#include "tessera/serve/simulator.h"
#include "tessera/specs/io/trace_reader.h"
#include "tessera/specs/io/workload_parse.h"

namespace {

using namespace tessera;

struct Run {
  ServeResult r;
  double wall_s = 0, cpu_s = 0;  // CPU time of this thread: robust on a shared machine
};

double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

Result<Run> run_once(IterationCoster& coster, const WorkloadSpec& w, const ServeOptions& o) {
  std::unique_ptr<RequestSource> trace;
  if (w.kind == WorkloadKind::Trace) {
    auto t = open_trace(w.trace_path, w.rate_scale, w.limit);
    if (!t) return t.error();
    trace = std::move(*t);
  }
  const double c0 = thread_cpu_s();
  const auto t0 = std::chrono::steady_clock::now();
  auto r = simulate(coster, w, trace.get(), o);
  const auto t1 = std::chrono::steady_clock::now();
  const double c1 = thread_cpu_s();
  if (!r) return r.error();
  return Run{std::move(*r), std::chrono::duration<double>(t1 - t0).count(), c1 - c0};
}

bool same(const LatencyStats& a, const LatencyStats& b) {
  return a.count == b.count && a.mean == b.mean && a.p50 == b.p50 && a.p90 == b.p90 && a.p99 == b.p99 &&
         a.max == b.max;
}

int64_t iterations(const ServeResult& r) {
  int64_t n = 0;
  for (const auto& s : r.replicas) n += s.iterations;
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s MODEL HARDWARE TP SCHEDULER CHUNK WORKLOAD [--skip-only]\n", argv[0]);
    return 2;
  }
  SimulationRequest req;
  req.model = argv[1];
  req.hardware = argv[2];
  req.deployment.tp = std::atoi(argv[3]);
  req.deployment.scheduler = argv[4];
  req.deployment.chunk_tokens = std::atoll(argv[5]);
  const bool skip_only = argc > 7 && std::string(argv[7]) == "--skip-only";
  auto w = parse_workload(argv[6]);
  if (!w) {
    std::fprintf(stderr, "%s\n", w.error().message.c_str());
    return 2;
  }
  auto c = compile_deployment(req);
  if (!c) {
    std::fprintf(stderr, "%s\n", c.error().message.c_str());
    return 3;
  }
  ServeOptions o;
  o.deployment = c->deployment;
  o.replicas = c->placement.replicas * c->iteration->virtual_engines();
  // The iteration model memoizes the token-bound part of each shape: a first untimed
  // pass warms it, so that neither timed run pays for the other's misses.
  if (!skip_only) (void)run_once(*c->iteration, *w, o);
  auto skip = run_once(*c->iteration, *w, o);
  if (!skip) {
    std::fprintf(stderr, "%s\n", skip.error().message.c_str());
    return 1;
  }
  const ServeResult& a = skip->r;
  std::printf("requests %lld  completed %lld  iterations %lld  events %lld\n", (long long)a.requests,
              (long long)a.completed, (long long)iterations(a), (long long)a.events);
  std::printf("ttft mean %.17g p99 %.17g  tpot mean %.17g  itl p99 %.17g  duration %.17g s\n", a.ttft.mean,
              a.ttft.p99, a.tpot.mean, a.itl.p99, a.duration_s);
  std::printf("skip-ahead   %.4f s simulate wall, %.4f s CPU\n", skip->wall_s, skip->cpu_s);
  if (!skip_only) {
    o.skip_ahead = false;
    auto loop = run_once(*c->iteration, *w, o);
    if (!loop) return 1;
    const ServeResult& b = loop->r;
    const bool identical = same(a.ttft, b.ttft) && same(a.tpot, b.tpot) && same(a.itl, b.itl) &&
                           same(a.e2e, b.e2e) && same(a.queue, b.queue) && a.duration_s == b.duration_s &&
                           a.preemptions == b.preemptions && iterations(a) == iterations(b);
    std::printf("step loop    %.4f s simulate wall, %.4f s CPU  (%lld events)  results %s\n", loop->wall_s,
                loop->cpu_s, (long long)b.events, identical ? "IDENTICAL" : "DIFFER");
    if (!identical) return 1;
  }
  struct rusage u {};
  getrusage(RUSAGE_SELF, &u);
  std::printf("peak RSS     %.1f MiB\n", static_cast<double>(u.ru_maxrss) / 1024.0);
  return 0;
}
