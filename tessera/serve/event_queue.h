// The simulator's future-event list: a binary min-heap of small PODs ordered by
// (time, insertion id), so that events at the same time run in the order they
// were scheduled and every run is deterministic.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace tessera::serve {

enum class EventKind : uint8_t {
  Arrival,       // a request reaches the router; `ref` is its slot
  IterationEnd,  // a replica's batch finishes; `ref` is the replica
  Wake,          // a replica builds its next batch; `ref` is the replica. Queued
                 // behind same-time events, so that requests arriving at the same
                 // instant (a batch, a closed-loop follow-up) join one batch.
  KvArrival,     // disaggregated: a request's prompt KV reached the decode pool; `ref` is its slot
};

struct Event {
  double time_s = 0;
  uint64_t seq = 0;  // insertion id: the tie-break
  int32_t ref = 0;
  EventKind kind = EventKind::Arrival;
};

class EventQueue {
 public:
  void push(double time_s, EventKind kind, int32_t ref) {
    heap_.push_back(Event{time_s, next_seq_++, ref, kind});
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  [[nodiscard]] bool empty() const { return heap_.empty(); }
  [[nodiscard]] size_t size() const { return heap_.size(); }
  [[nodiscard]] const Event& top() const { return heap_.front(); }
  Event pop() {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const Event e = heap_.back();
    heap_.pop_back();
    return e;
  }

 private:
  // std heaps are max-heaps: "less" means "runs later".
  static bool later(const Event& a, const Event& b) {
    return a.time_s != b.time_s ? a.time_s > b.time_s : a.seq > b.seq;
  }
  std::vector<Event> heap_;
  uint64_t next_seq_ = 0;
};

}  // namespace tessera::serve
