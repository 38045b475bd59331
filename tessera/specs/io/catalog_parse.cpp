#include "tessera/specs/io/catalog_parse.h"

#include <algorithm>
#include <array>
#include <climits>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "tessera/core/did_you_mean.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/collective_runtime_parse.h"

namespace tessera::catalog_detail {
namespace {

using yaml::MapReader;

// A count that must lie in [lo, hi].
Result<int> bounded_int(const MapReader& m, std::string_view key, long long fallback, long long lo,
                        long long hi) {
  auto n = m.count_or(key, fallback);
  if (!n.ok()) return n.error();
  if (n.value() < lo || n.value() > hi)
    return m.error(key, fmt::format("'{}' is out of range [{}, {}]", n.value(), lo, hi));
  return static_cast<int>(n.value());
}

template <class Q>
Status require_positive(const MapReader& m, std::string_view key, Q q) {
  if (q.value() > 0) return {};
  return m.error(key, "must be greater than zero");
}

// A required quantity that must be > 0.
template <class Parse>
auto positive_quantity(const MapReader& m, std::string_view key, Parse parse)
    -> decltype(m.quantity(key, parse)) {
  auto q = m.quantity(key, parse);
  if (!q.ok()) return q.error();
  TESSERA_TRY(require_positive(m, key, q.value()));
  return q;
}

// An optional quantity; absent -> zero (the struct default), "unknown" -> zero too.
template <class Parse>
auto quantity_or_zero(const MapReader& m, std::string_view key, Parse parse)
    -> decltype(m.quantity(key, parse)) {
  auto q = m.optional_quantity(key, parse);
  if (!q.ok()) return q.error();
  using T = std::remove_cvref_t<decltype(*q.value())>;
  return q.value().value_or(T(0));
}

const std::vector<std::string>& dtype_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    for (DType d : {DType::FP32, DType::TF32, DType::BF16, DType::FP16, DType::FP8, DType::INT8,
                    DType::MXFP8, DType::MXFP4, DType::FP4})
      k.emplace_back(dtype_name(d));
    return k;
  }();
  return keys;
}

// Keys of a per-dtype map, each a canonical dtype name ("bf16", not "bfloat16").
Result<std::vector<std::pair<std::string, DType>>> dtype_entries(const MapReader& m,
                                                                 const YAML::Node& map,
                                                                 std::string_view label) {
  std::vector<std::pair<std::string, DType>> out;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const std::string key = it->first.Scalar();
    bool known = false;
    for (const auto& k : dtype_keys()) known = known || k == key;
    if (!known)
      return yaml::error_at(m.file(), it->first,
                            fmt::format("unknown key '{}.{}'{}", label, key,
                                        did_you_mean(key, dtype_keys())));
    out.emplace_back(key, *parse_dtype(key));
  }
  return out;
}

Result<std::map<DType, FlopsPerSecond>> read_peaks(const MapReader& m) {
  if (!m.has("peak_dense")) return m.missing("peak_dense");
  auto sub = MapReader::make(m.file(), m.node("peak_dense"), "peak_dense.");
  if (!sub.ok()) return sub.error();
  auto entries = dtype_entries(m, m.node("peak_dense"), "peak_dense");
  if (!entries.ok()) return entries.error();
  std::map<DType, FlopsPerSecond> peaks;
  for (const auto& [key, dtype] : entries.value()) {
    auto q = positive_quantity(sub.value(), key, parse_flops_rate);
    if (!q.ok()) return q.error();
    peaks[dtype] = q.value();
  }
  if (!peaks.contains(DType::BF16)) return sub->missing("bf16");
  return peaks;
}

