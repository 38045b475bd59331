#include "tessera/specs/io/units.h"

#include <charconv>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tessera/core/did_you_mean.h"

namespace tessera {
namespace {

struct UnitDef {
  std::string_view symbol;
  double scale;  // to the SI base unit of the kind
};

// Case matters: "Gbps"/"Gb/s" are bits, "GB/s" bytes; "GB" is 1e9 and "GiB" 2^30.
constexpr double kKi = 1024.0, kMi = kKi * 1024.0, kGi = kMi * 1024.0, kTi = kGi * 1024.0;
constexpr UnitDef kByteUnits[] = {
    {"B", 1},      {"kB", 1e3},   {"KB", 1e3},   {"MB", 1e6},   {"GB", 1e9},  {"TB", 1e12},
    {"KiB", kKi},  {"MiB", kMi},  {"GiB", kGi},  {"TiB", kTi}};
constexpr UnitDef kBandwidthUnits[] = {
    {"B/s", 1},          {"kB/s", 1e3},       {"KB/s", 1e3},       {"MB/s", 1e6},
    {"GB/s", 1e9},       {"TB/s", 1e12},      {"PB/s", 1e15},      {"KiB/s", kKi},
    {"MiB/s", kMi},      {"GiB/s", kGi},      {"TiB/s", kTi},      {"bps", 1.0 / 8},
    {"kbps", 1e3 / 8},   {"Kbps", 1e3 / 8},   {"Mbps", 1e6 / 8},   {"Gbps", 1e9 / 8},
    {"Tbps", 1e12 / 8},  {"Mb/s", 1e6 / 8},   {"Gb/s", 1e9 / 8},   {"Tb/s", 1e12 / 8}};
constexpr UnitDef kFlopsUnits[] = {
    {"FLOPS", 1},       {"GFLOPS", 1e9},    {"TFLOPS", 1e12},   {"PFLOPS", 1e15},
    {"EFLOPS", 1e18},   {"FLOP/s", 1},      {"GFLOP/s", 1e9},   {"TFLOP/s", 1e12},
    {"PFLOP/s", 1e15},  {"GOPS", 1e9},      {"TOPS", 1e12},     {"POPS", 1e15}};
constexpr UnitDef kPowerUnits[] = {{"W", 1}, {"kW", 1e3}, {"MW", 1e6}, {"GW", 1e9}};
constexpr UnitDef kFrequencyUnits[] = {{"Hz", 1}, {"kHz", 1e3}, {"MHz", 1e6}, {"GHz", 1e9}};
constexpr UnitDef kDurationUnits[] = {
    {"s", 1}, {"ms", 1e-3}, {"us", 1e-6}, {"\xC2\xB5s", 1e-6}, {"ns", 1e-9}};
constexpr UnitDef kPriceUnits[] = {{"USD/h", 1}, {"USD/hr", 1}, {"USD/hour", 1}};

struct Kind {
  std::string_view noun;       // "a bandwidth"
  std::string_view canonical;  // unit used in the "e.g." hint
  std::span<const UnitDef> units;
};

constexpr Kind kBytes{"a size", "GiB", kByteUnits};
constexpr Kind kBandwidth{"a bandwidth", "GB/s", kBandwidthUnits};
constexpr Kind kFlops{"a compute rate", "TFLOPS", kFlopsUnits};
constexpr Kind kPower{"a power", "W", kPowerUnits};
constexpr Kind kFrequency{"a frequency", "GHz", kFrequencyUnits};
constexpr Kind kDuration{"a duration", "us", kDurationUnits};
constexpr Kind kPrice{"a price per hour", "USD/h", kPriceUnits};

// Anything beyond this (in SI base units) is a typo, not hardware.
constexpr double kMaxMagnitude = 1e30;

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

struct Split {
  double number = 0;
  std::string_view number_text;
  std::string_view unit;  // trimmed; may be empty
};

// "820 GiB/s" -> {820, "820", "GiB/s"}. Rejects non-numbers, NaN/inf, negatives, overflow.
Result<Split> split_number(std::string_view raw) {
  const std::string_view s = trim(raw);
  if (s.empty()) return bad_input("empty value (expected a number)");
  const char* first = s.data();
  const char* last = s.data() + s.size();
  // from_chars takes no '+'; a '-' is parsed so that we can say "negative" rather than "not a number".
  const bool negative = *first == '-';
  double x = 0;
  const auto [end, ec] = std::from_chars(first, last, x, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) return bad_input(fmt::format("'{}' is out of range", s));
  if (ec != std::errc{}) return bad_input(fmt::format("'{}' is not a number", s));
  if (!std::isfinite(x)) return bad_input(fmt::format("'{}' is not a finite number", s));
  if (negative && x != 0) return bad_input(fmt::format("'{}' is negative", s));
  Split out;
  out.number = std::abs(x);
  out.number_text = std::string_view(first, static_cast<size_t>(end - first));
  out.unit = trim(std::string_view(end, static_cast<size_t>(last - end)));
  return out;
}

const UnitDef* find_unit(std::span<const UnitDef> units, std::string_view symbol) {
  for (const auto& u : units)
    if (u.symbol == symbol) return &u;
  return nullptr;
}

std::vector<std::string> symbols(std::span<const UnitDef> units) {
  std::vector<std::string> out;
  out.reserve(units.size());
  for (const auto& u : units) out.emplace_back(u.symbol);
  return out;
}

Error wrong_unit(std::string_view text, const Split& sp, const Kind& kind) {
  const std::string_view unit = sp.unit;
  const auto space = unit.find_first_of(" \t");
  if (space != std::string_view::npos && find_unit(kind.units, unit.substr(0, space)))
    return bad_input(fmt::format("'{}' has trailing text '{}'", trim(text),
                                 trim(unit.substr(space))));
  // A unit of another kind ("820 W" for a bandwidth) is no typo: the example says enough.
  bool other_kind = false;
  for (const Kind* k : {&kBytes, &kBandwidth, &kFlops, &kPower, &kFrequency, &kDuration, &kPrice})
    other_kind = other_kind || find_unit(k->units, unit) != nullptr;
  return bad_input(fmt::format("'{}' is not {} (e.g. '{} {}'){}", trim(text), kind.noun,
                               sp.number_text, kind.canonical,
                               other_kind ? "" : did_you_mean(unit, symbols(kind.units))));
}

Result<double> parse_with(std::string_view text, const Kind& kind, bool unit_optional = false) {
  auto sp = split_number(text);
  if (!sp.ok()) return sp.error();
  double scale = 1;
  if (sp->unit.empty()) {
    if (!unit_optional)
      return bad_input(fmt::format("'{}' has no unit; {} needs one (e.g. '{} {}')", trim(text),
                                   kind.noun, sp->number_text, kind.canonical));
  } else if (const UnitDef* u = find_unit(kind.units, sp->unit)) {
    scale = u->scale;
  } else {
    return wrong_unit(text, *sp, kind);
  }
  const double v = sp->number * scale;
  if (!(v <= kMaxMagnitude)) return bad_input(fmt::format("'{}' is out of range", trim(text)));
  return v;
}

template <class Q>
Result<Q> as(Result<double> r) {
  if (!r.ok()) return r.error();
  return Q(r.value());
}

}  // namespace

Result<Bytes> parse_bytes(std::string_view t) { return as<Bytes>(parse_with(t, kBytes)); }
Result<BytesPerSecond> parse_bandwidth(std::string_view t) {
  return as<BytesPerSecond>(parse_with(t, kBandwidth));
}
Result<FlopsPerSecond> parse_flops_rate(std::string_view t) {
  return as<FlopsPerSecond>(parse_with(t, kFlops));
}
Result<Watts> parse_power(std::string_view t) { return as<Watts>(parse_with(t, kPower)); }
Result<Hertz> parse_frequency(std::string_view t) { return as<Hertz>(parse_with(t, kFrequency)); }
Result<Seconds> parse_duration(std::string_view t) { return as<Seconds>(parse_with(t, kDuration)); }
Result<UsdPerHour> parse_usd_per_hour(std::string_view t) {
  return as<UsdPerHour>(parse_with(t, kPrice));
}
Result<Bytes> parse_size(std::string_view t) {
  return as<Bytes>(parse_with(t, kBytes, /*unit_optional=*/true));
}

Result<double> parse_number(std::string_view text) {
  auto sp = split_number(text);
  if (!sp.ok()) return sp.error();
  if (!sp->unit.empty())
    return bad_input(fmt::format("'{}' has trailing text '{}' (expected a plain number)",
                                 trim(text), sp->unit));
  if (!(sp->number <= kMaxMagnitude))
    return bad_input(fmt::format("'{}' is out of range", trim(text)));
  return sp->number;
}

Result<long long> parse_count(std::string_view text) {
  auto n = parse_number(text);
  if (!n.ok()) return n.error();
  // 2^53: beyond it a double no longer holds every integer.
  if (n.value() > 9007199254740992.0)
    return bad_input(fmt::format("'{}' is out of range", trim(text)));
  if (n.value() != std::floor(n.value()))
    return bad_input(fmt::format("'{}' is not a whole number", trim(text)));
  return static_cast<long long>(n.value());
}

bool is_unknown(std::string_view text) { return trim(text) == "unknown"; }

}  // namespace tessera
