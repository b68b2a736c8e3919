#pragma once
// The steps a sampler visits: all T of them, or a respaced subset of K < T timesteps.
#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "diffusion/schedule_params.hpp"

namespace diffusion {

class Schedule;  // diffusion/schedule.hpp

enum class Spacing { Leading, Trailing, Linspace };
std::string_view to_string(Spacing spacing);
std::optional<Spacing> parse_spacing(std::string_view name);  // "leading" | "trailing" | "linspace"

// One reverse step from t down to t_prev (t_prev = 0 on the last step). For consecutive steps
// beta equals the schedule's beta_t; for respaced ones it is the effective 1 - ab_t / ab_prev.
struct SamplingStep {
  int t = 0;
  int t_prev = 0;
  double alpha_bar = 0;              // alpha_bar_t
  double alpha_bar_prev = 1;         // alpha_bar_{t_prev}
  double one_minus_alpha_bar = 1;    // accurate 1 - alpha_bar_t
  double one_minus_alpha_bar_prev = 0;
  double beta = 0;                   // effective beta between t_prev and t
  // alpha_bar_t / alpha_bar_prev. Where beta is close to 1 (a long respaced jump, or the first step
  // after a zero-terminal-SNR rescale) 1 - beta would lose digits, so the ratio is used there,
  // unless both alpha_bars underflowed to 0 (beta near 1 for hundreds of steps): then 0/0 would
  // be NaN, and 1 - beta (computed from the log ratio) is the better value.
  double alpha() const {
    if (beta < 0.5) return 1.0 - beta;
    return alpha_bar_prev > 0.0 ? alpha_bar / alpha_bar_prev : std::max(0.0, 1.0 - beta);
  }
  double posterior_variance() const;       // (1 - ab_prev) / (1 - ab_t) * beta
  double posterior_mean_coef_x0() const;   // sqrt(ab_prev) beta / (1 - ab_t)
  double posterior_mean_coef_xt() const;   // sqrt(alpha) (1 - ab_prev) / (1 - ab_t)
  bool is_last() const { return t_prev == 0; }
};

// Visited timesteps in increasing order, each in 1..T, K of them (distinct).
// Throws ScheduleError if K < 1 or K > T.
std::vector<int> respaced_timesteps(int T, int K, Spacing spacing);

// Steps in sampling order (from the largest t down to the last step whose t_prev = 0).
// K = T (or K <= 0 meaning "all") gives the full chain with the schedule's own betas.
std::vector<SamplingStep> sampling_steps(const Schedule& schedule, int K, Spacing spacing);

}  // namespace diffusion
