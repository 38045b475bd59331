#include "app/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tessera::app {

std::string progress_line(std::string_view label, int64_t done, int64_t total, double elapsed_s, int bar_width) {
  if (total <= 0) return fmt::format("{} {} done  {:.1f} s", label, done, elapsed_s);
  const double f = std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0);
  const int filled = static_cast<int>(f * bar_width);
  return fmt::format("{} [{}{}] {:>3.0f}% {}/{}  {:.1f} s", label, std::string(filled, '#'),
                     std::string(bar_width - filled, '.'), f * 100, done, total, elapsed_s);
}

bool progress_wanted() {
  if (const char* env = std::getenv("TESSERA_PROGRESS"); env != nullptr && *env != '\0')
    return std::strcmp(env, "0") != 0;
  return isatty(STDERR_FILENO) == 1;
}

ProgressBar::ProgressBar(std::string label, int64_t total, std::ostream& out, bool enabled, double delay_s)
    : label_(std::move(label)), total_(total), out_(out), enabled_(enabled), delay_s_(delay_s) {}

void ProgressBar::advance(int64_t n) {
  done_.fetch_add(n);
  if (!enabled_) return;
  const double t = std::chrono::duration<double>(Clock::now() - start_).count();
  if (t < delay_s_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (last_draw_s_ >= 0 && t - last_draw_s_ < 0.1) return;
  draw(t);
}

void ProgressBar::draw(double elapsed_s) {
  const std::string line = progress_line(label_, done_.load(), total_, elapsed_s);
  out_ << '\r' << line;
  if (line.size() < last_len_) out_ << std::string(last_len_ - line.size(), ' ');
  out_.flush();
  last_len_ = line.size();
  last_draw_s_ = elapsed_s;
  drawn_ = true;
}

void ProgressBar::finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!drawn_) return;
  out_ << '\r' << std::string(last_len_, ' ') << '\r';
  out_.flush();
  drawn_ = false;
}

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
  if (!tty_)
    return fmt::format("sweep: {}/{} runs ({:.0f}%), {:.1f} runs/s, ETA {}\n", done, total_, 100 * frac, rate, eta);
  return fmt::format("\r{}  {:.1f} runs/s ETA {}   ", progress_line("sweep", done, total_, elapsed), rate, eta);
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
