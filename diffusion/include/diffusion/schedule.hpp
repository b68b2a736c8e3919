#pragma once
// Noise schedules in double precision, paper convention: t = 1..T, alpha_bar_0 = 1.
// Torch-free so that the UI, the CLI and the tests can use it without LibTorch.
#include <vector>

#include "diffusion/schedule_params.hpp"

namespace diffusion {

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
