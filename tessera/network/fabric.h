// The chip-level link graph of one or more systems joined by the scale-out tier,
// with the routes flows take through it. Collective algorithms are costed by
// routing each step's flows and finding the busiest link (link sharing), so the
// same code prices a ring on a torus, an all-to-all limited by a torus bisection,
// and per-port limits on a switch.
#pragma once

#include <string>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/specs/hardware.h"

namespace tessera {

// One way a flow can go: its links, its share of the flow, and its length.
struct Path {
  std::vector<int> links;
  double weight = 1.0;   // fraction of the flow on this path (equal-length paths split evenly)
  int fabric_hops = 0;   // torus/ring links crossed, or switch traversals
  bool scaleout = false; // crosses the EFA/IB tier between systems
};

// A level of the fabric hierarchy a group decomposes into: `members` chips, the
// chips of one instance of the level `stride` ids apart (x: 1; y: X; ...).
struct FabricLevel {
  std::string name;      // "x", "y", "instance-ring", "switch", "server", "rack", "systems", ...
  int members = 1;
  int stride = 1;
  bool switched = false; // members reach each other through a switch (direct algorithms fit)
};

class Fabric {
 public:
  // `systems` copies of `system`, joined by the scale-out tier when more than one.
  Fabric(const SystemSpec& system, int systems);

  int chips() const { return chips_per_system_ * systems_; }
  int chips_per_system() const { return chips_per_system_; }
  int systems() const { return systems_; }
  int links() const { return static_cast<int>(bandwidth_.size()); }
  double link_bandwidth(int link) const { return bandwidth_[link]; }  // bytes/s
  // The link that models a chip's own memory, used by exchanges between ranks of one chip.
  int memory_link(int chip) const { return memory_link_[chip]; }

  // Paths from chip a to chip b (a != b); shortest, dimension-ordered, ties split evenly.
  std::vector<Path> route(int a, int b) const;

  // The first `c` chips in an order where neighbours are one hop apart where the
  // topology allows (snake order on a torus), for ring algorithms.
  std::vector<int> ring_order(int c) const;
  // The levels `c` consecutive chips decompose into (innermost first), or empty when
  // `c` does not split along the fabric's dimensions.
  std::vector<FabricLevel> levels(int c) const;

 private:
  int add_link(double bw);
  void build_system(int sys);
  std::vector<Path> route_in_system(int a, int b) const;  // local ids + system offset handled by caller

  const SystemSpec* spec_;
  int systems_ = 1;
  int chips_per_system_ = 1;
  std::vector<double> bandwidth_;
  std::vector<int> memory_link_;
  // Per chip (global id): outgoing/incoming link ids by port; meaning depends on the topology.
  std::vector<std::vector<int>> out_;
  std::vector<std::vector<int>> in_;
  std::vector<int> nic_out_, nic_in_;
};

}  // namespace tessera
