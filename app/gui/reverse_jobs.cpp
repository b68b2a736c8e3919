// Equality of the reverse view's plain values (what decides whether a run restarts).
#include "gui/reverse_jobs.hpp"

namespace diffuscope::gui {

bool operator==(const ReversePanelSpec& a, const ReversePanelSpec& b) {
  // Every sampler field counts, also those the sigma kind does not use: simple and safe (an
  // unused field changing costs one restart, never a stale trajectory).
  const diffusion::ReverseConfig& x = a.sampler;
  const diffusion::ReverseConfig& y = b.sampler;
  const bool same_sampler = x.sigma == y.sigma && x.interpolation == y.interpolation &&
                            x.eta == y.eta && x.clip_x0 == y.clip_x0 &&
                            x.clip_min == y.clip_min && x.clip_max == y.clip_max;
  return a.schedule == b.schedule && same_sampler && a.steps == b.steps &&
         a.spacing == b.spacing && a.denoiser == b.denoiser;
}

}  // namespace diffuscope::gui
