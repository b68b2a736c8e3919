#pragma once
// The curves of one schedule as arrays over t = 0..T, ready for the plot widget. Quantities that
// are undefined at a t (β_0, β̃_0, SNR_0 = ∞, log-SNR_T = −∞ with zero terminal SNR) are NaN, which
// the plot widget draws as a gap. Pure, unit-tested.
#include <vector>

#include "diffusion/schedule_params.hpp"

namespace diffusion {
class Schedule;  // diffusion/schedule.hpp
}  // namespace diffusion

namespace diffuscope::gui {

struct ScheduleCurves {
  std::vector<double> x;                 // t, or t/T when over_fraction
  std::vector<double> alpha_bar;
  std::vector<double> sqrt_alpha_bar;
  std::vector<double> sqrt_one_minus_alpha_bar;
  std::vector<double> beta;
  std::vector<double> posterior_variance;  // β̃_t
  std::vector<double> snr;
  std::vector<double> log_snr;
};

ScheduleCurves make_curves(const diffusion::Schedule& schedule, bool over_fraction);

// Flow matching's path (flow_path.hpp) over t = 0..T, τ = t / T, in the same fields so that it
// plots against a schedule's: sqrt_alpha_bar is x_0's coefficient 1 − τ, sqrt_one_minus_alpha_bar
// is ε's coefficient τ (not √(1 − (1 − τ)²): the path is not variance-preserving), alpha_bar is
// (1 − τ)², snr ((1 − τ)/τ)², log_snr 2 log((1 − τ)/τ). It has no β_t and no β̃_t: NaN (no curve).
ScheduleCurves make_flow_curves(int T, bool over_fraction);

// Every quantity at one t, for the hover readout.
struct CurveValues {
  int t = 0;
  bool flow = false;      // flow matching's path: tau is set, beta and posterior_variance are NaN
  double tau = 0;
  double alpha_bar = 1, sqrt_alpha_bar = 1, sqrt_one_minus_alpha_bar = 0;
  double beta = 0, posterior_variance = 0, snr = 0, log_snr = 0;
};
CurveValues curve_values(const diffusion::Schedule& schedule, int t);  // t clamped to 0..T
CurveValues flow_curve_values(int T, int t);  // make_flow_curves' values at t (clamped to 0..T)

}  // namespace diffuscope::gui
