// The two conversions between a model's configuration summary (ModelSpec) and its
// operator graph (graph.h), where the front ends meet: a Hugging Face config builds a
// graph, and a graph file yields the summary that memory and parameter accounting read.
#pragma once

#include <string>

#include "tessera/core/status.h"
#include "tessera/specs/graph.h"
#include "tessera/specs/model.h"

namespace tessera {

// The graph's summary as a ModelSpec with `graph` set (what `--model X.graph.json` resolves to).
// Needs at least one causal attention op (Tessera serves autoregressive decoders) and one head
// shape across the attention ops.
Result<ModelSpec> model_from_graph(const Graph& g, std::string name);

// The Hugging Face front end: the graph of a dense (GQA/MQA, optional sliding window), MoE
// or latent-attention (MLA) decoder. The plan lowers every model through this graph.
Result<Graph> graph_from_model(const ModelSpec& m);

}  // namespace tessera
