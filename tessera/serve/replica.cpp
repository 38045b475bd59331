#include "tessera/serve/replica.h"

#include <algorithm>
#include <limits>
#include <span>

namespace tessera::serve {

Replica::Replica(const SchedulerConfig& cfg, int32_t index)
    : cfg_(cfg), free_blocks_(cfg.kv_blocks), accept_rng_(cfg.seed ^ (0xA5A5A5A5ULL * (uint64_t(index) + 1))) {
  if (cfg.prefix_block_tokens > 0) {
    // The cache keeps whole KV blocks: an entry covers the prefix block's full KV blocks.
    const int64_t blocks = cfg.prefix_block_tokens / cfg.block_tokens;
    entry_tokens_ = blocks * cfg.block_tokens;
    if (blocks > 0) cache_ = PrefixCache(entry_tokens_, blocks, cfg.kv_blocks / blocks + 1);
  }
}

ReplicaStats Replica::stats() const {
  ReplicaStats s = stats_;
  s.prefix_evictions = cache_.evictions();
  return s;
}

bool Replica::take(int64_t blocks) {
  while (free_blocks_ < blocks) {
    const int64_t freed = cache_.evict_one();
    if (freed == 0) return false;
    free_blocks_ += freed;
  }
  free_blocks_ -= blocks;
  return true;
}

int64_t Replica::cacheable_blocks(const LiveRequest& r) const {
  if (!cache_.enabled()) return 0;
  const int64_t n = std::min<int64_t>(static_cast<int64_t>(r.prefix.size()), r.input_tokens / cfg_.prefix_block_tokens);
  // When a prefix block is not a whole number of KV blocks, entries cover only part
  // of their block, so only the first is contiguous with the prompt start.
  return cfg_.prefix_block_tokens == entry_tokens_ ? n : std::min<int64_t>(n, 1);
}

void Replica::release_kv(LiveRequest& r) {
  free_blocks_ += r.blocks;
  r.blocks = 0;
  // Last block first, so that LRU eviction takes a chain from its tail and the
  // shared head of a prefix stays usable longest (as vLLM frees blocks).
  for (int64_t i = r.prefix_refs - 1; i >= 0; --i) cache_.release(r.prefix[i]);
  r.prefix_refs = 0;
}

// The request's full prefix blocks now hold computed KV: pin or hand them to the cache.
void Replica::publish_prefix(LiveRequest& r) {
  const int64_t n = cacheable_blocks(r);
  for (int64_t i = r.prefix_refs; i < n; ++i) {
    const uint64_t h = r.prefix[i];
    if (!cache_.acquire(h)) {
      cache_.insert(h);  // our private blocks become the entry's
    } else {
      free_blocks_ += cache_.blocks_per_entry();  // computed twice: drop our copy
    }
    r.blocks -= cache_.blocks_per_entry();
    ++r.prefix_refs;
  }
}

bool Replica::build_batch(double now, std::vector<LiveRequest>& reqs) {
  batch_.clear();
  shape_ = BatchShape{};
  draft_prefill_ = BatchShape{};
  draft_decode_ = BatchShape{};
  int64_t budget = cfg_.max_tokens;
  if (cfg_.chunked_prefill) {
    schedule_decodes(reqs, budget);
    continue_prefills(reqs, budget);
    admit(now, reqs, budget, AdmitKind::Any);
  } else {
    // vLLM V0's default scheduler (vllm/core/scheduler.py, Scheduler._schedule_default):
    // waiting prompts are scheduled first against a budget that holds prompt tokens
    // only ("Don't schedule decodes if prefills are scheduled"), so a step either
    // prefills or decodes. A prompt as long as the budget is therefore admitted while
    // decodes run (they pause for that step).
    admit(now, reqs, budget, AdmitKind::Prompts);
    if (shape_.prefill_seqs == 0) {
      budget = cfg_.max_tokens;
      schedule_decodes(reqs, budget);
      admit(now, reqs, budget, AdmitKind::TransferredKv);
    }
  }
  const double used = static_cast<double>(cfg_.kv_blocks - available()) / static_cast<double>(cfg_.kv_blocks);
  stats_.kv_peak_fraction = std::max(stats_.kv_peak_fraction, used);
  return !batch_.empty();
}

bool Replica::steady_decode_batch() const {
  return cfg_.spec_tokens == 0 && shape_.prefill_seqs == 0 && !batch_.empty() && batch_.size() == running_.size();
}

int64_t Replica::steady_decode_steps(const std::vector<LiveRequest>& reqs) const {
  // No request may finish inside the run: it ends before the step that produces
  // some request's last token.
  int64_t hi = std::numeric_limits<int64_t>::max();
  for (const Scheduled& s : batch_) {
    const LiveRequest& r = reqs[s.slot];
    hi = std::min(hi, r.output_tokens - r.generated - 1);
  }
  // KV for all of it must be free now, so that no step of the run preempts. The
  // step already built holds KV for context + 1 tokens; k steps need context + k.
  const int64_t avail = available();
  auto need = [&](int64_t k) {
    int64_t total = 0;
    for (const Scheduled& s : batch_) {
      const LiveRequest& r = reqs[s.slot];
      total += extra_blocks(r, r.context + k);
    }
    return total;
  };
  if (hi <= 1) return std::max<int64_t>(hi, 0);
  if (need(2) > avail) return 1;  // a full cache: runs of one step, not worth a search
  if (need(hi) <= avail) return hi;
  int64_t lo = 2;
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (need(mid) <= avail ? lo : hi) = mid;
  }
  return lo;
}

