#pragma once
// The `diffuscope` command line. Every headless command prints CSV with a header to stdout;
// errors go to stderr with exit code 2.
#include "gui/gui_options.hpp"

namespace diffuscope::cli {

// Opens the window; nullptr when this build has no GUI (DIFFUSCOPE_GUI=OFF).
using GuiLauncher = int (*)(const gui::GuiOptions&);

// Parses argv and runs the command. No command means `gui`.
int run(int argc, char** argv, GuiLauncher launch_gui);

}  // namespace diffuscope::cli
