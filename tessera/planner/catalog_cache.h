// The catalog of one data directory, opened once per process and shared: a plan
// compiles hundreds of deployments and a sweep thousands, all reading the same few
// model, system, chip, calibration and power files. Each entry is parsed on first use
// and kept (immutable, shared) for the life of the process; the files are data, not
// input that changes during a run. Thread-safe: the capacity search and sweeps
// compile on several threads.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "tessera/core/status.h"
#include "tessera/specs/calibration.h"
#include "tessera/specs/hardware.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/kernel_tables.h"
#include "tessera/specs/model.h"
#include "tessera/specs/platform.h"
#include "tessera/specs/power_params.h"
#include "tessera/specs/runtime.h"

namespace tessera {

class SharedCatalog {
 public:
  // The process's catalog of `data_dir` (empty = Catalog::default_data_dir()).
  static Result<std::shared_ptr<const SharedCatalog>> open(const std::filesystem::path& data_dir);

  const Catalog& index() const { return index_; }
  const std::filesystem::path& data_dir() const { return index_.data_dir(); }

  // Catalog names or paths, as Catalog::model / Catalog::system take them.
  Result<std::shared_ptr<const ModelSpec>> model(const std::string& name_or_path) const;
  Result<std::shared_ptr<const SystemSpec>> system(const std::string& name_or_path) const;
  // The runtime profile `name` on `chip` ("" = the chip platform's default), with its
  // fitted costs (data/runtimes, data/calibration/runtime).
  Result<std::shared_ptr<const RuntimeProfile>> runtime(std::string_view name, const ChipSpec& chip) const;
  // data/calibration/nvidia/<chip>.yaml
  Result<std::shared_ptr<const NvidiaComputeFit>> nvidia_fit(const std::string& chip) const;
  // The measured kernel tables of a chip (~10^4 rows).
  Result<std::shared_ptr<const NvidiaKernelTables>> kernel_tables(const std::string& chip) const;
  // data/power/model.yaml
  Result<std::shared_ptr<const PowerParams>> power_params() const;

  explicit SharedCatalog(Catalog index) : index_(std::move(index)) {}

 private:
  // One memo per kind of entry: a new kind (e.g. runtime profiles) is a Memo member
  // and a method calling cached().
  template <class T>
  struct Memo {
    std::mutex mu;
    std::map<std::string, std::shared_ptr<const T>, std::less<>> entries;
  };
  template <class T, class Load>
  Result<std::shared_ptr<const T>> cached(Memo<T>& memo, std::string_view key, Load load) const;

  Catalog index_;
  mutable Memo<ModelSpec> models_;
  mutable Memo<SystemSpec> systems_;
  mutable Memo<RuntimeProfile> runtimes_;
  mutable Memo<NvidiaComputeFit> fits_;
  mutable Memo<NvidiaKernelTables> tables_;
  mutable Memo<PowerParams> power_;
};

}  // namespace tessera
