#include "tessera/planner/power_cost_options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tessera/core/did_you_mean.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/units.h"

namespace tessera {

namespace {

constexpr double kMaxHostPower = 200e3;  // W per system

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

// Each SYSTEM of "SYSTEM=USD,..." must name a catalog system (or the run's own
// hardware, which may be a YAML path): a typo would otherwise leave the catalog
// price in place without a word.
Status check_price_keys(const std::string& text, const SimulationRequest& req) {
  std::vector<std::string> keys;
  for (size_t pos = 0; pos <= text.size();) {
    const size_t end = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, end - pos);
    if (const size_t eq = item.find('='); eq != std::string::npos) keys.push_back(item.substr(0, eq));
    pos = end + 1;
  }
  if (keys.empty()) return {};
  auto catalog = Catalog::open(req.data_dir.empty() ? Catalog::default_data_dir() : req.data_dir);
  if (!catalog) return catalog.error();
  const std::vector<std::string> systems = catalog->system_names();
  for (const std::string& k : keys) {
    if (k == req.hardware || std::find(systems.begin(), systems.end(), k) != systems.end()) continue;
    if (k.empty()) return bad_input(fmt::format("--price-per-hour: '{}' has an item with no system before '='", text));
    return bad_input(fmt::format("--price-per-hour: unknown system '{}'{}", k, did_you_mean(k, systems)));
  }
  return {};
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
  // Per system, not per fleet: a whole NVL72 rack draws about 130 kW; more than
  // kMaxHostPower for the host alone is a unit slip.
  if (*host && (*host)->value() > kMaxHostPower)
    return bad_input(fmt::format("--host-power: '{}' is implausible for one system's host (over {:g} kW); did you "
                                 "mean W?", a.host_power, kMaxHostPower / 1e3));
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
  TESSERA_TRY(check_price_keys(a.price_per_hour, req));
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
