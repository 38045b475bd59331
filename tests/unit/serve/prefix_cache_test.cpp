#include "tessera/serve/prefix_cache.h"

#include <gtest/gtest.h>

#include <map>

#include "tessera/core/rng.h"

namespace tessera::serve {
namespace {

TEST(PrefixCache, MatchIsAChainThatStopsAtTheFirstMiss) {
  PrefixCache c(512, 32, 10);
  c.insert(1);
  c.insert(2);
  c.insert(4);
  const std::vector<uint64_t> h = {1, 2, 3, 4};
  EXPECT_EQ(c.match(h), 2);
  EXPECT_EQ(c.entries(), 3);
  EXPECT_EQ(c.held_blocks(), 96);
  EXPECT_EQ(c.evictable_blocks(), 0);  // all pinned by their inserter
}

TEST(PrefixCache, EvictsLeastRecentlyReleasedUnpinnedEntries) {
  PrefixCache c(16, 1, 8);
  for (uint64_t h : {10, 11, 12}) c.insert(h);
  EXPECT_EQ(c.evict_one(), 0);  // everything pinned
  c.release(11);
  c.release(10);
  c.release(12);
  EXPECT_EQ(c.evictable_blocks(), 3);
  ASSERT_TRUE(c.acquire(11));  // pinned again: not evictable, and most recent once released
  c.release(11);
  EXPECT_EQ(c.evict_one(), 1);
  EXPECT_FALSE(c.contains(10));
  EXPECT_EQ(c.evict_one(), 1);
  EXPECT_FALSE(c.contains(12));
  EXPECT_TRUE(c.contains(11));
  EXPECT_EQ(c.evictions(), 2);
  EXPECT_EQ(c.entries(), 1);
}

// The open-addressing index against std::map over random inserts and evictions.
TEST(PrefixCache, IndexAgreesWithAMapUnderChurn) {
  PrefixCache c(16, 1, 64);
  std::map<uint64_t, int> ref;  // hash -> pins
  Rng rng(3);
  for (int step = 0; step < 20000; ++step) {
    const uint64_t h = rng.next_u64() % 200;
    if (!ref.contains(h)) {
      if (static_cast<int64_t>(ref.size()) >= 64) {
        // Make room: unpin everything, evict one.
        for (auto& [k, pins] : ref) {
          while (pins > 0) {
            c.release(k);
            --pins;
          }
        }
        ASSERT_EQ(c.evict_one(), 1);
        for (auto it = ref.begin(); it != ref.end(); ++it) {
          if (!c.contains(it->first)) {
            ref.erase(it);
            break;
          }
        }
        ASSERT_EQ(static_cast<int64_t>(ref.size()), c.entries());
      }
      c.insert(h);
      ref[h] = 1;
    } else if (ref[h] > 0 && rng.uniform() < 0.5) {
      c.release(h);
      --ref[h];
    } else {
      ASSERT_TRUE(c.acquire(h));
      ++ref[h];
    }
  }
  for (uint64_t h = 0; h < 200; ++h) EXPECT_EQ(c.contains(h), ref.contains(h)) << h;
}

}  // namespace
}  // namespace tessera::serve
