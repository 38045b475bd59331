#include "tessera/report/result_json.h"

#include <fmt/format.h>

#include "tessera/plan/params.h"

namespace tessera {

using ojson = nlohmann::ordered_json;

static ojson stats_json(const LatencyStats& s) {
  return ojson{{"mean", s.mean}, {"p50", s.p50}, {"p90", s.p90}, {"p99", s.p99}, {"max", s.max}};
}

template <class T>
static ojson opt(const std::optional<T>& v) {
  return v ? ojson(*v) : ojson(nullptr);
}

ojson iteration_cost_json(const IterationCost& c) {
  return ojson{{"total_s", c.total.value()},
               {"weight_read_s", c.weight_read.value()},
               {"gemm_compute_s", c.gemm_compute.value()},
               {"kv_read_s", c.kv_read.value()},
               {"attention_compute_s", c.attention_compute.value()},
               {"elementwise_s", c.elementwise.value()},
               {"collective_s", c.collective.value()},
               {"overhead_s", c.overhead.value()},
               {"flops", c.flops.value()},
               {"hbm_bytes", c.hbm_bytes.value()}};
}

ojson memory_json(const MemoryPlan& m) {
  return ojson{{"capacity_bytes", m.capacity.value()},     {"reserve_bytes", m.reserve.value()},
               {"weights_bytes", m.weights.value()},       {"activations_bytes", m.activations.value()},
               {"workspace_bytes", m.workspace.value()},   {"kv_cache_bytes", m.kv_cache.value()},
               {"kv_bytes_per_token", m.kv_bytes_per_token.value()}, {"kv_blocks", m.kv_blocks},
               {"kv_tokens", m.kv_tokens}};
}

// The serving runtime the run modelled: its name, whether its costs are fitted, and
// the provenance of every profile value.
static ojson runtime_json(const SimulationOutcome& o) {
  if (!o.runtime) return nullptr;
  ojson sources = ojson::object();
  for (const auto& [k, v] : o.runtime->sources) sources[k] = v;
  return ojson{{"name", o.runtime->name},
               {"display_name", o.runtime->display_name},
               {"fitted", o.runtime->fitted},
               {"kv_pool_rule", o.runtime->kv_pool_rule == KvPoolRule::FractionOfFree ? "fraction_of_free"
                                                                                    : "fraction_of_total"},
               {"preemption", o.runtime->preemption},
               {"fp8_gemm", o.runtime->fp8_gemm},
               {"sources", sources}};
}

static ojson inputs_json(const SimulationOutcome& o) {
  const ParamCount pc = count_params(o.model);
  const DeploymentSpec& d = o.deployment;
  return ojson{
      {"model", {{"name", o.model.name}, {"source", o.model.source}, {"params_total", pc.total},
                 {"params_active", pc.active}}},
      {"hardware", {{"name", o.system.name}, {"chip", o.system.chip.name}, {"chips_per_system", o.system.chips},
                    {"source", o.system.source}}},
      {"deployment", {{"tp", d.tp}, {"pp", d.pp}, {"ep", d.ep}, {"dp", d.dp}, {"lnc", d.lnc},
                      {"weights_dtype", dtype_name(d.weight_dtype)}, {"kv_dtype", dtype_name(d.kv_dtype)},
                      {"scheduler", d.scheduler}, {"max_batch", d.max_batch}, {"max_tokens", d.max_tokens},
                      {"block_tokens", d.block_tokens}, {"memory_utilization", d.memory_utilization},
                      {"chunk_tokens", d.chunk_tokens}, {"admission", d.admission},
                      {"prefix_caching", d.prefix_caching}}},
      {"workload", {{"spec", o.workload.text}}},
      {"fidelity", fidelity_name(o.fidelity)},
      {"device_model", o.device_model},
      {"runtime", runtime_json(o)},
      {"platform_overheads", {{"platform", o.overheads.platform},
                              {"per_iteration_s", o.overheads.per_iteration.value()},
                              {"per_sequence_s", o.overheads.per_sequence.value()},
                              {"per_layer_s", o.overheads.per_layer.value()},
                              {"per_collective_s", o.overheads.per_collective.value()},
                              {"per_prefill_iteration_s", o.overheads.per_prefill_iteration.value()},
                              {"tensor_efficiency", o.overheads.tensor_efficiency},
                              {"source", o.overheads.source}}},
  };
}

// Why there are no latency figures, or empty: with no completed request every
// latency statistic is undefined, and zeros would read as "instant".
std::string no_latency_reason(const Summary& s) {
  if (s.completed > 0) return "";
  if (s.requests > 0 && s.rejected == s.requests)
    return fmt::format("every request ({} of {}) was rejected (the warnings say why); nothing to summarize",
                       s.rejected, s.requests);
  if (s.requests == 0) return "the workload sent no requests; nothing to summarize";
  return fmt::format("none of {} requests completed; nothing to summarize", s.requests);
}

static ojson summary_json(const Summary& s, const SimulationOutcome& o) {
  const bool none = s.completed == 0;
  auto stats = [none](const LatencyStats& l) { return none ? ojson(nullptr) : stats_json(l); };
  const std::string reason = no_latency_reason(s);
  return ojson{
      {"requests", s.requests},
      {"no_latency_reason", reason.empty() ? ojson(nullptr) : ojson(reason)},
      {"completed", s.completed},
      {"rejected", s.rejected},
      {"duration_s", s.duration_s},
      {"output_tokens_per_s", s.output_tokens_per_s},
      {"input_tokens_per_s", s.input_tokens_per_s},
      {"requests_per_s", s.requests_per_s},
      {"ttft_s", stats(s.ttft)},
      {"tpot_s", stats(s.tpot)},
      {"itl_s", stats(s.itl)},
      {"e2e_s", stats(s.e2e)},
      {"queue_s", stats(s.queue)},
      // Mean TTFT split (serve/simulator.h TtftBreakdown, docs/models/serving.md).
      {"ttft_breakdown_s", {{"queue", o.serve.ttft_breakdown.queue_s},
                            {"prefill", o.serve.ttft_breakdown.prefill_s},
                            {"interference", o.serve.ttft_breakdown.interference_s}}},
      {"slo", {{"ttft_p99_s", opt(o.slo.ttft_p99_s)},
               {"tpot_p99_s", opt(o.slo.tpot_p99_s)},
               {"attained_fraction", opt(s.slo_attained_fraction)},
               {"goodput_requests_per_s", opt(s.goodput_requests_per_s)}}},
      {"chips", s.chips},
      {"avg_power_w", opt(s.avg_power_w)},
      {"energy_j_per_output_token", opt(s.energy_j_per_output_token)},
      {"cost_usd_per_hour", opt(s.cost_usd_per_hour)},
      {"cost_usd_per_million_output_tokens", opt(s.cost_usd_per_million_output_tokens)},
      {"mfu", s.mfu},
      {"mbu", s.mbu},
      {"kv_cache_peak_fraction", s.kv_cache_peak_fraction},
      {"preemptions", s.preemptions},
      {"prefix_cache_hit_rate", opt(s.prefix_cache_hit_rate)},
      {"kv_transfer_share", opt(s.kv_transfer_share)},
      {"spec_acceptance", opt(s.spec_acceptance)},
      {"output_tokens", s.output_tokens},
      {"input_tokens", s.input_tokens},
      {"collective_share", o.serve.busy_breakdown.total.value() > 0
                               ? o.serve.busy_breakdown.collective.value() / o.serve.busy_breakdown.total.value()
                               : 0.0},
  };
}

ojson simulation_json(const SimulationOutcome& o, const std::string& version) {
  ojson j;
  j["tessera_version"] = version;
  j["inputs"] = inputs_json(o);
  j["summary"] = summary_json(o.summary, o);
  ojson replicas = ojson::array();
  for (size_t i = 0; i < o.serve.replicas.size(); ++i) {
    const ReplicaStats& r = o.serve.replicas[i];
    replicas.push_back(ojson{{"replica", i}, {"iterations", r.iterations}, {"busy_s", r.busy_s},
                             {"completed", r.completed}, {"preemptions", r.preemptions},
                             {"kv_peak_fraction", r.kv_peak_fraction},
                             {"time_breakdown", iteration_cost_json(r.time_breakdown)}});
  }
  j["replicas"] = replicas;
  j["breakdown"] = ojson{{"busy", iteration_cost_json(o.serve.busy_breakdown)},
                         {"decode_step", iteration_cost_json(o.decode_step)},
                         {"decode_step_batch", o.decode_step_shape.decode_seqs},
                         {"decode_step_kv_tokens", o.decode_step_shape.decode_kv_tokens}};
  j["memory_per_rank"] = memory_json(o.memory);
  if (o.prefill_pool) {
    const auto& p = *o.prefill_pool;
    j["prefill_pool"] = ojson{{"hardware", p.system.name},
                              {"chip", p.system.chip.name},
                              {"tp", p.deployment.tp},
                              {"replicas", p.placement.replicas},
                              {"chips", p.placement.total_chips},
                              {"kv_blocks", p.memory.kv_blocks},
                              {"kv_link", p.kv_link},
                              {"replica_indices", "replicas[0.." + std::to_string(o.serve.prefill_replicas) + ")"}};
  }
  j["placement"] = ojson{{"ranks_per_chip", o.placement.ranks_per_chip},
                         {"ranks_per_replica", o.placement.ranks_per_replica},
                         {"chips_per_replica", o.placement.chips_per_replica},
                         {"replicas", o.placement.replicas},
                         {"systems", o.placement.systems}};
  j["warnings"] = o.warnings;
  return j;
}

}  // namespace tessera
