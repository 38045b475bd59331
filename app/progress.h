// Progress on stderr for long runs: ProgressBar for a simulation (requests served) and
// SweepProgress for a sweep (runs done), sharing one line format.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include "tessera/serve/sink.h"

namespace tessera::app {

// "label [#######.............]  35% 350/1000  4.2 s" (total 0: "label 350 done  4.2 s").
std::string progress_line(std::string_view label, int64_t done, int64_t total, double elapsed_s, int bar_width = 24);

// Whether a progress bar should draw: TESSERA_PROGRESS=0/1 decides, else stderr being a terminal.
bool progress_wanted();

// "1h02m", "3m12s", "42s".
std::string format_eta(double seconds);

// Nothing is drawn for the first ~2 s (short runs stay quiet), nor when stderr is not a
// terminal (logs, pipes, tests) unless TESSERA_PROGRESS=1; TESSERA_PROGRESS=0 turns it
// off. One line, redrawn in place at most ten times a second and cleared by finish().
// Safe to advance from several threads.
class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, std::ostream& out, bool enabled, double delay_s = 2.0);
  ~ProgressBar() { finish(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void advance(int64_t n = 1);
  void finish();
  [[nodiscard]] int64_t done() const { return done_.load(); }
  [[nodiscard]] bool drawn() const { return drawn_; }

 private:
  using Clock = std::chrono::steady_clock;
  void draw(double elapsed_s);
  std::string label_;
  int64_t total_;
  std::ostream& out_;
  bool enabled_;
  double delay_s_;
  Clock::time_point start_ = Clock::now();
  std::atomic<int64_t> done_{0};
  std::mutex mu_;
  double last_draw_s_ = -1;
  size_t last_len_ = 0;
  bool drawn_ = false;
};

// Advances a bar by one for every request that leaves a serving run.
class ProgressSink final : public ServeEventSink {
 public:
  explicit ProgressSink(ProgressBar& bar) : bar_(bar) {}
  void on_iteration(const IterationRecord&) override {}
  void on_request(const RequestRecord&) override { bar_.advance(); }

 private:
  ProgressBar& bar_;
};

// A sweep's progress: on a terminal the bar line with rate and ETA, redrawn; otherwise
// plain lines every 10% or 10 s, so that logs stay readable.
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

}  // namespace tessera::app