void Replica::advance_decodes(int64_t steps, double first_end, double last_end, std::vector<LiveRequest>& reqs,
                              GapRecorder& gaps) {
  for (const Scheduled& s : batch_) {
    LiveRequest& r = reqs[s.slot];
    gaps.add(first_end - r.last_token_s);
    const int64_t need = extra_blocks(r, r.context + steps);
    take(need);
    r.blocks += need;
    r.context += steps;
    r.generated += steps;
    r.last_token_s = last_end;
  }
  tokens_produced_ += steps * static_cast<int64_t>(batch_.size());
  const double used = static_cast<double>(cfg_.kv_blocks - available()) / static_cast<double>(cfg_.kv_blocks);
  stats_.kv_peak_fraction = std::max(stats_.kv_peak_fraction, used);
}

void Replica::schedule_decodes(std::vector<LiveRequest>& reqs, int64_t& budget) {
  const int64_t step = 1 + cfg_.spec_tokens;
  for (size_t i = 0; i < running_.size() && budget >= step; ++i) {
    const int32_t slot = running_[i];
    LiveRequest& r = reqs[slot];
    if (r.context < r.prompt) continue;  // still prefilling (sarathi): pass 2
    const int64_t need = extra_blocks(r, r.context + step);
    bool self_preempted = false;
    while (need > available()) {
      const int32_t victim = running_.back();
      running_.pop_back();
      preempt(victim, reqs[victim]);
      if (victim == slot) {
        self_preempted = true;
        break;
      }
    }
    if (self_preempted) break;  // it was the last running request
    take(need);
    r.blocks += need;
    add_decode(slot, r, budget);
  }
}

// One decode (or speculative verification) of `r` into the batch.
void Replica::add_decode(int32_t slot, const LiveRequest& r, int64_t& budget) {
  const int k = cfg_.spec_tokens;
  if (k == 0) {
    batch_.push_back(Scheduled{slot, false, 1});
    --budget;
    ++shape_.decode_seqs;
    shape_.decode_kv_tokens += r.context + 1;
    return;
  }
  // The draft proposes k tokens one at a time; the target verifies the last token
  // and the k drafts in one pass: a chunk of k + 1 tokens after `context`. Drafts are
  // accepted i.i.d. with probability p up to the first rejection; the target adds one
  // token of its own (the correction, or a bonus when all k pass), so a step yields
  // (1 - p^(k+1)) / (1 - p) tokens on average (Leviathan et al. 2023, eq. 1).
  int64_t accepted = 0;
  while (accepted < k && accept_rng_.uniform() < cfg_.spec_acceptance) ++accepted;
  stats_.spec_proposed += k;
  stats_.spec_accepted += accepted;
  const int64_t tokens = std::min<int64_t>(accepted + 1, r.output_tokens - r.generated);
  batch_.push_back(Scheduled{slot, false, tokens});
  budget -= k + 1;
  ++shape_.prefill_seqs;
  shape_.prefill_tokens += k + 1;
  shape_.prefill_context += r.context;
  shape_.prefill_pairs += causal_pairs(r.context, k + 1);
  ++draft_decode_.decode_seqs;
  draft_decode_.decode_kv_tokens += r.context + 1;
}

