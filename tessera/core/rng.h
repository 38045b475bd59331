// Deterministic, platform-independent random numbers. std:: distributions are
// implementation-defined, so the draws are written out here: the same seed gives
// the same stream on every compiler and library.
#pragma once

#include <cmath>
#include <cstdint>

namespace tessera {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed ^ 0x9E3779B97F4A7C15ULL) {}

  // splitmix64: tiny state, passes BigCrush, trivially reproducible.
  uint64_t next_u64() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in (0, 1): never exactly 0, so log() is safe.
  double uniform() { return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53; }
  double exponential(double rate) { return -std::log(uniform()) / rate; }
  // Box-Muller; one draw per call keeps the stream simple to reason about.
  double normal(double mean, double sd) {
    const double u1 = uniform(), u2 = uniform();
    return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  // Lognormal parameterised by the mean and standard deviation of the variable itself.
  double lognormal_mean_sd(double mean, double sd) {
    const double s2 = std::log(1.0 + (sd * sd) / (mean * mean));
    const double mu = std::log(mean) - 0.5 * s2;
    return std::exp(normal(mu, std::sqrt(s2)));
  }

 private:
  uint64_t s_;
};

}  // namespace tessera
