// One simulation, end to end: resolve catalog names, place the deployment, plan
// memory, build the cost models, run the serving simulator and derive the summary
// (throughput, utilization, power, cost, SLO attainment). The CLI, sweeps, the
// capacity planner and the Python module all go through here.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tessera/compute/device_factory.h"
#include "tessera/core/status.h"
#include "tessera/plan/iteration_model.h"
#include "tessera/plan/memory.h"
#include "tessera/plan/placement.h"
#include "tessera/power/power_model.h"
#include "tessera/serve/simulator.h"
#include "tessera/specs/deployment.h"
#include "tessera/specs/hardware.h"
#include "tessera/specs/model.h"
#include "tessera/specs/platform.h"
#include "tessera/specs/runtime.h"
#include "tessera/specs/slo.h"
#include "tessera/specs/workload.h"

namespace tessera {

struct SimulationRequest {
  std::string model;         // catalog name or config.json path
  std::string hardware;      // catalog name or system YAML path
  DeploymentSpec deployment;
  std::string workload = "batch:size=1,input=128,output=128";
  uint64_t seed = 1;
  Fidelity fidelity = Fidelity::Auto;
  SloTargets slo;
  std::string router = "rr";
  bool keep_request_records = false;
  std::filesystem::path data_dir;   // empty = Catalog::default_data_dir()
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

struct Summary {
  int64_t requests = 0, completed = 0, rejected = 0;
  double duration_s = 0;
  double output_tokens_per_s = 0, input_tokens_per_s = 0, requests_per_s = 0;
  LatencyStats ttft, tpot, itl, e2e, queue;
  std::optional<double> slo_attained_fraction, goodput_requests_per_s;
  int chips = 0;
  int systems = 0;
  std::optional<double> avg_power_w, energy_j_per_output_token;
  std::optional<double> cost_usd_per_hour, cost_usd_per_million_output_tokens;
  double mfu = 0, mbu = 0;
  double kv_cache_peak_fraction = 0;
  int64_t preemptions = 0;
  int64_t output_tokens = 0, input_tokens = 0;
  // Power detail: average per used chip, fabric activity, PUE applied to avg_power_w.
  std::optional<double> chip_power_w;
  double link_utilization = 0;
  double pue = 1.0;
  // Null when the feature is off (serve/simulator.h defines them).
  std::optional<double> prefix_cache_hit_rate, kv_transfer_share, spec_acceptance;
};

struct SimulationOutcome {
  ModelSpec model;
  SystemSpec system;
  DeploymentSpec deployment;   // resolved (lnc and the runtime's serving defaults filled in)
  std::shared_ptr<const RuntimeProfile> runtime;
  WorkloadSpec workload;
  SloTargets slo;
  Placement placement;
  MemoryPlan memory;
  PlatformOverheads overheads;
  Fidelity fidelity = Fidelity::Auto;
  std::string device_model;    // name of the DeviceModel used
  ServeResult serve;
  Summary summary;
  // Decode step of the first request alone at its mean context: where TPOT goes.
  IterationCost decode_step;
  BatchShape decode_step_shape;
  std::vector<CostedOp> decode_step_ops;  // the same step op by op (names may point into model.graph)
  std::vector<std::string> warnings;
  // Every power and price figure the summary used, with its provenance.
  std::vector<Assumption> assumptions;
  // Disaggregated serving: the prefill pool (the fields above describe the decode pool).
  struct PrefillPool {
    SystemSpec system;
    DeploymentSpec deployment;
    Placement placement;
    MemoryPlan memory;
    std::string kv_link;  // how KV moves between the pools
  };
  std::optional<PrefillPool> prefill_pool;
};

Result<SimulationOutcome> run_simulation(const SimulationRequest& request);

// The steps of run_simulation that need no serving run: resolve, place, plan memory,
// and build the iteration model (for `--explain-memory`, calibration and tests).
struct CompiledDeployment {
  // Heap-held so that the chip pointer in placement.rank stays valid when moved.
  std::shared_ptr<const ModelSpec> model;
  std::shared_ptr<const SystemSpec> system;
  DeploymentSpec deployment;   // serving fields filled from the runtime profile
  std::shared_ptr<const RuntimeProfile> runtime;
  Placement placement;
  MemoryPlan memory;
  PlatformOverheads overheads;
  Fidelity fidelity = Fidelity::Auto;
  std::unique_ptr<IterationModel> iteration;
};
Result<CompiledDeployment> compile_deployment(const SimulationRequest& request);

}  // namespace tessera
