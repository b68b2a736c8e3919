#include "diffusion/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>

namespace diffusion {
namespace {

constexpr double kHalfPi = 1.57079632679489661923;

// Shortest decimal form that reads back as the same double: "1.5", not "1.5000000000000000".
std::string format_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[40];
  int precision = 1;
  for (; precision < 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  // Whole numbers below 1e17 in plain digits: "-1000", not "-1e+03".
  const int exponent = value == 0.0 ? 0 : static_cast<int>(std::floor(std::log10(std::fabs(value))));
  if (exponent >= precision && exponent < 17) precision = exponent + 1;
  std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
  return buffer;
}

[[noreturn]] void fail(const std::string& message) { throw ScheduleError(message); }

void require_finite(const char* name, double value) {
  if (!std::isfinite(value)) fail(std::string(name) + " must be a finite number, got " + format_number(value));
}

void require_open_unit(const std::string& name, double value) {
  if (!(value > 0.0 && value < 1.0)) fail(name + " must be in (0, 1), got " + format_number(value));
}

// numpy.linspace(a, b, n): a + i * step, with the last point exactly b; one point gives a.
std::vector<double> linspace(double a, double b, int n) {
  std::vector<double> out(static_cast<std::size_t>(n));
  if (n == 1) {
    out[0] = a;
    return out;
  }
  const double step = (b - a) / (n - 1);
  for (int i = 0; i < n; ++i) out[i] = a + i * step;
  out[n - 1] = b;
  return out;
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// The factor 1000/T of improved-diffusion when scale_with_T is set, else 1.
double beta_scale(const ScheduleParams& p) { return p.scale_with_T ? 1000.0 / p.T : 1.0; }

// beta_1..beta_T (index 0..T-1) of the family, before any zero-terminal-SNR rescale.
std::vector<double> family_betas(const ScheduleParams& p) {
  const int T = p.T;
  std::vector<double> betas(static_cast<std::size_t>(T));
  switch (p.kind) {
    case ScheduleKind::Linear: {
      const double scale = beta_scale(p);
      betas = linspace(scale * p.beta_start, scale * p.beta_end, T);
      break;
    }
    case ScheduleKind::ScaledLinear: {
      const double scale = beta_scale(p);
      betas = linspace(std::sqrt(scale * p.beta_start), std::sqrt(scale * p.beta_end), T);
      for (double& b : betas) b = b * b;
      break;
    }
    case ScheduleKind::Cosine: {
      // Nichol & Dhariwal 2021: alpha_bar(t) = f(t)/f(0), f(t) = cos^2(((t/T + s)/(1 + s)) pi/2).
      // Written with the complementary angle c_t = ((T - t)/(T (1 + s))) pi/2, f(t) = sin^2(c_t),
      // so that beta_t = 1 - f(t)/f(t-1) = sin(c_{t-1} - c_t) sin(c_{t-1} + c_t) / sin^2(c_{t-1})
      // has no cancellation, neither near t = 1 (beta ~ 1e-5) nor near t = T (c_t ~ 0).
      const double denom = static_cast<double>(T) * (1.0 + p.cosine_s);
      const double difference = kHalfPi / denom;  // c_{t-1} - c_t
      for (int t = 1; t <= T; ++t) {
        const double c_prev = kHalfPi * (static_cast<double>(T - t + 1) / denom);
        const double sum = kHalfPi * (static_cast<double>(2 * (T - t) + 1) / denom);
        const double sin_prev = std::sin(c_prev);
        const double beta = std::sin(difference) * std::sin(sum) / (sin_prev * sin_prev);
        betas[t - 1] = std::min(beta, kMaxBeta);
      }
      break;
    }
    case ScheduleKind::Sigmoid: {
      // Chen 2023: alpha_bar(t) = (v_end - sigmoid(x_t)) / (v_end - v_start),
      // x_t = (start + (end - start) t/T) / tau. With sigmoid(b) - sigmoid(a) =
      // sigmoid(b) sigmoid(-a) (-expm1(a - b)), beta_t = 1 - alpha_bar_t / alpha_bar_{t-1}
      //   = sigmoid(x_t) expm1(-d1) / (sigmoid(x_T) expm1(-d2)),
      // d1 = x_t - x_{t-1}, d2 = x_T - x_{t-1}: exact differences, no cancellation.
      const double span = p.sigmoid_end - p.sigmoid_start;
      const double per_step = span / (static_cast<double>(T) * p.sigmoid_tau);
      const double sigmoid_end = sigmoid(p.sigmoid_end / p.sigmoid_tau);
      const double expm1_one = std::expm1(-per_step);
      for (int t = 1; t <= T; ++t) {
        const double x_t = t == T ? p.sigmoid_end / p.sigmoid_tau
                                  : (p.sigmoid_start + span * (static_cast<double>(t) / T)) / p.sigmoid_tau;
        const double d2 = static_cast<double>(T - t + 1) * per_step;
        const double beta = t == T ? 1.0 : sigmoid(x_t) * expm1_one / (sigmoid_end * std::expm1(-d2));
        betas[t - 1] = std::min(beta, kMaxBeta);
      }
      break;
    }
    case ScheduleKind::SigmoidBeta: {
      const std::vector<double> x = linspace(-6.0, 6.0, T);
      for (int i = 0; i < T; ++i) betas[i] = sigmoid(x[i]) * (p.beta_end - p.beta_start) + p.beta_start;
      break;
    }
    case ScheduleKind::Constant:
      std::fill(betas.begin(), betas.end(), p.beta);
      break;
  }
  return betas;
}

std::string family_parameters(const ScheduleParams& p) {
  switch (p.kind) {
    case ScheduleKind::Cosine:
      return "cosine_s = " + format_number(p.cosine_s);
    case ScheduleKind::Sigmoid:
      return "sigmoid_start = " + format_number(p.sigmoid_start) + ", sigmoid_end = " +
             format_number(p.sigmoid_end) + ", sigmoid_tau = " + format_number(p.sigmoid_tau);
    case ScheduleKind::Constant:
      return "beta = " + format_number(p.beta);
    default:
      return "beta_start = " + format_number(p.beta_start) + ", beta_end = " + format_number(p.beta_end);
  }
}

// Neumaier's compensated sum, so that log(alpha_bar) over 10,000 steps keeps full precision.
class CompensatedSum {
 public:
  void add(double x) {
    const double t = sum_ + x;
    if (std::isinf(t) || std::isinf(x)) {
      sum_ = t;
      compensation_ = 0.0;
      return;
    }
    compensation_ += std::fabs(sum_) >= std::fabs(x) ? (sum_ - t) + x : (x - t) + sum_;
    sum_ = t;
  }
  double value() const { return sum_ + compensation_; }

 private:
  double sum_ = 0.0;
  double compensation_ = 0.0;
};

}  // namespace

const std::vector<ScheduleKind>& all_schedule_kinds() {
  static const std::vector<ScheduleKind> kinds = {ScheduleKind::Linear,      ScheduleKind::ScaledLinear,
                                                  ScheduleKind::Cosine,      ScheduleKind::Sigmoid,
                                                  ScheduleKind::SigmoidBeta, ScheduleKind::Constant};
  return kinds;
}

std::string_view to_string(ScheduleKind kind) {
  switch (kind) {
    case ScheduleKind::Linear: return "linear";
    case ScheduleKind::ScaledLinear: return "scaled_linear";
    case ScheduleKind::Cosine: return "cosine";
    case ScheduleKind::Sigmoid: return "sigmoid";
    case ScheduleKind::SigmoidBeta: return "sigmoid_beta";
    case ScheduleKind::Constant: return "constant";
  }
  return "unknown";
}

std::optional<ScheduleKind> parse_schedule_kind(std::string_view name) {
  if (name == "quadratic") return ScheduleKind::ScaledLinear;
  for (ScheduleKind kind : all_schedule_kinds())
    if (to_string(kind) == name) return kind;
  return std::nullopt;
}

bool operator==(const ScheduleParams& a, const ScheduleParams& b) {
  return a.kind == b.kind && a.T == b.T && a.beta_start == b.beta_start &&
         a.beta_end == b.beta_end && a.beta == b.beta && a.cosine_s == b.cosine_s &&
         a.sigmoid_start == b.sigmoid_start && a.sigmoid_end == b.sigmoid_end &&
         a.sigmoid_tau == b.sigmoid_tau && a.scale_with_T == b.scale_with_T &&
         a.zero_terminal_snr == b.zero_terminal_snr;
}

void validate(const ScheduleParams& p) {
  if (p.T < 1 || p.T > kMaxTimesteps)
    fail("T must be in [1, " + std::to_string(kMaxTimesteps) + "], got " + std::to_string(p.T));
  require_finite("beta_start", p.beta_start);
  require_finite("beta_end", p.beta_end);
  require_finite("beta", p.beta);
  require_finite("cosine_s", p.cosine_s);
  require_finite("sigmoid_start", p.sigmoid_start);
  require_finite("sigmoid_end", p.sigmoid_end);
  require_finite("sigmoid_tau", p.sigmoid_tau);

  switch (p.kind) {
    case ScheduleKind::Linear:
    case ScheduleKind::ScaledLinear:
      require_open_unit("beta_start", p.beta_start);
      require_open_unit("beta_end", p.beta_end);
      if (p.scale_with_T) {
        const double scale = beta_scale(p);
        const std::string suffix = " with scale_with_T (x 1000/T = " + format_number(scale) + ")";
        require_open_unit("beta_start" + suffix, scale * p.beta_start);
        require_open_unit("beta_end" + suffix, scale * p.beta_end);
      }
      break;
    case ScheduleKind::SigmoidBeta:
      require_open_unit("beta_start", p.beta_start);
      require_open_unit("beta_end", p.beta_end);
      break;
    case ScheduleKind::Constant:
      require_open_unit("beta", p.beta);
      break;
    case ScheduleKind::Cosine:
      if (!(p.cosine_s >= 0.0)) fail("cosine_s must be >= 0, got " + format_number(p.cosine_s));
      break;
    case ScheduleKind::Sigmoid:
      if (!(p.sigmoid_tau > 0.0)) fail("sigmoid_tau must be > 0, got " + format_number(p.sigmoid_tau));
      if (!(p.sigmoid_start < p.sigmoid_end))
        fail("sigmoid_start must be < sigmoid_end, got sigmoid_start = " + format_number(p.sigmoid_start) +
             ", sigmoid_end = " + format_number(p.sigmoid_end));
      break;
  }
  if (p.zero_terminal_snr && p.T < 2)
    fail("zero_terminal_snr needs T >= 2 (it keeps alpha_bar_1 and zeroes alpha_bar_T), got T = " +
         std::to_string(p.T));
}

Schedule::Schedule(const ScheduleParams& params) : params_(params), T_(params.T) {
  validate(params_);
  const int T = T_;
  const std::vector<double> family = family_betas(params_);

  // Extreme but in-range parameters (e.g. a huge cosine_s) can round a beta to 0 or make it
  // non-finite; either would break the posterior (0/0 at t = 1), so reject them here.
  for (int t = 1; t <= T; ++t) {
    const double b = family[t - 1];
    if (!(b > 0.0 && b < 1.0))
      fail(std::string(to_string(params_.kind)) + " schedule with " + family_parameters(params_) + " gives beta_" +
           std::to_string(t) + " = " + format_number(b) + ", which must be in (0, 1)");
  }

  beta_.assign(T + 1, 0.0);
  alpha_bar_.assign(T + 1, 1.0);
  one_minus_alpha_bar_.assign(T + 1, 0.0);
  log_alpha_bar_.assign(T + 1, 0.0);

  // log alpha_bar as a compensated sum of log1p(-beta), and 1 - alpha_bar = -expm1(log alpha_bar):
  // both keep full relative precision where alpha_bar is close to 1 (small t).
  CompensatedSum log_sum;
  for (int t = 1; t <= T; ++t) {
    beta_[t] = family[t - 1];
    log_sum.add(std::log1p(-beta_[t]));
    log_alpha_bar_[t] = log_sum.value();
    alpha_bar_[t] = std::exp(log_alpha_bar_[t]);
    one_minus_alpha_bar_[t] = -std::expm1(log_alpha_bar_[t]);
  }

  if (params_.zero_terminal_snr) {
    // Lin et al. 2023, Algorithm 1: sqrt(alpha_bar) is shifted and scaled,
    //   s'_t = s_1 (s_t - s_T) / (s_1 - s_T),
    // so that s'_T = 0 and s'_1 = s_1; then beta'_t = 1 - alpha_bar'_t / alpha_bar'_{t-1}.
    // Evaluated through u_t = 1 - s_t = (1 - alpha_bar_t) / (1 + s_t) to stay exact near t = 1,
    // and through the differences s_t - s_T = -s_t expm1(sum_{t<r<=T} log(1 - beta_r) / 2), exact
    // even near t = T where s_t and s_T agree to a few digits.
    std::vector<double> s(T + 1), u(T + 1), above_end(T + 1);  // above_end[t] = s_t - s_T
    for (int t = 0; t <= T; ++t) {
      s[t] = std::sqrt(alpha_bar_[t]);
      u[t] = one_minus_alpha_bar_[t] / (1.0 + s[t]);
    }
    CompensatedSum suffix;
    above_end[T] = 0.0;
    for (int t = T - 1; t >= 0; --t) {
      suffix.add(std::log1p(-beta_[t + 1]));
      above_end[t] = -s[t] * std::expm1(0.5 * suffix.value());
    }
    const double width = above_end[1];
    if (!(width > 0.0))
      fail("zero_terminal_snr cannot rescale a schedule whose alpha_bar_1 equals alpha_bar_T in double precision (" +
           family_parameters(params_) + ")");
    std::vector<double> new_beta(T + 1, 0.0);
    new_beta[1] = beta_[1];
    for (int t = 2; t < T; ++t) {
      // 1 - s'_t/s'_{t-1} = (s_{t-1} - s_t)/(s_{t-1} - s_T), s_{t-1} - s_t = ab_{t-1} beta_t/(s_{t-1} + s_t).
      const double ratio = above_end[t] / above_end[t - 1];
      const double one_minus_ratio = alpha_bar_[t - 1] * beta_[t] / ((s[t - 1] + s[t]) * above_end[t - 1]);
      new_beta[t] = one_minus_ratio * (1.0 + ratio);
    }
    new_beta[T] = 1.0;
    for (int t = 2; t < T; ++t) {
      const double s_new = s[1] * above_end[t] / width;
      const double u_new = (s[1] * u[t] - s[T] * u[1]) / width;  // 1 - s'_t
      alpha_bar_[t] = s_new * s_new;
      // (1 - s')(1 + s') can round to 1 + 1 ulp when s' is tiny (e.g. a steep sigmoid near T).
      one_minus_alpha_bar_[t] = std::min(1.0, u_new * (1.0 + s_new));
      log_alpha_bar_[t] = 2.0 * (u_new < 0.5 ? std::log1p(-u_new) : std::log(s_new));
    }
    alpha_bar_[T] = 0.0;
    one_minus_alpha_bar_[T] = 1.0;
    log_alpha_bar_[T] = -std::numeric_limits<double>::infinity();
    beta_ = new_beta;
  }

  // Nothing downstream may ever see a NaN from a schedule.
  for (int t = 0; t <= T; ++t) {
    if (std::isnan(beta_[t]) || std::isnan(alpha_bar_[t]) || std::isnan(one_minus_alpha_bar_[t]) ||
        std::isnan(log_alpha_bar_[t]) || beta_[t] < 0.0 || beta_[t] > 1.0 ||
        !(alpha_bar_[t] >= 0.0 && alpha_bar_[t] <= 1.0) ||
        !(one_minus_alpha_bar_[t] >= 0.0 && one_minus_alpha_bar_[t] <= 1.0))
      fail(std::string(to_string(params_.kind)) + " schedule with " + family_parameters(params_) +
           " is numerically degenerate at t = " + std::to_string(t));
  }
}

void Schedule::check_t(int t) const {
  if (t < 0 || t > T_)
    throw std::out_of_range("t must be in [0, " + std::to_string(T_) + "], got " + std::to_string(t));
}

double Schedule::beta(int t) const {
  check_t(t);
  return beta_[t];
}

double Schedule::alpha(int t) const {
  check_t(t);
  return 1.0 - beta_[t];
}

double Schedule::alpha_bar(int t) const {
  check_t(t);
  return alpha_bar_[t];
}

double Schedule::log_alpha_bar(int t) const {
  check_t(t);
  return log_alpha_bar_[t];
}

// At t = 0 there is no previous step; the clean data's alpha_bar (1) is returned.
double Schedule::alpha_bar_prev(int t) const {
  check_t(t);
  return alpha_bar_[t > 0 ? t - 1 : 0];
}

double Schedule::one_minus_alpha_bar(int t) const {
  check_t(t);
  return one_minus_alpha_bar_[t];
}

double Schedule::sqrt_alpha_bar(int t) const {
  check_t(t);
  return std::sqrt(alpha_bar_[t]);
}

double Schedule::sqrt_one_minus_alpha_bar(int t) const {
  check_t(t);
  return std::sqrt(one_minus_alpha_bar_[t]);
}

double Schedule::snr(int t) const {
  check_t(t);
  if (t == 0) return std::numeric_limits<double>::infinity();
  return alpha_bar_[t] / one_minus_alpha_bar_[t];
}

// From the stored log alpha_bar, so it stays finite even where alpha_bar underflows to 0.
double Schedule::log_snr(int t) const {
  check_t(t);
  if (t == 0) return std::numeric_limits<double>::infinity();
  return log_alpha_bar_[t] - std::log(one_minus_alpha_bar_[t]);
}

double Schedule::posterior_variance(int t) const {
  check_t(t);
  if (t == 0) return 0.0;
  return one_minus_alpha_bar_[t - 1] / one_minus_alpha_bar_[t] * beta_[t];
}

// At t = 0 the "posterior" is x_0 itself: coefficient 1 on x_0, 0 on x_t (the values at t = 1 too).
double Schedule::posterior_mean_coef_x0(int t) const {
  check_t(t);
  if (t == 0) return 1.0;
  return std::sqrt(alpha_bar_[t - 1]) * beta_[t] / one_minus_alpha_bar_[t];
}

double Schedule::posterior_mean_coef_xt(int t) const {
  check_t(t);
  if (t == 0) return 0.0;
  return std::sqrt(1.0 - beta_[t]) * one_minus_alpha_bar_[t - 1] / one_minus_alpha_bar_[t];
}

}  // namespace diffusion
