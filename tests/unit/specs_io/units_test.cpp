#include "tessera/specs/io/units.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

constexpr double kGi = 1024.0 * 1024.0 * 1024.0;
constexpr double kMi = 1024.0 * 1024.0;

template <class R>
std::string error_of(const R& r) {
  return r.ok() ? std::string("<ok>") : r.error().message;
}

TEST(Units, Bandwidth) {
  EXPECT_DOUBLE_EQ(parse_bandwidth("820 GiB/s")->value(), 820 * kGi);
  EXPECT_DOUBLE_EQ(parse_bandwidth("820 GB/s")->value(), 820e9);
  EXPECT_DOUBLE_EQ(parse_bandwidth("3.2 TB/s")->value(), 3.2e12);
  EXPECT_DOUBLE_EQ(parse_bandwidth("800 Gbps")->value(), 1e11);  // bits: 800e9 / 8
  EXPECT_DOUBLE_EQ(parse_bandwidth("100 Gb/s")->value(), 12.5e9);
  EXPECT_DOUBLE_EQ(parse_bandwidth("  17 GB/s  ")->value(), 17e9);
  EXPECT_DOUBLE_EQ(parse_bandwidth("17GB/s")->value(), 17e9);
}

TEST(Units, Bytes) {
  EXPECT_DOUBLE_EQ(parse_bytes("32 GiB")->value(), 32 * kGi);
  EXPECT_DOUBLE_EQ(parse_bytes("80 GB")->value(), 80e9);
  EXPECT_DOUBLE_EQ(parse_bytes("24 MiB")->value(), 24 * kMi);
  EXPECT_DOUBLE_EQ(parse_bytes("126.5 MB")->value(), 126.5e6);
}

TEST(Units, ComputePowerClockTimePrice) {
  EXPECT_DOUBLE_EQ(parse_flops_rate("190 TFLOPS")->value(), 190e12);
  EXPECT_DOUBLE_EQ(parse_flops_rate("380 TOPS")->value(), 380e12);
  EXPECT_DOUBLE_EQ(parse_flops_rate("989.5 TFLOPS")->value(), 989.5e12);
  EXPECT_DOUBLE_EQ(parse_power("700 W")->value(), 700);
  EXPECT_DOUBLE_EQ(parse_power("2 GW")->value(), 2e9);
  EXPECT_DOUBLE_EQ(parse_power("1.2 kW")->value(), 1200);
  EXPECT_DOUBLE_EQ(parse_frequency("1.4 GHz")->value(), 1.4e9);
  EXPECT_DOUBLE_EQ(parse_frequency("960 MHz")->value(), 0.96e9);
  EXPECT_DOUBLE_EQ(parse_duration("1.3 us")->value(), 1.3e-6);
  EXPECT_DOUBLE_EQ(parse_duration("600 ns")->value(), 600e-9);
  EXPECT_DOUBLE_EQ(parse_duration("2 ms")->value(), 2e-3);
  EXPECT_DOUBLE_EQ(parse_duration("5 s")->value(), 5);
  EXPECT_DOUBLE_EQ(parse_usd_per_hour("21.50 USD/h")->value(), 21.5);
  EXPECT_DOUBLE_EQ(parse_usd_per_hour("0 USD/h")->value(), 0);
}

TEST(Units, PlainNumbers) {
  EXPECT_DOUBLE_EQ(parse_number("0.25").value(), 0.25);
  EXPECT_EQ(parse_count("16").value(), 16);
  EXPECT_EQ(error_of(parse_count("2.5")), "'2.5' is not a whole number");
  EXPECT_EQ(error_of(parse_count("16 cores")), "'16 cores' has trailing text 'cores' (expected a plain number)");
  EXPECT_EQ(error_of(parse_count("1e20")), "'1e20' is out of range");
}

