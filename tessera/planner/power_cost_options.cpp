#include "tessera/planner/power_cost_options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tessera/core/did_you_mean.h"
#include "tessera/specs/io/units.h"

namespace tessera {

namespace {

Result<std::optional<Watts>> watts_flag(const char* flag, const std::string& text) {
  if (text.empty()) return std::optional<Watts>{};
  auto w = parse_power(text);
  if (!w) return bad_input(fmt::format("{}: '{}' is not a power (e.g. '500W'): {}", flag, text, w.error().message));
  if (!(w->value() > 0)) return bad_input(fmt::format("{}: '{}' must be greater than zero", flag, text));
  return std::optional<Watts>{*w};
}

Result<double> positive(const char* flag, double v) {
  if (!(v > 0) || !std::isfinite(v)) return bad_input(fmt::format("{}: '{}' must be a positive number", flag, v));
  return v;
}

// "USD" (any hardware) or "SYSTEM=USD,...": the price for `hardware`, if given.
Result<std::optional<double>> price_for(const std::string& text, const std::string& hardware) {
  if (text.empty()) return std::optional<double>{};
  std::optional<double> found;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t end = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, end - pos);
    const size_t eq = item.find('=');
    const std::string name = eq == std::string::npos ? "" : item.substr(0, eq);
    const std::string val = eq == std::string::npos ? item : item.substr(eq + 1);
    auto n = parse_number(val);
    if (!n || !(*n > 0))
      return bad_input(fmt::format("--price-per-hour: '{}' is not a positive USD/h figure (e.g. 'p5.48xlarge=55.04')",
                                   item));
    if (name.empty() || name == hardware) found = *n;
    pos = end + 1;
  }
  return found;
}

}  // namespace

Status apply_power_cost_options(const PowerCostOptions& a, SimulationRequest& req) {
  auto tdp = watts_flag("--chip-tdp", a.chip_tdp);
  if (!tdp) return tdp.error();
  auto idle = watts_flag("--chip-idle", a.chip_idle);
  if (!idle) return idle.error();
  auto host = watts_flag("--host-power", a.host_power);
  if (!host) return host.error();
  if (*tdp && *idle && **idle > **tdp)
    return bad_input(fmt::format("--chip-idle: '{}' exceeds --chip-tdp '{}'", a.chip_idle, a.chip_tdp));
  req.power.chip_tdp = *tdp;
  req.power.chip_idle = *idle;
  req.power.host_power = *host;
  if (a.pue) {
    if (!(*a.pue >= 1.0) || *a.pue > 5.0) return bad_input(fmt::format("--pue: '{}' must be in [1, 5]", *a.pue));
    req.power.pue = a.pue;
  }
  auto basis = parse_price_basis(a.price_basis);
  if (!basis) {
    static const std::vector<std::string> kB{"on-demand", "reserved", "capacity-block", "tco"};
    return bad_input(fmt::format("--price-basis: unknown '{}'{}", a.price_basis, did_you_mean(a.price_basis, kB)));
  }
  req.cost.basis = *basis;
  auto price = price_for(a.price_per_hour, req.hardware);
  if (!price) return price.error();
  req.cost.price_per_hour.reset();
  if (*price) req.cost.price_per_hour = UsdPerHour(**price);
  if (a.capex_per_system) {
    auto v = positive("--capex-per-system", *a.capex_per_system);
    if (!v) return v.error();
    req.cost.tco.capex_usd_per_system = *v;
  }
  if (a.years) {
    auto v = positive("--years", *a.years);
    if (!v) return v.error();
    req.cost.tco.years = *v;
  }
  if (a.usd_per_kwh) {
    auto v = positive("--usd-per-kwh", *a.usd_per_kwh);
    if (!v) return v.error();
    req.cost.tco.usd_per_kwh = *v;
  }
  return {};
}

}  // namespace tessera
