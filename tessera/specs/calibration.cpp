#include "tessera/specs/calibration.h"

namespace tessera {

int NvidiaComputeFit::sms_for(const std::string& chip_name) const {
  auto it = sm_counts.find(chip_name);
  return it != sm_counts.end() ? it->second : sms;
}

}  // namespace tessera
