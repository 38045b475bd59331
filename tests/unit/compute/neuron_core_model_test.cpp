// The engine-level NeuronCore model against hand calculations. Specs are built
// here from shared/reference/hardware.md §1 (not from data/), so a catalog change
// cannot move these numbers.
#include "tessera/compute/neuron_core_model.h"

#include <gtest/gtest.h>

namespace tessera {
namespace {

// NeuronCore-v2 (trn1): [N1] TensorE 2.8 GHz, VectorE 1.12 GHz x 128, ScalarE 1.4 GHz
// x 128, SBUF 24 MiB, PSUM 2 MiB; [N4] 16 DMA queues x 17 B/ns; [N4] ~1.3 us/transfer.
ChipSpec trn1() {
  NeuronCoreSpec nc;
  nc.version = "v2";
  nc.tensor_clock = GHz(2.8);
  nc.macs_per_pe_cycle = {{DType::BF16, 1}, {DType::FP16, 1}, {DType::TF32, 1},
                          {DType::FP8, 1},  {DType::FP32, 0.25}};
  nc.vector_clock = GHz(1.12);
  nc.vector_elems_per_cycle = 128;
  nc.scalar_clock = GHz(1.4);
  nc.scalar_elems_per_cycle = 128;
  nc.gpsimd_clock = GHz(1.4);
  nc.sbuf = MiB(24);
  nc.psum = MiB(2);
  nc.dma_engines = 16;
  nc.dma_bandwidth_per_engine = GBps(17);
  nc.dma_fixed_cost = ns(1300);
  ChipSpec c;
  c.name = "trainium";
  c.vendor = Vendor::Aws;
  c.cores = 2;
  c.hbm_bandwidth = BytesPerSecond(820.0 * 1024 * 1024 * 1024);  // 820 GiB/s [A1]
  c.neuron_core = nc;
  return c;
}

// NeuronCore-v3 (trn2): [N2] 2.4 GHz, FP8 double-row (2 MACs/PE/cycle), VectorE
// 0.96 GHz x 512 BF16, ScalarE 1.2 GHz (width not published: 256 as NC-v4 [N3]),
// SBUF 28 MiB; [N4] 23 B/ns per queue; chip HBM 2.9 TB/s over 8 cores [A2].
ChipSpec trn2() {
  ChipSpec c = trn1();
  NeuronCoreSpec& nc = *c.neuron_core;
  nc.version = "v3";
  nc.tensor_clock = GHz(2.4);
  nc.macs_per_pe_cycle = {{DType::BF16, 1}, {DType::FP16, 1}, {DType::TF32, 1},
                          {DType::FP8, 2},  {DType::FP32, 0.25}};
  nc.vector_clock = GHz(0.96);
  nc.vector_elems_per_cycle = 512;
  nc.scalar_clock = GHz(1.2);
  nc.scalar_elems_per_cycle = 256;
  nc.sbuf = MiB(28);
  nc.dma_bandwidth_per_engine = GBps(23);
  c.name = "trainium2";
  c.cores = 8;
  c.hbm_bandwidth = TBps(2.9);
  return c;
}

// NeuronCore-v4 (trn3): [N3] MX mode 4 MACs/PE/cycle (K = 512), VectorE 1.2 GHz x 512,
// ScalarE 1.2 GHz x 256, SBUF 32 MiB; [N4] 33 B/ns per queue; HBM 4.9 TB/s [A3].
ChipSpec trn3() {
  ChipSpec c = trn2();
  NeuronCoreSpec& nc = *c.neuron_core;
  nc.version = "v4";
  nc.macs_per_pe_cycle = {{DType::BF16, 1}, {DType::FP16, 1}, {DType::TF32, 1},
                          {DType::MXFP8, 4}, {DType::MXFP4, 4}, {DType::FP32, 0.25}};
  nc.vector_clock = GHz(1.2);
  nc.sbuf = MiB(32);
  nc.dma_bandwidth_per_engine = GBps(33);
  c.name = "trainium3";
  c.hbm_bandwidth = TBps(4.9);
  return c;
}

NeuronCoreModel model(const ChipSpec& chip, int lnc, double fraction) {
  auto m = NeuronCoreModel::create(RankResources{&chip, lnc, fraction});
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
  return std::move(m).value();
}

GemmOp gemm(int64_t m, int64_t k, int64_t n, DType act = DType::BF16, DType w = DType::BF16) {
  GemmOp op;
  op.m = m;
  op.k = k;
  op.n = n;
  op.act_dtype = act;
  op.weight_dtype = w;
  return op;
}

AttentionOp decode_attention(int64_t seqs, int64_t kv_len) {
  AttentionOp a;
  a.decode = true;
  a.seqs = seqs;
  a.q_tokens = seqs;
  a.kv_tokens = seqs * kv_len;
  a.pairs = static_cast<double>(seqs * kv_len);
  a.heads = 2;       // Llama-2-70B at TP=32: 64/32 query heads
  a.kv_heads = 1;    // 8 KV heads replicated over 32 ranks
  a.kv_bytes_per_token = 2 * 128 * 2;  // K and V, head_dim 128, BF16
  return a;
}

constexpr double kRel = 1e-9;

// --- GEMM -------------------------------------------------------------------

TEST(NeuronGemm, DecodeGemmOnNcV2IsDmaBoundAtTheQueueBandwidth) {
  const ChipSpec chip = trn1();
  const NeuronBreakdown b = model(chip, 1, 0.5).gemm_detail(gemm(4, 8192, 320));

  // Weights stationary: K tiles 8192/128 = 64, stationary tiles ceil(320/128) = 3,
  // one moving chunk of N = 4 -> 64 x 3 = 192 MultiplyMoving at the 64-cycle floor.
  EXPECT_TRUE(b.weights_stationary);
  EXPECT_EQ(b.matmuls, 192);
  EXPECT_EQ(b.stationary_loads, 192);
  // 192 x 64 cycles = 12,288 cycles; each LoadStationary (128/4 = 32 or 64/4 = 16
  // cycles, fast load) runs behind the previous 64-cycle matmul and adds nothing.
  EXPECT_NEAR(b.tensor.value(), 12288 / 2.8e9, 1e-12);
  // Bytes: W 8192*320*2 = 5,242,880; X 4*8192*2 = 65,536; Y 4*320*2 = 2,560.
  // Transfers: W over all 16 queues, X in 2 pieces of 32 KiB, Y in 1 -> 19.
  // Bandwidth min(16 x 17 GB/s, 0.5 x 820 GiB/s = 440 GB/s) = 272 GB/s.
  const double bytes = 5242880 + 65536 + 2560;
  EXPECT_EQ(b.dma_transfers, 19);
  EXPECT_DOUBLE_EQ(b.cost.hbm_bytes.value(), bytes);
  const double dma = 19.0 / 16.0 * 1.3e-6 + bytes / 272e9;
  EXPECT_NEAR(b.dma.value(), dma, dma * kRel);
  EXPECT_EQ(b.critical, NeuronEngine::Dma);
  // Fill/drain: one TensorE tile (first LS 32 + MM 64 cycles) and one PSUM evacuation
  // (100 + 4 cycles) after the last weight transfer.
  const double time = dma + 96 / 2.8e9 + 104 / 1.12e9;
  EXPECT_NEAR(b.cost.time.value(), time, time * kRel);
  EXPECT_NEAR(b.cost.memory.value(), dma, dma * kRel);
  EXPECT_NEAR(b.cost.compute.value(), b.tensor.value(), 1e-15);
  EXPECT_DOUBLE_EQ(b.cost.flops.value(), 2.0 * 4 * 8192 * 320);
}

TEST(NeuronGemm, SmallBatchDecodeStreamsWeightsFromHbmOnEveryGeneration) {
  // Intent: a decode GEMM (8 tokens, Llama-70B MLP shard at TP 32/64) is bound by weight
  // streaming, not by loading weights into the array, on NC-v2, v3 and v4 alike. With
  // the load hidden, TensorE covers a 128x128 weight tile per 64 cycles (256 weights per
  // cycle), above every generation's per-core DMA rate (17/23/33 B/ns x 16 queues).
  const std::pair<ChipSpec, double> cases[] = {{trn1(), 0.5}, {trn2(), 0.125}, {trn3(), 0.125}};
  for (const auto& [chip, fraction] : cases) {
    const NeuronBreakdown b = model(chip, 1, fraction).gemm_detail(gemm(8, 8192, 1792));
    EXPECT_EQ(b.critical, NeuronEngine::Dma) << chip.name;
    EXPECT_LT(b.tensor.value(), 0.6 * b.dma.value()) << chip.name;
    // The weights (8192 x 1792 x 2 B) at the core's DMA rate are most of the time.
    const double rate = std::min(16 * chip.neuron_core->dma_bandwidth_per_engine.value(),
                                 fraction * chip.hbm_bandwidth.value());
    const double weights = 8192.0 * 1792 * 2 / rate;
    EXPECT_GT(weights / b.cost.time.value(), 0.9) << chip.name;
  }
}

TEST(NeuronGemm, DecodeGemmIsCappedByTheRankShareOfHbm) {
  // A quarter of trn1's 820 GiB/s = 220 GB/s < 272 GB/s of the queues.
  const ChipSpec chip = trn1();
  const NeuronBreakdown b = model(chip, 1, 0.25).gemm_detail(gemm(4, 8192, 320));
  const double hbm = 0.25 * 820.0 * 1024 * 1024 * 1024;
  const double dma = 19.0 / 16.0 * 1.3e-6 + (5242880 + 65536 + 2560) / hbm;
  EXPECT_NEAR(b.dma.value(), dma, dma * kRel);
}

TEST(NeuronGemm, PrefillGemmOnNcV2IsTensorBoundNearPeak) {
  const ChipSpec chip = trn1();
  const NeuronBreakdown b = model(chip, 1, 0.5).gemm_detail(gemm(2048, 8192, 1024));

  // W stationary: 64 K tiles x 8 stationary tiles x 4 moving chunks of 512 = 2,048
  // MultiplyMoving of 512 cycles; the 4 chunks fit 8 PSUM banks, so one
  // LoadStationary per (K tile, stationary tile) = 512 loads, each (32 cycles) hidden
  // behind its 4 x 512 matmul cycles. X stationary gives the same matmul cycles (16
  // stationary tiles x 2 chunks); on a tie the weights stay stationary.
  EXPECT_TRUE(b.weights_stationary);
  EXPECT_EQ(b.matmuls, 2048);
  EXPECT_EQ(b.stationary_loads, 512);
  const double tensor = 2048.0 * 512 / 2.8e9;  // 374.5 us
  EXPECT_NEAR(b.tensor.value(), tensor, tensor * kRel);
  EXPECT_EQ(b.critical, NeuronEngine::Tensor);

  // SBUF budget 12 MiB holds neither X (32 MiB) nor W (16 MiB): W in 2 panels,
  // X re-read once more (or X in 3 panels, W twice more: the same 32 MiB).
  EXPECT_DOUBLE_EQ(b.reread_bytes.value(), 33554432);
  EXPECT_DOUBLE_EQ(b.cost.hbm_bytes.value(), 33554432.0 * 2 + 16777216 + 4194304);
  // Transfers: X 64 + W 32 + Y 16 + re-read 64 = 176 pieces of <= 512 KiB.
  EXPECT_EQ(b.dma_transfers, 176);
  const double dma = 176.0 / 16 * 1.3e-6 + 88080384 / 272e9;
  EXPECT_NEAR(b.dma.value(), dma, dma * kRel);

  // Fill/drain: one PSUM evacuation (100 + 512 cycles at 1.12 GHz) and one DMA
  // tile: 1.3 us + (128 x (128 + 512) x 2 B in + 128 x 512 x 2 B out) / 272 GB/s.
  const double time = tensor + 612 / 1.12e9 + 1.3e-6 + 294912 / 272e9;
  EXPECT_NEAR(b.cost.time.value(), time, time * kRel);
  // 128*128*2*2.8 GHz = 91.75 TFLOPS peak; TensorE runs at the peak, 99.2% with the
  // fill/drain (34.36 GFLOP in 377.4 us = 91.0 TFLOPS), as a hand-tuned NKI matmul
  // nears it (neuron-engine-facts.md §6: 90.9% MFU on Trn2 with scheduling overheads).
  const double achieved = b.cost.flops.value() / b.cost.time.value();
  EXPECT_NEAR(achieved / 91.75e12, 0.9922, 0.0005);
}

TEST(NeuronGemm, Fp32InputsRunTheArrayFourTimesSlower) {
  const ChipSpec chip = trn1();
  const NeuronCoreModel m = model(chip, 1, 0.5);
  const NeuronBreakdown bf = m.gemm_detail(gemm(2048, 8192, 1024));
  const NeuronBreakdown f32 = m.gemm_detail(gemm(2048, 8192, 1024, DType::FP32, DType::FP32));
  EXPECT_NEAR(f32.tensor / bf.tensor, 4.0, 1e-12);
  EXPECT_EQ(f32.critical, NeuronEngine::Tensor);
}

TEST(NeuronGemm, Fp8OnNcV3IsAboutTwiceBf16WhenComputeBound) {
  const ChipSpec chip = trn2();
  const NeuronCoreModel m = model(chip, 1, 1.0 / 8);
  const NeuronBreakdown bf = m.gemm_detail(gemm(2048, 8192, 1024));
  const NeuronBreakdown f8 = m.gemm_detail(gemm(2048, 8192, 1024, DType::FP8, DType::FP8));
  ASSERT_EQ(bf.critical, NeuronEngine::Tensor);
  ASSERT_EQ(f8.critical, NeuronEngine::Tensor);
  // Double-row K = 256 halves the K tiles: exactly half the TensorE cycles.
  EXPECT_EQ(f8.matmuls * 2, bf.matmuls);
  EXPECT_NEAR(bf.tensor / f8.tensor, 2.0, 1e-12);
  EXPECT_NEAR(bf.cost.time / f8.cost.time, 2.0, 0.05);
}

TEST(NeuronGemm, MxOnNcV4IsAboutFourTimesBf16WhenComputeBound) {
  const ChipSpec chip = trn3();
  const NeuronCoreModel m = model(chip, 1, 1.0 / 8);
  const NeuronBreakdown bf = m.gemm_detail(gemm(2048, 8192, 1024));
  const NeuronBreakdown mx = m.gemm_detail(gemm(2048, 8192, 1024, DType::MXFP8, DType::MXFP4));
  ASSERT_EQ(mx.critical, NeuronEngine::Tensor);
  EXPECT_NEAR(bf.tensor / mx.tensor, 4.0, 1e-12);
  EXPECT_NEAR(bf.cost.time / mx.cost.time, 4.0, 0.15);
  // MX weights are native on NC-v4: no conversion on ScalarE.
  EXPECT_EQ(mx.scalar_instructions, 0);
}

TEST(NeuronGemm, NonNativeWeightsAreConvertedOnVectorAndScalar) {
  // NC-v3 has no MX mode: MXFP4 weights are dequantized to BF16 in SBUF.
  const ChipSpec chip = trn2();
  const NeuronCoreModel m = model(chip, 1, 1.0 / 8);
  const NeuronBreakdown native = m.gemm_detail(gemm(4, 8192, 1024));
  const NeuronBreakdown mx = m.gemm_detail(gemm(4, 8192, 1024, DType::BF16, DType::MXFP4));
  EXPECT_EQ(native.scalar_instructions, 0);
  EXPECT_GT(mx.scalar_instructions, 0);
  EXPECT_GT(mx.vector_instructions, native.vector_instructions);
  // Fewer weight bytes: 4.25 instead of 16 bits.
  EXPECT_LT(mx.cost.hbm_bytes.value(), 0.3 * native.cost.hbm_bytes.value());
}

TEST(NeuronGemm, Lnc2HalvesAComputeBoundGemm) {
  const ChipSpec chip = trn2();
  const NeuronBreakdown one = model(chip, 1, 1.0 / 8).gemm_detail(gemm(2048, 8192, 1024));
  const NeuronBreakdown two = model(chip, 2, 2.0 / 8).gemm_detail(gemm(2048, 8192, 1024));
  ASSERT_EQ(two.critical, NeuronEngine::Tensor);
  // Each physical core takes half of N: exactly half the TensorE cycles per core.
  EXPECT_NEAR(one.tensor / two.tensor, 2.0, 1e-12);
  EXPECT_NEAR(one.cost.time / two.cost.time, 2.0, 0.05);
  EXPECT_DOUBLE_EQ(two.cost.flops.value(), one.cost.flops.value());
}

TEST(NeuronGemm, WorkingSetThatFitsSbufIsReadOnce) {
  const ChipSpec chip = trn1();
  const NeuronBreakdown b = model(chip, 1, 0.5).gemm_detail(gemm(512, 4096, 1024));
  EXPECT_DOUBLE_EQ(b.reread_bytes.value(), 0);
  EXPECT_DOUBLE_EQ(b.cost.hbm_bytes.value(), (512.0 * 4096 + 4096.0 * 1024 + 512.0 * 1024) * 2);
}

TEST(NeuronGemm, RepeatsScaleWorkLinearly) {
  const ChipSpec chip = trn1();
  const NeuronCoreModel m = model(chip, 1, 0.5);
  GemmOp op = gemm(4, 4096, 1024);
  const NeuronBreakdown one = m.gemm_detail(op);
  op.count = 8;
  const NeuronBreakdown eight = m.gemm_detail(op);
  EXPECT_EQ(eight.matmuls, 8 * one.matmuls);
  EXPECT_DOUBLE_EQ(eight.cost.hbm_bytes.value(), 8 * one.cost.hbm_bytes.value());
  EXPECT_NEAR(eight.tensor / one.tensor, 8.0, 1e-12);
}

TEST(NeuronGemm, TimeNeverDropsAsTheGemmGrows) {
  for (const ChipSpec& chip : {trn1(), trn2()}) {
    const NeuronCoreModel m = model(chip, chip.name == "trainium" ? 1 : 2, 0.25);
    double prev = 0;
    for (int64_t n = 1; n <= 2048; ++n) {
      const double t = m.gemm(gemm(4, 8192, n)).time.value();
      ASSERT_GE(t, prev) << chip.name << " n " << n;
      prev = t;
    }
    prev = 0;
    for (int64_t tokens = 1; tokens <= 2048; ++tokens) {
      const double t = m.gemm(gemm(tokens, 4096, 1024)).time.value();
      ASSERT_GE(t, prev) << chip.name << " m " << tokens;
      prev = t;
    }
  }
}

TEST(NeuronGemm, EmptyOpCostsNothing) {
  const ChipSpec chip = trn1();
  const OpCost c = model(chip, 1, 0.5).gemm(gemm(0, 8192, 320));
  EXPECT_EQ(c.time.value(), 0);
  EXPECT_EQ(c.hbm_bytes.value(), 0);
}

// --- Element-wise -------------------------------------------------------------

TEST(NeuronElementwise, TinyOpIsTheInstructionOverhead) {
  const ChipSpec chip = trn1();
  ElementwiseOp op;
  op.elements = 128;  // one element per partition
  const NeuronBreakdown b = model(chip, 1, 0.5).elementwise_detail(op);
  EXPECT_EQ(b.vector_instructions, 1);
  // 100 cycles static overhead + 1 cycle of work at 1.12 GHz.
  EXPECT_NEAR(b.cost.time.value(), 101 / 1.12e9, 1e-15);
  EXPECT_NEAR(b.cost.overhead.value(), 100 / 1.12e9, 1e-15);
  EXPECT_EQ(b.critical, NeuronEngine::Vector);
}

TEST(NeuronElementwise, BigOpIsThroughput) {
  const ChipSpec chip = trn1();
  ElementwiseOp op;
  op.elements = 128LL * 2048 * 256;  // 256 tiles of 128 x 2048 BF16 (4 KiB/partition)
  const NeuronBreakdown b = model(chip, 1, 0.5).elementwise_detail(op);
  EXPECT_EQ(b.vector_instructions, 256);
  const double cyc = 256 * 100.0 + 128.0 * 2048 * 256 / 128;
  EXPECT_NEAR(b.cost.time.value(), cyc / 1.12e9, 1e-12);
  EXPECT_LT(b.cost.overhead / b.cost.time, 0.05);
}

TEST(NeuronElementwise, ScalarEngineAndPassesFollowTheOp) {
  const ChipSpec chip = trn1();
  const NeuronCoreModel m = model(chip, 1, 0.5);
  ElementwiseOp op;
  op.elements = 128;
  op.engine = ElementwiseEngine::Scalar;
  op.flops_per_element = 8;  // one activation instruction whatever the function
  EXPECT_NEAR(m.elementwise(op).time.value(), 101 / 1.4e9, 1e-15);
  op.engine = ElementwiseEngine::Vector;
  op.flops_per_element = 4;  // two fused two-op passes
  EXPECT_EQ(m.elementwise_detail(op).vector_instructions, 2);
}

TEST(NeuronElementwise, StreamingFromHbmIsDmaBound) {
  const ChipSpec chip = trn1();
  ElementwiseOp op;
  op.elements = 128LL * 2048 * 256;
  op.bytes = Bytes(4.0 * static_cast<double>(op.elements));  // read + write BF16
  const NeuronBreakdown b = model(chip, 1, 0.5).elementwise_detail(op);
  EXPECT_EQ(b.critical, NeuronEngine::Dma);
  // 268 MB in 512 KiB transfers: 512 transfers over 16 queues.
  EXPECT_EQ(b.dma_transfers, 512);
  const double dma = 512.0 / 16 * 1.3e-6 + op.bytes.value() / 272e9;
  EXPECT_NEAR(b.dma.value(), dma, dma * kRel);
}

TEST(NeuronElementwise, Lnc2SplitsTheElements) {
  const ChipSpec chip = trn2();
  ElementwiseOp op;
  op.elements = 128LL * 2048 * 64;
  const double one = model(chip, 1, 1.0 / 8).elementwise(op).time.value();
  const double two = model(chip, 2, 2.0 / 8).elementwise(op).time.value();
  EXPECT_NEAR(one / two, 2.0, 1e-9);
}

// --- Attention ----------------------------------------------------------------

TEST(NeuronAttention, DecodeCountsInstructionsPerHeadGroupAndKvTile) {
  const ChipSpec chip = trn1();
  const NeuronBreakdown b = model(chip, 1, 0.5).attention_detail(decode_attention(1, 1024));
  // One item (1 sequence x 1 KV head, 2 query rows); KV tiles of 512 keys: 2 blocks.
  // Per block TensorE: 1 QK matmul + 4 transposes + 4 PV (128-key sub-blocks) = 9.
  EXPECT_EQ(b.matmuls, 18);
  // VectorE: per block max + O update (4), merges on the 2nd block (2), final
  // reciprocal + scale (2). ScalarE: per block exp + P^T copy (4), 1 correction.
  EXPECT_EQ(b.vector_instructions, 8);
  EXPECT_EQ(b.scalar_instructions, 5);
  // KV: 1024 x 512 B; K and V each 256 KiB in 8 pieces, Q and O one each: 18.
  EXPECT_EQ(b.dma_transfers, 18);
  const double bytes = 1024 * 512 + 2 * (2 * 128 * 2);
  EXPECT_DOUBLE_EQ(b.cost.hbm_bytes.value(), bytes);
  const double dma = 18.0 / 16 * 1.3e-6 + bytes / 272e9;
  EXPECT_NEAR(b.dma.value(), dma, dma * kRel);

  // Busy cycles. VectorE: max 2 x (100 + 512), O update 2 x (100 + 128), merges
  // 2 x 101, reciprocal 101, final scale 228 = 2,211. ScalarE: exp 2 x 612, P^T copy
  // 2 x (100 + 4 x 2), correction 101 = 1,541. TensorE per block: QK 512 + 4 transposes
  // x 64 + 4 PV x 64 (V stationary, moving P^T of 2 rows at the II floor) = 1,024; every
  // LoadStationary (<= 128/4 cycles) hides behind a matmul of >= 64.
  const double vec = 2211 / 1.12e9, sca = 1541 / 1.4e9, ten = 2 * 1024 / 2.8e9;
  EXPECT_NEAR(b.vector.value(), vec, vec * kRel);
  EXPECT_NEAR(b.scalar.value(), sca, sca * kRel);
  EXPECT_NEAR(b.tensor.value(), ten, ten * kRel);
  // One tile per engine: TensorE a block (1,024 cycles), VectorE max + O update
  // (840), ScalarE exp + copy (720), DMA one sync + (Q/O rows + 512 keys) bytes.
  const double t_tile = 1024 / 2.8e9, v_tile = 840 / 1.12e9, s_tile = 720 / 1.4e9;
  const double d_tile = 1.3e-6 + (2 * 256 * 2 + 512 * 512) / 272e9;
  // A single block per item is a chain: VectorE's work plus every other engine's
  // tile (the first KV transfer and the output sync dominate) beats the DMA's.
  const double via_vector = vec + t_tile + s_tile + d_tile;
  ASSERT_GT(via_vector, dma + t_tile + v_tile + s_tile);
  EXPECT_EQ(b.critical, NeuronEngine::Vector);
  EXPECT_NEAR(b.cost.time.value(), via_vector, via_vector * kRel);
  // Small decode: fixed costs (transfer syncs, instruction overheads, fill) are
  // most of the time.
  EXPECT_GT(b.cost.overhead / b.cost.time, 0.5);
}

TEST(NeuronAttention, MoreKvTokensTakeLonger) {
  const ChipSpec chip = trn1();
  const NeuronCoreModel m = model(chip, 1, 0.5);
  double prev = 0;
  for (int64_t kv : {64, 128, 192, 256, 512, 513, 1000, 1024, 1025, 2048, 4096, 16384, 65536}) {
    const double t = m.attention(decode_attention(4, kv)).time.value();
    EXPECT_GT(t, prev) << "kv " << kv;
    prev = t;
  }
}

TEST(NeuronAttention, DecodeTimeNeverDropsAsKvGrows) {
  // Dense sweep across tile boundaries (512-key tiles, 32 KiB DMA pieces), both
  // generations; the critical engine changes along the way.
  for (const ChipSpec& chip : {trn1(), trn2()}) {
    const NeuronCoreModel m = model(chip, chip.name == "trainium" ? 1 : 2, 0.25);
    for (int64_t seqs : {1, 4}) {
      double prev = 0;
      for (int64_t kv = 1; kv <= 3000; ++kv) {
        const double t = m.attention(decode_attention(seqs, kv)).time.value();
        ASSERT_GE(t, prev) << chip.name << " seqs " << seqs << " kv " << kv;
        prev = t;
      }
    }
  }
}

TEST(NeuronAttention, MoreSequencesTakeLonger) {
  const ChipSpec chip = trn2();
  const NeuronCoreModel m = model(chip, 2, 2.0 / 8);
  // With LNC=2 the two cores take whole sequences: 3 and 4 sequences both put 2
  // on the busier core, so the time may stay flat but never drop.
  double prev = 0;
  for (int64_t seqs : {1, 2, 3, 4, 8, 16}) {
    const double t = m.attention(decode_attention(seqs, 1024)).time.value();
    EXPECT_GE(t, prev) << "seqs " << seqs;
    prev = t;
  }
  EXPECT_GT(m.attention(decode_attention(16, 1024)).time.value(),
            1.5 * m.attention(decode_attention(4, 1024)).time.value());
}

TEST(NeuronAttention, SmallHeadDimUnderFillsTheArray) {
  const ChipSpec chip = trn1();
  const NeuronCoreModel m = model(chip, 1, 0.5);
  AttentionOp a;
  a.seqs = 1;
  a.q_tokens = 2048;
  a.pairs = 2048.0 * 2049 / 2;
  a.heads = 8;
  a.kv_heads = 8;
  const NeuronBreakdown d128 = m.attention_detail(a);
  a.head_dim_qk = a.head_dim_v = 64;
  const NeuronBreakdown d64 = m.attention_detail(a);
  // Half the FLOPs, but QK^T contracts over 64 of 128 rows at the same cycles.
  EXPECT_DOUBLE_EQ(d64.cost.flops.value(), 0.5 * d128.cost.flops.value());
  EXPECT_GT(d64.tensor / d128.tensor, 0.7);
}

TEST(NeuronAttention, PrefillKvThatOverflowsSbufIsReReadPerQueryTile) {
  const ChipSpec chip = trn1();
  const NeuronCoreModel m = model(chip, 1, 0.5);
  AttentionOp a;
  a.seqs = 1;
  a.heads = 1;
  a.kv_heads = 1;
  a.kv_bytes_per_token = 512;
  a.q_tokens = 8192;  // K+V = 4 MiB: fits the 12 MiB budget
  a.pairs = 8192.0 * 8193 / 2;
  EXPECT_DOUBLE_EQ(m.attention_detail(a).reread_bytes.value(), 0);
  a.q_tokens = 65536;  // 32 MiB: streamed once per query tile
  a.pairs = 65536.0 * 65537 / 2;
  EXPECT_GT(m.attention_detail(a).reread_bytes.value(), 0);
}

// --- Construction ---------------------------------------------------------------

TEST(NeuronModel, CreateRejectsRanksItCannotCost) {
  ChipSpec chip = trn1();
  EXPECT_FALSE(NeuronCoreModel::create(RankResources{nullptr, 1, 0.5}).ok());
  auto lnc2 = NeuronCoreModel::create(RankResources{&chip, 2, 1.0});
  ASSERT_FALSE(lnc2.ok());
  EXPECT_EQ(lnc2.error().kind, ErrorKind::BadInput);
  EXPECT_NE(lnc2.error().message.find("--lnc"), std::string::npos);
  EXPECT_FALSE(NeuronCoreModel::create(RankResources{&chip, 1, 0.0}).ok());
  chip.neuron_core->dma_bandwidth_per_engine = BytesPerSecond(0);
  auto no_dma = NeuronCoreModel::create(RankResources{&chip, 1, 0.5});
  ASSERT_FALSE(no_dma.ok());
  EXPECT_NE(no_dma.error().message.find("dma_bandwidth_per_engine"), std::string::npos);
  chip.neuron_core.reset();
  EXPECT_FALSE(NeuronCoreModel::create(RankResources{&chip, 1, 0.5}).ok());
}

TEST(NeuronModel, IsADeviceModel) {
  const ChipSpec chip = trn2();
  auto m = NeuronCoreModel::create(RankResources{&chip, 2, 0.25});
  ASSERT_TRUE(m.ok());
  const DeviceModel& dm = *m;
  EXPECT_EQ(dm.name(), "neuron-core");
  const OpCost c = dm.gemm(gemm(4, 8192, 160));
  EXPECT_GE(c.time.value(), std::max(c.compute.value(), c.memory.value()));
  EXPECT_LE(c.overhead.value(), c.time.value());
}

}  // namespace
}  // namespace tessera
