#include <gtest/gtest.h>

#include "tessera/specs/io/catalog.h"
#include "tessera/specs/io/graph_io.h"

namespace tessera {
namespace {

const char* kTiny = R"({
  "format": "tessera-graph", "version": 1, "name": "tiny", "dtype": "bf16",
  "blocks": [
    {"name": "embed", "ops": [{"name": "tok", "op": "embedding", "vocab": 1000, "dim": 64}]},
    {"name": "layers", "repeat": 3, "ops": [
      {"name": "n1", "op": "norm", "inputs": ["@in"], "dim": 64},
      {"name": "q", "op": "linear", "inputs": ["n1"], "in_features": 64, "out_features": 64},
      {"name": "k", "op": "linear", "inputs": ["n1"], "in_features": 64, "out_features": 16},
      {"name": "v", "op": "linear", "inputs": ["n1"], "in_features": 64, "out_features": 16},
      {"name": "attn", "op": "attention", "inputs": ["q", "k", "v"], "heads": 4, "kv_heads": 1, "head_dim": 16,
       "rope": true},
      {"name": "o", "op": "linear", "inputs": ["attn"], "in_features": 64, "out_features": 64},
      {"name": "r1", "op": "add", "inputs": ["@in", "o"], "dim": 64},
      {"name": "n2", "op": "norm", "inputs": ["r1"], "dim": 64},
      {"name": "up", "op": "linear", "inputs": ["n2"], "in_features": 64, "out_features": 256},
      {"name": "act", "op": "activation", "inputs": ["up"], "dim": 256, "fn": "gelu"},
      {"name": "down", "op": "linear", "inputs": ["act"], "in_features": 256, "out_features": 64},
      {"name": "r2", "op": "add", "inputs": ["r1", "down"], "dim": 64}]},
    {"name": "head", "sampled": true, "ops": [
      {"name": "fn", "op": "norm", "inputs": ["@in"], "dim": 64, "norm": "layer"},
      {"name": "lm", "op": "linear", "inputs": ["fn"], "in_features": 64, "out_features": 1000, "tied": true}]}]
})";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

std::string error_of(const std::string& text) {
  auto g = parse_graph(text, "t.graph.json");
  return g.ok() ? "ok" : g.error().message;
}

TEST(GraphIo, ParsesAndSummarizes) {
  auto g = parse_graph(kTiny, "t.graph.json");
  ASSERT_TRUE(g.ok()) << g.error().message;
  ASSERT_EQ(g->blocks.size(), 3u);
  EXPECT_EQ(g->blocks[1].repeat, 3);
  EXPECT_TRUE(g->blocks[2].sampled);
  const GraphOp& a = g->blocks[1].ops[4];
  EXPECT_EQ(a.kind, GraphOpKind::Attention);
  EXPECT_TRUE(a.causal);
  EXPECT_TRUE(a.rope);
  auto m = model_from_graph(*g, "tiny");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->hidden, 64);
  EXPECT_EQ(m->layers, 3);
  EXPECT_EQ(m->heads, 4);
  EXPECT_EQ(m->kv_heads, 1);
  EXPECT_EQ(m->head_dim, 16);
  EXPECT_EQ(m->intermediate, 256);
  EXPECT_EQ(m->vocab, 1000);
  EXPECT_EQ(m->mlp, MlpKind::Plain);
  EXPECT_TRUE(m->tied_embeddings);
  ASSERT_TRUE(m->graph);
}

TEST(GraphIo, RoundTripsThroughJson) {
  auto g = parse_graph(kTiny, "t.graph.json");
  ASSERT_TRUE(g.ok());
  const std::string once = graph_to_json(*g);
  auto again = parse_graph(once, "t.graph.json");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(graph_to_json(*again), once);
}

