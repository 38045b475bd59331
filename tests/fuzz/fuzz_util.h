// Shared helpers for the libFuzzer targets: a private scratch folder for parsers that
// read files, and an invariant check that aborts (so libFuzzer records the input).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace tessera::fuzz {

// A failed invariant is a finding: print it and abort, like a crash.
#define TESSERA_FUZZ_CHECK(cond)                                                  \
  do {                                                                             \
    if (!(cond)) {                                                                 \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #cond, __FILE__, \
                   __LINE__);                                                      \
      std::abort();                                                                \
    }                                                                              \
  } while (0)

// A folder of this process's own under /dev/shm (memory-backed; /tmp otherwise),
// created once and reused: one file write per execution stays cheap.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : "/tmp";
    auto d = base / ("tessera-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    std::atexit([] { std::error_code e; std::filesystem::remove_all(scratch_dir(), e); });
    return d;
  }();
  return dir;
}

inline void write_file(const std::filesystem::path& path, const uint8_t* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

inline bool finite_nonneg(double x) { return std::isfinite(x) && x >= 0; }

// Error messages are one line (the CLI prints them as such) and name something.
inline bool one_line(std::string_view msg) { return !msg.empty() && msg.find('\n') == std::string_view::npos; }

}  // namespace tessera::fuzz
