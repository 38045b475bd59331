// The `tessera._tessera` extension: the planner and report code of the CLI, called in
// process. Every function returns JSON text (the Python package turns it into dicts);
// errors become BadInputError / InfeasibleError carrying the CLI's one-line message.
#include <fmt/format.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "tessera/core/did_you_mean.h"
#include "tessera/network/topology_model.h"
#include "tessera/planner/simulation.h"
#include "tessera/report/result_json.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/graph_io.h"
#include "tessera/specs/io/units.h"

namespace py = pybind11;

namespace tessera::python {
namespace {

struct BadInputException : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct InfeasibleException : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void raise(const Error& e) {
  if (e.kind == ErrorKind::BadInput) throw BadInputException(e.message);
  if (e.kind == ErrorKind::Infeasible) throw InfeasibleException(e.message);
  throw std::runtime_error(e.message);
}

template <class T>
T value_or_raise(Result<T> r) {
  if (!r) raise(r.error());
  return std::move(*r);
}

std::string version() { return TESSERA_VERSION; }

Catalog open_catalog() { return value_or_raise(Catalog::open(Catalog::default_data_dir())); }

DType dtype_arg(const char* key, const std::string& v) {
  if (auto d = parse_dtype(v)) return *d;
  static const std::vector<std::string> kNames{"fp32", "bf16", "fp16", "fp8", "int8", "mxfp8", "mxfp4", "fp4"};
  raise(bad_input(fmt::format("{}: unknown dtype '{}'{}", key, v, did_you_mean(v, kNames))));
}

// Keyword arguments named as the CLI flags (with '_' for '-'): tp, pp, workload, ...
SimulationRequest simulation_request(const std::string& model, const std::string& hardware, const py::dict& kw) {
  static const std::vector<std::string> kKeys{
      "tp", "pp", "ep", "dp", "lnc", "weights_dtype", "kv_dtype", "workload", "scheduler", "max_batch",
      "max_tokens", "block_tokens", "memory_utilization", "expert_imbalance", "fidelity", "router", "seed"};
  SimulationRequest req;
  req.model = model;
  req.hardware = hardware;
  DeploymentSpec& d = req.deployment;
  for (auto [k, v] : kw) {
    const auto key = py::cast<std::string>(k);
    try {
      if (key == "tp") d.tp = py::cast<int>(v);
      else if (key == "pp") d.pp = py::cast<int>(v);
      else if (key == "ep") d.ep = py::cast<int>(v);
      else if (key == "dp") d.dp = py::cast<int>(v);
      else if (key == "lnc") d.lnc = py::cast<int>(v);
      else if (key == "weights_dtype") d.weight_dtype = dtype_arg("weights_dtype", py::cast<std::string>(v));
      else if (key == "kv_dtype") d.kv_dtype = dtype_arg("kv_dtype", py::cast<std::string>(v));
      else if (key == "workload") req.workload = py::cast<std::string>(v);
      else if (key == "scheduler") d.scheduler = py::cast<std::string>(v);
      else if (key == "max_batch") d.max_batch = py::cast<int>(v);
      else if (key == "max_tokens") d.max_tokens = py::cast<int64_t>(v);
      else if (key == "block_tokens") d.block_tokens = py::cast<int>(v);
      else if (key == "memory_utilization") d.memory_utilization = py::cast<double>(v);
      else if (key == "expert_imbalance") d.expert_imbalance = py::cast<double>(v);
      else if (key == "router") req.router = py::cast<std::string>(v);
      else if (key == "seed") req.seed = py::cast<uint64_t>(v);
      else if (key == "fidelity") {
        const auto s = py::cast<std::string>(v);
        auto f = parse_fidelity(s);
        static const std::vector<std::string> kF{"auto", "roofline", "engine", "fitted", "measured"};
        if (!f) raise(bad_input(fmt::format("fidelity: unknown '{}'{}", s, did_you_mean(s, kF))));
        req.fidelity = *f;
      } else {
        raise(bad_input(fmt::format("simulate: unknown argument '{}'{}", key, did_you_mean(key, kKeys))));
      }
    } catch (const py::cast_error&) {
      raise(bad_input(fmt::format("{}: '{}' has the wrong type", key, py::str(v).cast<std::string>())));
    }
  }
  if (!(d.expert_imbalance >= 1.0) || d.expert_imbalance > 1e3)
    raise(bad_input(fmt::format("expert_imbalance: '{}' must be >= 1", d.expert_imbalance)));
  if (!(d.memory_utilization > 0 && d.memory_utilization <= 1))  // NaN fails too
    raise(bad_input(fmt::format("memory_utilization: '{}' must be in (0, 1]", d.memory_utilization)));
  return req;
}

std::string simulate(const std::string& model, const std::string& hardware, const py::kwargs& kw) {
  const SimulationRequest req = simulation_request(model, hardware, kw);
  std::optional<Result<SimulationOutcome>> r;
  {
    py::gil_scoped_release release;  // a long run leaves other Python threads running
    r.emplace(run_simulation(req));
  }
  if (!*r) raise(r->error());
  const SimulationOutcome& o = **r;
  return simulation_json(o, version()).dump(2) + "\n";
}

std::string collective(const std::string& hardware, const std::string& op, const std::string& bytes, int ranks) {
  const auto kind = collective_from_name(op);
  if (!kind) raise(bad_input(fmt::format("op: unknown collective '{}'{}", op, did_you_mean(op, collective_names()))));
  auto size = parse_size(bytes);
  if (!size) raise(bad_input(fmt::format("bytes: {}", size.error().message)));
  if (!(size->value() > 0)) raise(bad_input(fmt::format("bytes: '{}' must be greater than zero", bytes)));
  if (ranks < 1) raise(bad_input(fmt::format("ranks: '{}' must be >= 1", ranks)));
  const SystemSpec sys = value_or_raise(open_catalog().system(hardware));
  const ChipSpec& chip = sys.chip;
  const int rpc = chip.neuron_core ? std::max(1, chip.cores / std::max(1, sys.default_lnc)) : 1;
  const CollectiveGroup group{ranks, rpc};
  const auto model = make_collective_model(sys);
  if (Status s = model->check(group); !s) raise(s.error());
  const CollectiveCost c = model->cost(*kind, *size, group);
  const double t = c.time.value();
  const double algbw = t > 0 ? size->value() / t : 0;
  nlohmann::ordered_json j{{"hardware", sys.name},
                           {"op", op},
                           {"ranks", ranks},
                           {"bytes", size->value()},
                           {"time_s", t},
                           {"algbw_bytes_per_s", algbw},
                           {"busbw_bytes_per_s", algbw * busbw_factor(*kind, ranks)},
                           {"latency_s", c.latency_part.value()},
                           {"algorithm", c.algorithm},
                           {"protocol", c.protocol}};
  return j.dump(2) + "\n";
}

// The graph a model lowers through: a .graph.json file as read, or the graph the
// Hugging Face front end builds for a catalog name / config.json.
std::string graph(const std::string& model) {
  const ModelSpec m = value_or_raise(open_catalog().model(model));
  if (m.graph) return graph_to_json(*m.graph);
  return graph_to_json(value_or_raise(graph_from_model(m)));
}

}  // namespace
}  // namespace tessera::python

PYBIND11_MODULE(_tessera, m) {
  using namespace tessera::python;
  m.doc() = "Tessera: LLM inference simulator (C++ core)";
  static py::exception<BadInputException> bad(m, "BadInputError", PyExc_ValueError);
  static py::exception<InfeasibleException> inf(m, "InfeasibleError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const BadInputException& e) {
      bad(e.what());
    } catch (const InfeasibleException& e) {
      inf(e.what());
    }
  });
  m.attr("__version__") = TESSERA_VERSION;
  m.def("simulate", &simulate, py::arg("model"), py::arg("hardware"), "Result JSON of one simulation");
  m.def("collective", &collective, py::arg("hardware"), py::arg("op"), py::arg("bytes"), py::arg("ranks"));
  m.def("graph", &graph, py::arg("model"), "Operator-graph JSON of a model");
  m.def("hardware", [] { return open_catalog().system_names(); });
  m.def("models", [] { return open_catalog().model_names(); });
  m.def("data_dir", [] { return tessera::Catalog::default_data_dir().string(); });
}
