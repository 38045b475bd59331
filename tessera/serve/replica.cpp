#include "tessera/serve/replica.h"

#include <algorithm>

namespace tessera::serve {

bool Replica::build_batch(double now, std::vector<LiveRequest>& reqs) {
  batch_.clear();
  shape_ = BatchShape{};
  int64_t budget = cfg_.max_tokens;
  schedule_decodes(reqs, budget);
  if (cfg_.chunked_prefill) continue_prefills(reqs, budget);
  admit(now, reqs, budget);
  const double used = static_cast<double>(cfg_.kv_blocks - free_blocks_) / static_cast<double>(cfg_.kv_blocks);
  stats_.kv_peak_fraction = std::max(stats_.kv_peak_fraction, used);
  return !batch_.empty();
}

void Replica::schedule_decodes(std::vector<LiveRequest>& reqs, int64_t& budget) {
  for (size_t i = 0; i < running_.size() && budget > 0; ++i) {
    const int32_t slot = running_[i];
    LiveRequest& r = reqs[slot];
    if (r.context < r.prompt) continue;  // still prefilling (sarathi): pass 2
    const int64_t need = blocks_for(r.context + 1) - r.blocks;
    bool self_preempted = false;
    while (need > free_blocks_) {
      const int32_t victim = running_.back();
      running_.pop_back();
      preempt(victim, reqs[victim]);
      if (victim == slot) {
        self_preempted = true;
        break;
      }
    }
    if (self_preempted) break;  // it was the last running request
    free_blocks_ -= need;
    r.blocks += need;
    batch_.push_back(Scheduled{slot, false, 1});
    --budget;
    ++shape_.decode_seqs;
    shape_.decode_kv_tokens += r.context + 1;
  }
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

void Replica::admit(double now, std::vector<LiveRequest>& reqs, int64_t& budget) {
  while (!waiting_.empty() && budget > 0 && static_cast<int64_t>(running_.size()) < cfg_.max_batch) {
    const int32_t slot = waiting_.front();
    LiveRequest& r = reqs[slot];
    int64_t chunk = r.prompt;
    if (chunk > budget) {
      if (cfg_.chunked_prefill) {
        chunk = budget;
      } else if (!(r.prompt > cfg_.max_tokens && shape_.prefill_seqs == 0)) {
        break;  // FCFS: the head waits for a later iteration, nobody overtakes it
      }
    }
    const int64_t need = blocks_for(r.prompt);
    if (need > free_blocks_) break;
    free_blocks_ -= need;
    r.blocks = need;
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
}

void Replica::preempt(int32_t slot, LiveRequest& r) {
  free_blocks_ += r.blocks;
  r.blocks = 0;
  r.context = 0;
  r.prompt = r.input_tokens + r.generated;
  ++r.preemptions;
  ++stats_.preemptions;
  waiting_.push_front(slot);
}

void Replica::account(const IterationCost& c) {
  ++stats_.iterations;
  stats_.busy_s += c.total.value();
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
                               std::vector<int32_t>& done) {
  const size_t first_done = done.size();
  for (const Scheduled& s : batch_) {
    LiveRequest& r = reqs[s.slot];
    r.context += s.new_tokens;
    if (s.prefill && r.context < r.prompt) continue;  // a chunk: no token yet
    if (r.generated == 0) {
      r.first_token_s = t_end;
    } else {
      gaps.add(t_end - r.last_token_s);
    }
    ++r.generated;
    ++tokens_produced_;
    r.last_token_s = t_end;
    if (r.generated == r.output_tokens) {
      free_blocks_ += r.blocks;
      r.blocks = 0;
      done.push_back(s.slot);
    }
  }
  if (done.size() == first_done) return;
  std::erase_if(running_, [&](int32_t slot) { return reqs[slot].generated == reqs[slot].output_tokens; });
}

bool Replica::kv_consistent(const std::vector<LiveRequest>& reqs) const {
  int64_t held = 0;
  for (int32_t slot : running_) held += reqs[slot].blocks;
  for (int32_t slot : waiting_) {
    if (reqs[slot].blocks != 0) return false;
  }
  return free_blocks_ >= 0 && held + free_blocks_ == cfg_.kv_blocks;
}

}  // namespace tessera::serve
