#pragma once
// The equation panel's lines for side B as flow matching's linear path (AppState::b_flow_shown):
// x_τ = (1 − τ)·x₀ + τ·ε with τ = t / T and its SNR, written symbolically and with the numbers at
// the cursor (flow_path.hpp). Plain text, group 1 (B), unit-tested with the other equations.
#include <string>
#include <vector>

#include "gui/state/equations.hpp"

namespace diffuscope::gui {

// Appends B's lines at cursor t (clamped to 0..T, as the forward worker clamps B's cursor).
// with_snr: the SNR line too (left out in presenter mode, as for a schedule).
void append_flow_path_lines(int t, int T, const std::string& prefix, bool with_snr,
                            std::vector<EquationLine>& out);

}  // namespace diffuscope::gui
