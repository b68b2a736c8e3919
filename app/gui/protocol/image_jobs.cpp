// Equality of the Images view's jobs (what decides whether a run restarts) and its panel label.
#include "gui/protocol/image_jobs.hpp"

#include <cstdio>

namespace diffuscope::gui {

bool restarts_image_run(const ImageReverseJob& x, const ImageReverseJob& y) {
  if (x.panels.size() != y.panels.size()) return true;
  for (std::size_t i = 0; i < x.panels.size(); ++i) {
    // The denoiser field plays no part here: compare everything else.
    ReversePanelSpec a = x.panels[i], b = y.panels[i];
    a.denoiser = b.denoiser = DenoiserKind::Model;
    if (a != b) return true;
  }
  return x.image_count != y.image_count || x.seed != y.seed || x.model_path != y.model_path;
}

bool same_image_job(const ImageReverseJob& x, const ImageReverseJob& y) {
  return !restarts_image_run(x, y) && x.t == y.t && x.selected == y.selected;
}

std::string image_panel_label(const ReversePanelSpec& spec, int T) {
  return sampler_and_steps_label(spec, T) + clip_label(spec.sampler);
}

}  // namespace diffuscope::gui
