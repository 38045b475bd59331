// Every model lowers through its operator graph. The graph the Hugging Face front end
// builds, written to JSON and read back as a .graph.json file would be, must lower to the
// same ops with the same repeats and summarize to the same model (memory and parameter
// accounting read the summary), for dense, GQA, MoE, MLA, sliding-window and plain-MLP
// families, with TP, PP, EP/DEP and the fused element-wise stack.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>

#include "tessera/plan/lowering.h"
#include "tessera/plan/params.h"
#include "tessera/plan/placement.h"
#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/graph_io.h"

namespace tessera {
namespace {

// One op's content (not its position): ops whose keys match cost the same.
std::string key_of(const PlannedOp& p) {
  struct V {
    std::string operator()(const GemmOp& g) const {
      return fmt::format("gemm {} {} {} {} {} {}", g.m, g.n, g.k, g.count, static_cast<int>(g.act_dtype),
                         static_cast<int>(g.weight_dtype));
    }
    std::string operator()(const AttentionOp& a) const {
      return fmt::format("attn {} {} {} {} {} {} {} {} {} {} {} {}", a.decode, a.seqs, a.q_tokens, a.kv_tokens, a.pairs,
                         a.heads, a.kv_heads, a.head_dim_qk, a.head_dim_v, a.kv_bytes_per_token,
                         static_cast<int>(a.compute_dtype), static_cast<int>(a.kv_dtype));
    }
    std::string operator()(const ElementwiseOp& e) const {
      return fmt::format("elt {} {} {} {} {}", e.elements, e.flops_per_element, e.bytes.value(),
                         static_cast<int>(e.dtype), static_cast<int>(e.engine));
    }
    std::string operator()(const CollectiveCall& c) const {
      return fmt::format("coll {} {} {} {}", static_cast<int>(c.kind), c.bytes.value(), c.group.ranks,
                         c.group.ranks_per_chip);
    }
  };
  return fmt::format("{} | {}", p.name, std::visit(V{}, p.op));
}

// Ops by content, with the repeats of equal ops summed (the graph may split layers into blocks).
std::map<std::string, double> op_multiset(const std::vector<PlannedOp>& ops) {
  std::map<std::string, double> m;
  for (const PlannedOp& p : ops) m[key_of(p)] += p.repeat;
  return m;
}

std::vector<BatchShape> shapes() {
  BatchShape decode;
  decode.decode_seqs = 8;
  decode.decode_kv_tokens = 8 * 1500;
  BatchShape mixed = decode;
  mixed.prefill_seqs = 2;
  mixed.prefill_tokens = 700;
  mixed.prefill_context = 300;
  mixed.prefill_pairs = causal_pairs(300, 700);
  BatchShape prefill;
  prefill.prefill_seqs = 1;
  prefill.prefill_tokens = 5000;
  prefill.prefill_pairs = causal_pairs(0, 5000);
  return {decode, mixed, prefill};
}

struct Case {
  const char* model;
  const char* system;
  int tp, pp, ep;
};

class GraphFileVsConfig : public ::testing::TestWithParam<Case> {};

TEST_P(GraphFileVsConfig, LowersAndSummarizesAsTheConfig) {
  const Case c = GetParam();
  auto cat = Catalog::open(TESSERA_SOURCE_DIR "/data");
  ASSERT_TRUE(cat.ok()) << cat.error().message;
  auto hf = cat->model(c.model);
  ASSERT_TRUE(hf.ok()) << hf.error().message;
  auto sys = cat->system(c.system);
  ASSERT_TRUE(sys.ok()) << sys.error().message;
  auto g = graph_from_model(*hf);
  ASSERT_TRUE(g.ok()) << g.error().message;
  auto reread = parse_graph(graph_to_json(*g), "x.graph.json");
  ASSERT_TRUE(reread.ok()) << reread.error().message;
  auto gm = model_from_graph(*reread, c.model);
  ASSERT_TRUE(gm.ok()) << gm.error().message;
  ASSERT_TRUE(check_graph_lowering(*gm->graph).ok());
  ASSERT_TRUE(hf->graph);  // the config front end builds the graph
  EXPECT_EQ(gm->layers, hf->layers);
  EXPECT_DOUBLE_EQ(count_params(*gm).total, count_params(*hf).total);
  EXPECT_DOUBLE_EQ(kv_elements_per_token_per_layer(*gm), kv_elements_per_token_per_layer(*hf));
  EXPECT_EQ(gm->mla.has_value(), hf->mla.has_value());
  if (hf->mla) {
    EXPECT_EQ(gm->mla->q_lora_rank, hf->mla->q_lora_rank);
    EXPECT_EQ(gm->mla->kv_lora_rank, hf->mla->kv_lora_rank);
    EXPECT_EQ(gm->mla->qk_nope_head_dim, hf->mla->qk_nope_head_dim);
    EXPECT_EQ(gm->mla->v_head_dim, hf->mla->v_head_dim);
  }

  DeploymentSpec dep;
  dep.tp = c.tp;
  dep.pp = c.pp;
  dep.ep = c.ep;
  auto placement = place(*hf, *sys, dep);
  ASSERT_TRUE(placement.ok()) << placement.error().message;
  auto gplacement = place(*gm, *sys, dep);
  ASSERT_TRUE(gplacement.ok()) << gplacement.error().message;
  for (bool fused : {false, true}) {
    const Lowering config(*hf, dep, *placement, fused);
    const Lowering graph(*gm, dep, *gplacement, fused);
    for (const BatchShape& b : shapes()) {
      for (OpSet set : {OpSet::TokenBound, OpSet::Attention}) {
        std::vector<PlannedOp> a, bops;
        config.lower(b, set, a);
        graph.lower(b, set, bops);
        ASSERT_GE(a.size(), set == OpSet::TokenBound ? 8u : 1u);  // the comparison has content
        EXPECT_EQ(op_multiset(a), op_multiset(bops))
            << c.model << " tp" << c.tp << " pp" << c.pp << " ep" << c.ep << " fused " << fused;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Families, GraphFileVsConfig,
                         ::testing::Values(Case{"llama-3.1-8b", "p5.48xlarge", 1, 1, 1},
                                           Case{"llama-3.1-8b", "p5.48xlarge", 8, 1, 1},
                                           Case{"llama-2-70b", "trn1.32xlarge", 32, 1, 1},
                                           Case{"llama-2-70b", "p5.48xlarge", 4, 2, 1},
                                           Case{"mistral-7b-v0.1", "p5.48xlarge", 2, 1, 1},
                                           Case{"mixtral-8x7b", "p5.48xlarge", 8, 1, 1},
                                           Case{"mixtral-8x7b", "p5.48xlarge", 2, 1, 8},
                                           Case{"gpt-oss-20b", "p5.48xlarge", 4, 1, 1},
                                           Case{"gpt-j-6b", "p5.48xlarge", 2, 1, 1},
                                           Case{"deepseek-v3", "p5.48xlarge", 8, 1, 8},
                                           Case{"deepseek-v3", "trn2.48xlarge", 16, 1, 64},
                                           Case{"deepseek-v3", "p5.48xlarge", 1, 1, 1}));

TEST(GraphLayout, RejectsANormOverAShardedTensor) {
  Graph g;
  GraphBlock b;
  b.name = "layers";
  auto op = [](std::string name, GraphOpKind k, std::vector<std::string> in) {
    GraphOp o;
    o.name = std::move(name);
    o.kind = k;
    o.inputs = std::move(in);
    return o;
  };
  GraphOp e = op("embed", GraphOpKind::Embedding, {});
  e.vocab = 100;
  e.dim = 64;
  GraphOp up = op("up", GraphOpKind::Linear, {"embed"});
  up.in_features = 64;
  up.out_features = 128;
  GraphOp act = op("act", GraphOpKind::Activation, {"up"});  // column-parallel up: act is sharded
  act.dim = 128;
  act.fn = "gelu";
  GraphOp n = op("norm", GraphOpKind::Norm, {"act"});
  n.dim = 128;
  b.ops = {e, up, act, n};
  g.blocks = {b};
  ASSERT_TRUE(validate_graph(g, "t.graph.json").ok());
  const Status s = check_graph_lowering(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("block 'layers' op 'norm'"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("TP-sharded"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace tessera
