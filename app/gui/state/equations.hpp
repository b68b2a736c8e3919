#pragma once
// The equation panel's text: the formula the current view applies at the cursor, written
// symbolically and again with the current numbers in it, in Unicode (Greek letters, ᾱ, √, · and
// sub/superscripts, all in the lecture font's glyph ranges). Plain text only: no ImGui, no LibTorch,
// so it is unit-tested without a window.
//
// Which formula:
//  - Forward view: the chosen process at A's cursor (closed form, one Markov step and its marginal,
//    or the notes' naive variance-exploding walk) and SNR_t; with Compare on, the same lines for B
//    (its own T; the cursor clamped to it, as the forward worker does), in a second group; B as
//    flow matching's path (AppState::b_flow_shown): x_τ = (1 − τ)·x₀ + τ·ε, τ = t/T (flow_equations.hpp).
//  - Reverse and Images views: panel 0's sampler on A's schedule. The cursor t shows the state at
//    the smallest visited timestep t_v >= t (the worker's rule, reverse_compute.cpp), so the step
//    shown is the one the sampler takes next from that state: t_v -> t_prev. With K < T steps the
//    previous visited timestep is written s (xₛ ← xₜ) and the step uses the effective
//    β = 1 − ᾱₜ/ᾱₛ. At t = 0 the sample x₀ has been reached and no step applies. Once the view has
//    a frame, current_equations and current_readout take t from panel 0's shown picture
//    (ReverseState::shown_t) instead of the cursor, so that they describe what is drawn (with
//    only every k-th state kept, the picture can be a few steps noisier than the cursor asks).
//    DDIM's x̂₀ line depends on panel 0's denoiser (exact: E[x₀ | xₜ] over the training points).
//  - Every view: the t is the picture's on screen (shown_moment.hpp), never a cursor whose frame
//    is still on its way; before any picture, the cursor's.
#include <cstddef>
#include <string>
#include <vector>

#include "gui/state/app_state.hpp"

namespace diffuscope::gui {

struct EquationLine {
  std::string caption;    // what the line is ("A · closed form q(xₜ | x₀)")
  std::string symbolic;   // "xₜ = √ᾱₜ · x₀ + √(1 − ᾱₜ) · ε"
  std::string numeric;    // "x₅₀₀ = 0.280 · x₀ + 0.960 · ε" ("" when there is nothing to fill in)
  int group = 0;          // 0: schedule A (or the only schedule); 1: schedule B (Compare)
};

// The lines for the current view, process, sampler and cursor (never empty).
std::vector<EquationLine> current_equations(const AppState& state);
// The same at another cursor t (the panel measures the lines at t = T too, to keep its layout).
std::vector<EquationLine> equations_at(const AppState& state, int t);
// The most lines current_equations gives for these settings at any t (t = 0 gives fewer), so the
// panel keeps its height while the cursor moves.
std::size_t equation_line_count(const AppState& state);

// The presenter's large readout at the cursor (schedule A, or panel 0's sampler).
struct Readout {
  int t = 0;                 // the timestep the numbers belong to: the picture's on screen
  int T = 0;
  double alpha_bar = 1;      // ᾱₜ (naive process: 1, x₀'s coefficient never shrinks)
  double snr = 0;            // ᾱₜ / (1 − ᾱₜ) (naive: 1 / (tβ), for unit-variance x₀); +inf at t = 0
  double log_snr = 0;        // log SNRₜ
  double sigma = 0;          // see sigma_caption
  std::string sigma_caption; // what sigma is: "σₜ² = β̃ₜ (small)", "σₜ by DDIM η = 0.50", ...
  int t_prev = -1;           // reverse views: where the shown step goes (-1: no step)
};
// Forward view: σₜ is the reverse step's with σₜ² = β̃ₜ (what a DDPM sampler would add here);
// naive process: σ is its noise std √(tβ). Reverse and Images views: panel 0's sampler's σₜ at
// the shown state's step (0 at x₀ and on the last step).
Readout current_readout(const AppState& state);

// A coefficient with 3 decimals ("0.280"); scientific when 0 < |x| < 0.001 or |x| >= 10⁴
// ("2.50×10⁻⁴"), so a nonzero coefficient never reads "0.000". "−" (U+2212) for negatives,
// "∞" for infinities, "undefined" for NaN.
std::string format_coefficient(double value);
// Unicode subscript digits: 500 -> "₅₀₀", -1 -> "₋₁".
std::string subscript(int value);
// Unicode superscript digits: -4 -> "⁻⁴".
std::string superscript(int value);

}  // namespace diffuscope::gui
