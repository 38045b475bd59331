// One serving replica: a vLLM-style continuous-batching scheduler over a paged KV
// cache. Without chunking ("vllm", vLLM V0's default scheduler) a step either
// prefills or decodes: waiting prompts are admitted first (step 3 below, the token
// budget counting prompt tokens only), and only when none is admitted do the running
// requests decode (step 1). With chunking ("sarathi") each iteration schedules, in order:
//   1. running decodes, one token each (or, with speculative decoding, one
//      verification of k drafted tokens), in admission order. A decode that needs a
//      new KV block when none is free preempts the most recently admitted running
//      request by recompute (its blocks are freed and it goes to the front of the
//      waiting queue; later it re-prefills prompt + generated tokens), repeating
//      until the block is free or the request preempted itself;
//   2. (chunked prefill, "sarathi") the next chunk of running requests whose
//      prefill is unfinished;
//   3. waiting requests, FCFS, while the sequence cap (max_batch), the token budget
//      (max_tokens) and the free KV blocks allow. "optimistic" admission (vLLM)
//      reserves blocks for the (re)prefill only, so partial prefills never deadlock
//      on KV but decodes may preempt; "guaranteed" admission (TensorRT-LLM's
//      GUARANTEED_NO_EVICT) reserves input + output - 1 (+ k drafts) tokens up front,
//      so nothing is ever preempted. Without chunking a prompt is admitted only
//      whole; one longer than max_tokens is admitted when it is the iteration's
//      first prefill, as vLLM raises max_num_batched_tokens to max_model_len. With
//      chunking a prompt is cut to fit the remaining budget.
//      A request whose KV arrived from a prefill pool (disaggregated serving) needs
//      no prefill: it is admitted straight into this iteration's decodes.
// Prefix caching (prefix_cache.h): at admission the leading prefix blocks found in
// the cache are pinned and their tokens skip prefill (they become prefill context);
// when a prefill completes, the request's full prefix blocks are published.
// Token accounting: a (re)prefill of P tokens writes P KV entries and produces one
// output token; decode step k (input = output token k) writes one entry, so KV length
// is input + k, and produces token k + 1. A verification step that accepts a drafts
// writes a + 1 entries and produces a + 1 tokens.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "tessera/core/rng.h"
#include "tessera/plan/batch.h"
#include "tessera/serve/prefix_cache.h"
#include "tessera/serve/stats.h"

namespace tessera {

struct ReplicaStats {
  int64_t iterations = 0;
  double busy_s = 0;
  int64_t preemptions = 0;
  double kv_peak_fraction = 0;
  IterationCost time_breakdown;  // summed over iterations (target and draft model)
  int64_t completed = 0;         // finished here (a prefill pool counts hand-offs)
  // Prefix caching: prompt tokens of every (re)prefill admitted, and those found cached.
  int64_t prefill_prompt_tokens = 0, prefix_hit_tokens = 0;
  int64_t prefix_evictions = 0;
  // Speculative decoding: drafted tokens proposed and accepted by the target.
  int64_t spec_proposed = 0, spec_accepted = 0;
  double draft_s = 0;            // part of busy_s spent in the draft model
};

namespace serve {

// One request while it is in the system. Slots are reused after completion, so the
// table grows with requests in flight, not with requests served.
struct LiveRequest {
  int64_t id = 0;
  double arrival_s = 0;
  double admitted_s = -1;     // first scheduled
  double prefill_end_s = -1;  // end of the iteration that produced the first token
  double first_token_s = -1;  // delivered to the user (disaggregated: after the KV transfer)
  double last_token_s = 0;
  double kv_transfer_s = 0;   // prefill pool -> decode pool
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t generated = 0;      // output tokens produced so far
  int64_t context = 0;        // tokens whose KV is computed
  int64_t prompt = 0;         // tokens the current (re)prefill covers: input + generated at admission
  int64_t blocks = 0;         // private KV blocks held (prefix-cache blocks are the cache's)
  int64_t prefix_refs = 0;    // leading prefix blocks pinned in the cache
  int64_t cached_tokens = -1; // prompt tokens found in the prefix cache at first admission
  std::vector<uint64_t> prefix;  // prefix block hashes (capacity reused with the slot)
  int32_t preemptions = 0;
  int32_t replica = -1;       // where it was first scheduled (prefill replica when disaggregated)
  int32_t decode_replica = -1;
};

struct SchedulerConfig {
  bool chunked_prefill = false;  // "sarathi"
  bool guaranteed_admission = false;
  int max_batch = 256;
  int64_t max_tokens = 8192;     // per-iteration token budget (sarathi: --chunk-tokens)
  int64_t kv_blocks = 0;
  int block_tokens = 16;
  int64_t prefix_block_tokens = 0;  // tokens per prefix hash; 0 = prefix caching off
  bool handoff_after_prefill = false;  // a prefill pool's replica (disaggregated)
  int spec_tokens = 0;           // k drafted tokens per step; 0 = off
  double spec_acceptance = 0;    // i.i.d. probability a drafted token is accepted
  uint64_t seed = 1;
};

class Replica {
 public:
  Replica(const SchedulerConfig& cfg, int32_t index);

  void enqueue(int32_t slot, const LiveRequest& r) {
    waiting_.push_back(slot);
    outstanding_tokens_ += r.input_tokens + r.output_tokens;
  }

  // Builds the next batch at `now` into shape() (and, with speculative decoding,
  // the draft model's work into draft_prefill()/draft_decode()); false when there is
  // nothing to run.
  bool build_batch(double now, std::vector<LiveRequest>& reqs);

