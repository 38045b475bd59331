#include "tessera/specs/io/slo_parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tessera/core/did_you_mean.h"
#include "tessera/specs/io/units.h"

namespace tessera {

Result<SloTargets> parse_slo(std::string_view text) {
  SloTargets slo;
  if (text.empty()) return slo;
  static const std::vector<std::string> kKeys{"ttft_p99", "tpot_p99"};
  std::vector<std::string> seen;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t end = std::min(text.find(',', pos), text.size());
    const std::string item(text.substr(pos, end - pos));
    const size_t eq = item.find('=');
    if (eq == std::string::npos) return bad_input(fmt::format("--slo: '{}' is not key=value", item));
    const std::string key = item.substr(0, eq), val = item.substr(eq + 1);
    // A second value for a key would silently win: say so instead.
    if (std::find(seen.begin(), seen.end(), key) != seen.end())
      return bad_input(fmt::format("--slo: key '{}' given twice in '{}'", key, text));
    seen.push_back(key);
    auto d = parse_duration(val);
    if (!d) return bad_input(fmt::format("--slo: key '{}': {}", key, d.error().message));
    if (!(d->value() > 0)) return bad_input(fmt::format("--slo: key '{}': '{}' must be positive", key, val));
    if (key == "ttft_p99") {
      slo.ttft_p99_s = d->value();
    } else if (key == "tpot_p99") {
      slo.tpot_p99_s = d->value();
    } else {
      return bad_input(fmt::format("--slo: unknown key '{}'{}", key, did_you_mean(key, kKeys)));
    }
    pos = end + 1;
  }
  return slo;
}

}  // namespace tessera