Result<std::map<DType, double>> read_macs(const MapReader& nc) {
  if (!nc.has("macs_per_pe_cycle")) return nc.missing("macs_per_pe_cycle");
  const YAML::Node node = nc.node("macs_per_pe_cycle");
  auto sub = MapReader::make(nc.file(), node, "neuron_core.macs_per_pe_cycle.");
  if (!sub.ok()) return sub.error();
  auto entries = dtype_entries(nc, node, "neuron_core.macs_per_pe_cycle");
  if (!entries.ok()) return entries.error();
  std::map<DType, double> macs;
  for (const auto& [key, dtype] : entries.value()) {
    auto x = sub->number(key);
    if (!x.ok()) return x.error();
    if (!(x.value() > 0)) return sub->error(key, "must be greater than zero");
    macs[dtype] = x.value();
  }
  if (!macs.contains(DType::BF16)) return sub->missing("bf16");
  return macs;
}

Status read_core_engines(const MapReader& nc, NeuronCoreSpec& c) {
  auto get_clock = [&](std::string_view key, Hertz& out) -> Status {
    auto q = positive_quantity(nc, key, parse_frequency);
    if (!q.ok()) return q.error();
    out = q.value();
    return {};
  };
  auto get_rate = [&](std::string_view key, double& out) -> Status {
    auto x = nc.number(key);
    if (!x.ok()) return x.error();
    if (!(x.value() > 0)) return nc.error(key, "must be greater than zero");
    out = x.value();
    return {};
  };
  TESSERA_TRY(get_clock("tensor_clock", c.tensor_clock));
  TESSERA_TRY(get_clock("vector_clock", c.vector_clock));
  TESSERA_TRY(get_clock("scalar_clock", c.scalar_clock));
  TESSERA_TRY(get_clock("gpsimd_clock", c.gpsimd_clock));
  TESSERA_TRY(get_rate("vector_elems_per_cycle", c.vector_elems_per_cycle));
  TESSERA_TRY(get_rate("scalar_elems_per_cycle", c.scalar_elems_per_cycle));
  TESSERA_TRY(get_rate("gpsimd_elems_per_cycle", c.gpsimd_elems_per_cycle));
  TESSERA_TRY(get_rate("instruction_overhead_cycles", c.instruction_overhead_cycles));
  return {};
}

Status read_core_memory(const MapReader& nc, NeuronCoreSpec& c) {
  auto sbuf = positive_quantity(nc, "sbuf", parse_bytes);
  if (!sbuf.ok()) return sbuf.error();
  auto psum = positive_quantity(nc, "psum", parse_bytes);
  if (!psum.ok()) return psum.error();
  auto banks = bounded_int(nc, "psum_banks", c.psum_banks, 1, 1024);
  if (!banks.ok()) return banks.error();
  auto engines = bounded_int(nc, "dma_engines", c.dma_engines, 1, 1024);
  if (!engines.ok()) return engines.error();
  auto dma_bw = positive_quantity(nc, "dma_bandwidth_per_engine", parse_bandwidth);
  if (!dma_bw.ok()) return dma_bw.error();
  auto dma_cost = nc.quantity("dma_fixed_cost", parse_duration);
  if (!dma_cost.ok()) return dma_cost.error();
  c.sbuf = sbuf.value();
  c.psum = psum.value();
  c.psum_banks = banks.value();
  c.dma_engines = engines.value();
  c.dma_bandwidth_per_engine = dma_bw.value();
  c.dma_fixed_cost = dma_cost.value();
  return {};
}

