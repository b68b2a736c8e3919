// The lecture window's entry point (`diffuscope gui`): the window's state and frame loop are
// GuiApp (gui_app.hpp); headless runs (--screenshot, exports, --bench, --soak) use the same loop.
#include "gui/shell/gui_main.hpp"

#include "gui/shell/gui_app.hpp"

namespace diffuscope::gui {

int run_gui(const GuiOptions& options) {
  GuiApp app(options);
  return app.run();
}

}  // namespace diffuscope::gui
