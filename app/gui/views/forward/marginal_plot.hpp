#pragma once
// The marginal panel: histogram of the x coordinate of x_t against the N(0, 1) density, with the
// sample mean and variance next to their predicted values (√ᾱ_t·E[x_0], ᾱ_t·Var[x_0] + 1 − ᾱ_t).
#include <cstdint>

#include "gui/state/app_state.hpp"
#include "gui/protocol/jobs.hpp"
#include "renderer/histogram.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class MarginalPlot {
 public:
  void draw(const AppState& state, const ForwardFrame* frame, const renderer::Palette& palette);

 private:
  std::uint64_t generation_ = 0;
  double half_range_ = 0.0;
  float table_row_h_ = 0.0f;      // a moments table row's height measured last frame (0: not yet drawn)
  float table_row_scale_ = 0.0f;  // the font scale it was measured at
  renderer::DensityHistogram hist_a_, hist_b_;
};

}  // namespace diffuscope::gui
