// The `tessera._tessera` extension: the planner and report code of the CLI, called in
// process. Every function returns JSON text (the Python package turns it into dicts);
// errors become BadInputError / InfeasibleError carrying the CLI's one-line message.
#include <fmt/format.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "tessera/core/did_you_mean.h"
#include "tessera/network/topology_model.h"
#include "tessera/planner/plan.h"
#include "tessera/planner/simulation.h"
#include "tessera/report/plan_report.h"
#include "tessera/report/result_json.h"
#include "tessera/report/validation_json.h"
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

DType dtype_arg(const char* key, const std::string& v) { return value_or_raise(dtype_option(key, v)); }

std::string price_text(const py::handle& v);

// The power and cost keywords `simulate` and `plan` share; false for any other key.
const std::vector<std::string> kPowerCostKeys{"chip_tdp", "chip_idle", "host_power", "pue", "price_per_hour",
                                               "price_basis", "capex_per_system", "years", "usd_per_kwh"};
bool power_cost_keyword(const std::string& key, const py::handle& v, PowerCostOptions& pc) {
  if (key == "chip_tdp") pc.chip_tdp = py::cast<std::string>(v);
  else if (key == "chip_idle") pc.chip_idle = py::cast<std::string>(v);
  else if (key == "host_power") pc.host_power = py::cast<std::string>(v);
  else if (key == "pue") pc.pue = py::cast<double>(v);
  else if (key == "price_per_hour") pc.price_per_hour = price_text(v);
  else if (key == "price_basis") pc.price_basis = py::cast<std::string>(v);
  else if (key == "capex_per_system") pc.capex_per_system = py::cast<double>(v);
  else if (key == "years") pc.years = py::cast<double>(v);
  else if (key == "usd_per_kwh") pc.usd_per_kwh = py::cast<double>(v);
  else return false;
  return true;
}

std::vector<std::string> with_power_cost_keys(std::vector<std::string> keys) {
  keys.insert(keys.end(), kPowerCostKeys.begin(), kPowerCostKeys.end());
  return keys;
}

