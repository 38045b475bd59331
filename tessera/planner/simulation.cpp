#include "tessera/planner/simulation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include "tessera/planner/serving.h"
#include "tessera/specs/io/context_check.h"
#include "tessera/specs/io/trace_reader.h"

namespace tessera {

namespace {

// Representative decode step of the run: the mean number of sequences per
// iteration decoding at the mean context (prompt + half the output) of the
// completed requests — where a typical token's time goes.
BatchShape representative_decode(const ServeResult& r) {
  BatchShape b;
  int64_t iterations = 0;
  for (const ReplicaStats& rs : r.replicas) iterations += rs.iterations;
  const double n = std::max<int64_t>(1, r.completed);
  const int64_t seqs = std::max<int64_t>(
      1, iterations > 0 ? std::llround(static_cast<double>(r.output_tokens) / static_cast<double>(iterations)) : 1);
  const int64_t ctx = std::max<int64_t>(
      1, std::llround(static_cast<double>(r.input_tokens) / n + static_cast<double>(r.output_tokens) / n / 2.0));
  b.decode_seqs = static_cast<int32_t>(seqs);
  b.decode_kv_tokens = seqs * ctx;
  return b;
}

// nullptr when the workload is not a trace.
Result<std::unique_ptr<RequestSource>> open_workload_trace(const WorkloadSpec& w) {
  if (w.kind != WorkloadKind::Trace) return std::unique_ptr<RequestSource>();
  return open_trace(w.trace_path, w.rate_scale, w.limit);
}

// A trace that yields no request (a header only, or limit=0 of nothing) is bad input,
// not a run of nothing that every SLO "misses".
Status check_served_something(const WorkloadSpec& w, const ServeResult& r) {
  if (w.kind == WorkloadKind::Trace && r.requests == 0)
    return bad_input(fmt::format("--workload: trace '{}' has no requests (only a header?)", w.trace_path));
  return {};
}

// Copies the resolved inputs of `c` into the outcome.
void describe_inputs(SimulationOutcome& o, const CompiledDeployment& c, const WorkloadSpec& w,
                     const SimulationRequest& req) {
  o.model = *c.model;
  o.system = *c.system;
  o.deployment = c.deployment;
  o.workload = w;
  o.slo = req.slo;
  o.placement = c.placement;
  o.memory = c.memory;
  o.overheads = c.overheads;
  o.runtime = c.runtime;
  o.fidelity = c.fidelity;
  o.device_model = std::string(c.iteration->device().name());
}

// The served run into the outcome, with its warnings and representative decode step
// (priced on `decode`, the deployment that decodes).
Status take_served(SimulationOutcome& o, const WorkloadSpec& w, ServeResult served, ServingSetup& setup,
                   IterationModel& decode) {
  TESSERA_TRY(check_served_something(w, served));
  o.serve = std::move(served);
  for (auto& x : setup.warnings) o.warnings.push_back(x);
  for (auto& x : o.serve.warnings) o.warnings.push_back(x);
  o.decode_step_shape = representative_decode(o.serve);
  o.decode_step = decode.cost(o.decode_step_shape);
  o.placement.rank.chip = nullptr;  // points into the compiled system
  return {};
}

ChipPool pool_of(const CompiledDeployment& c) {
  return ChipPool{c.system.get(), gemm_math_dtype(c.system->chip, c.deployment), c.placement.total_chips,
                  c.placement.systems, c.placement.replicas};
}

// Counts, utilization, SLO, power and cost of the run on `pools`.
void summarize(SimulationOutcome& o, const std::vector<ChipPool>& pools, const SimulationRequest& req,
               const PowerParams& params) {
  o.summary = summarize_run(o.serve, pools, req.slo, o.warnings);
  add_power_and_cost(o.summary, pools, params, req.power, req.cost, o.assumptions, o.warnings);
}

ServeOptions serve_options(const CompiledDeployment& c, const SimulationRequest& req) {
  ServeOptions opts;
  opts.deployment = c.deployment;
  opts.seed = req.seed;
  opts.router = req.router;
  opts.keep_request_records = req.keep_request_records || req.slo.ttft_p99_s || req.slo.tpot_p99_s;
  return opts;
}

SimulationRequest pool_request(const SimulationRequest& req, const SimulationRequest::PoolRequest& pool) {
  SimulationRequest r = req;
  if (!pool.hardware.empty()) r.hardware = pool.hardware;
  if (pool.tp > 0) r.deployment.tp = pool.tp;
  r.deployment.dp = pool.replicas;
  return r;
}

// run_simulation for --scheduler disagg: the outcome's model/system/placement describe
// the decode pool, o.prefill_pool the prefill pool; chips, power and cost cover both.
Result<SimulationOutcome> run_disaggregated(const SimulationRequest& req, const WorkloadSpec& workload) {
  const SimulationRequest preq = pool_request(req, req.prefill_pool);
  const SimulationRequest dreq = pool_request(req, req.decode_pool);
  auto prefill = compile_deployment(preq);
  if (!prefill) return Error{prefill.error().kind, "prefill pool: " + prefill.error().message};
  auto decode = compile_deployment(dreq);
  if (!decode) return Error{decode.error().kind, "decode pool: " + decode.error().message};
  CompiledDeployment& p = *prefill;
  CompiledDeployment& d = *decode;
  auto link = kv_link(p, d, req.kv_link_bandwidth);
  if (!link) return link.error();
  auto params = request_power_params(req);
  if (!params) return params.error();
  auto trace = open_workload_trace(workload);
  if (!trace) return trace.error();

  SimulationOutcome o;
  describe_inputs(o, d, workload, req);
  o.prefill_pool = SimulationOutcome::PrefillPool{*p.system, p.deployment, p.placement, p.memory, link->path};
  o.prefill_pool->placement.rank.chip = nullptr;
  for (const auto& w : p.placement.warnings) o.warnings.push_back("prefill pool: " + w);
  for (const auto& w : d.placement.warnings) o.warnings.push_back("decode pool: " + w);

  ServeOptions opts = serve_options(d, req);
  ServingSetup setup;
  IterationCoster* decode_coster = nullptr;
  TESSERA_TRY(prepare_serving(dreq, d, opts, setup, decode_coster));
  DisaggOptions g;
  g.prefill_replicas = p.placement.replicas;
  g.decode_replicas = d.placement.replicas;
  const KvLink kv = *link;
  g.kv_transfer_s = [kv](int64_t tokens) { return kv.seconds(tokens); };
  auto served = simulate_disaggregated(*p.iteration, *decode_coster, workload, trace->get(), opts, g);
  if (!served) return served.error();
  TESSERA_TRY(take_served(o, workload, std::move(*served), setup, *d.iteration));
  summarize(o, {pool_of(p), pool_of(d)}, req, *params);
  return o;
}

}  // namespace

Result<SimulationOutcome> run_compiled(CompiledDeployment& c, const SimulationRequest& req,
                                       const WorkloadSpec& workload, const PowerParams& params) {
  auto trace = open_workload_trace(workload);
  if (!trace) return trace.error();

  SimulationOutcome o;
  describe_inputs(o, c, workload, req);
  for (const auto& w : c.placement.warnings) o.warnings.push_back(w);
  for (DType d : {c.deployment.weight_dtype, c.deployment.kv_dtype}) {
    DType used = d;
    c.system->chip.peak(d, &used);
    if (used != d)
      o.warnings.push_back(fmt::format("{} has no native {} rate: {} math runs at the {} rate (bytes stay {})",
                                       c.system->chip.name, dtype_name(d), dtype_name(d), dtype_name(used),
                                       dtype_name(d)));
  }
  if (!req.overheads && !c.runtime->fitted)
    o.warnings.push_back(fmt::format("runtime '{}' has no fit to measured rows: its fixed costs are the profile's "
                                     "documented or estimated values (data/runtimes/{}.yaml)",
                                     c.runtime->name, c.runtime->name));

  ServeOptions opts = serve_options(c, req);
  opts.replicas = c.placement.replicas * c.iteration->virtual_engines();
  ServingSetup setup;
  IterationCoster* coster = nullptr;
  TESSERA_TRY(prepare_serving(req, c, opts, setup, coster));
  auto served = simulate(*coster, workload, trace->get(), opts);
  if (!served) return served.error();
  TESSERA_TRY(take_served(o, workload, std::move(*served), setup, *c.iteration));
  o.decode_step_ops = c.iteration->explain(o.decode_step_shape);
  summarize(o, {pool_of(c)}, req, params);
  return o;
}

Result<SimulationOutcome> run_simulation(const SimulationRequest& req) {
  auto workload = request_workload(req);
  if (!workload) return workload.error();
  if (req.deployment.scheduler == "disagg") return run_disaggregated(req, *workload);
  auto compiled = compile_deployment(req);
  if (!compiled) return compiled.error();
  // Requests over the model's context: every one over is bad input (the runtime would
  // refuse them all); some over is a warning with the count (specs/io/context_check.h).
  auto context = check_context(*workload, req.enforce_context ? compiled->model->max_position : 0,
                               compiled->model->name);
  if (!context) return context.error();
  auto params = request_power_params(req);
  if (!params) return params.error();
  auto outcome = run_compiled(*compiled, req, *workload, *params);
  if (outcome && !context->warning.empty()) outcome->warnings.push_back(context->warning);
  return outcome;
}

}  // namespace tessera
