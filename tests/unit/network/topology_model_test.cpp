// Hand calculations for each algorithm on small synthetic fabrics. Default runtime:
// one protocol, no per-call cost, step latency = link_latency, efficiency 1.
#include "tessera/network/topology_model.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

constexpr double kB = 100e9;   // link bandwidth, bytes/s
constexpr double kH = 1e-6;    // per-hop latency
constexpr double kHbm = 800e9; // chip memory bandwidth (on-chip exchanges at half of it)

SystemSpec base_system(TopologyKind t, std::vector<int> dims) {
  SystemSpec s;
  s.name = "test";
  s.topology = t;
  s.topology_dims = dims;
  s.chips = 1;
  for (int d : dims) s.chips *= d;
  s.link_bandwidth = BytesPerSecond(kB);
  s.link_latency = Seconds(kH);
  s.chip.hbm_bandwidth = BytesPerSecond(kHbm);
  return s;
}

SystemSpec switch8() { return base_system(TopologyKind::Switch, {8}); }
SystemSpec torus4x4() { return base_system(TopologyKind::Torus2D, {4, 4}); }

double cost(const SystemSpec& s, CollectiveKind k, double bytes, CollectiveGroup g, CollectiveAlgorithm a) {
  const auto m = make_collective_model(s);
  auto c = m->cost_with(k, Bytes(bytes), g, a);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
  return c.ok() ? c->time.value() : -1;
}

TEST(TopologyModel, RingAllReduceOnSwitch) {
  // 2(n-1) steps, each: one hop + S/n over the GPU's port (half to each neighbour, both ways).
  const double S = 8e6;
  EXPECT_NEAR(cost(switch8(), CollectiveKind::AllReduce, S, {8, 1}, CollectiveAlgorithm::Ring),
              14 * (kH + S / 8 / kB), 1e-12);
  EXPECT_NEAR(cost(switch8(), CollectiveKind::AllGather, S, {8, 1}, CollectiveAlgorithm::Ring),
              7 * (kH + S / 8 / kB), 1e-12);
}

TEST(TopologyModel, DirectAllToAllOnSwitchIsPortLimited) {
  // One step; each port carries (n-1)/n of the buffer.
  const double S = 8e6;
  EXPECT_NEAR(cost(switch8(), CollectiveKind::AllToAll, S, {8, 1}, CollectiveAlgorithm::Direct),
              kH + 7.0 / 8 * S / kB, 1e-12);
}

TEST(TopologyModel, DirectAllToAllOnTorusIsLinkShared) {
  // 4x4 torus, dimension-order routing. A +x link carries, per source row: the source's
  // 4 flows to x+1 (S/16 each), half of its 4 flows to x+2 and half of x-1's 4 flows to
  // x+1 (distance 2 splits both ways): S/4 + S/8 + S/8 = S/2. Longest path 2 + 2 hops.
  const double S = 16e6;
  EXPECT_NEAR(cost(torus4x4(), CollectiveKind::AllToAll, S, {16, 1}, CollectiveAlgorithm::Direct),
              4 * kH + (S / 2) / kB, 1e-12);
}

TEST(TopologyModel, HalvingDoublingOnSwitch) {
  // Reduce-scatter: partners 1, 2, 4 apart exchange S/2, S/4, S/8; all-gather mirrors it.
  const double S = 8e6;
  const double rs = 3 * kH + (0.5 + 0.25 + 0.125) * S / kB;
  EXPECT_NEAR(cost(switch8(), CollectiveKind::ReduceScatter, S, {8, 1}, CollectiveAlgorithm::HalvingDoubling), rs,
              1e-12);
  EXPECT_NEAR(cost(switch8(), CollectiveKind::AllReduce, S, {8, 1}, CollectiveAlgorithm::HalvingDoubling), 2 * rs,
              1e-12);
  const auto m = make_collective_model(switch8());
  EXPECT_FALSE(m->cost_with(CollectiveKind::AllReduce, Bytes(S), {6, 1}, CollectiveAlgorithm::HalvingDoubling).ok());
}