Result<NeuronCoreSpec> read_neuron_core(const MapReader& chip) {
  auto nc = MapReader::make(chip.file(), chip.node("neuron_core"), "neuron_core.");
  if (!nc.ok()) return nc.error();
  TESSERA_TRY(nc->check_keys({"version", "pe_rows", "pe_cols", "tensor_clock", "moving_free_max",
                              "min_initiation_cycles", "macs_per_pe_cycle", "vector_clock",
                              "vector_elems_per_cycle", "scalar_clock", "scalar_elems_per_cycle",
                              "gpsimd_clock", "gpsimd_elems_per_cycle",
                              "instruction_overhead_cycles", "sbuf", "psum", "psum_banks",
                              "dma_engines", "dma_bandwidth_per_engine", "dma_fixed_cost"}));
  NeuronCoreSpec c;
  auto version = nc->string("version");
  if (!version.ok()) return version.error();
  c.version = version.value();
  auto rows = bounded_int(nc.value(), "pe_rows", c.pe_rows, 1, 4096);
  auto cols = bounded_int(nc.value(), "pe_cols", c.pe_cols, 1, 4096);
  auto free_max = bounded_int(nc.value(), "moving_free_max", c.moving_free_max, 1, 1 << 20);
  auto ii = bounded_int(nc.value(), "min_initiation_cycles", c.min_initiation_cycles, 0, 1 << 20);
  for (const auto* r : {&rows, &cols, &free_max, &ii})
    if (!r->ok()) return r->error();
  c.pe_rows = rows.value();
  c.pe_cols = cols.value();
  c.moving_free_max = free_max.value();
  c.min_initiation_cycles = ii.value();
  auto macs = read_macs(nc.value());
  if (!macs.ok()) return macs.error();
  c.macs_per_pe_cycle = std::move(macs.value());
  TESSERA_TRY(read_core_engines(nc.value(), c));
  TESSERA_TRY(read_core_memory(nc.value(), c));
  return c;
}

Result<Vendor> read_vendor(const MapReader& m) {
  auto v = m.string("vendor");
  if (!v.ok()) return v.error();
  if (v.value() == "aws") return Vendor::Aws;
  if (v.value() == "nvidia") return Vendor::Nvidia;
  if (v.value() == "amd") return Vendor::Amd;
  if (v.value() == "other") return Vendor::Other;
  static const std::vector<std::string> kNames{"aws", "amd", "nvidia", "other"};
  return m.error("vendor", fmt::format("'{}' is not one of aws, amd, nvidia, other{}", v.value(),
                                       did_you_mean(v.value(), kNames)));
}

// Where a power/price figure comes from: `unknown` (or absent), an `estimate:`
// (its reasoning), or a `source:` / a bare value (the file's source applies).
Provenance provenance_of(const MapReader& m, std::string_view key) {
  Provenance p;
  if (!m.has(key)) return p;
  const YAML::Node n = m.node(key);
  if (n.IsScalar()) {
    if (!is_unknown(n.Scalar())) p.kind = Provenance::Kind::Source;
    return p;
  }
  if (!n.IsMap()) return p;
  if (n["value"] && n["value"].IsScalar() && is_unknown(n["value"].Scalar())) return p;
  if (n["estimate"]) {
    p.kind = Provenance::Kind::Estimate;
    p.text = n["estimate"].as<std::string>("");
  } else if (n["source"]) {
    p.kind = Provenance::Kind::Source;
    p.text = n["source"].as<std::string>("");
  }
  return p;
}

Status read_chip_memory_and_links(const MapReader& m, ChipSpec& chip) {
  auto cap = positive_quantity(m, "hbm_capacity", parse_bytes);
  if (!cap.ok()) return cap.error();
  auto bw = positive_quantity(m, "hbm_bandwidth", parse_bandwidth);
  if (!bw.ok()) return bw.error();
  auto sram = quantity_or_zero(m, "sram", parse_bytes);
  if (!sram.ok()) return sram.error();
  auto links = bounded_int(m, "links", 0, 0, 1024);
  if (!links.ok()) return links.error();
  auto c2c = quantity_or_zero(m, "chip_to_chip_bandwidth", parse_bandwidth);
  if (!c2c.ok()) return c2c.error();
  auto tdp = m.optional_quantity("tdp", parse_power);
  if (!tdp.ok()) return tdp.error();
  auto idle = m.optional_quantity("idle_power", parse_power);
  if (!idle.ok()) return idle.error();
  chip.hbm_capacity = cap.value();
  chip.hbm_bandwidth = bw.value();
  chip.sram = sram.value();
  chip.links = links.value();
  chip.chip_to_chip_bandwidth = c2c.value();
  chip.tdp = tdp.value();
  chip.idle_power = idle.value();
  chip.tdp_from = provenance_of(m, "tdp");
  chip.idle_power_from = provenance_of(m, "idle_power");
  return {};
}

