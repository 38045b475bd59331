// Streaming observers of a serving run: the simulator reports every iteration and
// every request as it ends, so timelines of a run of any length are written as they
// happen instead of being kept in memory. report/ formats them (trace events, CSV);
// app owns the files.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/plan/batch.h"

namespace tessera {

// One finished request (or one rejected at arrival: rejected, times -1).
struct RequestRecord {
  int64_t id = 0;
  double arrival_s = 0, first_token_s = -1, completion_s = -1;
  int64_t input_tokens = 0, output_tokens = 0;
  int32_t preemptions = 0;
  int32_t replica = -1;          // first scheduled on (the prefill replica when disaggregated)
  double admitted_s = -1;        // first scheduled
  double prefill_end_s = -1;     // end of the iteration that produced the first token
  double kv_transfer_s = 0;      // disaggregated: prefill end -> KV at the decode replica
  int64_t cached_tokens = 0;     // prompt tokens found in the prefix cache
  int32_t decode_replica = -1;   // disaggregated: where it decoded
  bool rejected = false;
};

enum class PoolRole : uint8_t { Colocated, Prefill, Decode };

struct IterationRecord {
  int32_t replica = 0;           // index over all replicas (prefill pool first)
  PoolRole role = PoolRole::Colocated;
  double start_s = 0, end_s = 0;
  double draft_s = 0;            // part spent in the draft model (speculative decoding)
  BatchShape shape;              // the target model's batch
  int64_t waiting = 0;           // requests queued at this replica when the batch was built
  double kv_used_fraction = 0;   // KV blocks in use (prefix cache included) / total, with this batch admitted
};

class ServeEventSink {
 public:
  virtual ~ServeEventSink() = default;
  virtual void on_iteration(const IterationRecord& it) = 0;
  virtual void on_request(const RequestRecord& r) = 0;
};

// Forwards every event to several sinks (a trace and a CSV at once).
class SinkFanout final : public ServeEventSink {
 public:
  void add(ServeEventSink* s) { sinks_.push_back(s); }
  [[nodiscard]] bool empty() const { return sinks_.empty(); }
  void on_iteration(const IterationRecord& it) override {
    for (ServeEventSink* s : sinks_) s->on_iteration(it);
  }
  void on_request(const RequestRecord& r) override {
    for (ServeEventSink* s : sinks_) s->on_request(r);
  }

 private:
  std::vector<ServeEventSink*> sinks_;
};

}  // namespace tessera
