// Operator-graph JSON -> Graph -> model summary -> TP layout -> the ops of a few
// batches at TP 1, 2 and 8. An accepted graph must lower to ops the cost models can
// take: finite, non-negative sizes and positive repeats.
#include <cmath>
#include <string_view>
#include <variant>
#include <vector>

#include "tessera/plan/lowering.h"
#include "tessera/specs/io/graph_io.h"
#include "tests/fuzz/fuzz_util.h"

using namespace tessera;

namespace {

SystemSpec gpu_system() {
  SystemSpec s;
  s.name = "fuzz";
  s.chip.name = "fuzz-gpu";
  s.chip.vendor = Vendor::Nvidia;
  s.chip.peak_dense[DType::BF16] = TFLOPS(1000);
  s.chip.hbm_capacity = GB(80);
  s.chip.hbm_bandwidth = TBps(2);
  s.chips = 8;
  s.topology = TopologyKind::Switch;
  s.link_bandwidth = GBps(400);
  return s;
}

std::vector<BatchShape> batches() {
  BatchShape decode;
  decode.decode_seqs = 3;
  decode.decode_kv_tokens = 3 * 700;
  BatchShape mixed = decode;
  mixed.prefill_seqs = 1;
  mixed.prefill_tokens = 300;
  mixed.prefill_context = 100;
  mixed.prefill_pairs = causal_pairs(100, 300);
  return {decode, mixed};
}

struct CheckOp {
  void operator()(const GemmOp& g) const { TESSERA_FUZZ_CHECK(g.m >= 0 && g.n >= 0 && g.k >= 0 && g.count >= 1); }
  void operator()(const AttentionOp& a) const {
    TESSERA_FUZZ_CHECK(a.seqs >= 0 && a.q_tokens >= 0 && a.kv_tokens >= 0 && a.heads >= 1 && a.kv_heads >= 1);
    TESSERA_FUZZ_CHECK(std::isfinite(a.pairs) && a.pairs >= 0 && a.kv_bytes_per_token >= 0);
  }
  void operator()(const ElementwiseOp& e) const {
    TESSERA_FUZZ_CHECK(e.elements >= 0 && fuzz::finite_nonneg(e.bytes.value()));
  }
  void operator()(const CollectiveCall& c) const {
    TESSERA_FUZZ_CHECK(fuzz::finite_nonneg(c.bytes.value()) && c.group.ranks >= 1);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto g = parse_graph(text, "fuzz.graph.json");
  if (!g.ok()) {
    TESSERA_FUZZ_CHECK(!g.error().message.empty());
    return 0;
  }
  auto m = model_from_graph(*g, "fuzz");
  if (!m.ok() || !check_graph_lowering(*m->graph).ok()) return 0;
  static const SystemSpec sys = gpu_system();
  for (int tp : {1, 2, 8}) {
    DeploymentSpec dep;
    dep.tp = tp;
    auto p = place(*m, sys, dep);
    if (!p.ok()) continue;
    const Lowering lowering(*m, dep, *p);
    std::vector<PlannedOp> ops;
    for (const BatchShape& b : batches()) {
      lowering.lower(b, OpSet::All, ops);
      TESSERA_FUZZ_CHECK(!ops.empty());
      for (const PlannedOp& op : ops) {
        TESSERA_FUZZ_CHECK(std::isfinite(op.repeat) && op.repeat > 0);
        std::visit(CheckOp{}, op.op);
      }
    }
  }
  return 0;
}
