#pragma once
// The bottom strip: scrubber over t = 0..T (its text names the t of the picture on screen,
// shown_moment.hpp), play/pause, step, loop, speed. Its keys (Space, ←/→,
// Home/End) come from the key queue and are carried out by apply_timeline_press (key_queue.hpp,
// which also has toggle_play).
#include "gui/lecture/key_queue.hpp"
#include "gui/state/app_state.hpp"

namespace diffuscope::gui {

// Draws into the current ImGui window.
void draw_timeline_panel(AppState& state);

// Height the timeline strip needs at the current style.
float timeline_panel_height();

}  // namespace diffuscope::gui
