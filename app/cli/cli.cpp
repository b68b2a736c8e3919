// Dispatch: builds the parser from the commands, maps every error to stderr and exit code 2.
#include "cli/cli.hpp"

#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/command.hpp"
#include "cli/command_line.hpp"
#include "cli/gui_command.hpp"
#include "cli/version.hpp"

namespace diffuscope::cli {

namespace {

constexpr int kErrorExitCode = 2;

// The subcommand being parsed when a parse error happened, for the hint.
std::string command_path(const CLI::App& app) {
  std::string path = "diffuscope";
  for (const CLI::App* sub : app.get_subcommands()) path += " " + sub->get_name();
  return path;
}

// Parses argv; then runs the chosen command, or with parse_only only the `gui` command (whose run
// validates its flags, then calls launch_gui).
int parse_and_dispatch(int argc, char** argv, GuiLauncher launch_gui, bool parse_only) {
  CLI::App app("Diffuscope: see and teach denoising diffusion (DDPM). Headless commands print CSV "
               "with a header to stdout; errors go to stderr with exit code 2.",
               "diffuscope");
  app.require_subcommand(0, 1);
  const bool has_gui = launch_gui != nullptr;
  app.set_version_flag("--version", [has_gui] { return version_text(has_gui); },
                       "Print the version and the LibTorch runtime, then exit");

  const Command gui = add_gui_command(app, launch_gui);
  const std::vector<Command> commands = {gui, add_schedule_command(app), add_dataset_command(app),
                                         add_forward_command(app), add_sample_command(app),
                                         add_evaluate_command(app),
                                         add_train_command(app, shell_command_line(argc, argv))};
  // Set after the subcommands so that they do not inherit it.
  app.footer("With no command, diffuscope opens the lecture window (same as `diffuscope gui`).\n"
             "Run `diffuscope COMMAND --help` for a command's flags.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    const std::string path = command_path(app);
    std::cerr << path << ": " << e.what() << "\nRun `" << path << " --help` for the flags.\n";
    return kErrorExitCode;
  }

  const Command* chosen = &gui;  // no command: the window
  for (const Command& command : commands) {
    if (command.parser->parsed()) chosen = &command;
  }
  // A headless command validates as it works (reading data, training): parse_only stops here.
  if (parse_only && chosen != &gui) return 0;
  const std::string path = "diffuscope " + chosen->parser->get_name();
  try {
    return chosen->run();
  } catch (const std::invalid_argument& e) {  // UsageError, diffusion::ScheduleError, bad values
    std::cerr << path << ": " << e.what() << '\n';
  } catch (const std::exception& e) {
    std::cerr << path << ": error: " << e.what() << '\n';
  }
  return kErrorExitCode;
}

}  // namespace

int run(int argc, char** argv, GuiLauncher launch_gui) {
  return parse_and_dispatch(argc, argv, launch_gui, /*parse_only=*/false);
}

int parse_only(int argc, char** argv) {
  // The window is never opened: the launcher only reports that validation passed.
  return parse_and_dispatch(argc, argv, [](const gui::GuiOptions&) { return 0; }, /*parse_only=*/true);
}

}  // namespace diffuscope::cli
