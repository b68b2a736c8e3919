#pragma once
// The equation panel's lines when reverse panel #1 is a flow-matching panel
// (ReversePanelSettings::process = Flow): the path and its velocity, and the step the panel takes
// next from the state shown at the cursor, Euler x_{τ−Δτ} = x_τ − Δτ · v̂(x_τ, τ) or Heun's two
// stages, with τ, Δτ and the run's network evaluations (NFE). The panel's state k (τ_k = k / K)
// shows at timeline t = round(τ_k·T) (compute/flow_panel_step.hpp), so the cursor t shows the
// state at the smallest such t >= the cursor, as for a DDPM panel. Plain text, unit-tested.
#include <vector>

#include "gui/state/equations.hpp"
#include "gui/state/reverse_state.hpp"

namespace diffuscope::gui {

// The timeline t of a flow panel's K states before x_0, increasing: round(k·T/K), k = 1..K (the
// worker's mapping, flow_panel_step.hpp; the strip of visited timesteps draws them).
std::vector<int> flow_visited_timesteps(int K, int T);
// τ of the state a flow panel of K steps shows at cursor t on a timeline of length T (0 at t = 0).
double flow_shown_tau(int K, int T, int cursor_t);
// Appends the lines for a flow panel at cursor t (0..T); learned: its velocity is the network's.
void append_flow_sampler_lines(const ReversePanelSettings& panel, int T, int cursor_t, bool learned,
                               std::vector<EquationLine>& out);

// The presenter's readout for a flow panel #1 at cursor t: the shown state's timeline t and the
// t its step goes to, and its path's noise level: SNR = ((1 − τ)/τ)², its log, and the ᾱ of the
// variance-preserving x_t with that SNR, (1 − τ)²/((1 − τ)² + τ²) (flow_matching.hpp); σ = 0.
Readout flow_sampler_readout(const ReversePanelSettings& panel, int T, int cursor_t);

}  // namespace diffuscope::gui
