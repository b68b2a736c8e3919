#include "gui/state/curves.hpp"
#include "diffusion/schedule.hpp"
#include "gui/protocol/flow_path.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace diffuscope::gui {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
double finite_or_nan(double v) { return std::isfinite(v) ? v : kNaN; }
}  // namespace

ScheduleCurves make_curves(const diffusion::Schedule& s, bool over_fraction) {
  const int T = s.T();
  ScheduleCurves c;
  const auto n = static_cast<std::size_t>(T) + 1;
  c.x.resize(n);
  c.alpha_bar.resize(n);
  c.sqrt_alpha_bar.resize(n);
  c.sqrt_one_minus_alpha_bar.resize(n);
  c.beta.resize(n);
  c.posterior_variance.resize(n);
  c.snr.resize(n);
  c.log_snr.resize(n);
  for (int t = 0; t <= T; ++t) {
    const auto i = static_cast<std::size_t>(t);
    c.x[i] = over_fraction ? static_cast<double>(t) / T : static_cast<double>(t);
    c.alpha_bar[i] = s.alpha_bar(t);
    c.sqrt_alpha_bar[i] = s.sqrt_alpha_bar(t);
    c.sqrt_one_minus_alpha_bar[i] = s.sqrt_one_minus_alpha_bar(t);
    if (t == 0) {
      c.beta[i] = c.posterior_variance[i] = c.snr[i] = c.log_snr[i] = kNaN;
    } else {
      c.beta[i] = s.beta(t);
      c.posterior_variance[i] = finite_or_nan(s.posterior_variance(t));
      c.snr[i] = finite_or_nan(s.snr(t));
      c.log_snr[i] = finite_or_nan(s.log_snr(t));
    }
  }
  return c;
}

CurveValues flow_curve_values(int T, int t) {
  CurveValues v;
  v.t = std::clamp(t, 0, std::max(T, 0));
  v.flow = true;
  v.tau = flow_tau(v.t, T);
  v.alpha_bar = flow_alpha_bar(v.tau);
  v.sqrt_alpha_bar = flow_signal_coefficient(v.tau);
  v.sqrt_one_minus_alpha_bar = flow_noise_coefficient(v.tau);
  v.beta = v.posterior_variance = kNaN;
  v.snr = flow_snr(v.tau);
  v.log_snr = flow_path_log_snr(v.tau);
  return v;
}

ScheduleCurves make_flow_curves(int T, bool over_fraction) {
  T = std::max(T, 1);
  ScheduleCurves c;
  const auto n = static_cast<std::size_t>(T) + 1;
  for (auto* values : {&c.x, &c.alpha_bar, &c.sqrt_alpha_bar, &c.sqrt_one_minus_alpha_bar, &c.beta,
                       &c.posterior_variance, &c.snr, &c.log_snr})
    values->resize(n);
  for (int t = 0; t <= T; ++t) {
    const auto i = static_cast<std::size_t>(t);
    const CurveValues v = flow_curve_values(T, t);
    c.x[i] = over_fraction ? v.tau : static_cast<double>(t);
    c.alpha_bar[i] = v.alpha_bar;
    c.sqrt_alpha_bar[i] = v.sqrt_alpha_bar;
    c.sqrt_one_minus_alpha_bar[i] = v.sqrt_one_minus_alpha_bar;
    c.beta[i] = c.posterior_variance[i] = kNaN;
    // SNR = ∞ at τ = 0 and log-SNR = −∞ at τ = 1: gaps, as for a schedule.
    c.snr[i] = finite_or_nan(v.snr);
    c.log_snr[i] = finite_or_nan(v.log_snr);
  }
  return c;
}

CurveValues curve_values(const diffusion::Schedule& s, int t) {
  CurveValues v;
  v.t = std::clamp(t, 0, s.T());
  v.alpha_bar = s.alpha_bar(v.t);
  v.sqrt_alpha_bar = s.sqrt_alpha_bar(v.t);
  v.sqrt_one_minus_alpha_bar = s.sqrt_one_minus_alpha_bar(v.t);
  v.beta = s.beta(v.t);
  v.posterior_variance = v.t == 0 ? 0.0 : s.posterior_variance(v.t);
  v.snr = s.snr(v.t);
  v.log_snr = s.log_snr(v.t);
  return v;
}

}  // namespace diffuscope::gui
