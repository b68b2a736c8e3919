#pragma once
// The Images view's centre: 1-4 panels, each a grid of samples at the cursor's state (one texture
// atlas per panel, crisp pixels), a label and t under each, the selected tile framed; clicking a
// tile selects that sample. A status line (model, speed, memory, device) under the grids. And,
// for the side column, the selected sample's x_t, x̂_0 and ε̂ side by side for every panel.
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "gui/state/app_state.hpp"
#include "gui/protocol/image_jobs.hpp"
#include "renderer/image_texture.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class ImageGridsView {
 public:
  // Draws into the current ImGui window; frame may be null (nothing computed yet). A click on a
  // tile sets state.images.selected.
  void draw(AppState& state, const std::shared_ptr<const ImageReverseFrame>& frame,
            const renderer::Palette& palette);
  // The selected sample (side column, from the cursor down, at most max_height tall).
  void draw_selected(const AppState& state, const std::shared_ptr<const ImageReverseFrame>& frame,
                     float max_height, const renderer::Palette& palette);
  void release();  // frees GL objects (context current)

 private:
  // The status under the grids as parts to wrap: the model, speed, kept states' memory.
  static std::vector<std::string> status_parts(const ImageReverseFrame* frame);
  struct Slot {
    renderer::ImageTexture atlas;
    renderer::ImageTexture x_t, x0_hat, eps_hat;
    int atlas_cols = 0;
  };
  void upload(const ImageReverseFrame& frame, int cols);
  void draw_panel(int index, AppState& state, const ImageReverseFrame* frame, ImVec2 cell,
                  const renderer::Palette& palette);

  std::array<Slot, kMaxReversePanels> slots_;
  std::shared_ptr<const ImageReverseFrame> uploaded_;       // the frame whose grids are uploaded
  std::shared_ptr<const ImageReverseFrame> uploaded_selected_;
  int uploaded_cols_ = 0;
};

}  // namespace diffuscope::gui
