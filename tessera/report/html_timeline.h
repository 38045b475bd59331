// What an HTML report needs from a serving run, collected through the simulator's
// event sink (serve/sink.h) as the run goes: a utilization timeline downsampled to
// at most `max_buckets` time buckets (memory does not grow with the run's length),
// and the latency of every completed request for the CDFs.
//
// Buckets start 1 ms wide and double (merging neighbours) whenever an iteration
// ends beyond the last one, so a 2 s batch run and a day-long trace both end with
// between max_buckets/2 and max_buckets buckets. Per bucket:
//   prefill/decode tokens: the iteration's tokens spread over the bucket time it
//     overlaps (decode tokens = decode sequences: one token each, more with
//     speculative decoding, which the timeline does not count);
//   sequences: time-weighted mean sequences per iteration over busy replica time;
//   queued: request-seconds spent waiting (arrival to admission, over all replicas)
//     inside the bucket, so queued / width is the time-weighted mean queue length.
//     (A count taken when a batch is built misses requests that arrive during an
//     iteration and are admitted at the next: they queue, yet the count reads 0.)
//   kv: the highest KV-block occupancy any replica reported.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tessera/serve/sink.h"

namespace tessera {

struct TimelineBucket {
  double prefill_tokens = 0, decode_tokens = 0;
  double seq_seconds = 0, busy_seconds = 0;  // sequences x overlap, overlap
  double queued_seconds = 0;
  double kv_fraction = 0;
  bool seen = false;     // some iteration started in or overlapped it
  bool started = false;  // some iteration started in it (waiting and kv are as of then)
};

class ReportCollector final : public ServeEventSink {
 public:
  explicit ReportCollector(size_t max_buckets = 240);
  void on_iteration(const IterationRecord& it) override;
  void on_request(const RequestRecord& r) override;

  [[nodiscard]] double bucket_s() const { return width_; }
  // Buckets up to the last one any iteration reached.
  [[nodiscard]] std::vector<TimelineBucket> buckets() const;
  // Seconds, per completed request (TPOT: requests with more than one output token).
  [[nodiscard]] const std::vector<double>& ttft() const { return ttft_; }
  [[nodiscard]] const std::vector<double>& tpot() const { return tpot_; }
  [[nodiscard]] const std::vector<double>& e2e() const { return e2e_; }

 private:
  void cover(double t);  // widen the buckets until time t falls inside them
  size_t index(double t) const;
  void spread(const IterationRecord& it);
  void add_queued(double from_s, double to_s);

  size_t max_buckets_;
  double width_ = 1e-3;
  size_t used_ = 0;  // buckets touched so far
  std::vector<TimelineBucket> b_;
  std::vector<double> ttft_, tpot_, e2e_;
};

}  // namespace tessera
