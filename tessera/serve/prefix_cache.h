// Automatic prefix caching for one replica (as vLLM's APC): KV of full prompt
// blocks is kept after the request that computed it, keyed by the block's prefix
// hash (a hash that identifies the whole prefix up to and including the block, as
// Mooncake's `hash_ids` do). Entries referenced by running requests are pinned;
// unreferenced ones stay cached and are evicted least recently used first when the
// replica needs KV blocks. One entry covers `tokens_per_entry` tokens and holds
// `blocks_per_entry` KV blocks of the replica's paged cache.
//
// Allocates only at construction: at most max_entries entries exist (the replica's
// KV blocks / blocks_per_entry), the hash index is an open-addressing table sized
// for them, and the LRU list is intrusive (indices into the entry table).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tessera::serve {

class PrefixCache {
 public:
  PrefixCache() = default;
  PrefixCache(int64_t tokens_per_entry, int64_t blocks_per_entry, int64_t max_entries);

  [[nodiscard]] bool enabled() const { return tokens_per_entry_ > 0; }
  [[nodiscard]] int64_t tokens_per_entry() const { return tokens_per_entry_; }
  [[nodiscard]] int64_t blocks_per_entry() const { return blocks_per_entry_; }

  // Leading hashes found in the cache (a chain: matching stops at the first miss).
  [[nodiscard]] int64_t match(std::span<const uint64_t> hashes) const;
  // Takes a reference on the cached entry for `hash` (pins it). False if absent.
  bool acquire(uint64_t hash);
  // Inserts `hash` pinned by one reference; the caller hands over blocks_per_entry KV blocks.
  void insert(uint64_t hash);
  // Drops one reference; an entry with none left becomes evictable (most recent).
  void release(uint64_t hash);
  // Evicts the least recently used unreferenced entry; returns the KV blocks freed (0 if none).
  int64_t evict_one();

  [[nodiscard]] bool contains(uint64_t hash) const { return find(hash) >= 0; }
  [[nodiscard]] int64_t entries() const { return live_; }
  [[nodiscard]] int64_t held_blocks() const { return entries() * blocks_per_entry_; }
  [[nodiscard]] int64_t evictable_blocks() const { return evictable_ * blocks_per_entry_; }
  [[nodiscard]] int64_t evictions() const { return evictions_; }

 private:
  struct Entry {
    uint64_t hash = 0;
    int32_t refs = 0;
    int32_t prev = -1, next = -1;  // LRU list of unreferenced entries
  };
  void lru_push_back(int32_t e);
  void lru_unlink(int32_t e);
  // Open addressing with linear probing; slots hold entry indices, -1 when empty.
  [[nodiscard]] size_t home(uint64_t hash) const;
  [[nodiscard]] int32_t find(uint64_t hash) const;  // entry index or -1
  void index_insert(int32_t e);
  void index_erase(uint64_t hash);

  int64_t tokens_per_entry_ = 0;
  int64_t blocks_per_entry_ = 0;
  std::vector<int32_t> slots_;
  size_t mask_ = 0;
  std::vector<Entry> table_;
  int64_t live_ = 0;
  std::vector<int32_t> free_entries_;
  int32_t lru_head_ = -1, lru_tail_ = -1;  // head: least recently used
  int64_t evictable_ = 0;
  int64_t evictions_ = 0;
};

}  // namespace tessera::serve