// `platform:` names the software platform; a file without it gets its vendor's
// (aws + neuron_core -> neuron, nvidia -> nvidia, amd -> amd) and must say it otherwise.
Result<std::string> read_platform(const MapReader& m, Vendor vendor) {
  if (!m.has("platform")) {
    if (vendor == Vendor::Aws && m.has("neuron_core")) return std::string("neuron");
    if (vendor == Vendor::Nvidia) return std::string("nvidia");
    if (vendor == Vendor::Amd) return std::string("amd");
    return m.missing("platform");
  }
  auto p = m.string("platform");
  if (!p.ok()) return p.error();
  static const std::vector<std::string> kNames{"amd", "neuron", "nvidia"};
  if (std::find(kNames.begin(), kNames.end(), p.value()) == kNames.end())
    return m.error("platform", fmt::format("'{}' is not one of amd, neuron, nvidia{}", p.value(),
                                           did_you_mean(p.value(), kNames)));
  return p.value();
}

}  // namespace

Result<ChipSpec> parse_chip(const yaml::Document& doc) {
  auto made = MapReader::make(doc.file, doc.root);
  if (!made.ok()) return made.error();
  const MapReader& m = made.value();
  TESSERA_TRY(m.check_keys({"schema_version", "name", "display_name", "vendor", "source", "cores",
                            "peak_dense", "hbm_capacity", "hbm_bandwidth", "sram", "links",
                            "chip_to_chip_bandwidth", "tdp", "idle_power", "neuron_core", "platform"}));
  TESSERA_TRY(m.schema_version(kSchemaVersion));
  ChipSpec chip;
  auto name = m.string("name");
  if (!name.ok()) return name.error();
  chip.name = name.value();
  chip.display_name = m.string_or("display_name", chip.name);
  auto source = m.string("source");
  if (!source.ok()) return source.error();
  chip.source = source.value();
  auto vendor = read_vendor(m);
  if (!vendor.ok()) return vendor.error();
  chip.vendor = vendor.value();
  auto platform = read_platform(m, chip.vendor);
  if (!platform.ok()) return platform.error();
  chip.platform = platform.value();
  if (!m.has("cores")) return m.missing("cores");
  auto cores = bounded_int(m, "cores", 1, 1, 4096);
  if (!cores.ok()) return cores.error();
  chip.cores = cores.value();
  auto peaks = read_peaks(m);
  if (!peaks.ok()) return peaks.error();
  chip.peak_dense = std::move(peaks.value());
  TESSERA_TRY(read_chip_memory_and_links(m, chip));
  if (m.has("neuron_core")) {
    auto nc = read_neuron_core(m);
    if (!nc.ok()) return nc.error();
    chip.neuron_core = std::move(nc.value());
  }
  return chip;
}

// ---- systems ----

