// Quantities written with their unit ("820 GiB/s", "800 Gbps", "1.3 us") parsed into
// the strong types of core/units.h. Catalog files and CLI flags both go through here,
// so "GB" is always 1e9 bytes, "GiB" 2^30, and "Gbps" is bits.
//
// Error messages name the offending text and are meant to be prefixed by the caller
// with where it came from ("file:line: key 'x': " or "--flag: ").
#pragma once

#include <optional>
#include <string_view>

#include "tessera/core/status.h"
#include "tessera/core/units.h"

namespace tessera {

// Each parser requires a unit of its own kind: "820 W" is not a bandwidth.
Result<Bytes> parse_bytes(std::string_view text);                 // "32 GiB", "80 GB", "24 MiB"
Result<BytesPerSecond> parse_bandwidth(std::string_view text);    // "820 GB/s", "3.2 TB/s", "800 Gbps"
Result<FlopsPerSecond> parse_flops_rate(std::string_view text);   // "190 TFLOPS", "380 TOPS", "2.5 PFLOPS"
Result<Watts> parse_power(std::string_view text);                 // "700 W", "1.2 kW", "2 GW"
Result<Hertz> parse_frequency(std::string_view text);             // "1.4 GHz", "960 MHz"
Result<Seconds> parse_duration(std::string_view text);            // "1.3 us", "600 ns", "2 ms", "5 s"
Result<UsdPerHour> parse_usd_per_hour(std::string_view text);     // "21.50 USD/h"

// A plain number without a unit (a count or a ratio); non-negative and finite.
Result<double> parse_number(std::string_view text);
// A plain non-negative integer ("16"); rejects fractions and units.
Result<long long> parse_count(std::string_view text);

// Sizes as CLI flags write them: "64MiB", "1 GiB", "1.5GB", or a plain byte count "4096".
Result<Bytes> parse_size(std::string_view text);

// True for the literal "unknown": the field has no public figure.
bool is_unknown(std::string_view text);

// `parse` applied to text, with "unknown" mapped to an empty optional.
template <class Parse>
auto parse_or_unknown(std::string_view text, Parse parse)
    -> Result<std::optional<std::remove_cvref_t<decltype(parse(text).value())>>> {
  using T = std::remove_cvref_t<decltype(parse(text).value())>;
  if (is_unknown(text)) return std::optional<T>{};
  auto r = parse(text);
  if (!r.ok()) return r.error();
  return std::optional<T>(r.value());
}

}  // namespace tessera
