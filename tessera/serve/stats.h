// Exact latency statistics. Percentiles use linear interpolation between the two
// closest ranks (numpy's default): for sorted x[0..n-1] and fraction p, h = (n-1)p
// and P = x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]). All values are
// kept, so the numbers are exact, not sketched.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tessera {

struct LatencyStats {  // seconds
  int64_t count = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
};

// p in [0, 1]; `sorted` nondecreasing and non-empty.
double percentile_sorted(std::span<const double> sorted, double p);

// Sorts `values` in place. Empty input gives all zeros.
LatencyStats summarize(std::vector<double>& values);

namespace serve {

// Inter-token gaps, stored as runs: all decode tokens of one iteration share a
// time, so consecutive equal gaps collapse into one (gap, count) entry.
struct GapRun {
  double gap_s = 0;
  int64_t count = 0;
};

class GapRecorder {
 public:
  void add(double gap_s, int64_t count = 1) {
    if (!enabled_) return;  // a warm-up window: gaps are not measured
    if (!runs_.empty() && runs_.back().gap_s == gap_s) {
      runs_.back().count += count;
      return;
    }
    if (runs_.size() == compact_at_) compact();
    runs_.push_back(GapRun{gap_s, count});
  }
  [[nodiscard]] int64_t count() const;
  void set_enabled(bool on) { enabled_ = on; }
  // Exact statistics over every gap (each run weighted by its count). Sorts the runs.
  LatencyStats summarize();
  [[nodiscard]] const std::vector<GapRun>& runs() const { return runs_; }
  // Sorts the runs and merges equal gaps. Iteration times repeat (the coster is
  // memoized on bucketed shapes), so this keeps memory near the number of distinct
  // gaps; add() calls it whenever the run count doubles. Exactness is unaffected.
  // Only the runs added since the last compaction are sorted, then merged into the
  // sorted head, so distinct gaps cost O(n log n) once, not at every doubling.
  void compact();

 private:
  bool enabled_ = true;
  static constexpr size_t kMinCompact = size_t{1} << 16;
  std::vector<GapRun> runs_;
  size_t compact_at_ = kMinCompact;
  size_t sorted_ = 0;  // runs_[0, sorted_) are sorted with distinct gaps (the last compaction's)
};

}  // namespace serve
}  // namespace tessera
