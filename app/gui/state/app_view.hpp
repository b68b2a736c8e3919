#pragma once
// The three views of the window. Its own header so that the tables of names (choice_tables.hpp),
// which the command line reads too, need not include the whole AppState.

namespace diffuscope::gui {

// Forward: the forward-process views (curves, points, marginal, image). Reverse: the learned
// (or exact) reverse process on 2D clouds, compared panels and in-app training. Images: the
// learned image model's samples denoising from x_T, compared panels, the selected sample's x̂_0.
enum class AppView { Forward, Reverse, Images };
inline constexpr int kViewCount = 3;
// The reverse-process views play T -> 0 and follow their runs.
inline bool plays_down(AppView view) { return view != AppView::Forward; }

}  // namespace diffuscope::gui
