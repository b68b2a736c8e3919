#pragma once
// The `diffuscope` command line. Every headless command prints CSV with a header to stdout;
// errors go to stderr with exit code 2.
#include "gui/lecture/gui_options.hpp"

namespace diffuscope::cli {

// Opens the window; nullptr when this build has no GUI (DIFFUSCOPE_GUI=OFF).
using GuiLauncher = int (*)(const gui::GuiOptions&);

// Parses argv and runs the command. No command means `gui`.
int run(int argc, char** argv, GuiLauncher launch_gui);

// What run() decides before any work: parse errors and `gui` flag errors give 2 (message on
// stderr), --help and --version 0 (printed); otherwise 0 without running anything: `gui` is
// validated but no window opens, a headless command is parsed only (its own checks run with its
// work). For the command-line fuzzer (tests/fuzz).
int parse_only(int argc, char** argv);

}  // namespace diffuscope::cli