void Replica::continue_prefills(std::vector<LiveRequest>& reqs, int64_t& budget) {
  for (size_t i = 0; i < running_.size() && budget > 0; ++i) {
    const LiveRequest& r = reqs[running_[i]];
    if (r.context >= r.prompt) continue;
    const int64_t chunk = std::min(r.prompt - r.context, budget);
    add_prefill(running_[i], r, chunk);
    budget -= chunk;
  }
}

// Pins the cached prefix, reserves KV and sets the first chunk; false (nothing
// changed) when the KV does not fit or the prompt must wait for a later iteration.
bool Replica::admit_prefill(LiveRequest& r, int64_t& chunk, int64_t budget) {
  const int64_t hashes = cacheable_blocks(r);
  int64_t matched = 0;
  if (hashes > 0) {
    matched = cache_.match(std::span<const uint64_t>(r.prefix.data(), static_cast<size_t>(hashes)));
    for (int64_t i = 0; i < matched; ++i) cache_.acquire(r.prefix[i]);
  }
  r.prefix_refs = matched;
  // At least the last prompt token is computed: its logits give the next token.
  const int64_t cached = std::min(matched * entry_tokens_, r.prompt - 1);
  chunk = r.prompt - cached;
  bool fits = true;
  if (chunk > budget) {
    if (cfg_.chunked_prefill) {
      chunk = budget;
    } else if (!(r.prompt - cached > cfg_.max_tokens && shape_.prefill_seqs == 0)) {
      fits = false;  // FCFS: the head waits for a later iteration, nobody overtakes it
    }
  }
  const int64_t reserve = cfg_.guaranteed_admission ? peak_tokens(r) : r.prompt;
  const int64_t need = extra_blocks(r, reserve);
  if (fits && need <= available()) {
    take(need);
    r.blocks += need;
    r.context = cached;
    stats_.prefill_prompt_tokens += r.prompt;
    stats_.prefix_hit_tokens += cached;
    if (r.cached_tokens < 0) r.cached_tokens = cached;
    return true;
  }
  for (int64_t i = matched - 1; i >= 0; --i) cache_.release(r.prefix[i]);
  r.prefix_refs = 0;
  return false;
}

void Replica::admit(double now, std::vector<LiveRequest>& reqs, int64_t& budget, AdmitKind kind) {
  while (!waiting_.empty() && budget > 0 && static_cast<int64_t>(running_.size()) < cfg_.max_batch) {
    const int32_t slot = waiting_.front();
    LiveRequest& r = reqs[slot];
    const bool transferred = r.context > 0 && r.context == r.prompt;
    if (transferred ? kind == AdmitKind::Prompts : kind == AdmitKind::TransferredKv) break;
    if (transferred) {
      // KV transferred from a prefill pool: straight into this iteration's decodes.
      const int64_t step = 1 + cfg_.spec_tokens;
      if (budget < step) break;
      const int64_t need = extra_blocks(r, cfg_.guaranteed_admission ? peak_tokens(r) : r.context + step);
      if (need > available()) break;
      take(need);
      r.blocks += need;
      waiting_.pop_front();
      running_.push_back(slot);
      add_decode(slot, r, budget);
      continue;
    }
    int64_t chunk = 0;
    if (!admit_prefill(r, chunk, budget)) break;
    waiting_.pop_front();
    running_.push_back(slot);
    if (r.admitted_s < 0) r.admitted_s = now;
    add_prefill(slot, r, chunk);
    budget -= std::min(chunk, budget);
  }
}

