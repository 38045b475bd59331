// tessera: simulator and capacity planner for LLM inference on accelerator fleets.
#include <iostream>
#include <vector>

#include "app/cli.h"
#include "tessera/core/did_you_mean.h"

using namespace tessera;
using namespace tessera::app;

namespace {

std::vector<std::string> option_names(const CLI::App* app) {
  std::vector<std::string> names;
  for (const CLI::Option* o : app->get_options()) {
    for (const auto& l : o->get_lnames()) names.push_back("--" + l);
  }
  for (const CLI::App* sub : app->get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

// One line, naming the flag and value, with a suggestion for near misses.
int parse_error(const CLI::App& root, const CLI::ParseError& e) {
  if (e.get_exit_code() == 0) {  // --help / --version
    return root.exit(e);
  }
  std::string msg = e.what();
  if (const auto* extras = dynamic_cast<const CLI::ExtrasError*>(&e)) {
    (void)extras;
    // Find the deepest parsed subcommand to suggest from its options.
    const CLI::App* app = &root;
    for (bool descended = true; descended;) {
      descended = false;
      for (const CLI::App* sub : app->get_subcommands()) {
        app = sub;
        descended = true;
        break;
      }
    }
    for (const auto& arg : app->remaining()) {
      const std::string flag = arg.substr(0, arg.find('='));
      std::cerr << "tessera: unknown option '" << flag << "'" << did_you_mean(flag, option_names(app)) << "\n";
      return kBadInput;
    }
  }
  std::cerr << "tessera: " << msg << "\n";
  return kBadInput;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App root{"Tessera: simulate and plan LLM inference on Trainium, Inferentia and NVIDIA fleets", "tessera"};
  root.set_version_flag("--version", version());
  root.require_subcommand(1);
  std::vector<Command> commands{add_simulate(root), add_hardware(root), add_models(root), add_validate(root),
                                add_calibrate(root), add_plan(root), add_collective(root), add_sweep(root),
                                add_help_markdown(root)};
  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return parse_error(root, e);
  }
  try {
    for (const Command& c : commands)
      if (c.app->parsed()) return c.run();
  } catch (const std::exception& e) {
    std::cerr << "tessera: internal error: " << e.what() << "\n";
    return kInternal;
  }
  return kOk;
}
