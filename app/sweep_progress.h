// Sweep progress on stderr: a redrawn bar with rate and ETA on a terminal, plain
// lines (every 10% or 10 s) otherwise, so that logs stay readable.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace tessera::app {

class SweepProgress {
 public:
  // `enabled` false prints nothing; `tty` picks the bar over plain lines.
  SweepProgress(int64_t total, bool enabled, bool tty);
  void update(int64_t done);
  void finish(int64_t done);

 private:
  std::string line(int64_t done, double elapsed_s) const;
  using Clock = std::chrono::steady_clock;
  int64_t total_;
  bool enabled_, tty_;
  Clock::time_point start_ = Clock::now(), last_ = start_;
  int64_t last_decile_ = 0;
};

// "1h02m", "3m12s", "42s".
std::string format_eta(double seconds);

}  // namespace tessera::app
