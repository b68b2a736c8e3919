// Respaced sampling steps: the visited timesteps of each spacing (as diffusers' schedulers pick
// them, Lin et al. 2023 Table 2) and the effective betas between visited steps.
#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule.hpp"

namespace diffusion {
namespace {

ScheduleParams Params(ScheduleKind kind, int T = 1000, bool zero_terminal_snr = false) {
  ScheduleParams p;
  p.kind = kind;
  p.T = T;
  p.zero_terminal_snr = zero_terminal_snr;
  return p;
}

std::vector<int> Range(int first, int last, int step) {
  std::vector<int> out;
  for (int t = first; t <= last; t += step) out.push_back(t);
  return out;
}

// Expected lists computed by hand / with Python (round() is half-to-even there, as in numpy).
TEST(RespacedTimesteps, ThousandStepsTenVisited) {
  EXPECT_EQ(respaced_timesteps(1000, 10, Spacing::Leading), Range(1, 901, 100));
  EXPECT_EQ(respaced_timesteps(1000, 10, Spacing::Trailing), Range(100, 1000, 100));
  EXPECT_EQ(respaced_timesteps(1000, 10, Spacing::Linspace),
            (std::vector<int>{1, 112, 223, 334, 445, 556, 667, 778, 889, 1000}));
}

TEST(RespacedTimesteps, TenStepsThreeVisited) {
  // leading: step 10/3 = 3, i = 0, 3, 6. trailing: round(10, 6.67, 3.33) = 10, 7, 3.
  // linspace: round(0, 4.5, 9) = 0, 4, 9 (4.5 rounds to even).
  EXPECT_EQ(respaced_timesteps(10, 3, Spacing::Leading), (std::vector<int>{1, 4, 7}));
  EXPECT_EQ(respaced_timesteps(10, 3, Spacing::Trailing), (std::vector<int>{3, 7, 10}));
  EXPECT_EQ(respaced_timesteps(10, 3, Spacing::Linspace), (std::vector<int>{1, 5, 10}));
}

TEST(RespacedTimesteps, TiesRoundToEvenAsNumpyDoes) {
  // trailing, T = 10, K = 4: round(10, 7.5, 5, 2.5) = 10, 8, 5, 2.
  EXPECT_EQ(respaced_timesteps(10, 4, Spacing::Trailing), (std::vector<int>{2, 5, 8, 10}));
  EXPECT_EQ(respaced_timesteps(10, 4, Spacing::Leading), (std::vector<int>{1, 3, 5, 7}));
  EXPECT_EQ(respaced_timesteps(10, 4, Spacing::Linspace), (std::vector<int>{1, 4, 7, 10}));
  EXPECT_EQ(respaced_timesteps(1000, 7, Spacing::Trailing), (std::vector<int>{143, 286, 429, 571, 714, 857, 1000}));
  EXPECT_EQ(respaced_timesteps(1000, 7, Spacing::Linspace), (std::vector<int>{1, 167, 334, 501, 667, 833, 1000}));
  EXPECT_EQ(respaced_timesteps(1000, 7, Spacing::Leading), (std::vector<int>{1, 143, 285, 427, 569, 711, 853}));
}

TEST(RespacedTimesteps, OneStep) {
  EXPECT_EQ(respaced_timesteps(1000, 1, Spacing::Leading), (std::vector<int>{1}));
  EXPECT_EQ(respaced_timesteps(1000, 1, Spacing::Trailing), (std::vector<int>{1000}));
  EXPECT_EQ(respaced_timesteps(1000, 1, Spacing::Linspace), (std::vector<int>{1}));
  EXPECT_EQ(respaced_timesteps(1, 1, Spacing::Trailing), (std::vector<int>{1}));
}

TEST(RespacedTimesteps, DistinctIncreasingInRangeForEveryTAndK) {
  for (int T = 1; T <= 80; ++T) {
    for (int K = 1; K <= T; ++K) {
      for (Spacing spacing : {Spacing::Leading, Spacing::Trailing, Spacing::Linspace}) {
        const std::vector<int> ts = respaced_timesteps(T, K, spacing);
        ASSERT_EQ(static_cast<int>(ts.size()), K) << "T " << T << " K " << K << " " << to_string(spacing);
        for (int k = 0; k < K; ++k) {
          ASSERT_GE(ts[k], 1);
          ASSERT_LE(ts[k], T);
          if (k > 0) {
            ASSERT_GT(ts[k], ts[k - 1]) << "T " << T << " K " << K << " " << to_string(spacing);
          }
        }
        if (spacing != Spacing::Trailing) {
          ASSERT_EQ(ts.front(), 1);
        }
        if (spacing == Spacing::Trailing || (spacing == Spacing::Linspace && K > 1)) {
          ASSERT_EQ(ts.back(), T);
        }
        if (K == T) {
          ASSERT_EQ(ts, Range(1, T, 1));
        }
      }
    }
  }
}

TEST(RespacedTimesteps, LargeTKeepsTheInvariants) {
  for (int K : {3, 7, 999, 4999, 9999}) {
    for (Spacing spacing : {Spacing::Leading, Spacing::Trailing, Spacing::Linspace}) {
      const std::vector<int> ts = respaced_timesteps(10000, K, spacing);
      ASSERT_EQ(static_cast<int>(ts.size()), K);
      for (int k = 1; k < K; ++k) ASSERT_GT(ts[k], ts[k - 1]);
      ASSERT_GE(ts.front(), 1);
      ASSERT_LE(ts.back(), 10000);
    }
  }
}

TEST(RespacedTimesteps, BadStepCountNamesSteps) {
  for (int K : {0, -3, 1001}) {
    try {
      respaced_timesteps(1000, K, Spacing::Trailing);
      ADD_FAILURE() << "no error for K = " << K;
    } catch (const ScheduleError& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("steps"), std::string::npos) << message;
      EXPECT_NE(message.find(std::to_string(K)), std::string::npos) << message;
    }
  }
  const Schedule schedule(Params(ScheduleKind::Linear, 100));
  EXPECT_THROW(sampling_steps(schedule, 101, Spacing::Leading), ScheduleError);
}

TEST(SamplingSteps, FullChainIsThePlainMarkovChain) {
  const Schedule schedule(Params(ScheduleKind::Cosine, 200));
  for (int K : {0, -1, 200}) {
    for (Spacing spacing : {Spacing::Leading, Spacing::Trailing, Spacing::Linspace}) {
      const std::vector<SamplingStep> steps = sampling_steps(schedule, K, spacing);
      ASSERT_EQ(steps.size(), 200u);
      for (int k = 0; k < 200; ++k) {
        const SamplingStep& step = steps[k];
        const int t = 200 - k;
        ASSERT_EQ(step.t, t);
        ASSERT_EQ(step.t_prev, t - 1);
        ASSERT_EQ(step.beta, schedule.beta(t));  // exactly the schedule's own beta
        ASSERT_EQ(step.alpha_bar, schedule.alpha_bar(t));
        ASSERT_EQ(step.alpha_bar_prev, schedule.alpha_bar(t - 1));
        ASSERT_EQ(step.one_minus_alpha_bar, schedule.one_minus_alpha_bar(t));
        ASSERT_EQ(step.one_minus_alpha_bar_prev, schedule.one_minus_alpha_bar(t - 1));
        if (step.beta < 0.5) {
          ASSERT_EQ(step.alpha(), schedule.alpha(t));
        }
        ASSERT_NEAR(step.alpha(), schedule.alpha(t), 1e-12 * schedule.alpha(t));
        ASSERT_DOUBLE_EQ(step.posterior_variance(), schedule.posterior_variance(t));
        ASSERT_DOUBLE_EQ(step.posterior_mean_coef_x0(), schedule.posterior_mean_coef_x0(t));
        ASSERT_DOUBLE_EQ(step.posterior_mean_coef_xt(), schedule.posterior_mean_coef_xt(t));
        ASSERT_EQ(step.is_last(), t == 1);
      }
    }
  }
}

// Effective beta between visited steps, checked two independent ways:
//  (a) 1 - prod_{t_prev < s <= t} (1 - beta_s) in long double from the schedule's own betas;
//  (b) 1 - ab_t / ab_prev in long double from the schedule's alpha_bar values;
// and the product of alpha_eff = 1 - beta_eff over all visited steps equals alpha_bar of the
// largest t. (alpha() must be accurate even where beta_eff is close to 1.)
void CheckRespaced(const ScheduleParams& params, int K, Spacing spacing) {
  SCOPED_TRACE(std::string(to_string(params.kind)) + (params.zero_terminal_snr ? " +ztsnr" : "") + " T " +
               std::to_string(params.T) + " K " + std::to_string(K) + " " + std::string(to_string(spacing)));
  const Schedule schedule(params);
  const std::vector<int> visited = respaced_timesteps(params.T, K, spacing);
  const std::vector<SamplingStep> steps = sampling_steps(schedule, K, spacing);
  ASSERT_EQ(static_cast<int>(steps.size()), K);
  long double product = 1.0L;
  for (int k = 0; k < K; ++k) {
    const SamplingStep& step = steps[k];
    ASSERT_EQ(step.t, visited[K - 1 - k]);  // sampling order: largest t first
    ASSERT_EQ(step.t_prev, k + 1 < K ? visited[K - 2 - k] : 0);
    ASSERT_EQ(step.is_last(), k + 1 == K);
    ASSERT_EQ(step.alpha_bar, schedule.alpha_bar(step.t));
    ASSERT_EQ(step.alpha_bar_prev, schedule.alpha_bar(step.t_prev));
    ASSERT_EQ(step.one_minus_alpha_bar, schedule.one_minus_alpha_bar(step.t));
    ASSERT_EQ(step.one_minus_alpha_bar_prev, schedule.one_minus_alpha_bar(step.t_prev));

    long double kept = 1.0L;
    for (int s = step.t_prev + 1; s <= step.t; ++s) kept *= 1.0L - schedule.beta(s);
    const long double from_betas = 1.0L - kept;
    EXPECT_NEAR(step.beta, static_cast<double>(from_betas), 1e-12 * static_cast<double>(from_betas)) << "t " << step.t;
    const long double from_alpha_bars =
        1.0L - static_cast<long double>(schedule.alpha_bar(step.t)) / schedule.alpha_bar(step.t_prev);
    // (b) inherits the rounding of the two stored doubles (~1e-16 each): an absolute 1e-15 on top.
    EXPECT_NEAR(step.beta, static_cast<double>(from_alpha_bars), 1e-12 * static_cast<double>(from_alpha_bars) + 1e-15);
    EXPECT_GT(step.beta, 0.0);
    EXPECT_LE(step.beta, 1.0);

    // Posterior of the respaced chain: the same formulas with the effective beta (and the
    // schedule's accurate 1 - alpha_bar, checked in test_schedule).
    const long double one_minus = step.one_minus_alpha_bar, one_minus_prev = step.one_minus_alpha_bar_prev;
    const long double variance = one_minus_prev / one_minus * from_betas;
    EXPECT_NEAR(step.posterior_variance(), static_cast<double>(variance), 1e-12 * static_cast<double>(variance));
    EXPECT_NEAR(step.posterior_mean_coef_x0(),
                static_cast<double>(std::sqrt(static_cast<long double>(step.alpha_bar_prev)) * from_betas / one_minus),
                1e-12);
    EXPECT_NEAR(step.posterior_mean_coef_xt(), static_cast<double>(std::sqrt(kept) * one_minus_prev / one_minus), 1e-12);
    EXPECT_NEAR(step.alpha(), static_cast<double>(kept), 1e-12 * static_cast<double>(kept)) << "t " << step.t;
    product *= step.alpha();
  }
  const double top = schedule.alpha_bar(visited.back());
  if (top == 0.0)
    EXPECT_EQ(product, 0.0L);
  else
    EXPECT_NEAR(static_cast<double>(product), top, 1e-12 * top);
}

TEST(SamplingSteps, RespacedEffectiveBetas) {
  for (ScheduleKind kind : all_schedule_kinds())
    for (bool zero_terminal_snr : {false, true})
      for (Spacing spacing : {Spacing::Leading, Spacing::Trailing, Spacing::Linspace})
        for (int K : {1, 2, 10, 50, 999}) CheckRespaced(Params(kind, 1000, zero_terminal_snr), K, spacing);
  CheckRespaced(Params(ScheduleKind::Linear, 10), 3, Spacing::Trailing);
  CheckRespaced(Params(ScheduleKind::Cosine, 10000), 25, Spacing::Linspace);
}

TEST(SamplingSteps, LastStepStartsFromCleanData) {
  const Schedule schedule(Params(ScheduleKind::Linear));
  for (Spacing spacing : {Spacing::Leading, Spacing::Trailing, Spacing::Linspace}) {
    const SamplingStep last = sampling_steps(schedule, 10, spacing).back();
    EXPECT_TRUE(last.is_last());
    EXPECT_EQ(last.t_prev, 0);
    EXPECT_EQ(last.alpha_bar_prev, 1.0);
    EXPECT_EQ(last.one_minus_alpha_bar_prev, 0.0);
    EXPECT_EQ(last.posterior_variance(), 0.0);
    EXPECT_EQ(last.posterior_mean_coef_xt(), 0.0);
    EXPECT_DOUBLE_EQ(last.posterior_mean_coef_x0(), 1.0);  // beta = 1 - ab_t: the mean is x_0
    EXPECT_EQ(last.beta, schedule.one_minus_alpha_bar(last.t));
  }
}

TEST(SamplingSteps, TrailingWithZeroTerminalSnrStartsFromPureNoise) {
  const Schedule schedule(Params(ScheduleKind::ScaledLinear, 1000, true));
  const std::vector<SamplingStep> steps = sampling_steps(schedule, 20, Spacing::Trailing);
  const SamplingStep& first = steps.front();
  EXPECT_EQ(first.t, 1000);
  EXPECT_EQ(first.alpha_bar, 0.0);
  EXPECT_EQ(first.one_minus_alpha_bar, 1.0);
  EXPECT_EQ(first.beta, 1.0);
  EXPECT_EQ(first.alpha(), 0.0);
  EXPECT_EQ(first.posterior_mean_coef_xt(), 0.0);  // x_T carries no information about x_0
  EXPECT_DOUBLE_EQ(first.posterior_mean_coef_x0(), std::sqrt(first.alpha_bar_prev));
  EXPECT_DOUBLE_EQ(first.posterior_variance(), first.one_minus_alpha_bar_prev);
  for (const SamplingStep& step : steps) {
    EXPECT_FALSE(std::isnan(step.posterior_variance()));
    EXPECT_FALSE(std::isnan(step.posterior_mean_coef_x0()));
    EXPECT_FALSE(std::isnan(step.posterior_mean_coef_xt()));
  }
}

TEST(SamplingSteps, SmallEffectiveBetaKeepsFullPrecision) {
  // Constant schedule with beta = x = 1e-10. Visiting t = 1, 2 (consecutive) gives the schedule's
  // beta; visiting t = 1, 3 gives 1 - ab_3/ab_1 = 1 - (1 - x)^2 = 2x - x^2, where the naive
  // 1 - ratio in double would keep only ~6 digits.
  ScheduleParams p = Params(ScheduleKind::Constant, 3);
  p.beta = 1e-10;
  const Schedule schedule(p);
  const std::vector<SamplingStep> steps = sampling_steps(schedule, 2, Spacing::Leading);  // t = 1, 2
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].t, 2);
  EXPECT_EQ(steps[0].t_prev, 1);
  EXPECT_NEAR(steps[0].beta, 1e-10, 1e-10 * 1e-14);
  const std::vector<SamplingStep> wide = sampling_steps(schedule, 2, Spacing::Linspace);  // t = 1, 3
  ASSERT_EQ(wide[0].t, 3);
  EXPECT_NEAR(wide[0].beta, 2e-10 - 1e-20, 2e-10 * 1e-14);
}

