// Where the ranks of a deployment live: how many ranks share a chip, how many
// chips and systems a replica and the whole deployment take.
#pragma once

#include <string>
#include <vector>

#include "tessera/compute/device_model.h"
#include "tessera/core/status.h"
#include "tessera/specs/deployment.h"
#include "tessera/specs/hardware.h"
#include "tessera/specs/model.h"

namespace tessera {

struct Placement {
  int lnc = 1;                 // physical NeuronCores per rank (1 on GPUs)
  int ranks_per_chip = 1;      // Neuron: cores / lnc; GPU: 1
  int attention_dp = 1;        // attention data-parallel groups inside a replica (DEP: ep / tp)
  int ranks_per_replica = 1;   // tp * attention_dp * pp
  int chips_per_replica = 1;
  int replicas = 1;
  int total_chips = 1;
  int systems = 1;             // whole systems the deployment occupies
  RankResources rank;          // one rank's share of its chip
  std::vector<std::string> warnings;
};

// Checks the deployment against the model and the hardware and places it.
// Errors are bad input (exit 2): TP not dividing heads, LNC on GPUs, a TP group
// larger than one system, ...
Result<Placement> place(const ModelSpec& model, const SystemSpec& system, const DeploymentSpec& dep);

// Heads each TP rank holds. KV heads are replicated when tp > kv_heads. When tp
// does not divide the heads (allowed on Neuron, which pads heads as NxD Inference
// and transformers-neuronx do), every rank holds ceil(heads / tp).
inline int heads_per_rank(const ModelSpec& m, int tp) { return (m.heads + tp - 1) / tp; }
inline int kv_heads_per_rank(const ModelSpec& m, int tp) {
  return m.kv_heads >= tp ? (m.kv_heads + tp - 1) / tp : 1;
}

}  // namespace tessera
