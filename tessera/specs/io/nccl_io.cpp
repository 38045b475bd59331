#include "tessera/specs/io/nccl_io.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "tessera/specs/io/units.h"

namespace tessera {

namespace fs = std::filesystem;

static fs::path nccl_dir(const fs::path& data_dir) { return data_dir / "calibration" / "nccl"; }

std::vector<std::string> nccl_validation_systems(const fs::path& data_dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(nccl_dir(data_dir), ec))
    if (e.path().extension() == ".csv") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

static std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> f;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) f.push_back(cell);
  return f;
}

Result<std::vector<NcclRow>> load_nccl_rows(const fs::path& data_dir, const std::string& system) {
  const fs::path path = nccl_dir(data_dir) / (system + ".csv");
  std::ifstream in(path);
  if (!in) return bad_input(fmt::format("{}: cannot read the file", path.string()));
  std::string line;
  if (!std::getline(in, line)) return bad_input(fmt::format("{}: empty file", path.string()));
  const auto header = split(line);
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  for (const char* need : {"op_name", "nccl_dtype", "num_gpus", "message_size", "latency"})
    if (!col.count(need)) return bad_input(fmt::format("{}: missing column '{}'", path.string(), need));
  std::vector<NcclRow> rows;
  for (int lineno = 2; std::getline(in, line); ++lineno) {
    if (line.empty()) continue;
    const auto f = split(line);
    if (f.size() != header.size())
      return bad_input(fmt::format("{}:{}: expected {} fields, got {}", path.string(), lineno, header.size(), f.size()));
    NcclRow r;
    r.op = f[col["op_name"]];
    r.dtype = f[col["nccl_dtype"]];
    auto gpus = parse_count(f[col["num_gpus"]]);
    auto elems = parse_count(f[col["message_size"]]);
    auto ms = parse_number(f[col["latency"]]);
    if (!gpus || !elems || !ms)
      return bad_input(fmt::format("{}:{}: num_gpus, message_size and latency must be numbers", path.string(), lineno));
    const double elem_bytes = r.dtype == "half" ? 2.0 : (r.dtype == "int8" ? 1.0 : 0.0);
    if (elem_bytes == 0)
      return bad_input(fmt::format("{}:{}: key 'nccl_dtype': '{}' is not half or int8", path.string(), lineno, r.dtype));
    r.gpus = static_cast<int>(gpus.value());
    r.size = Bytes(static_cast<double>(elems.value()) * elem_bytes);
    r.latency = Seconds(ms.value() * 1e-3);
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace tessera