// beta_1 = 0.1 .. beta_T = 0.5 at T = 10000: alpha_bar underflows to 0 long before T, so a
// respaced step can have alpha_bar_t = alpha_bar_prev = 0. alpha() was 0/0 = NaN there, which made
// the posterior mean NaN for every sampler with sigma small or large (found by the learned
// denoisers' slider sweep).
TEST(SamplingSteps, UnderflowedAlphaBarsGiveFiniteCoefficients) {
  ScheduleParams p;
  p.T = 10000;
  p.beta_start = 0.1;
  p.beta_end = 0.5;
  const Schedule schedule(p);
  bool saw_both_zero = false;
  for (const int K : {10, 100}) {
    for (const SamplingStep& step : sampling_steps(schedule, K, Spacing::Trailing)) {
      saw_both_zero = saw_both_zero || (step.alpha_bar == 0.0 && step.alpha_bar_prev == 0.0);
      EXPECT_TRUE(std::isfinite(step.alpha())) << step.t;
      EXPECT_GE(step.alpha(), 0.0) << step.t;
      EXPECT_TRUE(std::isfinite(step.posterior_mean_coef_xt())) << step.t;
      EXPECT_TRUE(std::isfinite(step.posterior_mean_coef_x0())) << step.t;
      EXPECT_TRUE(std::isfinite(step.posterior_variance())) << step.t;
    }
  }
  EXPECT_TRUE(saw_both_zero);
}

TEST(SpacingNames, RoundTrip) {
  for (Spacing spacing : {Spacing::Leading, Spacing::Trailing, Spacing::Linspace})
    EXPECT_EQ(parse_spacing(to_string(spacing)), spacing);
  EXPECT_EQ(to_string(Spacing::Linspace), "linspace");
  EXPECT_EQ(parse_spacing("uniform"), std::nullopt);
}

}  // namespace
}  // namespace diffusion
