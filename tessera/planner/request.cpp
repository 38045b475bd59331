#include "tessera/planner/request.h"

#include "tessera/specs/io/workload_parse.h"

namespace tessera {

Result<std::shared_ptr<const SharedCatalog>> request_catalog(const SimulationRequest& req) {
  if (req.catalog) return req.catalog;
  return SharedCatalog::open(req.data_dir);
}

Result<WorkloadSpec> request_workload(const SimulationRequest& req) {
  if (req.workload_spec) return *req.workload_spec;
  return parse_workload(req.workload);
}

Status resolve_request(SimulationRequest& req) {
  auto catalog = request_catalog(req);
  if (!catalog) return catalog.error();
  req.catalog = *catalog;
  auto w = request_workload(req);
  if (!w) return w.error();
  req.workload_spec = std::move(*w);
  return {};
}

Result<PowerParams> request_power_params(const SimulationRequest& req) {
  if (req.power_params) return *req.power_params;
  auto catalog = request_catalog(req);
  if (!catalog) return catalog.error();
  auto p = (*catalog)->power_params();
  if (!p) return p.error();
  return **p;
}

}  // namespace tessera
