// tessera hardware list|show, tessera models list|show: what the catalog holds.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "tessera/plan/params.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/graph_io.h"

namespace tessera::app {

namespace {

using ojson = nlohmann::ordered_json;

struct CatalogArgs {
  std::string name;
  bool json = false;
  bool graph = false;
};

Result<Catalog> open_catalog() { return Catalog::open(Catalog::default_data_dir()); }

template <class T>
ojson opt_value(const std::optional<T>& v) {
  return v ? ojson(v->value()) : ojson(nullptr);
}

ojson chip_json(const ChipSpec& c) {
  ojson peaks;
  for (const auto& [d, f] : c.peak_dense) peaks[std::string(dtype_name(d))] = f.value();
  return ojson{{"name", c.name},
               {"display_name", c.display_name},
               {"cores", c.cores},
               {"peak_dense_flops_per_s", peaks},
               {"hbm_capacity_bytes", c.hbm_capacity.value()},
               {"hbm_bandwidth_bytes_per_s", c.hbm_bandwidth.value()},
               {"sram_bytes", c.sram.value()},
               {"links", c.links},
               {"chip_to_chip_bandwidth_bytes_per_s", c.chip_to_chip_bandwidth.value()},
               {"tdp_w", opt_value(c.tdp)},
               {"idle_power_w", opt_value(c.idle_power)},
               {"neuron_core", c.neuron_core ? ojson(c.neuron_core->version) : ojson(nullptr)},
               {"source", c.source}};
}

// A JSON value as text: whole numbers without a trailing ".0" (parameter counts
// are sums of doubles), strings unquoted.
std::string show_value(const ojson& v) {
  if (v.is_number_float()) {
    const double x = v.get<double>();
    if (std::isfinite(x) && x == std::floor(x) && std::abs(x) < 1e18) return fmt::format("{:.0f}", x);
    return fmt::format("{:g}", x);
  }
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

int hardware_list() {
  auto cat = open_catalog();
  if (!cat) return report_error(cat.error());
  // Every column is separated by two spaces so that headers never run together.
  constexpr auto kRow = "{:<22}  {:<14}  {:>5}  {:>12}  {:>12}  {:>8}  {}\n";
  std::cout << fmt::format(kRow, "system", "chip", "chips", "HBM/chip GiB", "BF16 TF/chip", "$/h", "topology");
  for (const auto& n : cat->system_names()) {
    auto s = cat->system(n);
    if (!s) return report_error(s.error());
    std::cout << fmt::format(kRow, s->name, s->chip.name, s->chips,
                             fmt::format("{:.0f}", s->chip.hbm_capacity.value() / (1024.0 * 1024 * 1024)),
                             fmt::format("{:.0f}", s->chip.peak(DType::BF16).value() / 1e12),
                             s->price_on_demand ? fmt::format("{:.2f}", s->price_on_demand->value()) : "unknown",
                             topology_text(*s));
  }
  return kOk;
}

int hardware_show(const CatalogArgs& a) {
  auto cat = open_catalog();
  if (!cat) return report_error(cat.error());
  auto s = cat->system(a.name);
  if (!s) return report_error(s.error());
  // The runtimes that run on this system's chip platform, the default first.
  auto fallback = cat->runtime_for("", s->chip);
  if (!fallback) return report_error(fallback.error());
  std::vector<std::string> runtimes{fallback->name};
  for (const auto& r : cat->runtimes_on(s->chip.platform))
    if (r != fallback->name) runtimes.push_back(r);
  if (a.json) {
    ojson j{{"name", s->name},
            {"platform", s->chip.platform},
            {"runtimes", runtimes},
            {"default_runtime", fallback->name},
            {"chips", s->chips},
            {"chip", chip_json(s->chip)},
            {"link_bandwidth_bytes_per_s", s->link_bandwidth.value()},
            {"link_latency_s", s->link_latency.value()},
            {"scaleout_bandwidth_bytes_per_s", s->scaleout_bandwidth.value()},
            {"default_lnc", s->default_lnc},
            {"price_on_demand_usd_per_hour", opt_value(s->price_on_demand)},
            {"source", s->source}};
    std::cout << j.dump(2) << "\n";
    return kOk;
  }
  auto text = cat->system_source_text(a.name);
  if (!text) return report_error(text.error());
  auto chip_text = cat->chip_source_text(s->chip_name);
  std::cout << *text << "\n# --- chip: " << s->chip_name << " ---\n" << (chip_text ? *chip_text : "");
  std::cout << fmt::format("\n# --- runtimes on {} ({} platform; --runtime NAME, data/runtimes) ---\n",
                           s->chip_name, s->chip.platform);
  for (const auto& r : runtimes) {
    auto p = cat->runtime(r);
    if (!p) return report_error(p.error());
    std::cout << fmt::format("# {:<12} {}{}{}\n", r, p->display_name, r == fallback->name ? "  (default)" : "",
                             p->fitted ? "" : "  [costs not fitted]");
  }
  return kOk;
}

int models_list() {
  auto cat = open_catalog();
  if (!cat) return report_error(cat.error());
  std::cout << fmt::format("{:<26}{:>8}{:>8}{:>7}{:>9}{:>14}{:>14}\n", "model", "layers", "hidden", "heads",
                           "kv_heads", "params (B)", "active (B)");
  for (const auto& n : cat->model_names()) {
    auto m = cat->model(n);
    if (!m) return report_error(m.error());
    const ParamCount pc = count_params(*m);
    std::cout << fmt::format("{:<26}{:>8}{:>8}{:>7}{:>9}{:>14.2f}{:>14.2f}\n", n, m->layers, m->hidden, m->heads,
                             m->kv_heads, pc.total / 1e9, pc.active / 1e9);
  }
  return kOk;
}

int models_show(const CatalogArgs& a) {
  auto cat = open_catalog();
  if (!cat) return report_error(cat.error());
  auto m = cat->model(a.name);
  if (!m) return report_error(m.error());
  if (a.graph) {  // the operator graph the plan lowers: a starting point for a .graph.json of your own
    std::cout << graph_to_json(*m->graph);
    return kOk;
  }
  const ParamCount pc = count_params(*m);
  const double kv_elems = kv_elements_per_token_per_layer(*m) * m->layers;
  ojson j{{"name", m->name},
          {"architecture", m->architecture},
          {"hidden", m->hidden},
          {"layers", m->layers},
          {"heads", m->heads},
          {"kv_heads", m->kv_heads},
          {"head_dim", m->head_dim},
          {"intermediate", m->intermediate},
          {"vocab", m->vocab},
          {"tied_embeddings", m->tied_embeddings},
          {"params_total", pc.total},
          {"params_active", pc.active},
          {"params_active_with_embeddings", pc.active_with_embeddings},
          {"kv_bytes_per_token", kv_elems * dtype_bytes(DType::BF16)},
          {"kv_dtype_assumed", "bf16"},
          {"moe", m->moe ? ojson{{"experts", m->moe->num_experts}, {"top_k", m->moe->experts_per_token},
                                 {"shared_experts", m->moe->shared_experts}}
                         : ojson(nullptr)},
          {"source", m->source}};
  if (a.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    size_t width = 0;
    for (const auto& [k, v] : j.items()) width = std::max(width, k.size());
    for (const auto& [k, v] : j.items()) std::cout << fmt::format("{:<{}}  {}\n", k, width, show_value(v));
  }
  return kOk;
}

}  // namespace

Command add_hardware(CLI::App& root) {
  auto args = std::make_shared<CatalogArgs>();
  CLI::App* c = root.add_subcommand("hardware", "List or show catalog hardware systems");
  c->require_subcommand(1);
  CLI::App* list = c->add_subcommand("list", "List systems");
  CLI::App* show = c->add_subcommand("show", "Show one system with its sources");
  show->add_option("name", args->name, "system name")->required();
  show->add_flag("--json", args->json, "print JSON");
  return {c, [args, list] { return list->parsed() ? hardware_list() : hardware_show(*args); }};
}

Command add_models(CLI::App& root) {
  auto args = std::make_shared<CatalogArgs>();
  CLI::App* c = root.add_subcommand("models", "List or show catalog models");
  c->require_subcommand(1);
  CLI::App* list = c->add_subcommand("list", "List models");
  CLI::App* show = c->add_subcommand("show", "Show one model: architecture, parameters, KV bytes per token");
  show->add_option("name", args->name, "model name, config.json or .graph.json path")->required();
  show->add_flag("--json", args->json, "print JSON");
  show->add_flag("--graph", args->graph, "print the operator-graph JSON the plan lowers (docs/graph-format.md)");
  return {c, [args, list] { return list->parsed() ? models_list() : models_show(*args); }};
}

}  // namespace tessera::app
