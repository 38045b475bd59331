// A measured quantity on a rectilinear grid of positive coordinates, interpolated
// multilinearly in log(value) over log(coordinates) — kernel latencies are close to power
// laws in their shape parameters, so log-log interpolation is exact for t ~ x^a and
// monotone between neighbouring points. Cells may be missing (tables are ragged, e.g. no
// prefill rows where batch x prompt exceeds memory); a point whose cell lacks a corner is
// outside the hull, like a point beyond an axis' range.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace tessera {

class LogGrid {
 public:
  explicit LogGrid(size_t dims = 0) : dims_(dims) {}

  // Collect points first, then build(); a repeated point keeps its first value.
  void add(const std::vector<double>& x, double value);
  void build();

  size_t dims() const { return dims_; }
  const std::vector<double>& axis(size_t d) const { return axes_[d]; }

  // The interpolated value at x, or nullopt outside the hull. At a grid point it is the
  // stored value itself (no exp/log round trip).
  std::optional<double> at(const std::vector<double>& x) const;

  // The table point the out-of-hull rule takes its correction from: x with each coordinate
  // clamped to its axis' range when that point is inside the hull, else the grid point
  // nearest to x in log coordinates (the first in axis order on a tie).
  std::vector<double> nearest(const std::vector<double>& x) const;

 private:
  size_t index(const std::vector<size_t>& i) const;

  size_t dims_;
  std::vector<std::vector<double>> points_;  // before build(): (x..., value)
  std::vector<std::vector<double>> axes_;    // sorted distinct coordinates per dimension
  std::vector<double> values_;               // dense, row-major over axes_; NaN = missing
};

}  // namespace tessera
