// One serving replica: a vLLM-style continuous-batching scheduler over a paged KV
// cache. Each iteration it schedules, in order:
//   1. running decodes, one token each, in admission order. A decode that needs a
//      new KV block when none is free preempts the most recently admitted running
//      request by recompute (its blocks are freed and it goes to the front of the
//      waiting queue; later it re-prefills prompt + generated tokens), repeating
//      until the block is free or the request preempted itself;
//   2. (sarathi) the next chunk of running requests whose prefill is unfinished;
//   3. waiting requests, FCFS, while the sequence cap (max_batch), the token budget
//      (max_tokens) and the free KV blocks allow. Admission reserves blocks for the
//      whole (re)prefill, as vLLM does, so partial prefills never deadlock on KV.
//      "vllm" admits a prompt only whole; one longer than max_tokens is admitted
//      when it is the iteration's first prefill, as vLLM raises
//      max_num_batched_tokens to max_model_len. "sarathi" chunks a prompt to fit the
//      remaining budget.
// Token accounting: a (re)prefill of P tokens writes P KV entries and produces one
// output token; decode step k (input = output token k) writes one entry, so KV length
// is input + k, and produces token k + 1.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "tessera/plan/batch.h"
#include "tessera/serve/stats.h"

namespace tessera {

struct ReplicaStats {
  int64_t iterations = 0;
  double busy_s = 0;
  int64_t preemptions = 0;
  double kv_peak_fraction = 0;
  IterationCost time_breakdown;  // summed over iterations
  int64_t completed = 0;
};

namespace serve {

// One request while it is in the system. Slots are reused after completion, so the
// table grows with requests in flight, not with requests served.
struct LiveRequest {
  int64_t id = 0;
  double arrival_s = 0;
  double admitted_s = -1;     // first scheduled
  double first_token_s = -1;
  double last_token_s = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t generated = 0;      // output tokens produced so far
  int64_t context = 0;        // tokens whose KV is computed
  int64_t prompt = 0;         // tokens the current (re)prefill covers: input + generated at admission
  int64_t blocks = 0;         // KV blocks held
  int32_t preemptions = 0;
  int32_t replica = -1;
};

struct SchedulerConfig {
  bool chunked_prefill = false;  // "sarathi"
  int max_batch = 256;
  int64_t max_tokens = 8192;
  int64_t kv_blocks = 0;
  int block_tokens = 16;
};

class Replica {
 public:
  explicit Replica(const SchedulerConfig& cfg) : cfg_(cfg), free_blocks_(cfg.kv_blocks) {}

  void enqueue(int32_t slot, const LiveRequest& r) {
    waiting_.push_back(slot);
    outstanding_tokens_ += r.input_tokens + r.output_tokens;
  }

  // Builds the next batch at `now` into shape(); false when there is nothing to run.
  bool build_batch(double now, std::vector<LiveRequest>& reqs);
  [[nodiscard]] const BatchShape& shape() const { return shape_; }
  void account(const IterationCost& c);

  // Applies the finished batch: tokens, first-token times, gaps. Appends the slots of
  // requests that completed to `done` (their blocks are already freed).
  void finish_iteration(double t_end, std::vector<LiveRequest>& reqs, GapRecorder& gaps, std::vector<int32_t>& done);
  void on_completed(const LiveRequest& r) {
    outstanding_tokens_ -= r.input_tokens + r.output_tokens;
    ++stats_.completed;
  }

  [[nodiscard]] bool busy() const { return busy_; }
  void set_busy(bool b) { busy_ = b; }
  [[nodiscard]] bool has_work() const { return !waiting_.empty() || !running_.empty(); }
  [[nodiscard]] int64_t outstanding_tokens() const { return outstanding_tokens_; }
  [[nodiscard]] int64_t free_blocks() const { return free_blocks_; }
  [[nodiscard]] const ReplicaStats& stats() const { return stats_; }
  [[nodiscard]] int64_t tokens_produced() const { return tokens_produced_; }
  // KV conservation: blocks held by running requests + free == total, and waiting
  // requests hold none.
  [[nodiscard]] bool kv_consistent(const std::vector<LiveRequest>& reqs) const;

 private:
  struct Scheduled {
    int32_t slot;
    bool prefill;
    int64_t new_tokens;
  };

  [[nodiscard]] int64_t blocks_for(int64_t tokens) const {
    return (tokens + cfg_.block_tokens - 1) / cfg_.block_tokens;
  }
  void schedule_decodes(std::vector<LiveRequest>& reqs, int64_t& budget);
  void continue_prefills(std::vector<LiveRequest>& reqs, int64_t& budget);
  void admit(double now, std::vector<LiveRequest>& reqs, int64_t& budget);
  void add_prefill(int32_t slot, const LiveRequest& r, int64_t chunk);
  void preempt(int32_t slot, LiveRequest& r);

  SchedulerConfig cfg_;
  int64_t free_blocks_;
  std::deque<int32_t> waiting_;
  std::vector<int32_t> running_;  // admission order
  std::vector<Scheduled> batch_;  // reused every iteration
  BatchShape shape_;
  ReplicaStats stats_;
  int64_t outstanding_tokens_ = 0;
  int64_t tokens_produced_ = 0;
  bool busy_ = false;
};

}  // namespace serve
}  // namespace tessera
