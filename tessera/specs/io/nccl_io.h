// The committed nccl-tests rows (data/calibration/nccl/<system>.csv) that
// `tessera collective --validate` compares the collective model with.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "tessera/core/status.h"
#include "tessera/core/units.h"

namespace tessera {

struct NcclRow {
  std::string op;          // all_reduce, all_gather, reduce_scatter, alltoall
  std::string dtype;       // half, int8
  int gpus = 0;
  Bytes size{0};           // nccl-tests size: message_size (elements) x element size
  Seconds latency{0};
};

// <data_dir>/calibration/nccl/*.csv, by file stem (= the system's catalog name), sorted.
std::vector<std::string> nccl_validation_systems(const std::filesystem::path& data_dir);
Result<std::vector<NcclRow>> load_nccl_rows(const std::filesystem::path& data_dir, const std::string& system);

}  // namespace tessera
