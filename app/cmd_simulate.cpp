// tessera simulate: one deployment, one workload, the result summary or JSON.
#include <fmt/format.h>

#include <iostream>

#include "app/cli.h"
#include "app/power_cost_flags.h"
#include "app/serving_flags.h"
#include "tessera/core/did_you_mean.h"
#include "tessera/report/result_json.h"
#include "tessera/report/summary_text.h"
#include "tessera/specs/io/units.h"

namespace tessera::app {

namespace {

struct SimulateArgs {
  SimulationRequest req;
  std::string weights_dtype = "bf16", kv_dtype = "bf16", fidelity = "auto", slo;
  std::string out;
  bool json = false;
  bool explain_memory = false;
  PowerCostArgs power_cost;
  ServingArgs serving;
};

Result<DType> dtype_flag(const char* flag, const std::string& v) {
  if (auto d = parse_dtype(v)) return *d;
  static const std::vector<std::string> kNames{"fp32", "bf16", "fp16", "fp8", "int8", "mxfp8", "mxfp4", "fp4"};
  return bad_input(fmt::format("{}: unknown dtype '{}'{}", flag, v, did_you_mean(v, kNames)));
}

// "ttft_p99=2s,tpot_p99=100ms"
Result<SloTargets> parse_slo(const std::string& text) {
  SloTargets slo;
  if (text.empty()) return slo;
  static const std::vector<std::string> kKeys{"ttft_p99", "tpot_p99"};
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t end = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, end - pos);
    const size_t eq = item.find('=');
    if (eq == std::string::npos) return bad_input(fmt::format("--slo: '{}' is not key=value", item));
    const std::string key = item.substr(0, eq), val = item.substr(eq + 1);
    auto d = parse_duration(val);
    if (!d) return bad_input(fmt::format("--slo: key '{}': {}", key, d.error().message));
    if (key == "ttft_p99") slo.ttft_p99_s = d->value();
    else if (key == "tpot_p99") slo.tpot_p99_s = d->value();
    else return bad_input(fmt::format("--slo: unknown key '{}'{}", key, did_you_mean(key, kKeys)));
    pos = end + 1;
  }
  return slo;
}

int run(SimulateArgs& a) {
  auto w = dtype_flag("--weights-dtype", a.weights_dtype);
  if (!w) return report_error(w.error());
  auto kv = dtype_flag("--kv-dtype", a.kv_dtype);
  if (!kv) return report_error(kv.error());
  a.req.deployment.weight_dtype = *w;
  a.req.deployment.kv_dtype = *kv;
  auto f = parse_fidelity(a.fidelity);
  if (!f) {
    static const std::vector<std::string> kF{"auto", "roofline", "engine", "fitted", "measured"};
    return report_error(bad_input(fmt::format("--fidelity: unknown '{}'{}", a.fidelity, did_you_mean(a.fidelity, kF))));
  }
  a.req.fidelity = *f;
  auto slo = parse_slo(a.slo);
  if (!slo) return report_error(slo.error());
  a.req.slo = *slo;
  if (!(a.req.deployment.expert_imbalance >= 1.0) || a.req.deployment.expert_imbalance > 1e3)
    return report_error(bad_input(fmt::format("--expert-imbalance: '{}' must be >= 1", a.req.deployment.expert_imbalance)));
  if (a.req.deployment.memory_utilization <= 0 || a.req.deployment.memory_utilization > 1)
    return report_error(bad_input(fmt::format("--memory-utilization: '{}' must be in (0, 1]",
                                              a.req.deployment.memory_utilization)));

  if (Status s = apply_power_cost_flags(a.power_cost, a.req); !s) return report_error(s.error());
  if (Status s = apply_serving_flags(a.serving, a.req); !s) return report_error(s.error());
  Timelines timelines;
  if (Status s = timelines.open(a.serving); !s) return report_error(s.error());
  a.req.sink = timelines.sink();
  auto outcome = run_simulation(a.req);
  if (!outcome) return report_error(outcome.error());
  if (Status s = timelines.commit(); !s) return report_error(s.error());
  const std::string json = simulation_json(*outcome, version()).dump(2) + "\n";
  if (!a.out.empty()) {
    if (Status s = write_file_atomic(a.out, json); !s) return report_error(s.error());
  }
  if (a.json) {
    std::cout << json;
  } else {
    std::cout << simulation_summary_text(*outcome);
    if (a.explain_memory) std::cout << memory_explain_text(*outcome);
  }
  return kOk;
}

}  // namespace

Command add_simulate(CLI::App& root) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* c = root.add_subcommand("simulate", "Simulate serving a model on a hardware deployment");
  DeploymentSpec& d = args->req.deployment;
  c->add_option("--model", args->req.model, "catalog model name or path to a Hugging Face config.json")->required();
  c->add_option("--hardware", args->req.hardware, "catalog system name or path to a system YAML")->required();
  c->add_option("--tp", d.tp, "tensor-parallel degree (NeuronCores on Neuron hardware, GPUs on NVIDIA)")
      ->capture_default_str();
  c->add_option("--pp", d.pp, "pipeline-parallel stages")->capture_default_str();
  c->add_option("--ep", d.ep, "expert-parallel degree (MoE models)")->capture_default_str();
  c->add_option("--dp", d.dp, "data-parallel replicas")->capture_default_str();
  c->add_option("--expert-imbalance", d.expert_imbalance,
                 "tokens at the busiest expert over the mean (1 = balanced)")->capture_default_str();
  c->add_option("--lnc", d.lnc, "logical NeuronCore config 1|2 (default: the system's)");
  c->add_option("--weights-dtype", args->weights_dtype, "bf16|fp16|fp8|int8|mxfp8|mxfp4")->capture_default_str();
  c->add_option("--kv-dtype", args->kv_dtype, "bf16|fp8")->capture_default_str();
  c->add_option("--workload", args->req.workload, "workload SPEC (see docs/formats.md)")->capture_default_str();
  c->add_option("--scheduler", d.scheduler, "vllm|sarathi|disagg")->capture_default_str();
  c->add_option("--max-batch", d.max_batch, "max sequences per iteration")->capture_default_str();
  c->add_option("--max-tokens", d.max_tokens, "max tokens per iteration")->capture_default_str();
  c->add_option("--block-tokens", d.block_tokens, "paged KV block size in tokens")->capture_default_str();
  c->add_option("--memory-utilization", d.memory_utilization, "fraction of device memory the engine may use")
      ->capture_default_str();
  c->add_option("--fidelity", args->fidelity, "auto|roofline|engine|fitted|measured")->capture_default_str();
  c->add_option("--slo", args->slo, "SLO targets, e.g. ttft_p99=2s,tpot_p99=100ms");
  c->add_option("--router", args->req.router, "rr|least-loaded|prefix-affinity")->capture_default_str();
  c->add_option("--seed", args->req.seed, "random seed")->capture_default_str();
  c->add_option("--out", args->out, "write the result JSON to this file");
  c->add_flag("--json", args->json, "print the result JSON instead of the summary");
  c->add_flag("--explain-memory", args->explain_memory, "print the per-rank memory breakdown");
  add_power_cost_flags(c, args->power_cost);
  add_serving_flags(c, args->serving, args->req);
  return {c, [args] { return run(*args); }};
}

}  // namespace tessera::app
