#pragma once
// Flow matching's linear path as the forward view draws it beside a variance-preserving schedule
// (issue 18; Lipman et al. 2023, Liu et al. 2023): x_τ = (1 − τ) x_0 + τ ε with τ = t / T, where T
// is B's own slot's T (the cursor is clamped to it as for any side, so B's T slider still sets
// how many steps the path is cut into). Its coefficients, SNR and the predicted moments of x_τ.
// Torch-free and pure: the worker, the curves, the equation panel and the labels share these.
namespace diffuscope::gui {

// B's name wherever a schedule's name would be (legends, titles, tabs).
inline constexpr const char* kFlowPathLabel = "flow matching, x_τ = (1−τ)x₀ + τε";
inline constexpr const char* kFlowPathShortLabel = "flow matching";

// τ = t / T clamped into [0, 1]; 0 when T <= 0.
double flow_tau(int t, int T);
// The coefficient of x_0 (1 − τ) and of ε (τ) in x_τ.
inline double flow_signal_coefficient(double tau) { return 1.0 - tau; }
inline double flow_noise_coefficient(double tau) { return tau; }
// The variance-preserving equivalent of the signal coefficient squared, (1 − τ)²: what the
// forward frame reports as the side's "ᾱ" (forward_alpha_bar), with noise std τ.
inline double flow_alpha_bar(double tau) { return (1.0 - tau) * (1.0 - tau); }
// SNR = ((1 − τ) / τ)²: +inf at τ = 0, 0 at τ = 1.
double flow_snr(double tau);
// log SNR = 2 log((1 − τ) / τ): +inf at τ = 0, −inf at τ = 1.
double flow_path_log_snr(double tau);
// Moments of x_τ per coordinate from those of x_0 (ε independent of x_0, unit variance):
// E[x_τ] = (1 − τ) E[x_0], Var[x_τ] = (1 − τ)² Var[x_0] + τ².
double flow_predicted_mean(double tau, double x0_mean);
double flow_predicted_variance(double tau, double x0_variance);

}  // namespace diffuscope::gui
