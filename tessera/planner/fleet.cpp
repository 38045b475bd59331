#include "tessera/planner/fleet.h"

#include <fmt/format.h>

#include <cmath>

#include "tessera/specs/io/units.h"

namespace tessera {

namespace {

constexpr double kSecondsPerDay = 86400.0;

Result<double> positive_number(std::string_view key, std::string_view text) {
  auto n = parse_number(text);
  if (!n || !(*n > 0) || !std::isfinite(*n))
    return bad_input(fmt::format("--fleet: key '{}': '{}' is not a positive number", key, text));
  return *n;
}

}  // namespace

Result<FleetTarget> parse_fleet_target(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos)
    return bad_input(fmt::format("--fleet: '{}' is not key=value (chips=N, power=2GW or tokens-per-day=N)", text));
  const std::string_view key = text.substr(0, eq), val = text.substr(eq + 1);
  FleetTarget t;
  if (key == "chips") {
    auto n = positive_number(key, val);
    if (!n) return n.error();
    t.kind = FleetTarget::Kind::Chips;
    t.value = std::floor(*n);
  } else if (key == "power") {
    auto w = parse_power(val);
    if (!w || !(w->value() > 0)) return bad_input(fmt::format("--fleet: key 'power': '{}' is not a power (e.g. '2GW')", val));
    t.kind = FleetTarget::Kind::Power;
    t.value = w->value();
  } else if (key == "tokens-per-day") {
    auto n = positive_number(key, val);
    if (!n) return n.error();
    t.kind = FleetTarget::Kind::TokensPerDay;
    t.value = *n;
  } else {
    return bad_input(fmt::format("--fleet: unknown key '{}' (chips, power or tokens-per-day)", key));
  }
  return t;
}

FleetUnit fleet_unit(const CapacityResult& r) {
  FleetUnit u;
  u.systems = r.systems;
  u.chips = r.systems * r.system_chips;  // whole systems are bought and powered
  u.replicas = r.replicas;
  u.output_tokens_per_s = r.at_max.output_tokens_per_s;
  u.facility_w = r.at_max.avg_power_w;
  u.usd_per_hour = r.at_max.cost_usd_per_hour;
  return u;
}

Result<FleetPlan> size_fleet(const FleetUnit& unit, const FleetTarget& target, double headroom) {
  FleetPlan p;
  p.target = target;
  p.headroom = headroom;
  p.unit = unit;
  if (unit.chips <= 0 || !(unit.output_tokens_per_s > 0))
    return internal_error("fleet: the chosen deployment delivered no tokens");
  const double unit_tokens_per_day = unit.output_tokens_per_s * kSecondsPerDay;
  switch (target.kind) {
    case FleetTarget::Kind::Chips:
      p.units = static_cast<int64_t>(std::floor(target.value / unit.chips));
      p.limited_by = fmt::format("{:.0f} chips / {} chips per unit", target.value, unit.chips);
      break;
    case FleetTarget::Kind::Power:
      if (!unit.facility_w)
        return bad_input("--fleet power=: the deployment's power is unknown (pass --chip-tdp and --host-power)");
      p.units = static_cast<int64_t>(std::floor(target.value / *unit.facility_w));
      p.limited_by = fmt::format("{:.4g} MW / {:.4g} kW per unit", target.value / 1e6, *unit.facility_w / 1e3);
      break;
    case FleetTarget::Kind::TokensPerDay:
      p.units = static_cast<int64_t>(std::ceil(target.value / unit_tokens_per_day));
      p.limited_by = fmt::format("{:.4g} tokens/day / {:.4g} per unit", target.value, unit_tokens_per_day);
      break;
  }
  p.chips = p.units * unit.chips;
  p.systems = p.units * unit.systems;
  p.replicas = p.units * unit.replicas;
  p.tokens_per_day = static_cast<double>(p.units) * unit_tokens_per_day;
  if (unit.facility_w) p.power_w = static_cast<double>(p.units) * *unit.facility_w;
  if (unit.usd_per_hour) p.usd_per_day = static_cast<double>(p.units) * *unit.usd_per_hour * 24.0;
  return p;
}

}  // namespace tessera
