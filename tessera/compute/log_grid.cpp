#include "tessera/compute/log_grid.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tessera {

void LogGrid::add(const std::vector<double>& x, double value) {
  std::vector<double> p = x;
  p.push_back(value);
  points_.push_back(std::move(p));
}

void LogGrid::build() {
  axes_.assign(dims_, {});
  for (size_t d = 0; d < dims_; ++d) {
    for (const auto& p : points_) axes_[d].push_back(p[d]);
    std::sort(axes_[d].begin(), axes_[d].end());
    axes_[d].erase(std::unique(axes_[d].begin(), axes_[d].end()), axes_[d].end());
  }
  size_t n = 1;
  for (const auto& a : axes_) n *= a.size();
  values_.assign(n, std::numeric_limits<double>::quiet_NaN());
  std::vector<size_t> i(dims_);
  for (const auto& p : points_) {
    for (size_t d = 0; d < dims_; ++d)
      i[d] = static_cast<size_t>(std::lower_bound(axes_[d].begin(), axes_[d].end(), p[d]) - axes_[d].begin());
    double& v = values_[index(i)];
    if (std::isnan(v)) v = p[dims_];
  }
  points_.clear();
  points_.shrink_to_fit();
}

size_t LogGrid::index(const std::vector<size_t>& i) const {
  size_t at = 0;
  for (size_t d = 0; d < dims_; ++d) at = at * axes_[d].size() + i[d];
  return at;
}

std::optional<double> LogGrid::at(const std::vector<double>& x) const {
  if (values_.empty() || x.size() != dims_) return std::nullopt;
  // Per dimension: the lower index, and the log-space weight of the upper neighbour
  // (none when x sits on a grid coordinate, so grid points return stored values exactly).
  std::vector<size_t> lo(dims_);
  std::vector<double> w(dims_, 0.0);
  std::vector<size_t> interp;
  for (size_t d = 0; d < dims_; ++d) {
    const auto& a = axes_[d];
    if (!(x[d] >= a.front() && x[d] <= a.back())) return std::nullopt;
    const size_t j = static_cast<size_t>(std::lower_bound(a.begin(), a.end(), x[d]) - a.begin());
    if (a[j] == x[d]) {
      lo[d] = j;
      continue;
    }
    lo[d] = j - 1;  // a[j-1] < x < a[j]
    w[d] = std::log(x[d] / a[j - 1]) / std::log(a[j] / a[j - 1]);
    interp.push_back(d);
  }
  if (interp.empty()) {
    const double v = values_[index(lo)];
    return std::isnan(v) ? std::nullopt : std::optional<double>(v);
  }
  double log_sum = 0;
  std::vector<size_t> corner(dims_);
  for (size_t mask = 0; mask < (size_t{1} << interp.size()); ++mask) {
    corner = lo;
    double weight = 1;
    for (size_t b = 0; b < interp.size(); ++b) {
      const size_t d = interp[b];
      const bool upper = (mask >> b) & 1;
      corner[d] += upper ? 1 : 0;
      weight *= upper ? w[d] : 1 - w[d];
    }
    const double v = values_[index(corner)];
    if (std::isnan(v)) return std::nullopt;  // a corner of the cell was not measured
    log_sum += weight * std::log(v);
  }
  return std::exp(log_sum);
}

std::vector<double> LogGrid::nearest(const std::vector<double>& x) const {
  std::vector<double> c(dims_);
  for (size_t d = 0; d < dims_; ++d) c[d] = std::clamp(x[d], axes_[d].front(), axes_[d].back());
  if (at(c)) return c;
  double best = std::numeric_limits<double>::infinity();
  std::vector<size_t> i(dims_, 0);
  std::vector<double> out = c;
  for (size_t flat = 0; flat < values_.size(); ++flat) {
    // flat -> per-dimension indices (row-major, last dimension fastest)
    size_t rest = flat;
    for (size_t d = dims_; d-- > 0;) {
      i[d] = rest % axes_[d].size();
      rest /= axes_[d].size();
    }
    if (std::isnan(values_[flat])) continue;
    double dist = 0;
    for (size_t d = 0; d < dims_; ++d) {
      const double l = std::log(axes_[d][i[d]] / x[d]);
      dist += l * l;
    }
    if (dist < best) {
      best = dist;
      for (size_t d = 0; d < dims_; ++d) out[d] = axes_[d][i[d]];
    }
  }
  return out;
}

}  // namespace tessera
