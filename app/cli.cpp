#include "app/cli.h"

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
