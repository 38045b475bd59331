#include "app/simulate_options.h"

#include <fmt/format.h>

#include "tessera/specs/io/slo_parse.h"
#include "tessera/specs/io/units.h"

namespace tessera::app {

namespace {

// A count flag whose 0 would mean "the runtime's default": typed values must be > 0.
CLI::Validator positive(const char* flag) {
  return CLI::Validator(
      [flag](std::string& v) -> std::string {
        long long x = 0;
        try {
          size_t used = 0;
          x = std::stoll(v, &used);
          if (used != v.size()) x = 0;
        } catch (...) {
          x = 0;
        }
        return x > 0 ? "" : fmt::format("'{}' must be > 0", v);
      },
      "> 0");
}

}  // namespace

void add_simulate_options(CLI::App* c, SimulateOptions& o) {
  DeploymentSpec& d = o.req.deployment;
  c->add_option("--model", o.req.model, "catalog model name or path to a Hugging Face config.json")->required();
  c->add_option("--hardware", o.req.hardware, "catalog system name or path to a system YAML")->required();
  c->add_option("--tp", d.tp, "tensor-parallel degree (NeuronCores on Neuron hardware, GPUs on NVIDIA)")
      ->capture_default_str();
  c->add_option("--pp", d.pp, "pipeline-parallel stages")->capture_default_str();
  c->add_option("--ep", d.ep, "expert-parallel degree (MoE models)")->capture_default_str();
  c->add_option("--dp", d.dp, "data-parallel replicas")->capture_default_str();
  c->add_option("--expert-imbalance", d.expert_imbalance,
                 "tokens at the busiest expert over the mean (1 = balanced)")->capture_default_str();
  c->add_option("--lnc", d.lnc, "logical NeuronCore config 1|2 (default: the system's)");
  c->add_option("--weights-dtype", o.weights_dtype, "bf16|fp16|fp8|int8|mxfp8|mxfp4")->capture_default_str();
  c->add_option("--kv-dtype", o.kv_dtype, "bf16|fp8")->capture_default_str();
  c->add_option("--workload", o.req.workload, "workload SPEC (see docs/formats.md)")->capture_default_str();
  c->add_option("--runtime", d.runtime,
                 "serving runtime profile (data/runtimes: trtllm, vllm, sglang, nim, tnx, nxdi, vllm-neuron; "
                 "default: the platform's)");
  // Unset serving flags take the runtime profile's values (data/runtimes/NAME.yaml).
  c->add_option("--scheduler", d.scheduler, "vllm|sarathi|disagg (default: the runtime's)");
  c->add_option("--max-batch", d.max_batch, "max sequences per iteration (default: the runtime's)")
      ->check(positive("--max-batch"));
  c->add_option("--max-tokens", d.max_tokens, "max tokens per iteration (default: the runtime's)")
      ->check(positive("--max-tokens"));
  c->add_option("--block-tokens", d.block_tokens, "paged KV block size in tokens (default: the runtime's)")
      ->check(positive("--block-tokens"));
  c->add_option("--memory-utilization", d.memory_utilization,
                 "fraction of memory for the runtime's KV pool rule (default: the runtime's)")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            double x = 0;
            try {
              x = std::stod(v);
            } catch (...) {
              x = -1;
            }
            return x > 0 && x <= 1 ? "" : fmt::format("'{}' must be in (0, 1]", v);
          },
          "(0, 1]"));
  c->add_option("--fidelity", o.fidelity, "auto|roofline|engine|fitted|measured")->capture_default_str();
  c->add_option("--slo", o.slo, "SLO targets, e.g. ttft_p99=2s,tpot_p99=100ms")->check(non_empty());
  c->add_option("--router", o.req.router, "rr|least-loaded|prefix-affinity")->capture_default_str();
  c->add_option("--seed", o.req.seed, "random seed")->check(non_negative())->capture_default_str();
  add_power_cost_flags(c, o.power_cost);
  add_serving_flags(c, o.serving, o.req);
}

Status resolve_simulate_options(SimulateOptions& o) {
  auto w = dtype_option("--weights-dtype", o.weights_dtype);
  if (!w) return w.error();
  auto kv = dtype_option("--kv-dtype", o.kv_dtype);
  if (!kv) return kv.error();
  o.req.deployment.weight_dtype = *w;
  o.req.deployment.kv_dtype = *kv;
  auto f = fidelity_option("--fidelity", o.fidelity);
  if (!f) return f.error();
  o.req.fidelity = *f;
  auto slo = parse_slo(o.slo);
  if (!slo) return slo.error();
  o.req.slo = *slo;
  if (!(o.req.deployment.expert_imbalance >= 1.0) || o.req.deployment.expert_imbalance > 1e3)
    return bad_input(fmt::format("--expert-imbalance: '{}' must be >= 1", o.req.deployment.expert_imbalance));
  TESSERA_TRY(apply_power_cost_options(o.power_cost, o.req));
  TESSERA_TRY(apply_serving_flags(o.serving, o.req));
  return {};
}

const std::vector<std::string>& simulate_output_options() {
  static const std::vector<std::string> kOut{"trace", "requests-csv"};
  return kOut;
}

}  // namespace tessera::app
