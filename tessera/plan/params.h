// Parameter and KV-cache accounting of a model, from its architecture alone.
#pragma once

#include <cstdint>

#include "tessera/specs/model.h"

namespace tessera {

struct LayerParams {
  double attention = 0;      // q, k, v, o projections (+ MLA down/up projections, biases)
  double mlp_dense = 0;      // dense FFN (dense layers only)
  double moe_router = 0;
  double moe_expert = 0;     // ONE routed expert
  double moe_shared = 0;     // all shared experts
  double norms = 0;
};

struct ParamCount {
  double total = 0;          // every parameter
  double active = 0;         // parameters used for one token: non-selected experts excluded,
                             // embedding table excluded (a row gather), LM head included
  double active_with_embeddings = 0;  // active + the input embedding table (Mistral's convention)
  double embedding = 0;      // input embedding table
  double lm_head = 0;        // output projection (0 extra when tied)
  int moe_layers = 0;
  int dense_layers = 0;
};

// Whether layer i (0-based) is a MoE layer.
bool is_moe_layer(const ModelSpec& m, int layer);
LayerParams layer_params(const ModelSpec& m);
ParamCount count_params(const ModelSpec& m);

// KV-cache elements stored per token per layer (K and V over all KV heads; MLA: the
// compressed latent plus the decoupled rope key).
double kv_elements_per_token_per_layer(const ModelSpec& m);

}  // namespace tessera
