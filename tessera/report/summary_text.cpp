#include "tessera/report/summary_text.h"

#include <fmt/format.h>

#include <variant>

#include "tessera/report/result_json.h"

namespace tessera {

static std::string latency_row(const char* label, const LatencyStats& s, double scale) {
  return fmt::format("  {:<11}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}\n", label, s.mean * scale, s.p50 * scale,
                     s.p90 * scale, s.p99 * scale, s.max * scale);
}

// Where one decode step's time goes, one aligned row per part (ms and share).
static std::string decode_step_text(const SimulationOutcome& o) {
  const IterationCost& c = o.decode_step;
  std::string out = fmt::format("decode step  batch {} at {} KV tokens: {:.2f} ms\n", o.decode_step_shape.decode_seqs,
                                o.decode_step_shape.decode_kv_tokens, c.total.value() * 1e3);
  const std::pair<const char*, Seconds> parts[] = {
      {"weight reads", c.weight_read}, {"KV reads", c.kv_read},        {"GEMM compute", c.gemm_compute},
      {"attention compute", c.attention_compute}, {"elementwise", c.elementwise}, {"collectives", c.collective},
      {"overhead", c.overhead}};
  for (const auto& [name, t] : parts) {
    const double share = c.total.value() > 0 ? 100 * t.value() / c.total.value() : 0;
    out += fmt::format("  {:<19}{:>9.3f} ms{:>7.1f}%\n", name, t.value() * 1e3, share);
  }
  return out;
}

std::string simulation_summary_text(const SimulationOutcome& o) {
  const Summary& s = o.summary;
  const DeploymentSpec& d = o.deployment;
  std::string out;
  out += fmt::format("{} on {} — {} {} {} in {} {}, tp={} pp={} dp={} lnc={}, weights {}, kv {}, {} model\n",
                     o.model.name, o.system.name, s.chips, o.system.chip.name, s.chips == 1 ? "chip" : "chips",
                     s.systems, s.systems == 1 ? "system" : "systems", d.tp, d.pp, d.dp, d.lnc,
                     dtype_name(d.weight_dtype), dtype_name(d.kv_dtype), o.device_model);
  if (o.runtime)
    out += fmt::format("runtime      {} ({}): scheduler {}, max {} seqs / {} tokens per step, {} admission{}\n",
                       o.runtime->name, o.runtime->display_name, d.scheduler, d.max_batch, d.max_tokens, d.admission,
                       o.runtime->fitted ? "" : ", costs not fitted");
  out += fmt::format("workload     {}  ({} requests, {} completed, {} rejected)\n", o.workload.text, s.requests,
                     s.completed, s.rejected);
  out += fmt::format("duration     {:.3f} s\n", s.duration_s);
  out += fmt::format("throughput   {:.1f} output tok/s   {:.1f} input tok/s   {:.3f} req/s\n", s.output_tokens_per_s,
                     s.input_tokens_per_s, s.requests_per_s);
  if (const std::string why = no_latency_reason(s); !why.empty()) {
    out += "latency      none: " + why + "\n";
  } else {
    out += fmt::format("  {:<11}{:>10}{:>10}{:>10}{:>10}{:>10}\n", "latency", "mean", "p50", "p90", "p99", "max");
    out += latency_row("TTFT ms", s.ttft, 1e3);
    out += latency_row("TPOT ms", s.tpot, 1e3);
    out += latency_row("ITL ms", s.itl, 1e3);
    out += latency_row("E2E s", s.e2e, 1);
    out += latency_row("queue ms", s.queue, 1e3);
  }
  out += fmt::format("utilization  MFU {:.1f}%   MBU {:.1f}%   KV cache peak {:.1f}%   preemptions {}\n", s.mfu * 100,
                     s.mbu * 100, s.kv_cache_peak_fraction * 100, s.preemptions);
  if (s.prefix_cache_hit_rate || s.kv_transfer_share || s.spec_acceptance) {
    std::string f;
    if (s.prefix_cache_hit_rate) f += fmt::format("   prefix-cache hit {:.1f}%", *s.prefix_cache_hit_rate * 100);
    if (s.kv_transfer_share) f += fmt::format("   KV transfer {:.1f}% of TTFT", *s.kv_transfer_share * 100);
    if (s.spec_acceptance) f += fmt::format("   drafts accepted {:.1f}%", *s.spec_acceptance * 100);
    out += "serving      " + f.substr(3) + "\n";
  }
  if (o.prefill_pool) {
    const auto& p = *o.prefill_pool;
    out += fmt::format("disagg       prefill pool {} x {} tp={} ({} chips); decode pool {} x {} tp={}; KV link {}\n",
                       p.placement.replicas, p.system.name, p.deployment.tp, p.placement.total_chips,
                       o.placement.replicas, o.system.name, o.deployment.tp, p.kv_link);
  }
  out += decode_step_text(o);
  const MemoryPlan& m = o.memory;
  out += fmt::format("memory/rank  {} HBM: weights {}, activations {}, workspace {}, reserve {}, KV cache {} ({} tokens)\n",
                     format_bytes(m.capacity), format_bytes(m.weights), format_bytes(m.activations),
                     format_bytes(m.workspace), format_bytes(m.reserve), format_bytes(m.kv_cache), m.kv_tokens);
  if (s.cost_usd_per_hour) {
    out += fmt::format("cost         ${:.2f}/h for {} system(s)", *s.cost_usd_per_hour, s.systems);
    if (s.cost_usd_per_million_output_tokens)
      out += fmt::format("  ->  ${:.2f} per million output tokens", *s.cost_usd_per_million_output_tokens);
    out += "\n";
  } else {
    out += "cost         unknown (no public price; see warnings)\n";
  }
  if (s.avg_power_w)
    out += fmt::format("power        {:.0f} W average, {:.3f} J per output token\n", *s.avg_power_w,
                       s.energy_j_per_output_token.value_or(0));
  else
    out += "power        unknown (see warnings)\n";
  if (s.slo_attained_fraction)
    out += fmt::format("SLO          {:.1f}% of requests met it; goodput {:.3f} req/s\n", *s.slo_attained_fraction * 100,
                       s.goodput_requests_per_s.value_or(0));
  for (const auto& w : o.warnings) out += "warning: " + w + "\n";
  return out;
}

std::string memory_explain_text(const SimulationOutcome& o) {
  const MemoryPlan& m = o.memory;
  std::string out = fmt::format("memory per rank ({} ranks per chip, {} of HBM each)\n", o.placement.ranks_per_chip,
                                format_bytes(m.capacity));
  auto row = [&](const char* name, Bytes b) {
    out += fmt::format("  {:<12}{:>14}  {:>5.1f}%\n", name, format_bytes(b), 100.0 * b.value() / m.capacity.value());
  };
  row("weights", m.weights);
  row("activations", m.activations);
  row("workspace", m.workspace);
  row("reserve", m.reserve);
  row("kv cache", m.kv_cache);
  out += fmt::format("  KV: {} per token per rank, {} blocks of {} tokens = {} tokens per replica\n",
                     format_bytes(m.kv_bytes_per_token), m.kv_blocks, o.deployment.block_tokens, m.kv_tokens);
  return out;
}

namespace {

// One op's shape, e.g. "gemm 4x1280x8192 bf16" or "all_reduce 64.0 KiB, 32 ranks".
struct OpShape {
  std::string operator()(const GemmOp& g) const {
    const std::string w = g.weight_dtype == g.act_dtype
                              ? std::string(dtype_name(g.act_dtype))
                              : fmt::format("{}/{}", dtype_name(g.act_dtype), dtype_name(g.weight_dtype));
    return fmt::format("gemm {}x{}x{}{} {}", g.m, g.n, g.k, g.count > 1 ? fmt::format(" (x{})", g.count) : "", w);
  }
  std::string operator()(const AttentionOp& a) const {
    return fmt::format("attention {} {} seq, {} q / {} kv tokens, {}/{} heads x {}", a.decode ? "decode" : "prefill",
                       a.seqs, a.q_tokens, a.kv_tokens, a.heads, a.kv_heads, a.head_dim_qk);
  }
  std::string operator()(const ElementwiseOp& e) const {
    return fmt::format("elementwise {} elements, {:.1f} KiB", e.elements, e.bytes.value() / 1024);
  }
  std::string operator()(const CollectiveCall& c) const {
    return fmt::format("{} {:.1f} KiB, {} ranks", collective_name(c.kind), c.bytes.value() / 1024, c.group.ranks);
  }
};

}  // namespace

std::string ops_explain_text(const SimulationOutcome& o) {
  const double total = o.decode_step.total.value();
  std::string out =
      fmt::format("decode step ops (batch {} at {} KV tokens; per rank; collectives inserted by the plan)\n",
                  o.decode_step_shape.decode_seqs, o.decode_step_shape.decode_kv_tokens);
  out += fmt::format("  {:<20}{:<64}{:>7}{:>12}{:>11}{:>8}\n", "op", "shape", "repeat", "each us", "total ms", "share");
  auto row = [&](std::string_view name, const std::string& shape, double repeat, double each_s) {
    const double t = each_s * repeat;
    out += fmt::format("  {:<20}{:<64}{:>7g}{:>12.2f}{:>11.3f}{:>7.1f}%\n", name, shape, repeat, each_s * 1e6, t * 1e3,
                       total > 0 ? 100 * t / total : 0.0);
  };
  for (const CostedOp& c : o.decode_step_ops)
    row(c.op.name, std::visit(OpShape{}, c.op.op), c.op.repeat, c.time().value());
  row("fixed overhead", "per step (platform fit)", 1, o.decode_step.overhead.value());
  out += fmt::format("  {:<91}{:>23.3f} ms\n", "total", total * 1e3);
  return out;
}

}  // namespace tessera