TEST(TopologyModel, HierarchicalOnTorusWithTwoRanksPerChip) {
  // 32 ranks, 2 per chip, 16 chips on a 4x4 torus. Reduce-scatter: on chip (each rank
  // sends S/2 to its peer: S through memory at HBM/2, one on-chip step), then a ring of
  // 4 along x (3 steps, S/8 per link per step), then along y on S/4 (3 steps, S/32).
  // All-gather mirrors it.
  SystemSpec s = torus4x4();
  s.collective_runtime.onchip_latency = Seconds(2e-6);
  s.collective_runtime.algorithms = {"ring", "hierarchical"};
  const double S = 4e6;
  const double rs = (2e-6 + S / (kHbm / 2)) + 3 * (kH + S / 8 / kB) + 3 * (kH + S / 32 / kB);
  EXPECT_NEAR(cost(s, CollectiveKind::AllReduce, S, {32, 2}, CollectiveAlgorithm::Hierarchical), 2 * rs, 1e-12);
}

TEST(TopologyModel, FlatRingOnTorusUsesSnakeOrder) {
  // 32 ranks, 2 per chip: every ring edge between chips is one hop in the snake order,
  // each carrying S/(2n) per direction per step; 62 steps.
  const double S = 4e6;
  EXPECT_NEAR(cost(torus4x4(), CollectiveKind::AllReduce, S, {32, 2}, CollectiveAlgorithm::Ring),
              62 * (kH + S / 64 / kB), 1e-12);
}

TEST(TopologyModel, NvlsSendsAndReceivesTheBufferOnce) {
  SystemSpec s = switch8();
  s.collective_runtime.algorithms = {"ring", "nvls"};
  s.collective_runtime.protocols = {{"simple", Seconds(5e-6), Seconds(0.5e-6), 0.8}};
  s.collective_runtime.switch_reduction = CollectiveProtocol{"nvls", Seconds(10e-6), Seconds(2e-6), 0.5};
  const double S = 64e6;
  EXPECT_NEAR(cost(s, CollectiveKind::AllReduce, S, {8, 1}, CollectiveAlgorithm::Nvls),
              10e-6 + 2 * 2e-6 + S / (kB * 0.5), 1e-12);
  // Ring with the simple protocol: 5 us + 14 (0.5 us + S/8 / (0.8 B)).
  const double ring = 5e-6 + 14 * (0.5e-6 + S / 8 / (0.8 * kB));
  EXPECT_NEAR(cost(s, CollectiveKind::AllReduce, S, {8, 1}, CollectiveAlgorithm::Ring), ring, 1e-12);
  // Auto takes the faster: NVLS moves S once instead of 2(n-1)/n S.
  const auto m = make_collective_model(s);
  EXPECT_EQ(m->cost(CollectiveKind::AllReduce, Bytes(S), {8, 1}).algorithm, "nvls");
  EXPECT_FALSE(m->cost_with(CollectiveKind::AllGather, Bytes(S), {8, 1}, CollectiveAlgorithm::Nvls).ok());
}

TEST(TopologyModel, FastestProtocolPerSize) {
  SystemSpec s = switch8();
  s.collective_runtime.algorithms = {"ring"};
  s.collective_runtime.protocols = {{"ll", Seconds(2e-6), Seconds(0.2e-6), 0.25},
                                    {"simple", Seconds(20e-6), Seconds(1e-6), 1.0}};
  const auto m = make_collective_model(s);
  EXPECT_EQ(m->cost(CollectiveKind::AllReduce, Bytes(1024), {8, 1}).protocol, "ll");
  EXPECT_EQ(m->cost(CollectiveKind::AllReduce, Bytes(1e9), {8, 1}).protocol, "simple");
  // 1 KiB on LL: 2 us + 14 (0.2 us + 128 B / 25 GB/s).
  EXPECT_NEAR(m->cost(CollectiveKind::AllReduce, Bytes(1024), {8, 1}).time.value(),
              2e-6 + 14 * (0.2e-6 + 128 / 25e9), 1e-12);
}

