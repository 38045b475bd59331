#include "tessera/power/power_model.h"

#include <fmt/format.h>

#include <algorithm>

namespace tessera {

namespace {

constexpr double kHoursPerYear = 8766.0;  // 365.25 days

Assumption catalog_figure(std::string figure, std::string value, const Provenance& p) {
  return Assumption{std::move(figure), std::move(value), p.kind, p.text, false};
}

Assumption user_figure(std::string figure, std::string value, std::string_view flag) {
  return Assumption{std::move(figure), std::move(value), Provenance::Kind::Source,
                    fmt::format("user ({})", flag), true};
}

std::string watts_text(Watts w) { return fmt::format("{:.0f} W", w.value()); }

struct ChipPower {
  std::optional<Watts> tdp, idle;
};

ChipPower chip_power_figures(const ChipSpec& chip, const PowerParams& params, const PowerOverrides& o,
                             PowerEstimate& out) {
  ChipPower c;
  if (o.chip_tdp) {
    c.tdp = o.chip_tdp;
    out.assumptions.push_back(user_figure(chip.name + " TDP", watts_text(*c.tdp), "--chip-tdp"));
  } else if (chip.tdp) {
    c.tdp = chip.tdp;
    out.assumptions.push_back(catalog_figure(chip.name + " TDP", watts_text(*c.tdp), chip.tdp_from));
  } else {
    out.missing = fmt::format("TDP of {} is unknown (pass --chip-tdp)", chip.name);
    out.assumptions.push_back({chip.name + " TDP", "unknown", Provenance::Kind::Unknown, "pass --chip-tdp", false});
    return c;
  }
  if (o.chip_idle) {
    c.idle = o.chip_idle;
    out.assumptions.push_back(user_figure(chip.name + " idle power", watts_text(*c.idle), "--chip-idle"));
  } else if (chip.idle_power) {
    c.idle = chip.idle_power;
    out.assumptions.push_back(catalog_figure(chip.name + " idle power", watts_text(*c.idle), chip.idle_power_from));
  } else {
    c.idle = *c.tdp * params.idle_fraction_of_tdp;
    out.assumptions.push_back(catalog_figure(
        chip.name + " idle power",
        fmt::format("{} ({:g} x TDP, {})", watts_text(*c.idle), params.idle_fraction_of_tdp, params.file),
        params.idle_fraction_from));
  }
  return c;
}

std::optional<Watts> host_power_figure(const SystemSpec& s, Watts tdp, const PowerParams& params,
                                       const PowerOverrides& o, PowerEstimate& out) {
  if (o.host_power) {
    out.assumptions.push_back(user_figure(s.name + " host power", watts_text(*o.host_power), "--host-power"));
    return o.host_power;
  }
  if (s.host_power) {
    out.assumptions.push_back(catalog_figure(s.name + " host power", watts_text(*s.host_power), s.host_power_from));
    return s.host_power;
  }
  const Watts w = tdp * (params.host_overhead_fraction * s.chips);
  out.assumptions.push_back(catalog_figure(
      s.name + " host power",
      fmt::format("{} ({:g} x {} chips x TDP, {})", watts_text(w), params.host_overhead_fraction, s.chips,
                  params.file),
      params.host_overhead_from));
  return w;
}

}  // namespace

std::string_view provenance_label(Provenance::Kind k) {
  switch (k) {
    case Provenance::Kind::Unknown: return "unknown";
    case Provenance::Kind::Source: return "source";
    case Provenance::Kind::Estimate: return "estimate";
  }
  return "unknown";
}

namespace {

// The share of systems `chips` occupy, and the assumption stating it.
double system_share(const SystemSpec& s, int chips) { return s.chips > 0 ? static_cast<double>(chips) / s.chips : 0; }

Assumption share_assumption(const SystemSpec& s, int chips) {
  return Assumption{s.name + " share charged", fmt::format("{} of {} chips per system ({:.4g} systems)", chips,
                                                           s.chips, system_share(s, chips)),
                    Provenance::Kind::Source, "the chips the deployment uses; the rest are free for other work",
                    false};
}

}  // namespace

PowerEstimate estimate_power(const SystemSpec& s, int chips, const Utilization& u,
                             const PowerParams& params, const PowerOverrides& o) {
  PowerEstimate p;
  p.pue = o.pue.value_or(1.0);
  const ChipPower c = chip_power_figures(s.chip, params, o, p);
  if (!c.tdp || !c.idle) return p;
  const Watts tdp = *c.tdp, idle = std::min(*c.idle, *c.tdp);
  const double bits = 8e-12;  // bytes -> bits, pJ -> J
  const Watts compute = (tdp - idle) * std::clamp(u.compute, 0.0, 1.0);
  const Watts memory{std::clamp(u.memory, 0.0, 1.0) * s.chip.hbm_bandwidth.value() * params.hbm_pj_per_bit * bits};
  const Watts link{std::clamp(u.link, 0.0, 1.0) * s.chip.chip_to_chip_bandwidth.value() * params.link_pj_per_bit *
                   bits};
  p.chip = std::min(tdp, idle + compute + memory + link);
  p.assumptions.push_back(catalog_figure("HBM energy", fmt::format("{:g} pJ/bit ({})", params.hbm_pj_per_bit, params.file),
                                         params.hbm_from));
  const auto host = host_power_figure(s, tdp, params, o, p);
  p.assumptions.push_back(share_assumption(s, chips));
  p.it_total = *p.chip * chips + *host * system_share(s, chips);
  p.facility = *p.it_total * p.pue;
  if (o.pue) {
    p.assumptions.push_back(user_figure("PUE", fmt::format("{:g}", p.pue), "--pue"));
  } else {
    p.assumptions.push_back({"PUE", "1 (IT power only; no facility overhead counted)", Provenance::Kind::Unknown,
                             "pass --pue", false});
  }
  return p;
}

std::optional<PriceBasis> parse_price_basis(std::string_view n) {
  if (n == "on-demand") return PriceBasis::OnDemand;
  if (n == "reserved") return PriceBasis::Reserved;
  if (n == "capacity-block") return PriceBasis::CapacityBlock;
  if (n == "tco") return PriceBasis::Tco;
  return std::nullopt;
}

std::string_view price_basis_name(PriceBasis b) {
  switch (b) {
    case PriceBasis::OnDemand: return "on-demand";
    case PriceBasis::Reserved: return "reserved";
    case PriceBasis::CapacityBlock: return "capacity-block";
    case PriceBasis::Tco: return "tco";
  }
  return "on-demand";
}

namespace {

// $/h of one system, or the reason there is none.
std::optional<UsdPerHour> system_rate(const SystemSpec& s, const CostOptions& o, std::optional<Watts> facility,
                                      double systems, CostEstimate& c) {
  if (o.price_per_hour) {
    c.assumptions.push_back(user_figure(s.name + " price", fmt::format("${:.4g}/h", o.price_per_hour->value()),
                                        "--price-per-hour"));
    return o.price_per_hour;
  }
  auto listed = [&](const std::optional<UsdPerHour>& v, const Provenance& from, std::string_view what,
                    std::string_view flag_hint) -> std::optional<UsdPerHour> {
    if (!v) {
      c.missing = fmt::format("no {} price for {} in the catalog (unknown; pass --price-per-hour{})", what, s.name,
                              flag_hint);
      c.assumptions.push_back({fmt::format("{} {} price", s.name, what), "unknown", Provenance::Kind::Unknown,
                               "pass --price-per-hour", false});
      return std::nullopt;
    }
    c.assumptions.push_back(catalog_figure(fmt::format("{} {} price", s.name, what),
                                           fmt::format("${:.4g}/h", v->value()), from));
    return v;
  };
  switch (o.basis) {
    case PriceBasis::OnDemand: return listed(s.price_on_demand, s.price_on_demand_from, "on-demand", "");
    case PriceBasis::Reserved: return listed(s.price_reserved, s.price_reserved_from, "reserved", "");
    case PriceBasis::CapacityBlock:
      return listed(s.price_capacity_block, s.price_capacity_block_from, "capacity-block", "");
    case PriceBasis::Tco: break;
  }
  const TcoInputs& t = o.tco;
  if (!t.capex_usd_per_system || !t.years || !t.usd_per_kwh) {
    c.missing = "TCO needs --capex-per-system, --years and --usd-per-kwh (no sourced default exists)";
    return std::nullopt;
  }
  if (!facility) {
    c.missing = "TCO needs the deployment's power, which is unknown (see the power warning)";
    return std::nullopt;
  }
  c.assumptions.push_back(user_figure("capex per system", fmt::format("${:.6g}", *t.capex_usd_per_system),
                                      "--capex-per-system"));
  c.assumptions.push_back(user_figure("amortization", fmt::format("{:g} years", *t.years), "--years"));
  c.assumptions.push_back(user_figure("energy price", fmt::format("${:g}/kWh", *t.usd_per_kwh), "--usd-per-kwh"));
  const double capex_per_h = *t.capex_usd_per_system / (*t.years * kHoursPerYear);
  const double energy_per_h = facility->value() / systems / 1000.0 * *t.usd_per_kwh;
  return UsdPerHour(capex_per_h + energy_per_h);
}

}  // namespace

CostEstimate estimate_cost(const SystemSpec& s, int chips, double output_tokens_per_s, const CostOptions& o,
                           std::optional<Watts> facility) {
  CostEstimate c;
  const double systems = system_share(s, chips);  // stated among the power assumptions
  const auto rate = system_rate(s, o, facility, systems, c);
  if (!rate) return c;
  c.per_hour = *rate * systems;
  if (output_tokens_per_s > 0) c.usd_per_million_output = c.per_hour->value() / (output_tokens_per_s * 3600.0) * 1e6;
  return c;
}

}  // namespace tessera
