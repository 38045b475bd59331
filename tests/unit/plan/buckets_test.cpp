#include "tessera/plan/buckets.h"

#include <gtest/gtest.h>

#include "plan_test_util.h"


namespace tessera {

using testing::bucket_ladder;
using testing::decode_batch;
using testing::prefill_batch;


TEST(Buckets, PowerOfTwoLadderEndsAtTheMaximum) {
  EXPECT_EQ(power_of_two_buckets(128, 4096), (std::vector<int64_t>{128, 256, 512, 1024, 2048, 4096}));
  EXPECT_EQ(power_of_two_buckets(128, 3000), (std::vector<int64_t>{128, 256, 512, 1024, 2048, 3000}));
  EXPECT_EQ(power_of_two_buckets(128, 100), (std::vector<int64_t>{100}));
}

TEST(Buckets, PromptPadsToTheNextContextBucketWithItsCausalPairs) {
  // 300 tokens -> the 512 bucket: 512 tokens, 512 * 513 / 2 = 131,328 pairs.
  const BatchShape p = pad_to_buckets(prefill_batch(1, 300), bucket_ladder());
  EXPECT_EQ(p.prefill_tokens, 512);
  EXPECT_DOUBLE_EQ(p.prefill_pairs, 131328.0);
  // Two prompts of 300: each padded, 1,024 tokens and twice the pairs.
  const BatchShape q = pad_to_buckets(prefill_batch(2, 600), bucket_ladder());
  EXPECT_EQ(q.prefill_tokens, 1024);
  EXPECT_DOUBLE_EQ(q.prefill_pairs, 2 * 131328.0);
  // On a bucket: unchanged.
  const BatchShape r = pad_to_buckets(prefill_batch(1, 256), bucket_ladder());
  EXPECT_EQ(r.prefill_tokens, 256);
  EXPECT_DOUBLE_EQ(r.prefill_pairs, causal_pairs(0, 256));
}

TEST(Buckets, DecodePadsBatchAndKvLength) {
  // 3 sequences with 600 KV entries (mean 200): batch bucket 4, KV bucket 256 per line.
  const BatchShape p = pad_to_buckets(decode_batch(3, 600), bucket_ladder());
  EXPECT_EQ(p.decode_seqs, 4);
  EXPECT_EQ(p.decode_kv_tokens, 4 * 256);
}

TEST(Buckets, UnbucketedOrOversizedDimensionsAreLeftAlone) {
  const BatchShape b = decode_batch(3, 600);
  const BatchShape same = pad_to_buckets(b, CompiledBuckets{});
  EXPECT_EQ(same.decode_seqs, 3);
  EXPECT_EQ(same.decode_kv_tokens, 600);
  const BatchShape big = pad_to_buckets(prefill_batch(1, 2000), bucket_ladder());  // past the last bucket
  EXPECT_EQ(big.prefill_tokens, 2000);
  CompiledBuckets only_batch;
  only_batch.decode_batch = {8};
  const BatchShape nb = pad_to_buckets(decode_batch(3, 600), only_batch);
  EXPECT_EQ(nb.decode_seqs, 8);
  EXPECT_EQ(nb.decode_kv_tokens, 8 * 200);  // each padded line reads the mean KV length
}

}  // namespace tessera
