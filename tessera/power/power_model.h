// Power and cost from utilization (docs/models/power-cost.md).
//
// Chip W = idle + (TDP - idle) x MFU + HBM bytes/s x e_hbm + link bytes/s x e_link,
// capped at TDP. Idle is the chip's idle_power, else idle_fraction_of_tdp x TDP
// (data/power/model.yaml). A deployment is charged for the chips it uses and their
// share of the host: IT W = chip W x chips + host W x chips / chips per system (the
// system's host_power, else host_overhead_fraction x its chips' TDP), so 1 GPU of a
// 72-GPU rack carries 1/72 of the rack's host power, and chips it leaves free are
// free for other work. Facility W = IT W x PUE (default 1: IT power only). Cost is the
// system's $/h (on-demand, reserved or Capacity Block rate from the catalog, a user
// price, or TCO: capex amortized + energy) times the same share of systems.
//
// Every figure used is listed as an Assumption with its provenance. A figure that is
// unknown makes the answer unknown: `missing` says which figure and the flag that
// supplies it -- never a guess.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/core/units.h"
#include "tessera/specs/hardware.h"
#include "tessera/specs/power_params.h"

namespace tessera {

struct Utilization {
  double compute = 0;   // MFU over the run's wall time, [0, 1]
  double memory = 0;    // MBU over the run's wall time, [0, 1]
  double link = 0;      // fraction of wall time the fabric carries collectives, [0, 1]
};

// One figure a result rests on, listed beneath planner tables.
struct Assumption {
  std::string figure;   // "trainium2 TDP"
  std::string value;    // "527 W"
  Provenance::Kind kind = Provenance::Kind::Source;
  std::string from;     // source, estimate reasoning, or "user (--chip-tdp)"
  bool user = false;    // given on the command line
};

// User overrides (flags --chip-tdp, --chip-idle, --host-power, --pue).
struct PowerOverrides {
  std::optional<Watts> chip_tdp, chip_idle, host_power;
  std::optional<double> pue;
};

struct PowerEstimate {
  std::optional<Watts> chip;       // average per used chip
  std::optional<Watts> it_total;   // chips + hosts of the occupied systems
  std::optional<Watts> facility;   // it_total x PUE
  double pue = 1.0;
  std::string missing;             // "<figure> is unknown (pass <flag>)" when empty optionals
  std::vector<Assumption> assumptions;
};

// `chips` used by the deployment (any number: a part of one system or many systems).
PowerEstimate estimate_power(const SystemSpec& system, int chips, const Utilization& u,
                             const PowerParams& params, const PowerOverrides& overrides);

enum class PriceBasis { OnDemand, Reserved, CapacityBlock, Tco };
std::optional<PriceBasis> parse_price_basis(std::string_view name);  // on-demand|reserved|capacity-block|tco
std::string_view price_basis_name(PriceBasis b);

// TCO: $/h = capex / (years x 8766 h) x systems' share + facility kW x $/kWh. No default
// exists for any of them (no sourced figure), so each must be given.
struct TcoInputs {
  std::optional<double> capex_usd_per_system, years, usd_per_kwh;
};

struct CostOptions {
  PriceBasis basis = PriceBasis::OnDemand;
  std::optional<UsdPerHour> price_per_hour;   // per system; overrides the catalog rate
  TcoInputs tco;
};

struct CostEstimate {
  std::optional<UsdPerHour> per_hour;            // the deployment's share of systems
  std::optional<double> usd_per_million_output;  // at the simulated throughput
  std::string missing;
  std::vector<Assumption> assumptions;
};

// The deployment's `chips` pay chips / chips per system of the system rate.
// `facility` is the deployment's facility power (needed by TCO only).
CostEstimate estimate_cost(const SystemSpec& system, int chips, double output_tokens_per_s,
                           const CostOptions& options, std::optional<Watts> facility);

// "527 W (estimate)" style one-liners, shared by reports.
std::string_view provenance_label(Provenance::Kind k);

}  // namespace tessera
