// A progress bar on stderr for long runs. Nothing is drawn for the first ~2 s (short
// runs stay quiet), nor when stderr is not a terminal (logs, pipes, tests) unless
// TESSERA_PROGRESS=1; TESSERA_PROGRESS=0 turns it off. One line, redrawn in place at
// most ten times a second and cleared by finish(). Safe to advance from several threads.
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

}  // namespace tessera::app
