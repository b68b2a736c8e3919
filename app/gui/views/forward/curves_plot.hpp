#pragma once
// The curves: ᾱ_t, √ᾱ_t, √(1−ᾱ_t) on the left; β_t and β̃_t, SNR_t (log axis) or log-SNR on the
// right; A solid and B dashed; a cursor at t, click/drag to move it, and a hover readout of every
// quantity at the hovered t. With B as flow matching's path (AppState::b_flow_shown) B's dashed
// curves are its coefficients 1 − τ and τ, (1 − τ)² and its SNR ((1 − τ)/τ)², and the legends say so.
#include <cstdint>
#include <memory>

#include "gui/state/app_state.hpp"
#include "gui/state/curves.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class CurvesPlot {
 public:
  void draw(AppState& state, const renderer::Palette& palette);
  // Revision of schedule A whose curves the last draw() showed (benchmarks: slider-to-curves latency).
  std::uint64_t drawn_revision() const { return drawn_revision_; }

 private:
  struct Cache {
    std::shared_ptr<const diffusion::Schedule> schedule;
    bool over_fraction = false;
    int flow_T = 0;   // > 0: the curves are flow matching's path over t = 0..flow_T
    ScheduleCurves curves;
  };
  const ScheduleCurves& curves_for(Cache& cache, const std::shared_ptr<const diffusion::Schedule>& s,
                                   bool over_fraction);
  const ScheduleCurves& flow_curves_for(Cache& cache, int T, bool over_fraction);
  Cache cache_a_, cache_b_;
  std::uint64_t drawn_revision_ = 0;
};

}  // namespace diffuscope::gui