namespace {

struct TopologyName {
  std::string_view name;
  TopologyKind kind;
  size_t dims;  // entries expected in topology_dims
  size_t max_dims = 0;  // when more are allowed (two-level-switch: [chips per server, servers, racks])
};
constexpr std::array<TopologyName, 6> kTopologies{{
    {"single", TopologyKind::Single, 1},
    {"ring", TopologyKind::Ring, 1},
    {"torus2d", TopologyKind::Torus2D, 2},
    {"torus2d-rings", TopologyKind::Torus2DRings, 3},
    {"switch", TopologyKind::Switch, 1},
    {"two-level-switch", TopologyKind::TwoLevelSwitch, 2, 3},
}};

Result<const TopologyName*> read_topology(const MapReader& m) {
  auto t = m.string("topology");
  if (!t.ok()) return t.error();
  std::vector<std::string> names;
  for (const auto& tn : kTopologies) {
    if (tn.name == t.value()) return &tn;
    names.emplace_back(tn.name);
  }
  return m.error("topology", fmt::format("'{}' is not one of {}{}", t.value(),
                                         fmt::join(names, ", "), did_you_mean(t.value(), names)));
}

Result<std::vector<int>> read_dims(const MapReader& m, const TopologyName& topo, int chips) {
  if (!m.has("topology_dims")) {
    if (topo.dims != 1) return m.missing("topology_dims");
    return std::vector<int>{chips};
  }
  const YAML::Node n = m.node("topology_dims");
  if (!n.IsSequence()) return m.error("topology_dims", "expected a list such as [4, 4]");
  std::vector<int> dims;
  long long product = 1;
  for (const auto& e : n) {
    auto d = e.IsScalar() ? parse_count(e.Scalar()) : Result<long long>(bad_input("not a number"));
    if (!d.ok()) return m.error_at(e, "topology_dims", d.error().message);
    if (d.value() < 1 || d.value() > 1'000'000)
      return m.error_at(e, "topology_dims", fmt::format("'{}' is out of range [1, 1000000]", d.value()));
    dims.push_back(static_cast<int>(d.value()));
    product *= d.value();
  }
  if (dims.size() < topo.dims || dims.size() > std::max(topo.dims, topo.max_dims))
    return m.error("topology_dims", fmt::format("topology '{}' needs {} dimension(s), got {}",
                                                topo.name, topo.dims, dims.size()));
  if (product != chips)
    return m.error("topology_dims", fmt::format("[{}] holds {} chips but 'chips' is {}",
                                                fmt::join(dims, ", "), product, chips));
  return dims;
}

Result<std::vector<BytesPerSecond>> read_outer_tiers(const MapReader& m) {
  std::vector<BytesPerSecond> out;
  if (!m.has("outer_tier_bandwidth")) return out;
  const YAML::Node n = m.node("outer_tier_bandwidth");
  if (!n.IsSequence()) return m.error("outer_tier_bandwidth", "expected a list of bandwidths");
  for (const auto& e : n) {
    YAML::Node at;
    auto text = yaml::node_value_text(m.file(), e, "outer_tier_bandwidth", &at);
    if (!text.ok()) return text.error();
    auto bw = parse_bandwidth(text.value());
    if (!bw.ok()) return m.error_at(at, "outer_tier_bandwidth", bw.error().message);
    if (!(bw->value() > 0)) return m.error_at(at, "outer_tier_bandwidth", "must be greater than zero");
    out.push_back(bw.value());
  }
  return out;
}

Status read_fabric(const MapReader& m, SystemSpec& s, const std::filesystem::path& data_dir) {
  auto topo = read_topology(m);
  if (!topo.ok()) return topo.error();
  s.topology = topo.value()->kind;
  auto dims = read_dims(m, *topo.value(), s.chips);
  if (!dims.ok()) return dims.error();
  s.topology_dims = std::move(dims.value());
  // A lone chip has no fabric; several chips must say how fast and how far apart they are.
  if (s.chips > 1 || m.has("link_bandwidth")) {
    auto bw = positive_quantity(m, "link_bandwidth", parse_bandwidth);
    if (!bw.ok()) return bw.error();
    s.link_bandwidth = bw.value();
  }
  if (s.chips > 1 || m.has("link_latency")) {
    auto lat = m.quantity("link_latency", parse_duration);
    if (!lat.ok()) return lat.error();
    s.link_latency = lat.value();
  }
  auto tiers = read_outer_tiers(m);
  if (!tiers.ok()) return tiers.error();
  s.outer_tier_bandwidth = std::move(tiers.value());
  // No scale-out figure ("unknown" or absent) reads as zero: see SystemSpec.
  auto scaleout = quantity_or_zero(m, "scaleout_bandwidth", parse_bandwidth);
  if (!scaleout.ok()) return scaleout.error();
  s.scaleout_bandwidth = scaleout.value();
  auto scaleout_lat = quantity_or_zero(m, "scaleout_latency", parse_duration);
  if (!scaleout_lat.ok()) return scaleout_lat.error();
  s.scaleout_latency = scaleout_lat.value();
  if (m.has("collective_runtime")) {
    auto rt = m.string("collective_runtime");
    if (!rt.ok()) return rt.error();
    auto spec = load_collective_runtime(m.file(), rt.value(), m.node("collective_runtime"), data_dir);
    if (!spec.ok()) return spec.error();
    s.collective_runtime = std::move(spec.value());
  }
  return {};
}

constexpr double kMaxHostWattsPerChip = 5000;

Status read_costs(const MapReader& m, SystemSpec& s) {
  auto lnc = bounded_int(m, "default_lnc", 1, 1, 2);
  if (!lnc.ok()) return lnc.error();
  s.default_lnc = lnc.value();
  auto price = m.optional_quantity("price_on_demand", parse_usd_per_hour);
  if (!price.ok()) return price.error();
  s.price_on_demand = price.value();
  auto host = m.optional_quantity("host_power", parse_power);
  if (!host.ok()) return host.error();
  s.host_power = host.value();
  // A host (CPUs, NICs, fans) draws hundreds of watts per accelerator (p5.48xlarge:
  // 4.6 kW for 8 GPUs); past kMaxHostWattsPerChip the figure is a unit slip (kW for W).
  if (s.host_power && s.host_power->value() > kMaxHostWattsPerChip * s.chips)
    return m.error("host_power", fmt::format("{:g} kW for {} chip(s) is implausible (over {:g} kW per chip); "
                                             "did you mean W?",
                                             s.host_power->value() / 1e3, s.chips, kMaxHostWattsPerChip / 1e3));
  auto reserved = m.optional_quantity("price_reserved", parse_usd_per_hour);
  if (!reserved.ok()) return reserved.error();
  s.price_reserved = reserved.value();
  auto block = m.optional_quantity("price_capacity_block", parse_usd_per_hour);
  if (!block.ok()) return block.error();
  s.price_capacity_block = block.value();
  s.price_on_demand_from = provenance_of(m, "price_on_demand");
  s.price_reserved_from = provenance_of(m, "price_reserved");
  s.price_capacity_block_from = provenance_of(m, "price_capacity_block");
  s.host_power_from = provenance_of(m, "host_power");
  return {};
}

}  // namespace