// Keyword arguments named as the CLI flags (with '_' for '-'): tp, pp, workload, ...
SimulationRequest simulation_request(const std::string& model, const std::string& hardware, const py::dict& kw) {
  static const std::vector<std::string> kKeys = with_power_cost_keys(
      {"tp", "pp", "ep", "dp", "lnc", "weights_dtype", "kv_dtype", "workload", "runtime", "scheduler", "max_batch",
       "max_tokens", "block_tokens", "memory_utilization", "expert_imbalance", "fidelity", "router", "seed"});
  SimulationRequest req;
  req.model = model;
  req.hardware = hardware;
  DeploymentSpec& d = req.deployment;
  PowerCostOptions pc;
  for (auto [k, v] : kw) {
    const auto key = py::cast<std::string>(k);
    try {
      if (power_cost_keyword(key, v, pc)) continue;
      if (key == "tp") d.tp = py::cast<int>(v);
      else if (key == "pp") d.pp = py::cast<int>(v);
      else if (key == "ep") d.ep = py::cast<int>(v);
      else if (key == "dp") d.dp = py::cast<int>(v);
      else if (key == "lnc") d.lnc = py::cast<int>(v);
      else if (key == "weights_dtype") d.weight_dtype = dtype_arg("weights_dtype", py::cast<std::string>(v));
      else if (key == "kv_dtype") d.kv_dtype = dtype_arg("kv_dtype", py::cast<std::string>(v));
      else if (key == "workload") req.workload = py::cast<std::string>(v);
      else if (key == "runtime") d.runtime = py::cast<std::string>(v);
      else if (key == "scheduler") d.scheduler = py::cast<std::string>(v);
      else if (key == "max_batch") d.max_batch = py::cast<int>(v);
      else if (key == "max_tokens") d.max_tokens = py::cast<int64_t>(v);
      else if (key == "block_tokens") d.block_tokens = py::cast<int>(v);
      else if (key == "memory_utilization") d.memory_utilization = py::cast<double>(v);
      else if (key == "expert_imbalance") d.expert_imbalance = py::cast<double>(v);
      else if (key == "router") req.router = py::cast<std::string>(v);
      else if (key == "seed") req.seed = py::cast<uint64_t>(v);
      else if (key == "fidelity") req.fidelity = value_or_raise(fidelity_option("fidelity", py::cast<std::string>(v)));
      else {
        raise(bad_input(fmt::format("simulate: unknown argument '{}'{}", key, did_you_mean(key, kKeys))));
      }
    } catch (const py::cast_error&) {
      raise(bad_input(fmt::format("{}: '{}' has the wrong type", key, py::str(v).cast<std::string>())));
    }
  }
  if (!(d.expert_imbalance >= 1.0) || d.expert_imbalance > 1e3)
    raise(bad_input(fmt::format("expert_imbalance: '{}' must be >= 1", d.expert_imbalance)));
  // 0 (unset) means the runtime's value; a value the caller gave must be in range.
  if (kw.contains("memory_utilization") && !(d.memory_utilization > 0 && d.memory_utilization <= 1))  // NaN fails
    raise(bad_input(fmt::format("memory_utilization: '{}' must be in (0, 1]", d.memory_utilization)));
  for (auto [key, v] : {std::pair{"max_batch", int64_t{d.max_batch}}, {"max_tokens", d.max_tokens},
                        {"block_tokens", int64_t{d.block_tokens}}})
    if (kw.contains(key) && v < 1) raise(bad_input(fmt::format("{}: '{}' must be > 0", key, v)));
  if (Status st = apply_power_cost_options(pc, req); !st) raise(st.error());
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

// "a,b" or ["a", "b"] (the CLI's comma-separated lists).
std::vector<std::string> str_list(const py::handle& v) {
  if (!py::isinstance<py::str>(v)) return py::cast<std::vector<std::string>>(v);
  std::vector<std::string> out;
  const auto text = py::cast<std::string>(v);
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t end = std::min(text.find(',', pos), text.size());
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// 8, [1, 2, 8] or "1,2,8".
std::vector<int> int_list(const std::string& key, const py::handle& v) {
  if (py::isinstance<py::bool_>(v)) throw py::cast_error();
  if (py::isinstance<py::int_>(v)) return {py::cast<int>(v)};
  if (!py::isinstance<py::str>(v)) return py::cast<std::vector<int>>(v);
  std::vector<int> out;
  for (const std::string& item : str_list(v)) {
    auto n = parse_number(item);
    if (!n || *n != static_cast<int>(*n))
      raise(bad_input(fmt::format("{}: '{}' is not an integer", key, item)));
    out.push_back(static_cast<int>(*n));
  }
  return out;
}

// "USD", "SYSTEM=USD,..." (the flag's text), a number, or {"SYSTEM": USD, ...}.
std::string price_text(const py::handle& v) {
  if (py::isinstance<py::str>(v)) return py::cast<std::string>(v);
  if (py::isinstance<py::bool_>(v)) throw py::cast_error();
  if (py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v)) return py::str(v).cast<std::string>();
  std::string out;
  for (auto [k, price] : py::cast<py::dict>(v)) {
    if (!out.empty()) out += ',';
    out += py::cast<std::string>(k) + "=" + py::str(price).cast<std::string>();
  }
  return out;
}

// Keyword arguments named as the `tessera plan` flags (with '_' for '-'); None = not given.
PlanRequest plan_request(const std::string& model, const std::string& workload, const std::string& slo,
                         const py::dict& kw) {
  static const std::vector<std::string> kKeys = with_power_cost_keys(
      {"hardware", "compare", "fleet", "headroom", "tp", "pp", "schedulers", "max_batch", "weights_dtype",
       "kv_dtype", "runtime", "probe_requests", "tolerance", "threads", "top", "seed"});
  PlanRequest req;
  req.base.model = model;
  req.base.workload = workload;
  req.slo = slo;
  PowerCostOptions& pc = req.power_cost;
  for (auto [k, v] : kw) {
    const auto key = py::cast<std::string>(k);
    if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end())
      raise(bad_input(fmt::format("plan: unknown argument '{}'{}", key, did_you_mean(key, kKeys))));
    if (v.is_none()) continue;
    try {
      if (key == "hardware") req.hardware = str_list(v);
      else if (key == "compare") req.compare = str_list(v);
      else if (key == "fleet") req.fleet = py::cast<std::string>(v);
      else if (key == "headroom") req.headroom = py::cast<double>(v);
      else if (key == "tp") req.space.tp = int_list(key, v);
      else if (key == "pp") req.space.pp = int_list(key, v);
      else if (key == "schedulers") req.space.schedulers = str_list(v);
      else if (key == "max_batch") req.space.max_batch = int_list(key, v);
      else if (key == "weights_dtype") req.weights_dtype = py::cast<std::string>(v);
      else if (key == "kv_dtype") req.kv_dtype = py::cast<std::string>(v);
      else if (key == "runtime") req.base.deployment.runtime = py::cast<std::string>(v);
      else if (key == "probe_requests") req.probe_requests = py::cast<int64_t>(v);
      else if (key == "tolerance") req.tolerance = py::cast<double>(v);
      else if (key == "threads") req.threads = py::cast<int>(v);
      else if (key == "top") req.top = py::cast<int>(v);
      else if (key == "seed") req.base.seed = py::cast<uint64_t>(v);
      else power_cost_keyword(key, v, pc);
    } catch (const py::cast_error&) {
      raise(bad_input(fmt::format("{}: '{}' has the wrong type", key, py::str(v).cast<std::string>())));
    }
  }
  return req;
}