  // Skip-ahead (docs/models/serving.md). The batch just built decodes every running
  // request and nothing else: until one of them finishes, or needs a KV block that is
  // not free, or a request arrives, every following step is the same batch with each
  // context one token longer.
  [[nodiscard]] bool steady_decode_batch() const;
  // How many steps, the built one included, run before some request's last token or a
  // possible preemption (0 or more; the step that finishes a request is not included).
  [[nodiscard]] int64_t steady_decode_steps(const std::vector<LiveRequest>& reqs) const;
  // Applies `steps` steps of the built batch at once, the first ending at `first_end`
  // and the last at `last_end`: tokens, KV blocks, and the first step's gaps (the
  // caller records the later steps' gaps, which every request shares).
  void advance_decodes(int64_t steps, double first_end, double last_end, std::vector<LiveRequest>& reqs,
                       GapRecorder& gaps);
  [[nodiscard]] const BatchShape& shape() const { return shape_; }
  [[nodiscard]] const BatchShape& draft_prefill() const { return draft_prefill_; }
  [[nodiscard]] const BatchShape& draft_decode() const { return draft_decode_; }
  void account(const IterationCost& c, double draft_s);

  // Applies the finished batch: tokens, first-token times, gaps. Appends the slots of
  // requests that completed to `done` (their blocks are already freed), and of those
  // whose prefill finished on a prefill-pool replica to `handoff` (blocks freed too).
  void finish_iteration(double t_end, std::vector<LiveRequest>& reqs, GapRecorder& gaps, std::vector<int32_t>& done,
                        std::vector<int32_t>& handoff);
  void on_completed(const LiveRequest& r) {
    outstanding_tokens_ -= r.input_tokens + r.output_tokens;
    ++stats_.completed;
  }

  [[nodiscard]] bool busy() const { return busy_; }
  void set_busy(bool b) { busy_ = b; }
  [[nodiscard]] bool has_work() const { return !waiting_.empty() || !running_.empty(); }
  [[nodiscard]] int64_t outstanding_tokens() const { return outstanding_tokens_; }
  [[nodiscard]] int64_t waiting() const { return static_cast<int64_t>(waiting_.size()); }
  [[nodiscard]] int64_t free_blocks() const { return free_blocks_; }
  [[nodiscard]] ReplicaStats stats() const;
  [[nodiscard]] int64_t tokens_produced() const { return tokens_produced_; }
  // KV conservation: private blocks held by running requests + cache blocks + free
  // == total, and waiting requests hold none.
  [[nodiscard]] bool kv_consistent(const std::vector<LiveRequest>& reqs) const;

 private:
  struct Scheduled {
    int32_t slot;
    bool prefill;
    int64_t new_tokens;  // prefill: chunk; decode: tokens this step produces
  };

  [[nodiscard]] int64_t blocks_for(int64_t tokens) const {
    return tokens <= 0 ? 0 : (tokens + cfg_.block_tokens - 1) / cfg_.block_tokens;
  }
  [[nodiscard]] int64_t shared_tokens(const LiveRequest& r) const { return r.prefix_refs * entry_tokens_; }
  // Private blocks `r` needs to hold KV for `tokens` tokens beyond what it would add.
  [[nodiscard]] int64_t extra_blocks(const LiveRequest& r, int64_t tokens) const {
    const int64_t need = blocks_for(tokens - shared_tokens(r)) - r.blocks;
    return need > 0 ? need : 0;
  }
  [[nodiscard]] int64_t peak_tokens(const LiveRequest& r) const {
    return r.input_tokens + r.output_tokens - 1 + cfg_.spec_tokens;
  }
  [[nodiscard]] int64_t available() const { return free_blocks_ + cache_.evictable_blocks(); }
  bool take(int64_t blocks);  // evicts cached blocks as needed; false if not enough
  // Prefix blocks of `r` the cache may hold: full blocks of its input.
  [[nodiscard]] int64_t cacheable_blocks(const LiveRequest& r) const;
  void release_kv(LiveRequest& r);
  void publish_prefix(LiveRequest& r);

  void schedule_decodes(std::vector<LiveRequest>& reqs, int64_t& budget);
  void continue_prefills(std::vector<LiveRequest>& reqs, int64_t& budget);
  enum class AdmitKind { Any, Prompts, TransferredKv };
  // Admits waiting requests FCFS; stops at the first one of a kind not asked for.
  void admit(double now, std::vector<LiveRequest>& reqs, int64_t& budget, AdmitKind kind);
  bool admit_prefill(LiveRequest& r, int64_t& chunk, int64_t budget);
  void add_prefill(int32_t slot, const LiveRequest& r, int64_t chunk);
  void add_decode(int32_t slot, const LiveRequest& r, int64_t& budget);
  void preempt(int32_t slot, LiveRequest& r);

  SchedulerConfig cfg_;
  int64_t entry_tokens_ = 0;  // tokens one prefix-cache entry covers (a multiple of block_tokens)
  int64_t free_blocks_;
  PrefixCache cache_;
  Rng accept_rng_;
  std::deque<int32_t> waiting_;
  std::vector<int32_t> running_;  // admission order
  std::vector<Scheduled> batch_;  // reused every iteration
  BatchShape shape_, draft_prefill_, draft_decode_;
  ReplicaStats stats_;
  int64_t outstanding_tokens_ = 0;
  int64_t tokens_produced_ = 0;
  bool busy_ = false;
};

}  // namespace serve
}  // namespace tessera
