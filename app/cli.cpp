#include "app/cli.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iostream>

namespace tessera::app {

std::string version() {
#ifdef TESSERA_VERSION
  return TESSERA_VERSION;
#else
  return "dev";
#endif
}

int exit_code(const Error& e) {
  switch (e.kind) {
    case ErrorKind::BadInput: return kBadInput;
    case ErrorKind::Infeasible: return kInfeasible;
    case ErrorKind::Internal: return kInternal;
  }
  return kInternal;
}

int report_error(const Error& e) {
  std::cerr << "tessera: " << e.message << "\n";
  return exit_code(e);
}

CLI::Validator non_empty() {
  return CLI::Validator(
      [](std::string& v) { return v.empty() ? std::string("an empty value is not allowed") : std::string(); },
      "NON-EMPTY", "non_empty");
}

CLI::Validator non_negative() {
  return CLI::Validator(
      [](std::string& v) {
        return !v.empty() && v.front() == '-' ? "'" + v + "' must be >= 0" : std::string();
      },
      "NON-NEGATIVE", "non_negative");
}

Result<std::vector<std::string>> split_list(const char* flag, const std::string& text) {
  std::vector<std::string> items;
  if (text.empty()) return items;
  for (size_t pos = 0; pos <= text.size();) {
    const size_t end = std::min(text.find(',', pos), text.size());
    if (end == pos) return bad_input(fmt::format("{}: '{}' has an empty item", flag, text));
    items.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return items;
}

Status distinct_outputs(const std::vector<std::pair<const char*, std::string>>& outputs) {
  for (size_t i = 0; i < outputs.size(); ++i) {
    for (size_t j = i + 1; j < outputs.size(); ++j) {
      const auto& [fa, a] = outputs[i];
      const auto& [fb, b] = outputs[j];
      if (a.empty() || b.empty()) continue;
      std::error_code ea, eb;
      const auto ca = std::filesystem::weakly_canonical(a, ea), cb = std::filesystem::weakly_canonical(b, eb);
      const bool same = a == b || (!ea && !eb && ca == cb);
      if (same) return bad_input(fmt::format("{}: '{}' is also {}'s file; give each output its own path", fb, b, fa));
    }
  }
  return {};
}

Status check_output_path(const std::string& path, const char* flag) {
  if (path.empty()) return {};
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return bad_input(fmt::format("{}: '{}': folder '{}' does not exist", flag, path, dir.string()));
  if (fs::is_directory(path, ec)) return bad_input(fmt::format("{}: '{}' is a folder, not a file", flag, path));
  // Probe with the same temporary name write_file_atomic uses.
  const fs::path probe = path + ".tmp-tessera";
  { std::ofstream out(probe, std::ios::binary); if (!out) return bad_input(fmt::format("{}: cannot write '{}'", flag, path)); }
  fs::remove(probe, ec);
  return {};
}

Status write_file_atomic(const std::filesystem::path& path, const std::string& text, const char* flag) {
  const std::filesystem::path tmp = path.string() + ".tmp-tessera";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) return bad_input(std::string(flag) + ": cannot write '" + path.string() + "'");
    out << text;
    if (!out) return bad_input(std::string(flag) + ": error writing '" + path.string() + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return bad_input(std::string(flag) + ": cannot write '" + path.string() + "'");
  }
  return {};
}

}  // namespace tessera::app
