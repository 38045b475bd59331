// Shared pieces of the CLI: exit codes, error printing, atomic output files.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

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

// Rejects an empty value (`--slo ""`, the empty item of `--hardware a,,b`), which
// would otherwise mean "not given" or a system named "".
CLI::Validator non_empty();

// Rejects a negative number before it is converted to an unsigned option (`--seed -1`
// would wrap to 2^64 - 1).
CLI::Validator non_negative();

// "a,b,c" -> {a, b, c}; an empty item ("a,,b", a trailing ',') is bad input naming `flag`.
// (CLI11's own delimiter drops empty items silently.)
Result<std::vector<std::string>> split_list(const char* flag, const std::string& text);

// Fails when two output flags name the same file: the second write would replace the
// first. `outputs` pairs each flag with its value (empty = not given).
Status distinct_outputs(const std::vector<std::pair<const char*, std::string>>& outputs);

// Fails when `path`'s folder does not exist or is not writable, so that a long run
// (a sweep, a plan search) does not fail only at the end. Empty path = not given.
Status check_output_path(const std::string& path, const char* flag);

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