void Replica::add_prefill(int32_t slot, const LiveRequest& r, int64_t chunk) {
  batch_.push_back(Scheduled{slot, true, chunk});
  ++shape_.prefill_seqs;
  shape_.prefill_tokens += chunk;
  shape_.prefill_context += r.context;
  shape_.prefill_pairs += causal_pairs(r.context, chunk);
  if (cfg_.spec_tokens > 0) {
    // The draft model builds its own KV of the prompt alongside.
    ++draft_prefill_.prefill_seqs;
    draft_prefill_.prefill_tokens += chunk;
    draft_prefill_.prefill_context += r.context;
    draft_prefill_.prefill_pairs += causal_pairs(r.context, chunk);
  }
}

void Replica::preempt(int32_t slot, LiveRequest& r) {
  release_kv(r);
  r.context = 0;
  r.prompt = r.input_tokens + r.generated;
  ++r.preemptions;
  ++stats_.preemptions;
  waiting_.push_front(slot);
}

void Replica::account(const IterationCost& c, double draft_s) {
  ++stats_.iterations;
  stats_.busy_s += c.total.value();
  stats_.draft_s += draft_s;
  IterationCost& t = stats_.time_breakdown;
  t.total += c.total;
  t.weight_read += c.weight_read;
  t.gemm_compute += c.gemm_compute;
  t.kv_read += c.kv_read;
  t.attention_compute += c.attention_compute;
  t.elementwise += c.elementwise;
  t.collective += c.collective;
  t.overhead += c.overhead;
  t.flops += c.flops;
  t.hbm_bytes += c.hbm_bytes;
}

void Replica::finish_iteration(double t_end, std::vector<LiveRequest>& reqs, GapRecorder& gaps,
                               std::vector<int32_t>& done, std::vector<int32_t>& handoff) {
  bool left = false;
  for (const Scheduled& s : batch_) {
    LiveRequest& r = reqs[s.slot];
    if (s.prefill) {
      r.context += s.new_tokens;
      if (r.context < r.prompt) continue;  // a chunk: no token yet
      publish_prefix(r);
    } else {
      r.context += s.new_tokens;  // the fed-back token and the accepted drafts
    }
    // Tokens of one step reach the user together: the first waited the step, the rest 0.
    for (int64_t t = 0; t < (s.prefill ? 1 : s.new_tokens); ++t) {
      if (r.generated == 0) {
        r.first_token_s = t_end;
        r.prefill_end_s = t_end;
      } else {
        gaps.add(t == 0 ? t_end - r.last_token_s : 0.0);
      }
      ++r.generated;
      ++tokens_produced_;
    }
    r.last_token_s = t_end;
    if (r.generated == r.output_tokens) {
      release_kv(r);
      done.push_back(s.slot);
      left = true;
    } else if (cfg_.handoff_after_prefill && s.prefill) {
      release_kv(r);
      outstanding_tokens_ -= r.input_tokens + r.output_tokens;
      ++stats_.completed;
      handoff.push_back(s.slot);
      left = true;
    }
  }
  if (!left) return;
  std::erase_if(running_, [&](int32_t slot) {
    const LiveRequest& r = reqs[slot];
    return r.generated == r.output_tokens || (cfg_.handoff_after_prefill && r.context == r.prompt);
  });
}

bool Replica::kv_consistent(const std::vector<LiveRequest>& reqs) const {
  int64_t held = 0;
  for (int32_t slot : running_) {
    if (reqs[slot].blocks < 0) return false;
    held += reqs[slot].blocks;
  }
  for (int32_t slot : waiting_) {
    if (reqs[slot].blocks != 0 || reqs[slot].prefix_refs != 0) return false;
  }
  return free_blocks_ >= 0 && held + cache_.held_blocks() + free_blocks_ == cfg_.kv_blocks;
}

}  // namespace tessera::serve
