#pragma once
// The image forward view: x_t of one image at the cursor (A, and B when comparing), drawn large
// with crisp pixels, and a strip of x_t at 8 evenly spaced t with their t labels. For the
// Fashion-MNIST image (one schedule shown), the image model's x̂_0 at t stands beside x_t.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "gui/state/app_state.hpp"
#include "gui/protocol/jobs.hpp"
#include "renderer/image_texture.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

// What the image view asks the window to do (buttons in its header).
struct ImageViewActions {
  int fashion_step = 0;   // -1 / +1: previous / next Fashion-MNIST image
};

class ForwardImageView {
 public:
  ImageViewActions draw(const AppState& state, const ForwardFrame* frame, const renderer::Palette& palette);
  void release();

 private:
  struct Side {
    renderer::ImageTexture current;
    renderer::ImageTexture x0_hat;
    std::vector<std::unique_ptr<renderer::ImageTexture>> strip;
    std::uint64_t generation = 0;
    // The uploaded x0_hat was still pending: its answer follows under the same generation.
    bool x0_pending = false;
    std::shared_ptr<const std::vector<Image>> strip_source;  // identity of the uploaded strip
  };
  void upload(Side& side, const ForwardSide& data, std::uint64_t generation);
  // thumb > 0: one row of thumbnails of that size (compare mode), else as many rows as fit `width`.
  void draw_strip(Side& side, const ForwardSide& data, float width, ImU32 color, float thumb = 0.0f);

  std::array<Side, 2> sides_;
};

}  // namespace diffuscope::gui
