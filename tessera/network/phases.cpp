#include "tessera/network/phases.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

namespace tessera {

PhaseBuilder::PhaseBuilder(const Fabric& fabric, std::vector<int> chip_order, int ranks_per_chip)
    : fabric_(fabric), order_(std::move(chip_order)), rpc_(std::max(1, ranks_per_chip)) {}

Phase PhaseBuilder::price(const std::vector<Flow>& flows, int steps) const {
  std::vector<Flow> chips;
  chips.reserve(flows.size());
  for (const Flow& f : flows) chips.push_back({chip_of(f.src), chip_of(f.dst), f.fraction});
  return price_chips(chips, steps);
}

Phase PhaseBuilder::price_chips(const std::vector<Flow>& flows, int steps) const {
  // Aggregate by chip pair first: routes are per pair, and many rank flows share one.
  std::map<std::pair<int, int>, double> pairs;
  for (const Flow& f : flows)
    if (f.fraction > 0) pairs[{f.src, f.dst}] += f.fraction;
  std::vector<double> load(fabric_.links(), 0.0);
  Phase ph;
  ph.steps = steps;
  for (const auto& [ab, frac] : pairs) {
    const auto [a, b] = ab;
    if (a == b) {
      load[fabric_.memory_link(a)] += frac;
      ph.onchip = true;
      continue;
    }
    for (const Path& p : fabric_.route(a, b)) {
      for (int l : p.links) load[l] += frac * p.weight;
      ph.fabric_hops = std::max(ph.fabric_hops, p.fabric_hops);
      ph.scaleout = ph.scaleout || p.scaleout;
    }
  }
  for (int l = 0; l < fabric_.links(); ++l) {
    if (load[l] <= 0) continue;
    const double bw = fabric_.link_bandwidth(l);
    const double t = bw > 0 ? load[l] / bw : std::numeric_limits<double>::infinity();
    ph.seconds_per_byte = std::max(ph.seconds_per_byte, t);
  }
  return ph;
}

namespace {

std::vector<int> identity(int c) {
  std::vector<int> v(c);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

bool power_of_two(int n) { return n > 0 && (n & (n - 1)) == 0; }

// Bidirectional ring: every rank sends half its chunk to each neighbour per step.
std::vector<Flow> ring_step(int n) {
  std::vector<Flow> f;
  const double half = 1.0 / (2.0 * n);
  for (int i = 0; i < n; ++i) {
    f.push_back({i, (i + 1) % n, half});
    f.push_back({i, (i + n - 1) % n, half});
  }
  return f;
}

// Every rank sends `fraction` to every other rank.
std::vector<Flow> all_pairs(int n, double fraction) {
  std::vector<Flow> f;
  f.reserve(static_cast<size_t>(n) * (n - 1));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      if (i != j) f.push_back({i, j, fraction});
  return f;
}

std::vector<Phase> ring_phases(const Fabric& fab, CollectiveKind kind, int n, int rpc) {
  const int c = (n + rpc - 1) / rpc;
  const PhaseBuilder b(fab, fab.ring_order(c), rpc);
  switch (kind) {
    case CollectiveKind::AllReduce: return {b.price(ring_step(n), 2 * (n - 1))};
    case CollectiveKind::AllGather:
    case CollectiveKind::ReduceScatter: return {b.price(ring_step(n), n - 1)};
    case CollectiveKind::AllToAll: {
      // Pairwise exchange: in step k every rank sends its block for rank i+k.
      std::vector<Phase> out;
      for (int k = 1; k < n; ++k) {
        std::vector<Flow> f;
        for (int i = 0; i < n; ++i) f.push_back({i, (i + k) % n, 1.0 / n});
        out.push_back(b.price(f, 1));
      }
      return out;
    }
    case CollectiveKind::SendRecv: return {};
  }
  return {};
}

std::vector<Phase> direct_phases(const Fabric& fab, CollectiveKind kind, int n, int rpc) {
  const PhaseBuilder b(fab, identity((n + rpc - 1) / rpc), rpc);
  const Phase one = b.price(all_pairs(n, 1.0 / n), 1);
  switch (kind) {
    case CollectiveKind::AllReduce: return {one, one};  // reduce-scatter, then all-gather
    case CollectiveKind::AllGather:
    case CollectiveKind::ReduceScatter:
    case CollectiveKind::AllToAll: return {one};
    case CollectiveKind::SendRecv: return {};
  }
  return {};
}

std::vector<Phase> halving_doubling_phases(const Fabric& fab, CollectiveKind kind, int n, int rpc) {
  const PhaseBuilder b(fab, identity((n + rpc - 1) / rpc), rpc);
  // Reduce-scatter by recursive halving, nearest partner first so the largest
  // exchange stays on the chip or one hop away; all-gather mirrors it.
  std::vector<Phase> rs;
  for (int dist = 1; dist < n; dist *= 2) {
    std::vector<Flow> f;
    const double frac = 1.0 / (2.0 * dist);
    for (int i = 0; i < n; ++i) f.push_back({i, i ^ dist, frac});
    rs.push_back(b.price(f, 1));
  }
  std::vector<Phase> ag(rs.rbegin(), rs.rend());
  if (kind == CollectiveKind::ReduceScatter) return rs;
  if (kind == CollectiveKind::AllGather) return ag;
  rs.insert(rs.end(), ag.begin(), ag.end());
  return rs;
}

// Chip-level flows among the members of each instance of a fabric level.
std::vector<Flow> level_flows(int chips, const FabricLevel& lv, double data, bool direct) {
  std::vector<Flow> f;
  const int k = lv.members;
  for (int g = 0; g < chips; ++g) {
    const int j = (g / lv.stride) % k;
    const int base = g - j * lv.stride;
    if (direct) {
      for (int m = 0; m < k; ++m)
        if (m != j) f.push_back({g, base + m * lv.stride, data / k});
    } else {
      f.push_back({g, base + ((j + 1) % k) * lv.stride, data / (2.0 * k)});
      f.push_back({g, base + ((j + k - 1) % k) * lv.stride, data / (2.0 * k)});
    }
  }
  return f;
}

// Double binary tree among a level's members (NCCL): two heap-ordered trees, the
// second mirrored, each carrying half the data; reduce up, then broadcast down,
// pipelined, so each direction costs depth x latency + its busiest link.
std::vector<Phase> tree_level(const PhaseBuilder& b, int chips, const FabricLevel& lv, double data) {
  const int k = lv.members;
  std::vector<Flow> up, down;
  for (int g = 0; g < chips; ++g) {
    const int j = (g / lv.stride) % k;
    const int base = g - j * lv.stride;
    auto chip = [&](int idx) { return base + idx * lv.stride; };
    for (int t = 0; t < 2; ++t) {
      const int pos = t == 0 ? j : k - 1 - j;  // position of this member in tree t
      if (pos == 0) continue;
      const int parent_pos = (pos - 1) / 2;
      const int parent = t == 0 ? parent_pos : k - 1 - parent_pos;
      up.push_back({g, chip(parent), data / 2});
      down.push_back({chip(parent), g, data / 2});
    }
  }
  const int depth = std::max(1, static_cast<int>(std::floor(std::log2(static_cast<double>(k)))));
  Phase pu = b.price_chips(up, depth), pd = b.price_chips(down, depth);
  pu.seconds_per_byte /= depth;  // pipelined: the whole tree's traffic once, over depth steps
  pd.seconds_per_byte /= depth;
  return {pu, pd};
}

std::vector<Phase> hierarchical_phases(const Fabric& fab, CollectiveKind kind, CollectiveAlgorithm algo, int n,
                                       int rpc, bool allow_direct, std::string* why) {
  const int c = (n + rpc - 1) / rpc;
  if (n % rpc != 0 && c > 1) {
    *why = "the group does not fill whole chips";
    return {};
  }
  const auto levels = fab.levels(c);
  if (c > 1 && levels.empty()) {
    *why = fmt::format("{} chips do not split along the fabric's dimensions", c);
    return {};
  }
  const PhaseBuilder ranks(fab, identity(c), rpc);
  std::vector<Phase> rs;
  if (rpc > 1 && n > 1) {
    const int r = std::min(rpc, n);
    std::vector<Flow> f;
    for (int base = 0; base < n; base += r)
      for (int i = 0; i < r; ++i)
        for (int j = 0; j < r; ++j)
          if (i != j) f.push_back({base + i, base + j, 1.0 / r});
    rs.push_back(ranks.price(f, 1));
  }
  double data = 1.0;
  std::vector<Phase> top;
  for (size_t l = 0; l < levels.size(); ++l) {
    const FabricLevel& lv = levels[l];
    // NCCL's trees join nodes (within one, a tree is a chain): only across systems.
    if (algo == CollectiveAlgorithm::Tree && l + 1 == levels.size() && lv.name == "systems") {
      top = tree_level(ranks, c, lv, data);
      break;
    }
    const bool direct = lv.switched && allow_direct;
    rs.push_back(ranks.price_chips(level_flows(c, lv, data, direct), direct ? 1 : lv.members - 1));
    data /= lv.members;
  }
  std::vector<Phase> ag(rs.rbegin(), rs.rend());
  if (algo == CollectiveAlgorithm::Tree) {
    if (kind != CollectiveKind::AllReduce || top.empty()) {
      *why = "tree applies to all-reduce across two or more systems (NCCL builds trees between nodes)";
      return {};
    }
    rs.insert(rs.end(), top.begin(), top.end());
    rs.insert(rs.end(), ag.begin(), ag.end());
    return rs;
  }
  switch (kind) {
    case CollectiveKind::ReduceScatter: return rs;
    case CollectiveKind::AllGather: return ag;
    case CollectiveKind::AllReduce: rs.insert(rs.end(), ag.begin(), ag.end()); return rs;
    default: *why = "hierarchical applies to all-reduce, all-gather and reduce-scatter"; return {};
  }
}

}  // namespace

std::vector<Phase> build_phases(const Fabric& fab, CollectiveKind kind, CollectiveAlgorithm algo, int n, int rpc,
                                bool direct_on_switches, std::string* why) {
  std::string ignored;
  if (!why) why = &ignored;
  rpc = std::max(1, rpc);
  const bool a2a = kind == CollectiveKind::AllToAll;
  switch (algo) {
    case CollectiveAlgorithm::Auto: *why = "auto is resolved by the model"; return {};
    case CollectiveAlgorithm::P2p: {
      if (kind != CollectiveKind::SendRecv) break;
      const PhaseBuilder b(fab, identity((n + rpc - 1) / rpc), rpc);
      return {b.price({{0, n - 1, 1.0}}, 1)};
    }
    case CollectiveAlgorithm::Ring:
      if (kind == CollectiveKind::SendRecv) break;
      return ring_phases(fab, kind, n, rpc);
    case CollectiveAlgorithm::Direct:
      if (kind == CollectiveKind::SendRecv) break;
      return direct_phases(fab, kind, n, rpc);
    case CollectiveAlgorithm::HalvingDoubling:
      if (a2a || kind == CollectiveKind::SendRecv) break;
      if (!power_of_two(n)) {
        *why = fmt::format("halving-doubling needs a power-of-two number of ranks, not {}", n);
        return {};
      }
      return halving_doubling_phases(fab, kind, n, rpc);
    case CollectiveAlgorithm::Hierarchical:
    case CollectiveAlgorithm::Tree:
      if (a2a || kind == CollectiveKind::SendRecv) break;
      return hierarchical_phases(fab, kind, algo, n, rpc, direct_on_switches, why);
    case CollectiveAlgorithm::Nvls: *why = "nvls is priced by the model"; return {};
  }
  *why = fmt::format("{} does not apply to {}", algorithm_name(algo), collective_name(kind));
  return {};
}

}  // namespace tessera
