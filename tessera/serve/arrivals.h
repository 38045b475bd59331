// Synthetic request generators: token lengths drawn from a LengthDist, and the
// open-loop Poisson arrival stream. Closed-loop and batch arrivals depend on
// completions, so the simulator creates them; they draw lengths here too.
#pragma once

#include <cstdint>

#include "tessera/core/rng.h"
#include "tessera/specs/workload.h"

namespace tessera::serve {

// A constant consumes no random draw; lognormal draws are rounded to the nearest
// integer and uniform draws are integers in [min, max]; both are clamped to [min, max].
int64_t draw_length(const LengthDist& d, Rng& rng);

// Input and output lengths for one request. Its own stream, separate from arrival
// times, so that changing a length distribution does not move the arrivals.
class LengthSampler {
 public:
  LengthSampler(const WorkloadSpec& w, uint64_t seed) : input_(w.input), output_(w.output), rng_(seed ^ kStream) {}
  void draw(RequestArrival& a) {
    a.input_tokens = draw_length(input_, rng_);
    a.output_tokens = draw_length(output_, rng_);
  }

 private:
  static constexpr uint64_t kStream = 0x5851F42D4C957F2DULL;
  LengthDist input_, output_;
  Rng rng_;
};

// n arrivals with exponential gaps at `rate` per second; the first at one gap after 0.
class PoissonSource final : public RequestSource {
 public:
  PoissonSource(const WorkloadSpec& w, uint64_t seed) : rate_(w.rate), n_(w.n), times_(seed), lengths_(w, seed) {}
  std::optional<RequestArrival> next() override;
  const std::string& error() const override { return error_; }

 private:
  double rate_;
  int64_t n_;
  int64_t emitted_ = 0;
  double t_ = 0;
  Rng times_;
  LengthSampler lengths_;
  std::string error_;
};

}  // namespace tessera::serve
