#include "tessera/serve/prefix_cache.h"

#include <algorithm>
#include <cassert>

namespace tessera::serve {

PrefixCache::PrefixCache(int64_t tokens_per_entry, int64_t blocks_per_entry, int64_t max_entries)
    : tokens_per_entry_(tokens_per_entry), blocks_per_entry_(blocks_per_entry) {
  size_t cap = 16;
  while (cap < 2 * static_cast<size_t>(std::max<int64_t>(max_entries, 1))) cap *= 2;
  slots_.assign(cap, -1);
  mask_ = cap - 1;
  table_.reserve(static_cast<size_t>(std::max<int64_t>(max_entries, 1)));
  free_entries_.reserve(table_.capacity());
}

size_t PrefixCache::home(uint64_t hash) const {
  // Trace hashes are small consecutive ids: mix them so that probes stay short.
  uint64_t z = hash + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return static_cast<size_t>(z ^ (z >> 31)) & mask_;
}

int32_t PrefixCache::find(uint64_t hash) const {
  if (slots_.empty()) return -1;
  for (size_t i = home(hash);; i = (i + 1) & mask_) {
    const int32_t e = slots_[i];
    if (e < 0) return -1;
    if (table_[e].hash == hash) return e;
  }
}

void PrefixCache::index_insert(int32_t e) {
  size_t i = home(table_[e].hash);
  while (slots_[i] >= 0) i = (i + 1) & mask_;
  slots_[i] = e;
}

// Linear-probing deletion by backward shift: no tombstones, probes stay short.
void PrefixCache::index_erase(uint64_t hash) {
  size_t i = home(hash);
  while (table_[slots_[i]].hash != hash) i = (i + 1) & mask_;
  for (size_t j = (i + 1) & mask_; slots_[j] >= 0; j = (j + 1) & mask_) {
    const size_t h = home(table_[slots_[j]].hash);
    // Move j back to i unless its home lies cyclically in (i, j].
    const bool stays = i <= j ? (i < h && h <= j) : (i < h || h <= j);
    if (!stays) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = -1;
}

int64_t PrefixCache::match(std::span<const uint64_t> hashes) const {
  int64_t n = 0;
  for (uint64_t h : hashes) {
    if (find(h) < 0) break;
    ++n;
  }
  return n;
}

bool PrefixCache::acquire(uint64_t hash) {
  const int32_t e = find(hash);
  if (e < 0) return false;
  if (table_[e].refs++ == 0) {
    lru_unlink(e);
    --evictable_;
  }
  return true;
}

void PrefixCache::insert(uint64_t hash) {
  assert(find(hash) < 0);
  int32_t e;
  if (free_entries_.empty()) {
    e = static_cast<int32_t>(table_.size());
    table_.emplace_back();
  } else {
    e = free_entries_.back();
    free_entries_.pop_back();
  }
  table_[e] = Entry{hash, 1, -1, -1};
  ++live_;
  if (static_cast<size_t>(live_) * 2 > slots_.size()) {
    // More entries than the KV cache can hold was not expected; grow rather than fail.
    std::vector<int32_t> old(slots_.size() * 2, -1);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    for (int32_t s : old) {
      if (s >= 0) index_insert(s);
    }
  }
  index_insert(e);
}

void PrefixCache::release(uint64_t hash) {
  const int32_t e = find(hash);
  assert(e >= 0 && table_[e].refs > 0);
  if (--table_[e].refs == 0) {
    lru_push_back(e);
    ++evictable_;
  }
}

int64_t PrefixCache::evict_one() {
  if (lru_head_ < 0) return 0;
  const int32_t e = lru_head_;
  lru_unlink(e);
  --evictable_;
  index_erase(table_[e].hash);
  free_entries_.push_back(e);
  --live_;
  ++evictions_;
  return blocks_per_entry_;
}

void PrefixCache::lru_push_back(int32_t e) {
  table_[e].prev = lru_tail_;
  table_[e].next = -1;
  if (lru_tail_ >= 0) table_[lru_tail_].next = e;
  else lru_head_ = e;
  lru_tail_ = e;
}

void PrefixCache::lru_unlink(int32_t e) {
  Entry& x = table_[e];
  if (x.prev >= 0) table_[x.prev].next = x.next;
  else lru_head_ = x.next;
  if (x.next >= 0) table_[x.next].prev = x.prev;
  else lru_tail_ = x.prev;
  x.prev = x.next = -1;
}

}  // namespace tessera::serve
