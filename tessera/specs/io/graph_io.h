// Operator-graph JSON (docs/graph-format.md) <-> Graph.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "tessera/core/status.h"
#include "tessera/specs/graph.h"
#include "tessera/specs/model.h"
#include "tessera/specs/model_graph.h"

namespace tessera {

// True for paths the catalog treats as graphs: "*.graph.json".
bool looks_like_graph_path(std::string_view name_or_path);

// Parses and validates; errors name the file, the block/op and the key.
Result<Graph> parse_graph(std::string_view json_text, const std::string& file);
Result<Graph> load_graph(const std::filesystem::path& path);
std::string graph_to_json(const Graph& g);  // 2-space indented, stable key order, trailing newline

// A .graph.json file as a model (model_graph.h model_from_graph).
inline Result<ModelSpec> load_graph_model(const std::filesystem::path& path, std::string name) {
  auto g = load_graph(path);
  if (!g) return g.error();
  return model_from_graph(*g, std::move(name));
}

}  // namespace tessera