TEST(GraphIo, ErrorsNameFileBlockOpAndKey) {
  EXPECT_EQ(error_of(replace(kTiny, "\"in_features\": 64, \"out_features\": 16},\n      {\"name\": \"v\"",
                             "\"in_featurs\": 64, \"out_features\": 16},\n      {\"name\": \"v\"")),
            "t.graph.json: block 'layers' op 'k': key 'in_featurs': unknown key (did you mean 'in_features'?)");
  EXPECT_EQ(error_of(replace(kTiny, "\"version\": 1", "\"version\": 3")),
            "t.graph.json: key 'version': 3 is not supported (this build reads versions 1 to 2)");
  EXPECT_EQ(error_of(replace(kTiny, "\"rope\": true", "\"rope\": true, \"latent_dim\": 16, \"rope_dim\": 8")),
            "t.graph.json: block 'layers' op 'attn': key 'latent_dim': latent attention needs format version 2 (the "
            "file says version 1)");
  EXPECT_EQ(error_of(replace(kTiny, "\"inputs\": [\"q\", \"k\", \"v\"]", "\"inputs\": [\"q\", \"k\", \"w\"]")),
            "t.graph.json: block 'layers' op 'attn': key 'inputs': 'w' is not an earlier op of this block (or \"@in\")");
  EXPECT_EQ(error_of(replace(kTiny, "\"in_features\": 256", "\"in_features\": 255")),
            "t.graph.json: block 'layers' op 'down': key 'inputs': 'act' is 256 wide, the op expects 255");
  EXPECT_EQ(error_of(replace(kTiny, "\"op\": \"activation\"", "\"op\": \"activaton\"")),
            "t.graph.json: block 'layers' op 'act': key 'op': unknown op 'activaton' (did you mean 'activation'?)");
  EXPECT_EQ(error_of(replace(kTiny, "\"kv_heads\": 1", "\"kv_heads\": 3")),
            "t.graph.json: block 'layers' op 'attn': key 'kv_heads': 3 does not divide heads 4");
}

TEST(GraphIo, NonCausalAttentionIsRefusedBySimulation) {
  auto g = parse_graph(replace(kTiny, "\"rope\": true", "\"rope\": true, \"causal\": false"), "t.graph.json");
  ASSERT_TRUE(g.ok());
  auto m = model_from_graph(*g, "tiny");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("block 'layers' op 'attn': key 'causal'"), std::string::npos);
}

TEST(GraphIo, HfFrontEndKeepsTheSummary) {
  auto cat = Catalog::open(TESSERA_SOURCE_DIR "/data");
  ASSERT_TRUE(cat.ok());
  for (const char* name : {"llama-3.1-8b", "mixtral-8x7b", "gpt-oss-20b", "phi-2"}) {
    auto hf = cat->model(name);
    ASSERT_TRUE(hf.ok()) << hf.error().message;
    auto g = graph_from_model(*hf);
    ASSERT_TRUE(g.ok()) << g.error().message;
    auto m = model_from_graph(*g, name);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->hidden, hf->hidden) << name;
    EXPECT_EQ(m->layers, hf->layers) << name;
    EXPECT_EQ(m->heads, hf->heads) << name;
    EXPECT_EQ(m->kv_heads, hf->kv_heads) << name;
    EXPECT_EQ(m->head_dim, hf->head_dim) << name;
    EXPECT_EQ(m->intermediate, m->moe ? m->intermediate : hf->intermediate) << name;
    EXPECT_EQ(m->vocab, hf->vocab) << name;
    EXPECT_EQ(m->mlp, hf->mlp) << name;
    EXPECT_EQ(m->tied_embeddings, hf->tied_embeddings) << name;
    EXPECT_EQ(m->attention_bias, hf->attention_bias) << name;
    EXPECT_EQ(m->sliding_window, hf->sliding_window) << name;
    EXPECT_EQ(m->moe.has_value(), hf->moe.has_value()) << name;
  }
  auto mla = cat->model("deepseek-v3");
  ASSERT_TRUE(mla.ok());
  auto g = graph_from_model(*mla);  // latent attention: format version 2
  ASSERT_TRUE(g.ok()) << g.error().message;
  auto back = parse_graph(graph_to_json(*g), "ds.graph.json");
  ASSERT_TRUE(back.ok()) << back.error().message;
  auto m = model_from_graph(*back, "ds");
  ASSERT_TRUE(m.ok()) << m.error().message;
  ASSERT_TRUE(m->mla.has_value());
  EXPECT_EQ(m->mla->q_lora_rank, 1536);
  EXPECT_EQ(m->mla->kv_lora_rank, 512);
  EXPECT_EQ(m->mla->qk_nope_head_dim, 128);
  EXPECT_EQ(m->mla->qk_rope_head_dim, 64);
  EXPECT_EQ(m->mla->v_head_dim, 128);
  EXPECT_EQ(m->head_dim, mla->head_dim);
  EXPECT_EQ(m->layers, 61);
}

TEST(GraphIo, CatalogResolvesGraphFiles) {
  EXPECT_TRUE(looks_like_graph_path("x/toy.graph.json"));
  EXPECT_FALSE(looks_like_graph_path("x/config.json"));
  auto cat = Catalog::open(TESSERA_SOURCE_DIR "/data");
  ASSERT_TRUE(cat.ok());
  auto m = cat->model("/nonexistent/toy.graph.json");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().message, "/nonexistent/toy.graph.json: cannot open graph file");
}

}  // namespace
}  // namespace tessera
