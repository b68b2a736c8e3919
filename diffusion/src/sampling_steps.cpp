#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule.hpp"

#include <cmath>
#include <string>

namespace diffusion {
namespace {

// Sum of log(1 - beta_s) for t_prev < s <= t, compensated (Neumaier) so that the effective beta
// of a respaced step keeps full relative precision even when it is small.
double log_alpha_ratio(const Schedule& schedule, int t_prev, int t) {
  double sum = 0.0, compensation = 0.0;
  for (int s = t_prev + 1; s <= t; ++s) {
    const double x = std::log1p(-schedule.beta(s));
    const double next = sum + x;
    if (std::isinf(next)) return next;  // beta_s = 1 (zero terminal SNR): alpha_bar_t = 0
    compensation += std::fabs(sum) >= std::fabs(x) ? (sum - next) + x : (x - next) + sum;
    sum = next;
  }
  return sum + compensation;
}

}  // namespace

std::string_view to_string(Spacing spacing) {
  switch (spacing) {
    case Spacing::Leading: return "leading";
    case Spacing::Trailing: return "trailing";
    case Spacing::Linspace: return "linspace";
  }
  return "unknown";
}

std::optional<Spacing> parse_spacing(std::string_view name) {
  for (Spacing spacing : {Spacing::Leading, Spacing::Trailing, Spacing::Linspace})
    if (to_string(spacing) == name) return spacing;
  return std::nullopt;
}

double SamplingStep::posterior_variance() const {
  if (t_prev == 0) return 0.0;
  return one_minus_alpha_bar_prev / one_minus_alpha_bar * beta;
}

double SamplingStep::posterior_mean_coef_x0() const {
  return std::sqrt(alpha_bar_prev) * beta / one_minus_alpha_bar;
}

double SamplingStep::posterior_mean_coef_xt() const {
  return std::sqrt(alpha()) * one_minus_alpha_bar_prev / one_minus_alpha_bar;
}

// Conventions of diffusers' schedulers, with 0-based index i = t - 1 (Lin et al. 2023, Table 2).
// Rounding is half-to-even (std::nearbyint), as numpy's round is.
std::vector<int> respaced_timesteps(int T, int K, Spacing spacing) {
  if (T < 1 || T > kMaxTimesteps)
    throw ScheduleError("T must be in [1, " + std::to_string(kMaxTimesteps) + "], got " + std::to_string(T));
  if (K < 1 || K > T)
    throw ScheduleError("steps must be in [1, T = " + std::to_string(T) + "], got " + std::to_string(K));
  std::vector<int> timesteps(static_cast<std::size_t>(K));
  switch (spacing) {
    case Spacing::Leading: {
      // i = k * (T / K): starts at t = 1, so the largest visited t can be well below T.
      const int step = T / K;
      for (int k = 0; k < K; ++k) timesteps[k] = k * step + 1;
      break;
    }
    case Spacing::Trailing: {
      // i = round(T - k T/K) - 1, so t = i + 1 = round(T - k T/K): always visits t = T.
      const double step = static_cast<double>(T) / K;
      for (int k = 0; k < K; ++k) timesteps[K - 1 - k] = static_cast<int>(std::nearbyint(T - k * step));
      break;
    }
    case Spacing::Linspace: {
      // i = round(linspace(0, T - 1, K)): visits t = 1 and t = T.
      const double step = K > 1 ? static_cast<double>(T - 1) / (K - 1) : 0.0;
      for (int k = 0; k < K; ++k) {
        const double i = k == K - 1 && K > 1 ? static_cast<double>(T - 1) : k * step;
        timesteps[k] = static_cast<int>(std::nearbyint(i)) + 1;
      }
      break;
    }
  }
  // Spacing >= 1 between points keeps them distinct after rounding; this guards the invariant.
  for (int k = 0; k < K; ++k) {
    const bool ok = timesteps[k] >= 1 && timesteps[k] <= T && (k == 0 || timesteps[k] > timesteps[k - 1]);
    if (!ok) throw ScheduleError("steps = " + std::to_string(K) + " with " + std::string(to_string(spacing)) +
                                 " spacing gives repeated timesteps for T = " + std::to_string(T));
  }
  return timesteps;
}

std::vector<SamplingStep> sampling_steps(const Schedule& schedule, int K, Spacing spacing) {
  const int T = schedule.T();
  std::vector<int> visited;
  const bool full_chain = K <= 0 || K == T;
  if (full_chain) {
    visited.resize(static_cast<std::size_t>(T));
    for (int t = 1; t <= T; ++t) visited[t - 1] = t;
  } else {
    visited = respaced_timesteps(T, K, spacing);
  }

  std::vector<SamplingStep> steps;
  steps.reserve(visited.size());
  for (std::size_t k = visited.size(); k-- > 0;) {
    SamplingStep step;
    step.t = visited[k];
    step.t_prev = k > 0 ? visited[k - 1] : 0;
    step.alpha_bar = schedule.alpha_bar(step.t);
    step.alpha_bar_prev = schedule.alpha_bar(step.t_prev);
    step.one_minus_alpha_bar = schedule.one_minus_alpha_bar(step.t);
    step.one_minus_alpha_bar_prev = schedule.one_minus_alpha_bar(step.t_prev);
    if (step.t_prev == step.t - 1)
      step.beta = schedule.beta(step.t);
    else if (step.t_prev == 0)
      step.beta = step.one_minus_alpha_bar;
    else
      step.beta = -std::expm1(log_alpha_ratio(schedule, step.t_prev, step.t));
    steps.push_back(step);
  }
  return steps;
}

}  // namespace diffusion
