#pragma once
#include "gui/lecture/gui_options.hpp"

namespace diffuscope::gui {

// Opens the lecture window and runs until it is closed (or, with a screenshot path, until the
// PNG is written). Returns the process exit code.
int run_gui(const GuiOptions& options);

}  // namespace diffuscope::gui
