// What one simulation is asked to do: the model, hardware, deployment, workload and
// serving, power and cost options. Front ends (CLI, sweep, Python) fill the text
// fields; the planner resolves them once (resolve_request) into the typed workload
// and the shared catalog handle, so a search of many probes re-parses nothing.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "tessera/compute/device_factory.h"
#include "tessera/core/status.h"
#include "tessera/planner/catalog_cache.h"
#include "tessera/power/power_model.h"
#include "tessera/serve/sink.h"
#include "tessera/specs/deployment.h"
#include "tessera/specs/platform.h"
#include "tessera/specs/power_params.h"
#include "tessera/specs/slo.h"
#include "tessera/specs/workload.h"

namespace tessera {

struct SimulationRequest {
  std::string model;         // catalog name or config.json path
  std::string hardware;      // catalog name or system YAML path
  DeploymentSpec deployment;
  std::string workload = "batch:size=1,input=128,output=128";
  // The workload, typed. When set it is what runs (and `workload` is only its text);
  // when empty, `workload` is parsed.
  std::optional<WorkloadSpec> workload_spec;
  uint64_t seed = 1;
  Fidelity fidelity = Fidelity::Auto;
  SloTargets slo;
  std::string router = "rr";
  bool keep_request_records = false;
  // Requests over the model's context are refused (all over: bad input; some: a counted
  // warning). Off for published rows that ran past max_position_embeddings (AWS's trn1
  // tables compile n_positions 8192 for Llama-2-7B): the row is a measurement.
  bool enforce_context = true;
  std::filesystem::path data_dir;   // empty = Catalog::default_data_dir()
  // The catalog of data_dir, shared by every request of a process; null = opened
  // (once per process) from data_dir.
  std::shared_ptr<const SharedCatalog> catalog;
  // Overrides the runtime profile's execution costs (used by `tessera calibrate`).
  std::optional<PlatformOverheads> overheads;
  // Power and cost inputs (flags --chip-tdp, --chip-idle, --host-power, --pue,
  // --price-per-hour, --price-basis, TCO). Power parameters default to
  // data/power/model.yaml of data_dir.
  PowerOverrides power;
  CostOptions cost;
  std::optional<PowerParams> power_params;
  // Serving features (docs/formats.md, "Serving"): admission control, timelines,
  // speculative decoding, disaggregated pools (deployment.scheduler == "disagg").
  int64_t queue_limit = 0;              // 0 = no limit
  ServeEventSink* sink = nullptr;       // not owned
  std::string draft_model;              // catalog model or config.json; "ngram"/"mtp": no draft cost
  int spec_tokens = 0;
  std::optional<double> spec_acceptance;
  struct PoolRequest {
    std::string hardware;               // empty = --hardware
    int tp = 0;                         // 0 = --tp
    int replicas = 1;
  };
  PoolRequest prefill_pool, decode_pool;
  std::optional<double> kv_link_bandwidth;  // bytes/s between the pools; default: the fabric's
};

// The request's catalog: req.catalog, else the process's catalog of req.data_dir.
Result<std::shared_ptr<const SharedCatalog>> request_catalog(const SimulationRequest& req);

// The request's workload: req.workload_spec, else req.workload parsed.
Result<WorkloadSpec> request_workload(const SimulationRequest& req);

// Parses the workload and opens the catalog once, so that copies of the request
// (probes, grid points) share both.
Status resolve_request(SimulationRequest& req);

// The power parameters: req.power_params, else the catalog's data/power/model.yaml.
Result<PowerParams> request_power_params(const SimulationRequest& req);

}  // namespace tessera
