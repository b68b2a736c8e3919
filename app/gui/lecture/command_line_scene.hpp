#pragma once
// The `diffuscope gui` flags that set the lecture's starting state, as a scene: each flag becomes
// the scene key that means the same (--sigma: reverse.panels[0].sigma, --t: t, --compare: compare
// with a linear A, ...) and the scene loader (scene.hpp) applies them like any scene file, so
// flags, scene files and the lecture menu set the state one way. GL-free, ImGui-free, torch-free.
//
// Precedence (unchanged): the flags make the starting state; a --scene file, being a whole state,
// replaces it; --presenter and --image are applied after the scene and win over it.
#include <string>

#include "gui/state/app_state.hpp"
#include "gui/lecture/gui_options.hpp"
#include "gui/lecture/scene.hpp"

namespace diffuscope::gui {

// The flags as scene JSON: the keys they decide, including the defaults that depend on the view
// (the forward cursor at T/10 unless --t; the reverse and Images cursors follow their runs and
// settle at --t / --image-t). Flags are expected validated (cli/gui_command.cpp).
std::string command_line_scene_json(const GuiOptions& options);

// Applies command_line_scene_json to `state` (a fresh one) with the scene loader. Two things a
// scene does not say are kept as the flags always had them: the first --track point is the picked
// one (a scene picks its newest), and the Images view's count and K still take the device's
// defaults (apply_device_defaults) for what --image-count and --images-steps did not give.
SceneLoad apply_command_line(AppState& state, const GuiOptions& options);

}  // namespace diffuscope::gui
