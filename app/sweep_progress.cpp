#include "app/sweep_progress.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

namespace tessera::app {

std::string format_eta(double s) {
  const auto t = static_cast<int64_t>(std::ceil(std::max(0.0, s)));
  if (t >= 3600) return fmt::format("{}h{:02}m", t / 3600, (t % 3600) / 60);
  if (t >= 60) return fmt::format("{}m{:02}s", t / 60, t % 60);
  return fmt::format("{}s", t);
}

SweepProgress::SweepProgress(int64_t total, bool enabled, bool tty)
    : total_(total), enabled_(enabled && total > 0), tty_(tty) {}

std::string SweepProgress::line(int64_t done, double elapsed) const {
  const double frac = total_ > 0 ? static_cast<double>(done) / total_ : 1.0;
  const double rate = elapsed > 0 ? done / elapsed : 0.0;
  const std::string eta = rate > 0 ? format_eta((total_ - done) / rate) : "?";
  if (!tty_) return fmt::format("sweep: {}/{} runs ({:.0f}%), {:.1f} runs/s, ETA {}\n", done, total_, 100 * frac, rate, eta);
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(frac * kWidth);
  return fmt::format("\r[{}{}] {}/{} {:3.0f}% {:.1f} runs/s ETA {}   ", std::string(filled, '#'),
                     std::string(kWidth - filled, '.'), done, total_, 100 * frac, rate, eta);
}

void SweepProgress::update(int64_t done) {
  if (!enabled_) return;
  const auto now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const int64_t decile = total_ > 0 ? done * 10 / total_ : 10;
  if (tty_) {
    if (now - last_ < std::chrono::milliseconds(100)) return;
  } else if (decile == last_decile_ && now - last_ < std::chrono::seconds(10)) {
    return;
  }
  last_ = now;
  last_decile_ = decile;
  std::fputs(line(done, elapsed).c_str(), stderr);
  std::fflush(stderr);
}

void SweepProgress::finish(int64_t done) {
  if (!enabled_) return;
  if (tty_) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    std::fputs((line(done, elapsed) + "\n").c_str(), stderr);
  }
}

}  // namespace tessera::app
