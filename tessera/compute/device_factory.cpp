#include "tessera/compute/device_factory.h"

#include <fmt/format.h>

#include <array>
#include <utility>

#include "tessera/compute/measured_model.h"
#include "tessera/compute/neuron_core_model.h"
#include "tessera/compute/nvidia_model.h"
#include "tessera/compute/roofline_model.h"
#include "tessera/compute/tensor_efficiency.h"
#include "tessera/core/did_you_mean.h"

namespace tessera {

namespace {
constexpr std::array<std::pair<std::string_view, Fidelity>, 5> kFidelities{{
    {"auto", Fidelity::Auto}, {"roofline", Fidelity::Roofline}, {"engine", Fidelity::Engine},
    {"fitted", Fidelity::Fitted}, {"measured", Fidelity::Measured}}};
}

std::optional<Fidelity> parse_fidelity(std::string_view s) {
  for (auto [n, f] : kFidelities)
    if (n == s) return f;
  return std::nullopt;
}

const std::vector<std::string>& fidelity_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> v;
    for (auto [n, f] : kFidelities) v.emplace_back(n);
    return v;
  }();
  return kNames;
}

Result<Fidelity> fidelity_option(std::string_view flag, const std::string& text) {
  if (auto f = parse_fidelity(text)) return *f;
  return bad_input(fmt::format("{}: unknown '{}'{}", flag, text, did_you_mean(text, fidelity_names())));
}

std::string_view fidelity_name(Fidelity f) {
  for (auto [n, v] : kFidelities)
    if (v == f) return n;
  return "?";
}

static Result<std::shared_ptr<const DeviceModel>> make_base_model(const RankResources& rank, Fidelity fidelity,
                                                                   const NvidiaComputeFit* fit,
                                                                   const NvidiaKernelTables* tables) {
  const bool neuron = rank.chip->neuron_core.has_value();
  if (fidelity == Fidelity::Engine && !neuron)
    return bad_input("--fidelity: 'engine' is the NeuronCore engine model; " + rank.chip->name +
                     " is not a Neuron chip (use fitted, measured or roofline)");
  if ((fidelity == Fidelity::Fitted || fidelity == Fidelity::Measured) && neuron)
    return bad_input("--fidelity: '" + std::string(fidelity_name(fidelity)) + "' applies to NVIDIA GPUs; " +
                     rank.chip->name + " uses 'engine' or 'roofline'");
  if (fidelity == Fidelity::Engine || (fidelity == Fidelity::Auto && neuron)) {
    auto m = NeuronCoreModel::create(rank);
    if (!m) return m.error();
    return std::shared_ptr<const DeviceModel>(std::make_shared<NeuronCoreModel>(std::move(*m)));
  }
  if (fidelity == Fidelity::Measured) {
    if (!fit || !tables) return internal_error("no NVIDIA fit or measured kernel tables loaded for " + rank.chip->name);
    // The tables are whole-GPU measurements; a fractional GPU has no rows to interpolate.
    if (rank.chip_fraction != 1.0)
      return bad_input("--fidelity: 'measured' needs whole GPUs per rank; " + rank.chip->name + " ranks here are " +
                       std::to_string(rank.chip_fraction) + " of a GPU (use 'fitted')");
    return std::shared_ptr<const DeviceModel>(std::make_shared<MeasuredModel>(rank, *fit, *tables));
  }
  if (!neuron && fidelity != Fidelity::Roofline) {
    if (!fit) return internal_error("no NVIDIA fit loaded for " + rank.chip->name);
    return std::shared_ptr<const DeviceModel>(std::make_shared<NvidiaModel>(rank, *fit));
  }
  return std::shared_ptr<const DeviceModel>(std::make_shared<RooflineModel>(rank, RooflineParams{}));
}

}  // namespace tessera

namespace tessera {

Result<std::shared_ptr<const DeviceModel>> make_device_model(const RankResources& rank, Fidelity fidelity,
                                                             const NvidiaComputeFit* fit, double tensor_efficiency,
                                                             const NvidiaKernelTables* tables) {
  auto base = make_base_model(rank, fidelity, fit, tables);
  if (!base || tensor_efficiency >= 1.0) return base;
  return std::shared_ptr<const DeviceModel>(std::make_shared<TensorEfficiencyModel>(*base, tensor_efficiency));
}

}  // namespace tessera
