// Strong physical quantities. Every time, size, rate and power in Tessera carries
// its unit in its type, so that bytes can never be divided by FLOP/s by accident.
// Values are stored in SI base units (seconds, bytes, FLOP, watts, US dollars).
#pragma once

#include <compare>

namespace tessera {

template <class Tag>
struct Quantity {
  double v = 0.0;

  constexpr Quantity() = default;
  constexpr explicit Quantity(double x) : v(x) {}
  [[nodiscard]] constexpr double value() const { return v; }

  constexpr Quantity& operator+=(Quantity o) { v += o.v; return *this; }
  constexpr Quantity& operator-=(Quantity o) { v -= o.v; return *this; }
  constexpr Quantity& operator*=(double s) { v *= s; return *this; }
  friend constexpr Quantity operator+(Quantity a, Quantity b) { return Quantity(a.v + b.v); }
  friend constexpr Quantity operator-(Quantity a, Quantity b) { return Quantity(a.v - b.v); }
  friend constexpr Quantity operator*(Quantity a, double s) { return Quantity(a.v * s); }
  friend constexpr Quantity operator*(double s, Quantity a) { return Quantity(a.v * s); }
  friend constexpr Quantity operator/(Quantity a, double s) { return Quantity(a.v / s); }
  // Ratio of two like quantities is a plain number.
  friend constexpr double operator/(Quantity a, Quantity b) { return a.v / b.v; }
  friend constexpr auto operator<=>(Quantity a, Quantity b) = default;
};

struct SecondsTag {};
struct BytesTag {};
struct FlopsTag {};
struct BytesPerSecondTag {};
struct FlopsPerSecondTag {};
struct WattsTag {};
struct JoulesTag {};
struct HertzTag {};
struct UsdTag {};
struct UsdPerHourTag {};

using Seconds = Quantity<SecondsTag>;
using Bytes = Quantity<BytesTag>;
using Flops = Quantity<FlopsTag>;  // floating-point operations (a count, not a rate)
using BytesPerSecond = Quantity<BytesPerSecondTag>;
using FlopsPerSecond = Quantity<FlopsPerSecondTag>;
using Watts = Quantity<WattsTag>;
using Joules = Quantity<JoulesTag>;
using Hertz = Quantity<HertzTag>;
using Usd = Quantity<UsdTag>;
using UsdPerHour = Quantity<UsdPerHourTag>;

constexpr Seconds operator/(Bytes b, BytesPerSecond r) { return Seconds(b.v / r.v); }
constexpr Seconds operator/(Flops f, FlopsPerSecond r) { return Seconds(f.v / r.v); }
constexpr BytesPerSecond operator/(Bytes b, Seconds t) { return BytesPerSecond(b.v / t.v); }
constexpr FlopsPerSecond operator/(Flops f, Seconds t) { return FlopsPerSecond(f.v / t.v); }
constexpr Bytes operator*(BytesPerSecond r, Seconds t) { return Bytes(r.v * t.v); }
constexpr Joules operator*(Watts p, Seconds t) { return Joules(p.v * t.v); }
constexpr Usd operator*(UsdPerHour p, Seconds t) { return Usd(p.v * t.v / 3600.0); }
// Cycles at a clock rate: n / f.
constexpr Seconds cycles(double n, Hertz f) { return Seconds(n / f.v); }

// Convenience constructors (decimal SI and binary IEC prefixes as vendors use them).
constexpr Bytes KiB(double x) { return Bytes(x * 1024.0); }
constexpr Bytes MiB(double x) { return Bytes(x * 1024.0 * 1024.0); }
constexpr Bytes GiB(double x) { return Bytes(x * 1024.0 * 1024.0 * 1024.0); }
constexpr Bytes GB(double x) { return Bytes(x * 1e9); }
constexpr BytesPerSecond GBps(double x) { return BytesPerSecond(x * 1e9); }
constexpr BytesPerSecond TBps(double x) { return BytesPerSecond(x * 1e12); }
constexpr FlopsPerSecond TFLOPS(double x) { return FlopsPerSecond(x * 1e12); }
constexpr Seconds ms(double x) { return Seconds(x * 1e-3); }
constexpr Seconds us(double x) { return Seconds(x * 1e-6); }
constexpr Seconds ns(double x) { return Seconds(x * 1e-9); }
constexpr Hertz GHz(double x) { return Hertz(x * 1e9); }

inline constexpr Seconds max(Seconds a, Seconds b) { return a.v >= b.v ? a : b; }

}  // namespace tessera
