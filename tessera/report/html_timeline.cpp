#include "tessera/report/html_timeline.h"

#include <algorithm>
#include <cmath>

namespace tessera {

namespace {

TimelineBucket merged(const TimelineBucket& a, const TimelineBucket& b) {
  TimelineBucket m;
  m.prefill_tokens = a.prefill_tokens + b.prefill_tokens;
  m.decode_tokens = a.decode_tokens + b.decode_tokens;
  m.seq_seconds = a.seq_seconds + b.seq_seconds;
  m.busy_seconds = a.busy_seconds + b.busy_seconds;
  m.queued_seconds = a.queued_seconds + b.queued_seconds;
  m.kv_fraction = std::max(a.kv_fraction, b.kv_fraction);
  m.seen = a.seen || b.seen;
  m.started = a.started || b.started;
  return m;
}

}  // namespace

ReportCollector::ReportCollector(size_t max_buckets) : max_buckets_(std::max<size_t>(max_buckets, 2)) {
  b_.resize(max_buckets_);
}

void ReportCollector::cover(double t) {
  while (t >= width_ * static_cast<double>(max_buckets_)) {
    for (size_t i = 0; i < max_buckets_ / 2; ++i) b_[i] = merged(b_[2 * i], b_[2 * i + 1]);
    if (max_buckets_ % 2 == 1) b_[max_buckets_ / 2] = b_[max_buckets_ - 1];
    for (size_t i = (max_buckets_ + 1) / 2; i < max_buckets_; ++i) b_[i] = TimelineBucket{};
    width_ *= 2;
    used_ = (used_ + 1) / 2;
  }
}

size_t ReportCollector::index(double t) const {
  const double k = std::floor(std::max(t, 0.0) / width_);
  return std::min(static_cast<size_t>(k), max_buckets_ - 1);
}

void ReportCollector::spread(const IterationRecord& it) {
  const double prefill = static_cast<double>(it.shape.prefill_tokens);
  const double decode = static_cast<double>(it.shape.decode_seqs);
  const double seqs = static_cast<double>(it.shape.prefill_seqs + it.shape.decode_seqs);
  const double dur = it.end_s - it.start_s;
  const size_t first = index(it.start_s), last = index(it.end_s);
  if (!(dur > 0)) {
    b_[first].prefill_tokens += prefill;
    b_[first].decode_tokens += decode;
    b_[first].seen = true;
    used_ = std::max(used_, first + 1);
    return;
  }
  for (size_t k = first; k <= last; ++k) {
    const double lo = std::max(it.start_s, static_cast<double>(k) * width_);
    const double hi = k + 1 == max_buckets_ ? it.end_s : std::min(it.end_s, static_cast<double>(k + 1) * width_);
    const double overlap = std::max(0.0, hi - lo);
    TimelineBucket& b = b_[k];
    b.prefill_tokens += prefill * overlap / dur;
    b.decode_tokens += decode * overlap / dur;
    b.seq_seconds += seqs * overlap;
    b.busy_seconds += overlap;
    b.seen = true;
  }
  used_ = std::max(used_, last + 1);
}

void ReportCollector::on_iteration(const IterationRecord& it) {
  cover(std::max(it.start_s, it.end_s));
  TimelineBucket& at = b_[index(it.start_s)];
  at.kv_fraction = std::max(at.kv_fraction, it.kv_used_fraction);
  at.started = true;
  spread(it);
}

void ReportCollector::add_queued(double from_s, double to_s) {
  if (!(to_s > from_s)) return;
  cover(to_s);
  const size_t first = index(from_s), last = index(to_s);
  for (size_t k = first; k <= last; ++k) {
    const double lo = std::max(from_s, static_cast<double>(k) * width_);
    const double hi = k + 1 == max_buckets_ ? to_s : std::min(to_s, static_cast<double>(k + 1) * width_);
    b_[k].queued_seconds += std::max(0.0, hi - lo);
  }
  used_ = std::max(used_, last + 1);
}

void ReportCollector::on_request(const RequestRecord& r) {
  if (r.rejected || r.completion_s < 0) return;
  add_queued(r.arrival_s, r.admitted_s);
  const double ttft = r.first_token_s - r.arrival_s;
  const double e2e = r.completion_s - r.arrival_s;
  ttft_.push_back(ttft);
  e2e_.push_back(e2e);
  if (r.output_tokens > 1) tpot_.push_back((e2e - ttft) / static_cast<double>(r.output_tokens - 1));
}

std::vector<TimelineBucket> ReportCollector::buckets() const {
  return {b_.begin(), b_.begin() + static_cast<std::ptrdiff_t>(used_)};
}

}  // namespace tessera
