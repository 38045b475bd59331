#include "app/power_cost_flags.h"

namespace tessera::app {

void add_power_cost_flags(CLI::App* c, PowerCostOptions& a) {
  c->add_option("--chip-tdp", a.chip_tdp, "override the chip TDP, e.g. 500W");
  c->add_option("--chip-idle", a.chip_idle, "override the chip idle power, e.g. 100W");
  c->add_option("--host-power", a.host_power, "override host power per system, e.g. 3kW");
  c->add_option("--pue", a.pue, "facility power usage effectiveness (default 1: IT power only)");
  c->add_option("--price-per-hour", a.price_per_hour, "USD per system-hour: 'USD' or 'SYSTEM=USD,...'");
  c->add_option("--price-basis", a.price_basis, "on-demand|reserved|capacity-block|tco")->capture_default_str();
  c->add_option("--capex-per-system", a.capex_per_system, "TCO: purchase cost per system, USD");
  c->add_option("--years", a.years, "TCO: amortization period, years");
  c->add_option("--usd-per-kwh", a.usd_per_kwh, "TCO: energy price, USD per kWh");
}

}  // namespace tessera::app
