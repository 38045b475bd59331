// grid.yaml for `tessera sweep`: each key is a `simulate` option name without the
// dashes, mapped to one value or a list of values; the sweep is the cartesian
// product of the lists. An optional `points:` list of maps adds explicit
// combinations: the grid is then every point crossed with the product of the other
// keys. Example:
//   model: llama-3-8b
//   hardware: p5.48xlarge
//   tp: [1, 2, 4]
//   workload: ["poisson:rate=5,input=512,output=128,n=200"]
//   points:
//     - {scheduler: vllm}
//     - {scheduler: sarathi, chunk-tokens: 512}
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "tessera/core/status.h"

namespace tessera {

// One run's inputs: (key, value as written), explicit-point keys first, then the
// product keys in file order.
using GridPoint = std::vector<std::pair<std::string, std::string>>;

struct GridAxis {
  std::string key;
  std::vector<std::string> values;  // as written in the file
};

struct GridSpec {
  std::string file;              // as shown in messages
  std::vector<GridAxis> axes;    // the product, in file order
  std::vector<GridPoint> points; // explicit combinations; empty means one empty combination

  // Every key, in the order a GridPoint lists them (point keys by first appearance).
  [[nodiscard]] std::vector<std::string> keys() const;
  // Number of runs: max(1, points) times the product of the axis sizes.
  [[nodiscard]] int64_t size() const;
  // Run `index` in [0, size()): points outermost, then the axes with the last fastest.
  [[nodiscard]] GridPoint at(int64_t index) const;
};

// The most runs one grid may describe (guards against a typo exploding a product).
inline constexpr int64_t kMaxGridRuns = int64_t{1} << 31;

// Parses a grid document. `allowed` lists the accepted keys (did-you-mean on others);
// `reserved` lists keys that are known but not sweepable (named as such).
Result<GridSpec> parse_grid(const std::string& file, const std::string& text, const std::vector<std::string>& allowed,
                            const std::vector<std::string>& reserved);
Result<GridSpec> load_grid(const std::filesystem::path& path, const std::vector<std::string>& allowed,
                           const std::vector<std::string>& reserved);

// The canonical text of a run's inputs, the key a results store resumes on:
// "key=value" pairs sorted by key, joined by '|' ('|' and '\\' in values escaped by '\\').
std::string canonical_key(const GridPoint& point);

}  // namespace tessera
