// Shared pieces of the CLI: exit codes, error printing, atomic output files.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <string>

#include "tessera/core/status.h"

namespace tessera::app {

enum Exit : int { kOk = 0, kInternal = 1, kBadInput = 2, kInfeasible = 3 };

int exit_code(const Error& e);
// Prints "tessera: <message>" to stderr and returns the exit code for the error.
int report_error(const Error& e);
// Writes text to `path` via a temporary file and rename, so a failed run never
// leaves a half-written output.
// `flag` names the option in error messages.
Status write_file_atomic(const std::filesystem::path& path, const std::string& text, const char* flag = "--out");

// Each subcommand registers its options and a runner that returns the exit code.
using Runner = std::function<int()>;
struct Command {
  CLI::App* app;
  Runner run;
};

Command add_simulate(CLI::App& root);
Command add_hardware(CLI::App& root);
Command add_models(CLI::App& root);
Command add_validate(CLI::App& root);
Command add_calibrate(CLI::App& root);
Command add_collective(CLI::App& root);
Command add_plan(CLI::App& root);
Command add_sweep(CLI::App& root);

Command add_help_markdown(CLI::App& root);  // hidden: docs/cli.md from these definitions
std::string cli_markdown(const CLI::App& root);

std::string version();

}  // namespace tessera::app