Result<SystemSpec> parse_system(const yaml::Document& doc, const ChipResolver& resolve_chip,
                                const std::filesystem::path& data_dir) {
  auto made = MapReader::make(doc.file, doc.root);
  if (!made.ok()) return made.error();
  const MapReader& m = made.value();
  TESSERA_TRY(m.check_keys({"schema_version", "name", "chip", "chips", "topology", "topology_dims",
                            "link_bandwidth", "link_latency", "outer_tier_bandwidth",
                            "scaleout_bandwidth", "scaleout_latency", "collective_runtime",
                            "default_lnc", "price_on_demand", "price_reserved", "price_capacity_block", "host_power",
                            "source"}));
  TESSERA_TRY(m.schema_version(kSchemaVersion));
  SystemSpec s;
  auto name = m.string("name");
  if (!name.ok()) return name.error();
  s.name = name.value();
  auto source = m.string("source");
  if (!source.ok()) return source.error();
  s.source = source.value();
  auto chip_name = m.string("chip");
  if (!chip_name.ok()) return chip_name.error();
  auto chip = resolve_chip(chip_name.value(), m.node("chip"));
  if (!chip.ok()) return chip.error();
  s.chip_name = chip->name;
  s.chip = std::move(chip.value());
  if (!m.has("chips")) return m.missing("chips");
  auto chips = bounded_int(m, "chips", 1, 1, 1'000'000);
  if (!chips.ok()) return chips.error();
  s.chips = chips.value();
  TESSERA_TRY(read_fabric(m, s, data_dir));
  TESSERA_TRY(read_costs(m, s));
  return s;
}

}  // namespace tessera::catalog_detail

namespace tessera {

std::string topology_text(const SystemSpec& system) {
  std::string name = "?";
  for (const auto& t : catalog_detail::kTopologies)
    if (t.kind == system.topology) name = std::string(t.name);
  return system.topology_dims.empty() ? name : fmt::format("{} {}", name, fmt::join(system.topology_dims, "x"));
}

}  // namespace tessera
