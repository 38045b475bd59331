#include "tessera/planner/catalog_cache.h"

#include "tessera/specs/io/calibration_io.h"
#include "tessera/specs/io/kernel_table_io.h"
#include "tessera/specs/io/power_io.h"

namespace tessera {

Result<std::shared_ptr<const SharedCatalog>> SharedCatalog::open(const std::filesystem::path& dir) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const SharedCatalog>> open_catalogs;
  const std::filesystem::path data_dir = dir.empty() ? Catalog::default_data_dir() : dir;
  std::lock_guard<std::mutex> lock(mu);
  if (auto it = open_catalogs.find(data_dir.string()); it != open_catalogs.end()) return it->second;
  auto index = Catalog::open(data_dir);
  if (!index) return index.error();
  auto shared = std::make_shared<const SharedCatalog>(std::move(*index));
  open_catalogs.emplace(data_dir.string(), shared);
  return shared;
}

template <class T, class Load>
Result<std::shared_ptr<const T>> SharedCatalog::cached(Memo<T>& memo, std::string_view key, Load load) const {
  {
    std::lock_guard<std::mutex> lock(memo.mu);
    if (auto it = memo.entries.find(key); it != memo.entries.end()) return it->second;
  }
  // Loaded outside the lock so that other entries load in parallel; two threads may
  // both load the same entry once, and the first one stored wins.
  Result<T> loaded = load();
  if (!loaded) return loaded.error();
  auto shared = std::make_shared<const T>(std::move(*loaded));
  std::lock_guard<std::mutex> lock(memo.mu);
  return memo.entries.emplace(std::string(key), std::move(shared)).first->second;
}

Result<std::shared_ptr<const ModelSpec>> SharedCatalog::model(const std::string& name) const {
  return cached(models_, name, [&] { return index_.model(name); });
}

Result<std::shared_ptr<const SystemSpec>> SharedCatalog::system(const std::string& name) const {
  return cached(systems_, name, [&] { return index_.system(name); });
}

Result<std::shared_ptr<const RuntimeProfile>> SharedCatalog::runtime(std::string_view name,
                                                                     const ChipSpec& chip) const {
  // Keyed by name and platform: the default and the platform check depend on the chip's platform.
  const std::string key = std::string(name) + "@" + chip.platform;
  return cached(runtimes_, key, [&] { return index_.runtime_for(name, chip); });
}

Result<std::shared_ptr<const NvidiaComputeFit>> SharedCatalog::nvidia_fit(const std::string& chip) const {
  return cached(fits_, chip, [&] { return load_nvidia_fit(nvidia_fit_path(data_dir(), chip)); });
}

Result<std::shared_ptr<const NvidiaKernelTables>> SharedCatalog::kernel_tables(const std::string& chip) const {
  return cached(tables_, chip, [&] { return load_nvidia_kernel_tables(data_dir(), chip); });
}

Result<std::shared_ptr<const PowerParams>> SharedCatalog::power_params() const {
  return cached(power_, "", [&] { return load_power_params(power_params_path(data_dir())); });
}

}  // namespace tessera
