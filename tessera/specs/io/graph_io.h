// Operator-graph JSON (docs/graph-format.md) <-> Graph, and the two front ends that
// meet there: a Hugging Face config (ModelSpec) builds a graph, and a graph yields the
// ModelSpec summary that memory and parameter accounting read.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "tessera/core/status.h"
#include "tessera/specs/graph.h"
#include "tessera/specs/model.h"

namespace tessera {

// True for paths the catalog treats as graphs: "*.graph.json".
bool looks_like_graph_path(std::string_view name_or_path);

// Parses and validates; errors name the file, the block/op and the key.
Result<Graph> parse_graph(std::string_view json_text, const std::string& file);
Result<Graph> load_graph(const std::filesystem::path& path);
std::string graph_to_json(const Graph& g);  // 2-space indented, stable key order, trailing newline

// The graph's summary as a ModelSpec with `graph` set (what `--model X.graph.json` resolves to).
// Needs at least one causal attention op (Tessera serves autoregressive decoders) and one head
// shape across the attention ops.
Result<ModelSpec> model_from_graph(const Graph& g, std::string name);
inline Result<ModelSpec> load_graph_model(const std::filesystem::path& path, std::string name) {
  auto g = load_graph(path);
  if (!g) return g.error();
  return model_from_graph(*g, std::move(name));
}

// The Hugging Face front end: the graph of a dense (GQA, optional sliding window) or MoE
// decoder. MLA models are not expressible in format version 1 (bad input naming the model).
Result<Graph> graph_from_model(const ModelSpec& m);

}  // namespace tessera
