// Parameters of the chip power model, from data/power/model.yaml. No vendor
// publishes them: each is an estimate whose reasoning travels with it, so that
// reports can list it beneath the numbers it produced.
#pragma once

#include <string>

#include "tessera/specs/hardware.h"

namespace tessera {

struct PowerParams {
  double idle_fraction_of_tdp = 0;   // idle = this x TDP where a chip has no idle_power
  double hbm_pj_per_bit = 0;         // dynamic energy per HBM bit moved (DRAM + on-chip movement)
  double link_pj_per_bit = 0;        // dynamic energy per chip-to-chip link bit
  double host_overhead_fraction = 0; // host W = this x chips x TDP where a system has no host_power
  Provenance idle_fraction_from, hbm_from, link_from, host_overhead_from;
  std::string file;                  // where they came from, for reports
};

}  // namespace tessera
