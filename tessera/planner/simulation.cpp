#include "tessera/planner/simulation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "tessera/network/topology_model.h"
#include "tessera/plan/params.h"
#include "tessera/compute/fp8_kernel_choice.h"
#include "tessera/planner/serving.h"
#include "tessera/specs/io/calibration_io.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/kernel_table_io.h"
#include "tessera/specs/io/power_io.h"
#include "tessera/specs/io/trace_reader.h"
#include "tessera/specs/io/workload_parse.h"

namespace tessera {

namespace {

// The default fidelity of each platform: the engine-level NeuronCore model, the
// calibrated NVIDIA model, and the roofline for a platform with no calibration (AMD).
Fidelity resolve_fidelity(Fidelity f, const ChipSpec& chip) {
  if (f != Fidelity::Auto) return f;
  if (chip.platform == "neuron") return Fidelity::Engine;
  if (chip.platform == "nvidia") return Fidelity::Fitted;
  return Fidelity::Roofline;
}

// The measured tables of one chip (~10^4 rows) are read once per process: a sweep or a
// plan compiles many deployments of the same chip. The files are data, not user input
// that changes during a run, so a process-lifetime cache is safe.
Result<std::shared_ptr<const NvidiaKernelTables>> cached_kernel_tables(const std::filesystem::path& data_dir,
                                                                       const std::string& chip) {
  static std::mutex mu;
  static std::map<std::pair<std::string, std::string>, std::shared_ptr<const NvidiaKernelTables>> cache;
  const auto key = std::make_pair(data_dir.string(), chip);
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto t = load_nvidia_kernel_tables(data_dir, chip);  // outside the lock: other chips load in parallel
  if (!t) return t.error();
  auto shared = std::make_shared<const NvidiaKernelTables>(std::move(*t));
  std::lock_guard<std::mutex> lock(mu);
  return cache.emplace(key, std::move(shared)).first->second;
}

}  // namespace

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

Result<CompiledDeployment> compile_deployment(const SimulationRequest& req) {
  const auto data_dir = req.data_dir.empty() ? Catalog::default_data_dir() : req.data_dir;
  auto catalog = Catalog::open(data_dir);
  if (!catalog) return catalog.error();
  auto model = catalog->model(req.model);
  if (!model) return model.error();
  auto system = catalog->system(req.hardware);
  if (!system) return system.error();

  TESSERA_TRY(check_graph_lowering(*model->graph));  // every model front end builds the graph
  auto runtime = catalog->runtime_for(req.deployment.runtime, system->chip);
  if (!runtime) return runtime.error();
  CompiledDeployment c;
  c.model = std::make_shared<const ModelSpec>(std::move(*model));
  c.system = std::make_shared<const SystemSpec>(std::move(*system));
  c.deployment = req.deployment;
  apply_runtime_defaults(c.deployment, *runtime);
  c.runtime = std::make_shared<const RuntimeProfile>(std::move(*runtime));
  auto placement = place(*c.model, *c.system, c.deployment);
  if (!placement) return placement.error();
  c.placement = *placement;
  c.deployment.lnc = c.placement.lnc;
  auto memory = plan_memory(*c.model, *c.system, c.deployment, c.placement);
  if (!memory) return memory.error();
  c.memory = *memory;

  c.overheads = req.overheads ? *req.overheads : c.runtime->costs;
  c.fidelity = resolve_fidelity(req.fidelity, c.system->chip);
  std::optional<NvidiaComputeFit> fit;
  if (c.system->chip.platform == "nvidia" && c.fidelity != Fidelity::Roofline) {
    auto f = load_nvidia_fit(nvidia_fit_path(data_dir, c.system->chip.name));
    if (!f) return f.error();
    fit = std::move(*f);
  }
  // The platform's fitted compiler efficiency applies to the engine model it was
  // fitted with, not to the roofline bound.
  const double eta = c.fidelity == Fidelity::Roofline ? 1.0 : c.overheads.tensor_efficiency;
  // Measured fidelity interpolates the chip's kernel tables; a chip without them (any
  // non-NVIDIA chip too) is a bad-input error naming the chips that have them.
  std::shared_ptr<const NvidiaKernelTables> tables;
  if (c.fidelity == Fidelity::Measured) {
    auto t = cached_kernel_tables(data_dir, c.system->chip.name);
    if (!t) return t.error();
    tables = std::move(*t);
  }
  auto device = make_device_model(c.placement.rank, c.fidelity, fit ? &*fit : nullptr, eta, tables.get());
  if (!device) return device.error();
  // The runtime's FP8 GEMM kernel (per-tensor, block-scaled or autotuned per shape):
  // both kernels are measured on NVIDIA; the roofline has one FP8 rate.
  if (c.system->chip.platform == "nvidia" && c.fidelity != Fidelity::Roofline)
    *device = with_fp8_gemm(std::move(*device), fp8_gemm_from_name(c.runtime->fp8_gemm));
  auto network = make_collective_model(*c.system);
  c.iteration = std::make_unique<IterationModel>(*c.model, c.deployment, c.placement, c.memory, *device,
                                                 network, c.overheads);
  return c;
}

void fill_summary(SimulationOutcome& o, const SimulationRequest& req, const PowerParams& params) {
  const SloTargets& slo = req.slo;
  const ServeResult& r = o.serve;
  Summary& s = o.summary;
  s.requests = r.requests;
  s.completed = r.completed;
  s.rejected = r.rejected;
  s.duration_s = r.duration_s;
  s.input_tokens = r.input_tokens;
  s.output_tokens = r.output_tokens;
  if (r.duration_s > 0) {
    s.output_tokens_per_s = static_cast<double>(r.output_tokens) / r.duration_s;
    s.input_tokens_per_s = static_cast<double>(r.input_tokens) / r.duration_s;
    s.requests_per_s = static_cast<double>(r.completed) / r.duration_s;
  }
  s.ttft = r.ttft;
  s.tpot = r.tpot;
  s.itl = r.itl;
  s.e2e = r.e2e;
  s.queue = r.queue;
  s.preemptions = r.preemptions;
  s.kv_cache_peak_fraction = r.kv_cache_peak_fraction;
  s.chips = o.placement.total_chips;
  s.systems = o.placement.systems;

  // Utilization against the whole deployment's peak over the run's wall time.
  const ChipSpec& chip = o.system.chip;
  const double peak = chip.peak(o.deployment.act_dtype).value() * s.chips;
  const double bw = chip.hbm_bandwidth.value() * s.chips;
  if (r.duration_s > 0 && peak > 0 && bw > 0) {
    s.mfu = std::clamp(r.busy_breakdown.flops.value() / (peak * r.duration_s), 0.0, 1.0);
    s.mbu = std::clamp(r.busy_breakdown.hbm_bytes.value() / (bw * r.duration_s), 0.0, 1.0);
  }

  if (slo.ttft_p99_s || slo.tpot_p99_s) {
    int64_t ok = 0;
    for (const RequestRecord& q : r.records) {
      const double ttft = q.first_token_s - q.arrival_s;
      const double tpot = q.output_tokens > 1 ? (q.completion_s - q.first_token_s) / (q.output_tokens - 1) : 0.0;
      if ((!slo.ttft_p99_s || ttft <= *slo.ttft_p99_s) && (!slo.tpot_p99_s || tpot <= *slo.tpot_p99_s)) ++ok;
    }
    const int64_t total = r.completed + r.rejected;
    s.slo_attained_fraction = total > 0 ? static_cast<double>(ok) / total : 0.0;
    s.goodput_requests_per_s = r.duration_s > 0 ? ok / r.duration_s : 0.0;
  }

  // Fabric activity: the fraction of each replica's wall time spent in collectives.
  const int replicas = std::max(1, o.placement.replicas);
  if (r.duration_s > 0)
    s.link_utilization = std::clamp(r.busy_breakdown.collective.value() / (replicas * r.duration_s), 0.0, 1.0);
  const Utilization u{s.mfu, s.mbu, s.link_utilization};
  const PowerEstimate pw = estimate_power(o.system, s.chips, s.systems, u, params, req.power);
  s.pue = pw.pue;
  for (const auto& a : pw.assumptions) o.assumptions.push_back(a);
  if (pw.facility) {
    s.avg_power_w = pw.facility->value();
    s.chip_power_w = pw.chip->value();
    if (r.output_tokens > 0) s.energy_j_per_output_token = s.avg_power_w.value() * r.duration_s / r.output_tokens;
  } else {
    o.warnings.push_back("power: " + pw.missing);
  }
  const CostEstimate cost = estimate_cost(o.system, s.systems, s.output_tokens_per_s, req.cost, pw.facility);
  for (const auto& a : cost.assumptions) o.assumptions.push_back(a);
  if (cost.per_hour) {
    s.cost_usd_per_hour = cost.per_hour->value();
    s.cost_usd_per_million_output_tokens = cost.usd_per_million_output;
  } else {
    o.warnings.push_back("cost: " + cost.missing);
  }
}

Result<PowerParams> resolve_power_params(const SimulationRequest& req) {
  if (req.power_params) return *req.power_params;
  const auto data_dir = req.data_dir.empty() ? Catalog::default_data_dir() : req.data_dir;
  return load_power_params(power_params_path(data_dir));
}

Result<std::unique_ptr<RequestSource>> open_workload_trace(const WorkloadSpec& w) {
  if (w.kind != WorkloadKind::Trace) return std::unique_ptr<RequestSource>();
  return open_trace(w.trace_path, w.rate_scale, w.limit);
}

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

Result<SimulationOutcome> run_simulation(const SimulationRequest& req) {
  if (req.deployment.scheduler == "disagg") return run_disaggregated(req);
  auto workload = parse_workload(req.workload);
  if (!workload) return workload.error();
  auto compiled = compile_deployment(req);
  if (!compiled) return compiled.error();
  CompiledDeployment& c = *compiled;
  auto params = resolve_power_params(req);
  if (!params) return params.error();
  auto trace = open_workload_trace(*workload);
  if (!trace) return trace.error();

  SimulationOutcome o;
  describe_inputs(o, c, *workload, req);
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

  ServeOptions opts;
  opts.deployment = c.deployment;
  opts.replicas = c.placement.replicas * c.iteration->virtual_engines();
  opts.seed = req.seed;
  opts.router = req.router;
  opts.keep_request_records = req.keep_request_records || req.slo.ttft_p99_s || req.slo.tpot_p99_s;
  ServingSetup setup;
  IterationCoster* coster = nullptr;
  TESSERA_TRY(prepare_serving(req, c, opts, setup, coster));
  auto served = simulate(*coster, *workload, trace->get(), opts);
  if (!served) return served.error();
  o.serve = std::move(*served);
  for (auto& w : setup.warnings) o.warnings.push_back(w);
  for (auto& w : o.serve.warnings) o.warnings.push_back(w);

  o.decode_step_shape = representative_decode(o.serve);
  o.decode_step = c.iteration->cost(o.decode_step_shape);
  o.decode_step_ops = c.iteration->explain(o.decode_step_shape);
  o.placement.rank.chip = nullptr;  // points into the compiled system, which ends here
  fill_summary(o, req, *params);
  add_serving_summary(o);
  return o;
}

}  // namespace tessera