TEST(Units, SizeForFlags) {
  EXPECT_DOUBLE_EQ(parse_size("64MiB")->value(), 64 * kMi);
  EXPECT_DOUBLE_EQ(parse_size("1GiB")->value(), kGi);
  EXPECT_DOUBLE_EQ(parse_size("4096")->value(), 4096);
  EXPECT_DOUBLE_EQ(parse_size("1.5 GB")->value(), 1.5e9);
  EXPECT_EQ(error_of(parse_size("4096 W")), "'4096 W' is not a size (e.g. '4096 GiB')");
  EXPECT_EQ(error_of(parse_size("-1")), "'-1' is negative");
}

TEST(Units, RejectsMissingUnit) {
  EXPECT_EQ(error_of(parse_bandwidth("820")),
            "'820' has no unit; a bandwidth needs one (e.g. '820 GB/s')");
  EXPECT_EQ(error_of(parse_power("700")), "'700' has no unit; a power needs one (e.g. '700 W')");
}

TEST(Units, RejectsWrongKind) {
  EXPECT_EQ(error_of(parse_bandwidth("820 W")), "'820 W' is not a bandwidth (e.g. '820 GB/s')");
  EXPECT_EQ(error_of(parse_bandwidth("820 GB")), "'820 GB' is not a bandwidth (e.g. '820 GB/s')");
  // A misspelt unit (no unit of any kind) gets a suggestion.
  EXPECT_EQ(error_of(parse_bandwidth("820 GBs")),
            "'820 GBs' is not a bandwidth (e.g. '820 GB/s') (did you mean 'GB/s'?)");
  EXPECT_EQ(error_of(parse_duration("2 GHz")), "'2 GHz' is not a duration (e.g. '2 us')");
  EXPECT_EQ(error_of(parse_bytes("32 gib")), "'32 gib' is not a size (e.g. '32 GiB') (did you mean 'GiB'?)");
}

TEST(Units, RejectsNonFiniteNegativeAndJunk) {
  EXPECT_EQ(error_of(parse_bandwidth("nan GB/s")), "'nan GB/s' is not a finite number");
  EXPECT_EQ(error_of(parse_bandwidth("inf GB/s")), "'inf GB/s' is not a finite number");
  EXPECT_EQ(error_of(parse_bandwidth("-5 GB/s")), "'-5 GB/s' is negative");
  EXPECT_EQ(error_of(parse_bandwidth("820 GB/s extra")), "'820 GB/s extra' has trailing text 'extra'");
  EXPECT_EQ(error_of(parse_bandwidth("GB/s")), "'GB/s' is not a number");
  EXPECT_EQ(error_of(parse_bandwidth("")), "empty value (expected a number)");
  EXPECT_EQ(error_of(parse_bandwidth("+5 GB/s")), "'+5 GB/s' is not a number");
}

TEST(Units, RejectsHugeExponents) {
  EXPECT_EQ(error_of(parse_bandwidth("1e400 GB/s")), "'1e400 GB/s' is out of range");
  EXPECT_EQ(error_of(parse_bandwidth("1e25 TB/s")), "'1e25 TB/s' is out of range");
  EXPECT_EQ(error_of(parse_number("1e31")), "'1e31' is out of range");
  EXPECT_TRUE(parse_flops_rate("1e3 PFLOPS").ok());  // an exaFLOP machine is still fine
}

TEST(Units, UnknownIsItsOwnOutcome) {
  auto unknown = parse_or_unknown("unknown", parse_power);
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
  auto known = parse_or_unknown("700 W", parse_power);
  ASSERT_TRUE(known.ok());
  ASSERT_TRUE(known->has_value());
  EXPECT_DOUBLE_EQ((*known)->value(), 700);
  // Without parse_or_unknown, "unknown" is just not a number.
  EXPECT_EQ(error_of(parse_power("unknown")), "'unknown' is not a number");
  EXPECT_FALSE(parse_or_unknown("700", parse_power).ok());
}

}  // namespace
}  // namespace tessera