TEST(TopologyModel, SpanningSystemsGoesOverTheScaleOutTier) {
  SystemSpec s = switch8();
  s.scaleout_latency = Seconds(10e-6);
  const auto none = make_collective_model(s);
  EXPECT_FALSE(none->check({16, 1}).ok());  // no scale-out figure: bad input
  s.scaleout_bandwidth = BytesPerSecond(80e9);  // 10 GB/s per GPU rail
  const auto m = make_collective_model(s);
  EXPECT_EQ(m->systems_for({16, 1}), 2);
  // Hierarchical all-reduce: direct reduce-scatter in the switch (7/8 S per port), then a
  // reduce-scatter between the 2 systems on the S/8 each GPU holds: one step sending half
  // of it (S/16) over the GPU's 10 GB/s rail; then the mirror.
  const double S = 8e6;
  const double rs = (kH + 7.0 / 8 * S / kB) + (10e-6 + S / 16 / 10e9);
  EXPECT_NEAR(cost(s, CollectiveKind::AllReduce, S, {16, 1}, CollectiveAlgorithm::Hierarchical), 2 * rs, 1e-12);
  // A flat ring crossing systems is limited by the rails.
  EXPECT_GT(cost(s, CollectiveKind::AllReduce, S, {16, 1}, CollectiveAlgorithm::Ring),
            cost(s, CollectiveKind::AllReduce, S, {16, 1}, CollectiveAlgorithm::Hierarchical));
}

TEST(TopologyModel, TreeAcrossSystems) {
  SystemSpec s = switch8();
  s.scaleout_bandwidth = BytesPerSecond(80e9);
  s.scaleout_latency = Seconds(10e-6);
  s.collective_runtime.algorithms = {"ring", "tree"};  // NCCL-like: rings inside a node
  // 4 systems x 8 GPUs: ring reduce-scatter inside each switch (7 steps, S/8 per port per
  // step), then double binary trees over the 4 systems on D = S/8 per GPU: depth 2; the
  // busiest rail carries D each way (a member with two children receives D/2 from each),
  // pipelined over the depth; then the ring all-gather.
  const double S = 1e6, D = S / 8;
  const double ring = 7 * (kH + S / 8 / kB);
  const double tree = 2 * (2 * 10e-6 + D / 10e9);
  EXPECT_NEAR(cost(s, CollectiveKind::AllReduce, S, {32, 1}, CollectiveAlgorithm::Tree), 2 * ring + tree, 1e-12);
  // Inside a single system there is no tree (NCCL builds trees between nodes).
  const auto m = make_collective_model(s);
  EXPECT_FALSE(m->cost_with(CollectiveKind::AllReduce, Bytes(S), {8, 1}, CollectiveAlgorithm::Tree).ok());
}

TEST(TopologyModel, SendRecvIsOneTransfer) {
  const double S = 1e6;
  EXPECT_NEAR(cost(switch8(), CollectiveKind::SendRecv, S, {2, 1}, CollectiveAlgorithm::P2p), kH + S / kB, 1e-12);
}

TEST(Fabric, LevelsSplitAlongDimensions) {
  const SystemSpec s = torus4x4();
  const Fabric f(s, 1);
  auto l8 = f.levels(8);
  ASSERT_EQ(l8.size(), 2u);
  EXPECT_EQ(l8[0].members, 4);
  EXPECT_EQ(l8[1].members, 2);
  EXPECT_EQ(l8[1].stride, 4);
  EXPECT_TRUE(f.levels(6).empty());
  const Fabric two(s, 2);
  auto l32 = two.levels(32);
  ASSERT_EQ(l32.size(), 3u);
  EXPECT_EQ(l32[2].name, "systems");
  EXPECT_EQ(l32[2].stride, 16);
}

TEST(Collective, NamesAndBusBandwidth) {
  EXPECT_EQ(collective_from_name("all_reduce"), CollectiveKind::AllReduce);
  EXPECT_EQ(collective_from_name("alltoall"), CollectiveKind::AllToAll);
  EXPECT_FALSE(collective_from_name("all-reduse").has_value());
  EXPECT_DOUBLE_EQ(busbw_factor(CollectiveKind::AllReduce, 8), 1.75);
  EXPECT_DOUBLE_EQ(busbw_factor(CollectiveKind::AllGather, 8), 0.875);
  EXPECT_EQ(algorithm_from_name("halving_doubling"), CollectiveAlgorithm::HalvingDoubling);
}

}  // namespace
}  // namespace tessera
