#include "tessera/serve/arrivals.h"

#include <algorithm>
#include <cmath>

namespace tessera::serve {

int64_t draw_length(const LengthDist& d, Rng& rng) {
  switch (d.kind) {
    case LengthDist::Kind::Constant:
      return std::max<int64_t>(1, std::llround(d.a));
    case LengthDist::Kind::Lognormal:
      return std::clamp<int64_t>(std::llround(rng.lognormal_mean_sd(d.a, d.b)), d.min, d.max);
    case LengthDist::Kind::Uniform: {
      const double span = static_cast<double>(d.max - d.min + 1);
      return std::min<int64_t>(d.max, d.min + static_cast<int64_t>(std::floor(rng.uniform() * span)));
    }
  }
  return 1;
}

std::optional<RequestArrival> PoissonSource::next() {
  if (emitted_ >= n_) return std::nullopt;
  ++emitted_;
  t_ += times_.exponential(rate_);
  RequestArrival a;
  a.arrival_s = t_;
  lengths_.draw(a);
  return a;
}

}  // namespace tessera::serve