// The plan JSON, byte for byte what `tessera plan --json` prints for the same options.
// A search where nothing meets the SLO is returned too ("feasible": 0; the CLI exits 3).
std::string plan(const std::string& model, const std::string& workload, const std::string& slo,
                 const py::kwargs& kw) {
  const PlanRequest req = plan_request(model, workload, slo, kw);
  std::optional<Result<PlanReport>> r;
  {
    py::gil_scoped_release release;  // a search takes seconds to minutes
    r.emplace(run_plan(req));
  }
  if (!*r) raise(r->error());
  return plan_json(**r, version()).dump(2) + "\n";
}

// `tessera validate --json`: predictions against the bundled published measurements.
std::string validate(const std::string& set, const std::string& fidelity, const std::string& runtime) {
  std::optional<Result<std::vector<ValidationSetResult>>> r;
  {
    py::gil_scoped_release release;  // every row is a simulation
    r.emplace(run_validation(Catalog::default_data_dir(), set, fidelity, runtime));
  }
  if (!*r) raise(r->error());
  return validation_json(**r).dump(2) + "\n";
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
// config front end built (every catalog model has one).
std::string graph(const std::string& model) {
  const ModelSpec m = value_or_raise(open_catalog().model(model));
  return graph_to_json(*m.graph);
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
  m.def("plan", &plan, py::arg("model"), py::arg("workload"), py::arg("slo"), "Plan JSON of an SLO-bound search");
  m.def("collective", &collective, py::arg("hardware"), py::arg("op"), py::arg("bytes"), py::arg("ranks"));
  m.def("graph", &graph, py::arg("model"), "Operator-graph JSON of a model");
  m.def("validate", &validate, py::arg("set") = "", py::arg("fidelity") = "auto", py::arg("runtime") = "",
        "Validation JSON: predicted vs published measurements");
  m.def("hardware", [] { return open_catalog().system_names(); });
  m.def("models", [] { return open_catalog().model_names(); });
  m.def("data_dir", [] { return tessera::Catalog::default_data_dir().string(); });
}
