#include "app/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
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

}  // namespace tessera::app
