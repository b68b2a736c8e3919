#pragma once
// Names for schedules A and B that say what sets them apart, for legends, tabs and captions:
// the family always, then whichever of T, zero terminal SNR and scale-with-T differ (each side
// names its own value: "A: linear" / "B: linear, ZT-SNR"). When none of those differ but another
// parameter does (β_T, cosine s, τ …), that parameter's value is added so the two never read alike.
// Pure string work on the parameters; no ImGui.
#include <string>

#include "diffusion/schedule_params.hpp"

namespace diffuscope::gui {

struct ScheduleLabelPair {
  std::string a, b;   // without the "A: " / "B: " prefix
};

// Short words: "ZT-SNR" for zero terminal SNR, "β×1000/T" for scale-with-T, "T = 500".
ScheduleLabelPair schedule_difference_labels(const diffusion::ScheduleParams& a, const diffusion::ScheduleParams& b);

// A's schedule against B, where B may be flow matching's path (AppState::b_flow_shown): then B is
// kFlowPathLabel ("flow matching, x_τ = (1−τ)x₀ + τε") and A its schedule_label; when the T's
// differ each adds its "T = …". Without flow, schedule_difference_labels.
ScheduleLabelPair forward_side_labels(const diffusion::ScheduleParams& a, const diffusion::ScheduleParams& b,
                                      bool b_flow);

// One schedule alone (no comparison): its family, and the flags it has on ("linear, ZT-SNR").
std::string schedule_label(const diffusion::ScheduleParams& p);

}  // namespace diffuscope::gui
