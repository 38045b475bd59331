#include "tessera/planner/serving.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "tessera/network/topology_model.h"
#include "tessera/plan/params.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/power_io.h"
#include "tessera/specs/io/trace_reader.h"
#include "tessera/specs/io/workload_parse.h"

namespace tessera {
namespace {

// The target's iteration costs with a KV budget that leaves room for the draft
// model on the same ranks: its weights come out of the KV memory, and every cached
// token also stores the draft's KV.
class SharedKvCoster final : public IterationCoster {
 public:
  SharedKvCoster(IterationCoster& inner, int64_t blocks) : inner_(inner), blocks_(blocks) {}
  IterationCost cost(const BatchShape& b) override { return inner_.cost(b); }
  int64_t kv_blocks() const override { return blocks_; }
  int block_tokens() const override { return inner_.block_tokens(); }

 private:
  IterationCoster& inner_;
  int64_t blocks_;
};

bool draft_free(const std::string& name) { return name == "ngram" || name == "mtp"; }

Status check_spec(const SimulationRequest& req) {
  if (req.spec_tokens == 0 && req.draft_model.empty()) return {};
  if (req.spec_tokens < 1) {
    return bad_input(fmt::format("--spec-tokens: '{}' must be > 0 with --draft-model '{}'", req.spec_tokens,
                                 req.draft_model));
  }
  if (req.draft_model.empty()) {
    return bad_input("--draft-model: speculative decoding needs a draft (a catalog model, ngram or mtp)");
  }
  if (!req.spec_acceptance) {
    return bad_input("--spec-acceptance: speculative decoding needs the per-token acceptance rate (0 <= p < 1)");
  }
  if (!(*req.spec_acceptance >= 0 && *req.spec_acceptance < 1)) {
    return bad_input(fmt::format("--spec-acceptance: '{}' must be in [0, 1)", *req.spec_acceptance));
  }
  return {};
}

Result<int64_t> shared_kv_blocks(const CompiledDeployment& target, const CompiledDeployment& draft) {
  const MemoryPlan& t = target.memory;
  const MemoryPlan& d = draft.memory;
  const double room = t.kv_cache.value() - d.weights.value();
  const double per_block = (t.kv_bytes_per_token.value() + d.kv_bytes_per_token.value()) * target.deployment.block_tokens;
  const int64_t blocks = room > 0 ? static_cast<int64_t>(std::floor(room / per_block)) * target.placement.attention_dp : 0;
  if (blocks < 1) {
    return infeasible(fmt::format("--draft-model: {} ({} of weights per rank) leaves no KV cache for {} on {}",
                                  draft.model->name, format_bytes(d.weights), target.model->name,
                                  target.system->name));
  }
  return blocks;
}

SimulationRequest pool_request(const SimulationRequest& req, const SimulationRequest::PoolRequest& pool) {
  SimulationRequest r = req;
  if (!pool.hardware.empty()) r.hardware = pool.hardware;
  if (pool.tp > 0) r.deployment.tp = pool.tp;
  r.deployment.dp = pool.replicas;
  return r;
}

// Prefill pool chips, power and cost added to a summary filled for the decode pool.
void add_prefill_pool(SimulationOutcome& o, const SimulationRequest& req, const PowerParams& params) {
  Summary& s = o.summary;
  const auto& p = *o.prefill_pool;
  const ServeResult& r = o.serve;
  const int chips_d = o.placement.total_chips, chips_p = p.placement.total_chips;
  s.chips = chips_d + chips_p;
  s.systems = o.placement.systems + p.placement.systems;
  const double peak = o.system.chip.peak(o.deployment.act_dtype).value() * chips_d +
                      p.system.chip.peak(p.deployment.act_dtype).value() * chips_p;
  const double bw = o.system.chip.hbm_bandwidth.value() * chips_d + p.system.chip.hbm_bandwidth.value() * chips_p;
  if (r.duration_s > 0 && peak > 0 && bw > 0) {
    s.mfu = std::clamp(r.busy_breakdown.flops.value() / (peak * r.duration_s), 0.0, 1.0);
    s.mbu = std::clamp(r.busy_breakdown.hbm_bytes.value() / (bw * r.duration_s), 0.0, 1.0);
  }
  const int replicas = o.placement.replicas + p.placement.replicas;
  if (r.duration_s > 0)
    s.link_utilization = std::clamp(r.busy_breakdown.collective.value() / (replicas * r.duration_s), 0.0, 1.0);
  const Utilization u{s.mfu, s.mbu, s.link_utilization};
  if (o.system.name == p.system.name && o.placement.systems == 1 && p.placement.systems == 1 &&
      s.chips <= o.system.chips) {
    // Both pools in one system: one system's power and price.
    s.systems = 1;
    const PowerEstimate pw = estimate_power(o.system, s.chips, 1, u, params, req.power);
    s.avg_power_w.reset();
    s.energy_j_per_output_token.reset();
    s.chip_power_w.reset();
    if (pw.facility) {
      s.avg_power_w = pw.facility->value();
      s.chip_power_w = pw.chip->value();
      if (r.output_tokens > 0) s.energy_j_per_output_token = *s.avg_power_w * r.duration_s / r.output_tokens;
    }
    const CostEstimate c = estimate_cost(o.system, 1, s.output_tokens_per_s, req.cost, pw.facility);
    if (c.per_hour) {
      s.cost_usd_per_hour = c.per_hour->value();
      s.cost_usd_per_million_output_tokens = c.usd_per_million_output;
    }
    return;
  }
  const PowerEstimate pd = estimate_power(o.system, chips_d, o.placement.systems, u, params, req.power);
  const PowerEstimate pp = estimate_power(p.system, chips_p, p.placement.systems, u, params, req.power);
  s.avg_power_w.reset();
  s.energy_j_per_output_token.reset();
  s.chip_power_w.reset();
  if (pd.facility && pp.facility) {
    s.avg_power_w = pd.facility->value() + pp.facility->value();
    s.chip_power_w = (pd.chip->value() * chips_d + pp.chip->value() * chips_p) / s.chips;
    if (r.output_tokens > 0) s.energy_j_per_output_token = *s.avg_power_w * r.duration_s / r.output_tokens;
  } else if (!pp.facility) {
    o.warnings.push_back("power (prefill pool): " + pp.missing);
  }
  const CostEstimate cd = estimate_cost(o.system, o.placement.systems, s.output_tokens_per_s, req.cost, pd.facility);
  const CostEstimate cp = estimate_cost(p.system, p.placement.systems, s.output_tokens_per_s, req.cost, pp.facility);
  for (const auto& a : pp.assumptions) o.assumptions.push_back(a);
  for (const auto& a : cp.assumptions) o.assumptions.push_back(a);
  s.cost_usd_per_hour.reset();
  s.cost_usd_per_million_output_tokens.reset();
  if (cd.per_hour && cp.per_hour) {
    s.cost_usd_per_hour = cd.per_hour->value() + cp.per_hour->value();
    if (s.output_tokens_per_s > 0)
      s.cost_usd_per_million_output_tokens = *s.cost_usd_per_hour / (s.output_tokens_per_s * 3600.0) * 1e6;
  } else if (!cp.per_hour) {
    o.warnings.push_back("cost (prefill pool): " + cp.missing);
  }
}

}  // namespace

Status prepare_serving(const SimulationRequest& req, CompiledDeployment& target, ServeOptions& opts,
                       ServingSetup& setup, IterationCoster*& coster) {
  coster = target.iteration.get();
  opts.queue_limit = req.queue_limit;
  opts.sink = req.sink;
  if (req.queue_limit < 0) return bad_input(fmt::format("--queue-limit: '{}' must be >= 0", req.queue_limit));
  TESSERA_TRY(check_spec(req));
  if (req.spec_tokens == 0) return {};
  opts.spec.tokens = req.spec_tokens;
  opts.spec.acceptance = *req.spec_acceptance;
  if (draft_free(req.draft_model)) return {};
  SimulationRequest dreq = req;
  dreq.model = req.draft_model;
  dreq.deployment = target.deployment;
  dreq.deployment.scheduler = "vllm";
  auto draft = compile_deployment(dreq);
  if (!draft) {
    Error e = draft.error();
    e.message = "--draft-model: " + e.message;
    return e;
  }
  setup.draft = std::move(*draft);
  auto blocks = shared_kv_blocks(target, *setup.draft);
  if (!blocks) return blocks.error();
  setup.target_with_draft = std::make_unique<SharedKvCoster>(*target.iteration, *blocks);
  coster = setup.target_with_draft.get();
  opts.spec.draft = setup.draft->iteration.get();
  setup.warnings.push_back(fmt::format(
      "speculative decoding: draft {} on the same ranks; its weights ({} per rank) and KV leave {} KV blocks of {} "
      "for the target",
      setup.draft->model->name, format_bytes(setup.draft->memory.weights), *blocks, target.memory.kv_blocks));
  return {};
}

void add_serving_summary(SimulationOutcome& o) {
  o.summary.prefix_cache_hit_rate = o.serve.prefix_cache_hit_rate;
  o.summary.kv_transfer_share = o.serve.kv_transfer_share;
  o.summary.spec_acceptance = o.serve.spec_acceptance;
}

Result<KvLink> kv_link(const CompiledDeployment& prefill, const CompiledDeployment& decode,
                       std::optional<double> link_bandwidth) {
  KvLink k;
  const ModelSpec& m = *decode.model;
  k.bytes_per_token = kv_elements_per_token_per_layer(m) * m.layers * dtype_bytes(decode.deployment.kv_dtype);
  const SystemSpec& ps = *prefill.system;
  const SystemSpec& ds = *decode.system;
  const bool one_system = ps.name == ds.name && prefill.placement.systems == 1 && decode.placement.systems == 1 &&
                          prefill.placement.total_chips + decode.placement.total_chips <= ds.chips;
  if (one_system) {
    // Send/recv between two chips of the system, linearised (latency + bytes / rate)
    // from the collective model at 1 B and 256 MiB; every chip pair of the two
    // replicas moves its shard at once.
    const auto net = make_collective_model(ds);
    const CollectiveGroup pair{2, 1};
    const double big = 256.0 * 1024 * 1024;
    const double t0 = net->cost(CollectiveKind::SendRecv, Bytes(1), pair).time.value();
    const double t1 = net->cost(CollectiveKind::SendRecv, Bytes(big), pair).time.value();
    const int pairs = std::max(1, std::min(prefill.placement.chips_per_replica, decode.placement.chips_per_replica));
    k.latency_s = t0;
    k.bandwidth = t1 > t0 ? pairs * big / (t1 - t0) : 0;
    k.path = fmt::format("send/recv inside {} ({} chip pairs)", ds.name, pairs);
  } else {
    k.latency_s = std::max(ps.scaleout_latency.value(), ds.scaleout_latency.value());
    k.bandwidth = std::min(ps.scaleout_bandwidth.value(), ds.scaleout_bandwidth.value());
    k.path = fmt::format("scale-out {} -> {}", ps.name, ds.name);
  }
  if (link_bandwidth) {
    if (!(*link_bandwidth > 0)) return bad_input(fmt::format("--kv-link-bandwidth: '{}' must be > 0", *link_bandwidth));
    k.bandwidth = *link_bandwidth;
    k.path += ", bandwidth from --kv-link-bandwidth";
  }
  if (!(k.bandwidth > 0)) {
    return bad_input(fmt::format("--kv-link-bandwidth: the link between {} and {} has no known bandwidth (the "
                                 "catalog's scale-out figure is unknown); pass --kv-link-bandwidth",
                                 ps.name, ds.name));
  }
  k.path += fmt::format(": {:.3g} GB/s, {:.3g} us", k.bandwidth / 1e9, k.latency_s * 1e6);
  return k;
}

Result<SimulationOutcome> run_disaggregated(const SimulationRequest& req) {
  auto workload = parse_workload(req.workload);
  if (!workload) return workload.error();
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

  auto params = resolve_power_params(req);
  if (!params) return params.error();
  auto trace = open_workload_trace(*workload);
  if (!trace) return trace.error();

  SimulationOutcome o;
  describe_inputs(o, d, *workload, req);
  o.prefill_pool = SimulationOutcome::PrefillPool{*p.system, p.deployment, p.placement, p.memory, link->path};
  o.prefill_pool->placement.rank.chip = nullptr;
  for (const auto& w : p.placement.warnings) o.warnings.push_back("prefill pool: " + w);
  for (const auto& w : d.placement.warnings) o.warnings.push_back("decode pool: " + w);

  ServeOptions opts;
  opts.deployment = d.deployment;
  opts.seed = req.seed;
  opts.router = req.router;
  opts.keep_request_records = req.keep_request_records || req.slo.ttft_p99_s || req.slo.tpot_p99_s;
  ServingSetup setup;
  IterationCoster* decode_coster = nullptr;
  TESSERA_TRY(prepare_serving(dreq, d, opts, setup, decode_coster));
  DisaggOptions g;
  g.prefill_replicas = p.placement.replicas;
  g.decode_replicas = d.placement.replicas;
  const KvLink kv = *link;
  g.kv_transfer_s = [kv](int64_t tokens) { return kv.seconds(tokens); };
  auto served = simulate_disaggregated(*p.iteration, *decode_coster, *workload, trace->get(), opts, g);
  if (!served) return served.error();
  o.serve = std::move(*served);
  for (auto& w : setup.warnings) o.warnings.push_back(w);
  for (auto& w : o.serve.warnings) o.warnings.push_back(w);

  o.decode_step_shape = representative_decode(o.serve);
  o.decode_step = d.iteration->cost(o.decode_step_shape);
  o.placement.rank.chip = nullptr;  // points into the compiled system, which ends here
  fill_summary(o, req, *params);
  add_prefill_pool(o, req, *params);
  add_serving_summary(o);
  return o;
}

}  // namespace tessera
