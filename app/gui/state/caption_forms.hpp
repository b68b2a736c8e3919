#pragma once
// Shorter forms of a compare panel's label, so that narrow panels say what they are rather than
// have their caption cut: "#2  DDIM η = 0.33 · K = 50 · learned" gives, longest first,
//   "#2 DDIM η=0.33·K=50·learned", "#2 DDIM η=0.33·K=50", "#2 η=0.33·K=50", "#2 DDIM η=0.33", "#2 η=0.33".
// The parts after "·" go from the end (the denoiser, then K); the sampler's name (the word after
// "#n") goes before K does, since a steps comparison is about K. Pure strings; the view picks the
// first form that fits (widgets/ui_helpers first_fitting).
#include <string>
#include <vector>

namespace diffuscope::gui {

// The label itself first; every form at most as long as the one before it.
std::vector<std::string> panel_label_forms(const std::string& label);

}  // namespace diffuscope::gui
