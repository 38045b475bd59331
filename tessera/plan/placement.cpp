#include "tessera/plan/placement.h"

#include <fmt/format.h>

namespace tessera {

static Status check_parallelism(const ModelSpec& m, const DeploymentSpec& d, bool neuron,
                                std::vector<std::string>& warnings) {
  for (auto [flag, v] : {std::pair{"--tp", d.tp}, {"--pp", d.pp}, {"--ep", d.ep}, {"--dp", d.dp}}) {
    if (v < 1) return bad_input(fmt::format("{}: '{}' must be >= 1", flag, v));
  }
  // 0 means "the runtime's block size"; a negative one would surface as an infeasible
  // "KV block of 0 B" (exit 3).
  if (d.block_tokens < 0) return bad_input(fmt::format("--block-tokens: '{}' must be >= 1", d.block_tokens));
  const bool heads_ok = m.heads % d.tp == 0 && (m.kv_heads % d.tp == 0 || d.tp % m.kv_heads == 0);
  if (!heads_ok && !neuron)
    return bad_input(fmt::format("--tp: '{}' does not divide the {} attention heads ({} KV heads) of '{}'", d.tp,
                                 m.heads, m.kv_heads, m.name));
  if (!heads_ok)
    warnings.push_back(fmt::format("tp={} does not divide the {} heads of {}: heads padded to {} per rank, as the "
                                   "Neuron SDK does (padding costs compute and memory)",
                                   d.tp, m.heads, m.name, (m.heads + d.tp - 1) / d.tp));
  if (d.pp > m.layers)
    return bad_input(fmt::format("--pp: '{}' exceeds the {} layers of '{}'", d.pp, m.layers, m.name));
  if (d.ep > 1) {
    if (!m.moe || m.moe->num_experts == 0)
      return bad_input(fmt::format("--ep: '{}' needs a mixture-of-experts model; '{}' is dense", d.ep, m.name));
    if (d.ep > m.moe->num_experts)
      return bad_input(fmt::format("--ep: '{}' exceeds the {} experts of '{}'", d.ep, m.moe->num_experts, m.name));
    if (m.moe->num_experts % d.ep != 0)
      warnings.push_back(fmt::format("ep={} does not divide the {} experts of {}: the busiest rank holds {} experts",
                                     d.ep, m.moe->num_experts, m.name, (m.moe->num_experts + d.ep - 1) / d.ep));
    if (d.ep > d.tp && d.ep % d.tp != 0)
      return bad_input(fmt::format("--ep: '{}' must be a multiple of --tp {} (attention runs data-parallel over ep/tp groups)",
                                   d.ep, d.tp));
    if (d.ep < d.tp && d.tp % d.ep != 0)
      return bad_input(fmt::format("--ep: '{}' must divide --tp {}", d.ep, d.tp));
  }
  return {};
}

static Result<int> resolve_lnc(const SystemSpec& s, const DeploymentSpec& d) {
  const bool neuron = s.chip.neuron_core.has_value();
  if (!neuron) {
    if (d.lnc > 1)
      return bad_input(fmt::format("--lnc: '{}' applies to Neuron hardware only; '{}' has {} GPUs", d.lnc, s.name,
                                   s.chip.display_name.empty() ? s.chip.name : s.chip.display_name));
    return 1;
  }
  const int lnc = d.lnc > 0 ? d.lnc : std::max(1, s.default_lnc);
  if (lnc != 1 && lnc != 2) return bad_input(fmt::format("--lnc: '{}' must be 1 or 2", lnc));
  if (lnc == 2 && s.chip.neuron_core->version == "v2")
    return bad_input(fmt::format("--lnc: '2' is not supported on {} (NeuronCore-v2); use 1", s.chip.name));
  if (s.chip.cores % lnc != 0)
    return bad_input(fmt::format("--lnc: '{}' does not divide the {} NeuronCores of a {} chip", lnc, s.chip.cores,
                                 s.chip.name));
  return lnc;
}

Result<Placement> place(const ModelSpec& model, const SystemSpec& system, const DeploymentSpec& dep) {
  Placement p;
  TESSERA_TRY(check_parallelism(model, dep, system.chip.neuron_core.has_value(), p.warnings));
  auto lnc = resolve_lnc(system, dep);
  if (!lnc) return lnc.error();
  p.lnc = *lnc;
  p.ranks_per_chip = system.chip.neuron_core ? system.chip.cores / p.lnc : 1;
  // DEP (as TensorRT-LLM and SGLang serve DeepSeek): when ep > tp the experts
  // spread over ep ranks while attention runs data-parallel in ep/tp groups of tp.
  p.attention_dp = dep.ep > dep.tp ? dep.ep / dep.tp : 1;
  const int group = dep.tp * p.attention_dp;  // ranks of one pipeline stage
  p.ranks_per_replica = group * dep.pp;
  const int tp_chips = (group + p.ranks_per_chip - 1) / p.ranks_per_chip;
  if (group % p.ranks_per_chip != 0 && group > p.ranks_per_chip)
    return bad_input(fmt::format("--tp: '{}' is not a multiple of the {} ranks per {} chip", group,
                                 p.ranks_per_chip, system.chip.name));
  if (tp_chips > system.chips) {
    const int max_tp = system.chips * p.ranks_per_chip;
    return bad_input(fmt::format("--tp: '{}' (x ep/tp {}) needs {} chips but one {} has {} (max {} ranks here; use --pp "
                                 "to span systems)",
                                 dep.tp, p.attention_dp, tp_chips, system.name, system.chips, max_tp));
  }
  p.chips_per_replica = tp_chips * dep.pp;
  p.replicas = dep.dp;
  p.total_chips = p.chips_per_replica * p.replicas;
  p.systems = (p.total_chips + system.chips - 1) / system.chips;
  p.rank.chip = &system.chip;
  p.rank.physical_cores = p.lnc;
  // A rank smaller than a chip owns its cores' share of peak and HBM bandwidth;
  // a TP group smaller than the cores of one chip still gets only its share.
  p.rank.chip_fraction = 1.0 / p.ranks_per_chip;
  return p;
}

}  // namespace tessera
