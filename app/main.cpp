// diffuscope: with no command (or `gui`) opens the lecture window; otherwise a headless CLI command.
#include "cli/cli.hpp"
#include "gui/gui_options.hpp"

#ifdef DIFFUSCOPE_HAS_GUI
#include "gui/gui_main.hpp"
#endif

#include <iostream>

int main(int argc, char** argv) {
  diffuscope::cli::GuiLauncher launch_gui = nullptr;
#ifdef DIFFUSCOPE_HAS_GUI
  launch_gui = &diffuscope::gui::run_gui;
#endif
  return diffuscope::cli::run(argc, argv, launch_gui);
}
