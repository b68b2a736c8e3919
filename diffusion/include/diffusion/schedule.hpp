#pragma once
// Noise schedules in double precision, paper convention: t = 1..T, alpha_bar_0 = 1.
// Torch-free so that the UI, the CLI and the tests can use it without LibTorch.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace diffusion {

enum class ScheduleKind { Linear, ScaledLinear, Cosine, Sigmoid, SigmoidBeta, Constant };

// All families, in the order the UI lists them.
const std::vector<ScheduleKind>& all_schedule_kinds();
// "linear", "scaled_linear", "cosine", "sigmoid", "sigmoid_beta", "constant".
std::string_view to_string(ScheduleKind kind);
// Accepts the names above and "quadratic" for scaled_linear; nullopt otherwise.
std::optional<ScheduleKind> parse_schedule_kind(std::string_view name);

// Thrown for parameters out of range; what() names the parameter and its value.
class ScheduleError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct ScheduleParams {
  ScheduleKind kind = ScheduleKind::Linear;
  int T = 1000;                   // 1..10000
  double beta_start = 1e-4;       // linear, scaled_linear, sigmoid_beta: beta_1
  double beta_end = 0.02;         // linear, scaled_linear, sigmoid_beta: beta_T
  double beta = 0.01;             // constant
  double cosine_s = 0.008;        // cosine offset s (Nichol & Dhariwal 2021)
  double sigmoid_start = -3.0;    // sigmoid (Chen 2023)
  double sigmoid_end = 3.0;
  double sigmoid_tau = 1.0;
  bool scale_with_T = false;      // linear/scaled_linear: multiply both ends by 1000/T
  bool zero_terminal_snr = false; // Lin et al. 2023 rescale, after the family
};

// Field-by-field equality (every field, also those the family does not use): the UI and the
// worker use it to tell whether a schedule must be recomputed.
bool operator==(const ScheduleParams& a, const ScheduleParams& b);
inline bool operator!=(const ScheduleParams& a, const ScheduleParams& b) { return !(a == b); }

inline constexpr int kMaxTimesteps = 10000;
inline constexpr double kMaxBeta = 0.999;  // cap for cosine and sigmoid (improved-diffusion)

// Throws ScheduleError naming the first bad parameter. Every double field must be finite, even
// those the family does not use. Cosine and sigmoid cap beta at kMaxBeta (their last beta is
// always capped, since their alpha_bar reaches 0 at t = T); the other families cannot reach
// beta >= 1 because their betas lie between two endpoints that must be in (0, 1).
void validate(const ScheduleParams& params);

// A computed schedule. Index t runs 0..T; t = 0 is the clean data (beta_0 = 0, alpha_bar_0 = 1).
class Schedule {
 public:
  // Validates, then computes. Throws ScheduleError.
  explicit Schedule(const ScheduleParams& params);

  const ScheduleParams& params() const { return params_; }
  int T() const { return T_; }

  double beta(int t) const;
  double alpha(int t) const;                  // 1 - beta_t
  double alpha_bar(int t) const;              // prod_{s<=t} alpha_s
  double log_alpha_bar(int t) const;          // sum_{s<=t} log(1 - beta_s); -inf when alpha_bar = 0
  double alpha_bar_prev(int t) const;         // alpha_bar_{t-1}
  double one_minus_alpha_bar(int t) const;    // 1 - alpha_bar_t, computed without cancellation
  double sqrt_alpha_bar(int t) const;
  double sqrt_one_minus_alpha_bar(int t) const;
  double snr(int t) const;                    // alpha_bar / (1 - alpha_bar); +inf at t = 0
  double log_snr(int t) const;                // log SNR; -inf when alpha_bar_T = 0
  double posterior_variance(int t) const;     // beta_tilde_t = (1 - ab_{t-1}) / (1 - ab_t) * beta_t
  double posterior_mean_coef_x0(int t) const; // sqrt(ab_{t-1}) beta_t / (1 - ab_t)
  double posterior_mean_coef_xt(int t) const; // sqrt(alpha_t) (1 - ab_{t-1}) / (1 - ab_t)

  // Whole arrays, index 0..T (for plotting).
  const std::vector<double>& betas() const { return beta_; }
  const std::vector<double>& alpha_bars() const { return alpha_bar_; }

 private:
  void check_t(int t) const;
  ScheduleParams params_;
  int T_ = 0;
  std::vector<double> beta_;                  // [0..T], beta_[0] = 0
  std::vector<double> alpha_bar_;             // [0..T], alpha_bar_[0] = 1
  std::vector<double> one_minus_alpha_bar_;   // [0..T], accurate for alpha_bar near 1
  std::vector<double> log_alpha_bar_;         // [0..T], log_alpha_bar_[0] = 0
};

}  // namespace diffusion
