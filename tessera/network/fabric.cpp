#include "tessera/network/fabric.h"

#include <algorithm>
#include <numeric>

namespace tessera {

namespace {

// Ports of a chip, by topology (indices into Fabric::out_/in_).
enum Port { kPlusX = 0, kMinusX = 1, kPlusY = 2, kMinusY = 3, kPlusR = 4, kMinusR = 5 };

// Steps around a ring of `n` from `from` to `to`: +1 or -1 per step, ties both ways.
std::vector<std::pair<int, int>> ring_directions(int from, int to, int n) {
  const int fwd = ((to - from) % n + n) % n;
  const int back = n - fwd;
  if (fwd == 0) return {};
  if (fwd < back) return {{+1, fwd}};
  if (back < fwd) return {{-1, back}};
  return {{+1, fwd}, {-1, back}};
}

std::vector<Path> combine(const std::vector<Path>& a, const std::vector<Path>& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  std::vector<Path> out;
  for (const Path& x : a)
    for (const Path& y : b) {
      Path p = x;
      p.links.insert(p.links.end(), y.links.begin(), y.links.end());
      p.weight = x.weight * y.weight;
      p.fabric_hops = x.fabric_hops + y.fabric_hops;
      out.push_back(std::move(p));
    }
  return out;
}

}  // namespace

Fabric::Fabric(const SystemSpec& system, int systems)
    : spec_(&system), systems_(std::max(1, systems)), chips_per_system_(std::max(1, system.chips)) {
  const int n = chips();
  out_.assign(n, {});
  in_.assign(n, {});
  memory_link_.assign(n, -1);
  nic_out_.assign(n, -1);
  nic_in_.assign(n, -1);
  for (int s = 0; s < systems_; ++s) build_system(s);
  // Ranks on one chip exchange through its HBM: each byte is read once and written once.
  for (int c = 0; c < n; ++c) memory_link_[c] = add_link(system.chip.hbm_bandwidth.value() / 2.0);
  if (systems_ > 1) {
    // Rail-optimised fat tree: each chip drives its share of the system's EFA/IB
    // bandwidth into a non-blocking tree, so only the NIC links can be shared.
    const double per_chip = system.scaleout_bandwidth.value() / chips_per_system_;
    for (int c = 0; c < n; ++c) {
      nic_out_[c] = add_link(per_chip);
      nic_in_[c] = add_link(per_chip);
    }
  }
}

int Fabric::add_link(double bw) {
  bandwidth_.push_back(bw);
  return static_cast<int>(bandwidth_.size()) - 1;
}

void Fabric::build_system(int sys) {
  const SystemSpec& s = *spec_;
  const int base = sys * chips_per_system_;
  const double link = s.link_bandwidth.value();
  auto outer = [&](size_t i, double fallback) {
    return i < s.outer_tier_bandwidth.size() ? s.outer_tier_bandwidth[i].value() : fallback;
  };
  for (int c = 0; c < chips_per_system_; ++c) {
    auto& out = out_[base + c];
    auto& in = in_[base + c];
    switch (s.topology) {
      case TopologyKind::Single: break;
      case TopologyKind::Ring:
        for (int p = 0; p < 2; ++p) out.push_back(add_link(link));
        break;
      case TopologyKind::Torus2D:
        for (int p = 0; p < 4; ++p) out.push_back(add_link(link));
        break;
      case TopologyKind::Torus2DRings:
        for (int p = 0; p < 4; ++p) out.push_back(add_link(link));
        // The tier's per-chip bandwidth is split over the two ring neighbours.
        for (int p = 0; p < 2; ++p) out.push_back(add_link(outer(0, 2 * link) / 2.0));
        break;
      case TopologyKind::Switch:
        out.push_back(add_link(link));
        in.push_back(add_link(link));
        break;
      case TopologyKind::TwoLevelSwitch:
        out.push_back(add_link(link));
        in.push_back(add_link(link));
        for (size_t t = 0; t < 2; ++t) {
          const double bw = outer(t, t == 0 ? link : outer(0, link));
          out.push_back(add_link(bw));
          in.push_back(add_link(bw));
        }
        break;
    }
  }
}

std::vector<Path> Fabric::route(int a, int b) const {
  if (a / chips_per_system_ != b / chips_per_system_) {
    Path p;
    p.links = {nic_out_[a], nic_in_[b]};
    p.scaleout = true;
    return {p};
  }
  return route_in_system(a, b);
}

std::vector<Path> Fabric::route_in_system(int a, int b) const {
  const SystemSpec& s = *spec_;
  const int base = a / chips_per_system_ * chips_per_system_;
  const int la = a - base, lb = b - base;
  const auto& dims = s.topology_dims;
  // Walk one ring dimension from coordinate `from` to `to`; `id(coord)` maps back to a chip.
  auto walk = [&](int from, int to, int size, int plus, int minus, auto id) {
    std::vector<Path> alts;
    for (auto [dir, hops] : ring_directions(from, to, size)) {
      Path p;
      int x = from;
      for (int h = 0; h < hops; ++h) {
        p.links.push_back(out_[base + id(x)][dir > 0 ? plus : minus]);
        x = ((x + dir) % size + size) % size;
      }
      p.fabric_hops = hops;
      alts.push_back(std::move(p));
    }
    for (Path& p : alts) p.weight = 1.0 / static_cast<double>(alts.size());
    return alts;
  };
  switch (s.topology) {
    case TopologyKind::Single: return {};
    case TopologyKind::Ring:
      return walk(la, lb, chips_per_system_, kPlusX, kMinusX, [](int x) { return x; });
    case TopologyKind::Torus2D:
    case TopologyKind::Torus2DRings: {
      // Dimension-order routing: x, then y, then the ring between instances.
      const int X = dims[0], Y = dims[1], XY = X * Y;
      const int ax = la % X, ay = (la / X) % Y, ar = la / XY;
      const int bx = lb % X, by = (lb / X) % Y, br = lb / XY;
      auto px = walk(ax, bx, X, kPlusX, kMinusX, [&](int x) { return ar * XY + ay * X + x; });
      auto py = walk(ay, by, Y, kPlusY, kMinusY, [&](int y) { return ar * XY + y * X + bx; });
      auto paths = combine(px, py);
      if (s.topology == TopologyKind::Torus2DRings) {
        auto pr = walk(ar, br, dims[2], kPlusR, kMinusR, [&](int r) { return r * XY + by * X + bx; });
        paths = combine(paths, pr);
      }
      return paths;
    }
    case TopologyKind::Switch: {
      Path p;
      p.links = {out_[a][0], in_[b][0]};
      p.fabric_hops = 1;
      return {p};
    }
    case TopologyKind::TwoLevelSwitch: {
      // Same server: the server's switch; same rack: the second level; else the rack tier.
      const int per_server = dims[0];
      const int per_rack = dims.size() > 2 ? dims[0] * dims[1] : chips_per_system_;
      const int tier = la / per_server == lb / per_server ? 0 : (la / per_rack == lb / per_rack ? 1 : 2);
      Path p;
      p.links = {out_[a][tier], in_[b][tier]};
      p.fabric_hops = tier + 1;
      return {p};
    }
  }
  return {};
}

std::vector<int> Fabric::ring_order(int c) const {
  const SystemSpec& s = *spec_;
  std::vector<int> local(chips_per_system_);
  std::iota(local.begin(), local.end(), 0);
  if (s.topology == TopologyKind::Torus2D || s.topology == TopologyKind::Torus2DRings) {
    // Snake (boustrophedon) through the rows so that neighbours are one hop apart,
    // and alternate instances run it backwards so the ring tier joins equal coordinates.
    const int X = s.topology_dims[0], Y = s.topology_dims[1];
    const int R = s.topology == TopologyKind::Torus2DRings ? s.topology_dims[2] : 1;
    local.clear();
    for (int r = 0; r < R; ++r) {
      std::vector<int> inst;
      for (int y = 0; y < Y; ++y)
        for (int i = 0; i < X; ++i) inst.push_back(r * X * Y + y * X + (y % 2 == 0 ? i : X - 1 - i));
      if (r % 2 == 1) std::reverse(inst.begin(), inst.end());
      local.insert(local.end(), inst.begin(), inst.end());
    }
  }
  std::vector<int> order;
  for (int sys = 0; sys < systems_ && static_cast<int>(order.size()) < c; ++sys) {
    for (int l : local) {
      if (static_cast<int>(order.size()) == c) break;
      order.push_back(sys * chips_per_system_ + l);
    }
  }
  return order;
}

std::vector<FabricLevel> Fabric::levels(int c) const {
  const SystemSpec& s = *spec_;
  const auto& d = s.topology_dims;
  std::vector<FabricLevel> dims;
  switch (s.topology) {
    case TopologyKind::Single: break;
    case TopologyKind::Ring: dims = {{"ring", d[0], 1, false}}; break;
    case TopologyKind::Torus2D: dims = {{"x", d[0], 1, false}, {"y", d[1], 1, false}}; break;
    case TopologyKind::Torus2DRings:
      dims = {{"x", d[0], 1, false}, {"y", d[1], 1, false}, {"instance-ring", d[2], 1, false}};
      break;
    case TopologyKind::Switch: dims = {{"switch", d[0], 1, true}}; break;
    case TopologyKind::TwoLevelSwitch:
      dims = {{"server", d[0], 1, true}, {"servers", d[1], 1, true}};
      if (d.size() > 2) dims.push_back({"racks", d[2], 1, true});
      break;
  }
  if (s.topology != TopologyKind::Single && dims.empty()) dims = {{"fabric", chips_per_system_, 1, false}};
  dims.push_back({"systems", systems_, 1, true});
  if (s.topology == TopologyKind::Single) dims.back().members = systems_;
  std::vector<FabricLevel> out;
  int rem = c, stride = 1;
  for (FabricLevel lv : dims) {
    if (rem == 1) break;
    if (lv.name == "systems") stride = chips_per_system_;
    if (rem <= lv.members) {
      lv.members = rem;
      lv.stride = stride;
      out.push_back(lv);
      rem = 1;
      break;
    }
    if (rem % lv.members != 0) return {};
    lv.stride = stride;
    out.push_back(lv);
    stride *= lv.members;
    rem /= lv.members;
  }
  if (rem != 1) return {};
  return out;
}

}  // namespace tessera
