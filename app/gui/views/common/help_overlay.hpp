#pragma once
// The F1 overlay: every key of the key table (key_bindings.hpp), grouped, in a centred modal
// window titled "Keys"; and the one-line hint "F1: keys" that says it exists.
#include "gui/state/app_state.hpp"
#include "renderer/fonts.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

// While state.show_help: a modal window over about 70 % of the display listing every binding in a
// two-column table per group (Presenting, Scenes, Timeline, Files). Its Close button and its title
// bar's × set state.show_help = false; F1 and Esc are dispatched by the caller (ToggleHelp,
// CloseOverlay), which also just set state.show_help. Call once per frame, outside any window
// (it is a popup: always from the same place). `fonts` (optional): large for the group titles,
// bold for the keys.
void draw_help_overlay(AppState& state, const renderer::Palette& palette,
                       const renderer::FontSet* fonts = nullptr);

// "F1: keys" as dimmed text on the current line (e.g. at the right end of the menu bar, after
// ImGui::SameLine); clicking it opens the overlay. help_hint_width(): its width at the current
// font, to right-align it (ImGui::SameLine(right_edge - help_hint_width())).
void draw_help_hint(AppState& state);
float help_hint_width();

}  // namespace diffuscope::gui
