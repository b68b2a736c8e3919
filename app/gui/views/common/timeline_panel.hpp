#pragma once
// The bottom strip: scrubber over t = 0..T, play/pause, step, loop, speed; and the keyboard
// shortcuts (Space, ←/→, Home/End), which never fire while ImGui is taking text input.
#include "gui/state/app_state.hpp"

namespace diffuscope::gui {

// Draws into the current ImGui window.
void draw_timeline_panel(AppState& state);

// Space: play/pause; ←/→: step (with key repeat); Home/End: t = 0 / T. Call once per frame.
void handle_timeline_keys(AppState& state);

// Toggles playing; pressing play at the end (not looping) restarts from t = 0 (reverse view:
// from t = T, since it plays T -> 0).
void toggle_play(AppState& state);

// Height the timeline strip needs at the current style.
float timeline_panel_height();

}  // namespace diffuscope::gui
