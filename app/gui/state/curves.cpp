#include "gui/state/curves.hpp"
#include "diffusion/schedule.hpp"

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
