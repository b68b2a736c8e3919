// Schedules against values computed independently of the code under test:
//  - reference tables computed with Python's decimal module at 60 significant digits
//    (products of (1 - beta) over exact betas; cos by its Taylor series), and
//  - straightforward long double loops written here (the textbook formulas, no tricks).
// Tolerance: 1e-12 relative, as the issue demands.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "diffusion/schedule.hpp"

namespace diffusion {
namespace {

constexpr double kRelTol = 1e-12;
constexpr long double kPiL = 3.141592653589793238462643383279502884L;

// |actual - expected| <= tol |expected|; an expected 0 (or infinity) must be matched exactly.
::testing::AssertionResult RelNear(double actual, long double expected, double tol = kRelTol) {
  if (expected == 0.0L || std::isinf(static_cast<double>(expected))) {
    if (actual == static_cast<double>(expected)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "actual " << actual << " != expected " << static_cast<double>(expected);
  }
  const long double error = std::fabs(static_cast<long double>(actual) - expected) / std::fabs(expected);
  if (error <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << std::setprecision(17) << "actual " << actual << ", expected "
                                       << static_cast<double>(expected) << ", relative error "
                                       << static_cast<double>(error);
}

// ---------------------------------------------------------------------------------------------
// Reference tables computed with Python's decimal module at 60 digits: betas exactly as each
// paper defines them (cos by its Taylor series, sigmoid through Decimal.exp), min(beta, 0.999),
// alpha_bar as the running product of (1 - beta), Lin et al.'s rescale on sqrt(alpha_bar).

struct Reference {
  int t;
  double beta, alpha_bar, one_minus_alpha_bar, posterior_variance;
};

void CheckAgainstTable(const ScheduleParams& params, std::initializer_list<Reference> table) {
  const Schedule schedule(params);
  for (const Reference& r : table) {
    SCOPED_TRACE("t = " + std::to_string(r.t));
    EXPECT_TRUE(RelNear(schedule.beta(r.t), r.beta));
    EXPECT_TRUE(RelNear(schedule.alpha_bar(r.t), r.alpha_bar));
    EXPECT_TRUE(RelNear(schedule.one_minus_alpha_bar(r.t), r.one_minus_alpha_bar));
    EXPECT_TRUE(RelNear(schedule.posterior_variance(r.t), r.posterior_variance));
  }
}

ScheduleParams Params(ScheduleKind kind, int T = 1000) {
  ScheduleParams p;
  p.kind = kind;
  p.T = T;
  return p;
}

TEST(ScheduleTable, LinearMatchesDecimalReference) {
  CheckAgainstTable(Params(ScheduleKind::Linear),
                    {
                        {1, 1.00000000000000000e-4, 9.99900000000000000e-1, 1.00000000000000000e-4, 0.0},
                        {2, 1.19919919919919920e-4, 9.99780092072072072e-1, 2.19907927927927928e-4, 5.45318766130260539e-5},
                        {10, 2.79279279279279279e-4, 9.98105204785834619e-1, 1.89479521416538111e-3, 2.38182027823447351e-4},
                        {500, 1.00400400400400400e-2, 7.85872428817782373e-2, 9.21412757118221763e-1, 1.00313554146136882e-2},
                        {999, 1.99800800800800801e-2, 4.11819363813845236e-5, 9.99958818063618615e-1, 1.99800633042431991e-2},
                        {1000, 2.00000000000000000e-2, 4.03582976537568331e-5, 9.99959641702346243e-1, 1.99999835265606075e-2},
                    });
}

TEST(ScheduleTable, LinearSanityValueFromTheIssue) {
  const Schedule schedule(Params(ScheduleKind::Linear));
  EXPECT_NEAR(schedule.alpha_bar(1000), 4.0358e-05, 0.00005e-05);
}

TEST(ScheduleTable, ScaledLinearMatchesDecimalReference) {
  CheckAgainstTable(Params(ScheduleKind::ScaledLinear),
                    {
                        {1, 1.00000000000000000e-4, 9.99900000000000000e-1, 1.00000000000000000e-4, 0.0},
                        {2, 1.02648364350834015e-4, 9.99797361900485601e-1, 2.02638099514398932e-4, 5.06560042740334187e-5},
                        {500, 5.72215114776856379e-3, 3.33187767356299809e-1, 6.66812232643700191e-1, 5.70569620498355408e-3},
                        {1000, 2.00000000000000000e-2, 7.33412459580814908e-4, 9.99266587540419185e-1, 1.99997004282660391e-2},
                    });
}

TEST(ScheduleTable, CosineMatchesDecimalReference) {
  CheckAgainstTable(Params(ScheduleKind::Cosine),
                    {
                        {1, 4.12842248217778024e-5, 9.99958715775178222e-1, 4.12842248217778024e-5, 0.0},
                        {2, 4.61417527366945084e-5, 9.99912575927368021e-1, 8.74240726319786582e-5, 2.17894961456620406e-5},
                        {500, 3.14588623047819635e-3, 4.93843590440637713e-1, 5.06156409559362287e-1, 3.13619990405793828e-3},
                        {999, 7.49999392901162028e-1, 2.42876690703446836e-6, 9.99997571233092966e-1, 7.49993928184466143e-1},
                        {1000, 9.99000000000000000e-1, 2.42876690703446836e-9, 9.99999997571233093e-1, 9.98997576088192126e-1},
                    });
}

TEST(ScheduleTable, SigmoidMatchesDecimalReference) {
  CheckAgainstTable(Params(ScheduleKind::Sigmoid),
                    {
                        {1, 3.00279199749186014e-4, 9.99699720800250814e-1, 3.00279199749186014e-4, 0.0},
                        {2, 3.02004119187501650e-4, 9.99397807366618543e-1, 6.02192633381457083e-4, 1.50592269323122558e-4},
                        {500, 3.30341551362624344e-3, 5.00000000000000000e-1, 5.00000000000000000e-1, 3.29246679139169291e-3},
                        {999, 5.01356902918181211e-1, 3.00279199749186014e-4, 9.99699720800250814e-1, 5.01205491068316832e-1},
                        {1000, 9.99000000000000000e-1, 3.00279199749186014e-7, 9.99999699720800251e-1, 9.98700320968383733e-1},
                    });
}

TEST(ScheduleTable, SigmoidBetaMatchesDecimalReference) {
  CheckAgainstTable(Params(ScheduleKind::SigmoidBeta),
                    {
                        {1, 1.49205200817032009e-4, 9.99850794799182968e-1, 1.49205200817032009e-4, 0.0},
                        {2, 1.49798330419330228e-4, 9.99701018819453610e-1, 2.98981180546389965e-4, 7.47561767313456205e-5},
                        {500, 1.00201202099389843e-2, 3.01931056602195131e-1, 6.98068943397804869e-1, 9.97625411591694798e-3},
                        {1000, 1.99507947991829680e-2, 3.96818199053320777e-5, 9.99960318180094668e-1, 1.99507786822893819e-2},
                    });
}

TEST(ScheduleTable, LinearZeroTerminalSnrMatchesDecimalReference) {
  ScheduleParams p = Params(ScheduleKind::Linear);
  p.zero_terminal_snr = true;
  CheckAgainstTable(p, {
                           {1, 1.00000000000000000e-4, 9.99900000000000000e-1, 1.00000000000000000e-4, 0.0},
                           {2, 1.20686635510617111e-4, 9.99779325433152934e-1, 2.20674566847066050e-4, 5.46898708061162713e-5},
                           {500, 1.02710425495421399e-2, 7.60287505471147248e-2, 9.23971249452885275e-1, 1.02622718915691867e-2},
                           {999, 7.52267231150468983e-1, 4.21326246508805607e-9, 9.99999995786737535e-1, 7.52267221525943026e-1},
                           {1000, 1.0, 0.0, 1.0, 9.99999995786737535e-1},
                       });
}

TEST(ScheduleTable, LinearScaleWithTMatchesDecimalReference) {
  ScheduleParams p = Params(ScheduleKind::Linear, 250);
  p.scale_with_T = true;  // 1000/250 = 4: beta from 4e-4 to 0.08
  CheckAgainstTable(p, {
                           {1, 4.00000000000000000e-4, 9.99600000000000000e-1, 4.00000000000000000e-4, 0.0},
                           {2, 7.19678714859437751e-4, 9.98880609156626506e-1, 1.11939084337349398e-3, 2.57167983504510772e-4},
                           {125, 4.00401606425702811e-2, 7.71443467400021223e-2, 9.22855653259997878e-1, 3.99005530986119817e-2},
                           {250, 8.00000000000000000e-2, 3.26440913549072785e-5, 9.99967355908645093e-1, 7.99997729032554686e-2},
                       });
}

// ---------------------------------------------------------------------------------------------
// Independent long double implementation of every family, straight from the papers' formulas.

std::vector<long double> LinspaceL(long double a, long double b, int n) {
  std::vector<long double> out(n);
  for (int i = 0; i < n; ++i) out[i] = n == 1 ? a : a + (b - a) * i / (n - 1);
  return out;
}

long double SigmoidL(long double x) { return 1.0L / (1.0L + std::exp(-x)); }

struct ReferenceSchedule {
  std::vector<long double> beta, alpha_bar;  // index 0..T
};

ReferenceSchedule ComputeReference(const ScheduleParams& p) {
  const int T = p.T;
  std::vector<long double> b(T);
  const long double scale = p.scale_with_T ? 1000.0L / T : 1.0L;
  switch (p.kind) {
    case ScheduleKind::Linear:
      b = LinspaceL(scale * p.beta_start, scale * p.beta_end, T);
      break;
    case ScheduleKind::ScaledLinear: {
      b = LinspaceL(std::sqrt(scale * p.beta_start), std::sqrt(scale * p.beta_end), T);
      for (auto& x : b) x *= x;
      break;
    }
    case ScheduleKind::Cosine: {
      const long double s = p.cosine_s;
      auto f = [&](int t) {
        const long double c = std::cos((static_cast<long double>(t) / T + s) / (1.0L + s) * kPiL / 2.0L);
        return c * c;
      };
      for (int t = 1; t <= T; ++t) b[t - 1] = std::min(1.0L - f(t) / f(t - 1), 0.999L);
      break;
    }
    case ScheduleKind::Sigmoid: {
      const long double start = p.sigmoid_start, end = p.sigmoid_end, tau = p.sigmoid_tau;
      const long double v_start = SigmoidL(start / tau), v_end = SigmoidL(end / tau);
      auto alpha_bar = [&](int t) {
        return (v_end - SigmoidL((static_cast<long double>(t) / T * (end - start) + start) / tau)) / (v_end - v_start);
      };
      // Far in the tail long double itself rounds alpha_bar to 0 (0/0); such betas are capped too.
      for (int t = 1; t <= T; ++t) {
        const long double beta = 1.0L - alpha_bar(t) / alpha_bar(t - 1);
        b[t - 1] = beta < 0.999L ? beta : 0.999L;
      }
      break;
    }
    case ScheduleKind::SigmoidBeta: {
      const auto x = LinspaceL(-6.0L, 6.0L, T);
      for (int i = 0; i < T; ++i)
        b[i] = SigmoidL(x[i]) * (static_cast<long double>(p.beta_end) - p.beta_start) + p.beta_start;
      break;
    }
    case ScheduleKind::Constant:
      for (auto& x : b) x = p.beta;
      break;
  }
  ReferenceSchedule r;
  r.beta.assign(T + 1, 0.0L);
  r.alpha_bar.assign(T + 1, 1.0L);
  for (int t = 1; t <= T; ++t) {
    r.beta[t] = b[t - 1];
    r.alpha_bar[t] = r.alpha_bar[t - 1] * (1.0L - b[t - 1]);
  }
  if (p.zero_terminal_snr) {
    // Lin et al. 2023, Algorithm 1, literally.
    std::vector<long double> root(T + 1);
    for (int t = 0; t <= T; ++t) root[t] = std::sqrt(r.alpha_bar[t]);
    const long double first = root[1], last = root[T];
    for (int t = 1; t <= T; ++t) root[t] = (root[t] - last) * first / (first - last);
    for (int t = 1; t <= T; ++t) r.alpha_bar[t] = root[t] * root[t];
    for (int t = 1; t <= T; ++t) r.beta[t] = 1.0L - r.alpha_bar[t] / r.alpha_bar[t - 1];
  }
  return r;
}

void CheckAgainstLongDouble(const ScheduleParams& p) {
  SCOPED_TRACE(std::string(to_string(p.kind)) + " T = " + std::to_string(p.T) +
               (p.zero_terminal_snr ? " zero_terminal_snr" : "") + (p.scale_with_T ? " scale_with_T" : ""));
  const Schedule schedule(p);
  const ReferenceSchedule r = ComputeReference(p);
  ASSERT_EQ(schedule.T(), p.T);
  for (int t = 1; t <= p.T; ++t) {
    SCOPED_TRACE("t = " + std::to_string(t));
    const long double one_minus = 1.0L - r.alpha_bar[t];
    ASSERT_TRUE(RelNear(schedule.beta(t), r.beta[t]));
    ASSERT_TRUE(RelNear(schedule.alpha(t), 1.0L - r.beta[t]));
    ASSERT_TRUE(RelNear(schedule.alpha_bar(t), r.alpha_bar[t]));
    ASSERT_TRUE(RelNear(schedule.alpha_bar_prev(t), r.alpha_bar[t - 1]));
    ASSERT_TRUE(RelNear(schedule.one_minus_alpha_bar(t), one_minus));
    ASSERT_TRUE(RelNear(schedule.sqrt_alpha_bar(t), std::sqrt(r.alpha_bar[t])));
    ASSERT_TRUE(RelNear(schedule.sqrt_one_minus_alpha_bar(t), std::sqrt(one_minus)));
    ASSERT_TRUE(RelNear(schedule.snr(t), r.alpha_bar[t] / one_minus));
    // log SNR crosses 0; an absolute 1e-12 on it is a relative 1e-12 on the SNR.
    if (r.alpha_bar[t] == 0.0L) {
      ASSERT_EQ(schedule.log_snr(t), -std::numeric_limits<double>::infinity());
    } else {
      const long double log_snr = std::log(r.alpha_bar[t] / one_minus);
      ASSERT_NEAR(schedule.log_snr(t), static_cast<double>(log_snr),
                  kRelTol * std::max(1.0, std::fabs(static_cast<double>(log_snr))));
    }
    const long double posterior_variance = (1.0L - r.alpha_bar[t - 1]) / one_minus * r.beta[t];
    ASSERT_TRUE(RelNear(schedule.posterior_variance(t), posterior_variance));
    ASSERT_TRUE(RelNear(schedule.posterior_mean_coef_x0(t), std::sqrt(r.alpha_bar[t - 1]) * r.beta[t] / one_minus));
    ASSERT_TRUE(RelNear(schedule.posterior_mean_coef_xt(t),
                        std::sqrt(1.0L - r.beta[t]) * (1.0L - r.alpha_bar[t - 1]) / one_minus));
  }
}

class EveryFamily : public ::testing::TestWithParam<ScheduleKind> {};

TEST_P(EveryFamily, MatchesLongDoubleAtEveryTimestep) {
  for (int T : {1, 2, 7, 1000, 10000}) CheckAgainstLongDouble(Params(GetParam(), T));
}

TEST_P(EveryFamily, ZeroTerminalSnrMatchesLongDoubleAtEveryTimestep) {
  for (int T : {2, 3, 1000, 10000}) {
    ScheduleParams p = Params(GetParam(), T);
    p.zero_terminal_snr = true;
    CheckAgainstLongDouble(p);
  }
}

TEST_P(EveryFamily, ZeroTerminalSnrZeroesTheEndAndKeepsTheStart) {
  for (int T : {2, 50, 1000}) {
    SCOPED_TRACE("T = " + std::to_string(T));
    ScheduleParams p = Params(GetParam(), T);
    const Schedule plain(p);
    p.zero_terminal_snr = true;
    const Schedule rescaled(p);
    EXPECT_EQ(rescaled.alpha_bar(T), 0.0);
    EXPECT_EQ(rescaled.beta(T), 1.0);
    EXPECT_EQ(rescaled.snr(T), 0.0);
    EXPECT_EQ(rescaled.log_snr(T), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(rescaled.one_minus_alpha_bar(T), 1.0);
    EXPECT_TRUE(RelNear(rescaled.alpha_bar(1), plain.alpha_bar(1), 1e-15));
    EXPECT_TRUE(RelNear(rescaled.one_minus_alpha_bar(1), plain.one_minus_alpha_bar(1), 1e-15));
    for (int t = 0; t <= T; ++t) {
      for (double v : {rescaled.beta(t), rescaled.alpha(t), rescaled.alpha_bar(t), rescaled.alpha_bar_prev(t),
                       rescaled.one_minus_alpha_bar(t), rescaled.sqrt_alpha_bar(t),
                       rescaled.sqrt_one_minus_alpha_bar(t), rescaled.snr(t), rescaled.log_snr(t),
                       rescaled.posterior_variance(t), rescaled.posterior_mean_coef_x0(t),
                       rescaled.posterior_mean_coef_xt(t)})
        ASSERT_FALSE(std::isnan(v)) << "t = " << t;
    }
  }
}

TEST_P(EveryFamily, TimestepZeroIsTheCleanData) {
  const Schedule schedule(Params(GetParam(), 100));
  EXPECT_EQ(schedule.beta(0), 0.0);
  EXPECT_EQ(schedule.alpha(0), 1.0);
  EXPECT_EQ(schedule.alpha_bar(0), 1.0);
  EXPECT_EQ(schedule.log_alpha_bar(0), 0.0);
  EXPECT_EQ(schedule.one_minus_alpha_bar(0), 0.0);
  EXPECT_EQ(schedule.snr(0), std::numeric_limits<double>::infinity());
  EXPECT_EQ(schedule.log_snr(0), std::numeric_limits<double>::infinity());
  EXPECT_EQ(schedule.posterior_variance(0), 0.0);
  EXPECT_EQ(schedule.posterior_variance(1), 0.0);  // alpha_bar_0 = 1
  EXPECT_EQ(schedule.betas().size(), 101u);
  EXPECT_EQ(schedule.alpha_bars().size(), 101u);
  EXPECT_EQ(schedule.betas()[0], 0.0);
  EXPECT_EQ(schedule.alpha_bars()[0], 1.0);
}

TEST_P(EveryFamily, OutOfRangeTimestepThrows) {
  const Schedule schedule(Params(GetParam(), 100));
  EXPECT_THROW(schedule.beta(-1), std::out_of_range);
  EXPECT_THROW(schedule.alpha_bar(101), std::out_of_range);
  EXPECT_THROW(schedule.posterior_variance(101), std::out_of_range);
  EXPECT_THROW(schedule.log_snr(-1), std::out_of_range);
  EXPECT_NO_THROW(schedule.alpha_bar(100));
}

// Identities of the posterior q(x_{t-1} | x_t, x_0), for the mean coefficients:
//  - with x_t = sqrt(ab_t) x_0 (no noise) the mean is sqrt(ab_{t-1}) x_0;
//  - the variance decomposes: coef_xt^2 (1 - ab_t) + beta_tilde_t = 1 - ab_{t-1}.
TEST_P(EveryFamily, PosteriorCoefficientsSatisfyTheMarginalIdentities) {
  for (bool zero_terminal_snr : {false, true}) {
    ScheduleParams p = Params(GetParam(), 1000);
    p.zero_terminal_snr = zero_terminal_snr;
    const Schedule s(p);
    for (int t = 1; t <= 1000; ++t) {
      const double mean = s.posterior_mean_coef_x0(t) + s.posterior_mean_coef_xt(t) * s.sqrt_alpha_bar(t);
      ASSERT_NEAR(mean, std::sqrt(s.alpha_bar(t - 1)), 1e-14) << "t = " << t;
      const double coef = s.posterior_mean_coef_xt(t);
      const double variance = coef * coef * s.one_minus_alpha_bar(t) + s.posterior_variance(t);
      ASSERT_NEAR(variance, s.one_minus_alpha_bar(t - 1), 1e-14) << "t = " << t;
    }
  }
}

TEST_P(EveryFamily, AlphaBarIsPositiveAndDecreasing) {
  const Schedule s(Params(GetParam(), 1000));
  for (int t = 1; t <= 1000; ++t) {
    ASSERT_GT(s.beta(t), 0.0);
    ASSERT_LT(s.beta(t), 1.0);
    ASSERT_LE(s.beta(t), kMaxBeta);
    ASSERT_LT(s.alpha_bar(t), s.alpha_bar(t - 1));
    ASSERT_GT(s.alpha_bar(t), 0.0);
  }
}

INSTANTIATE_TEST_SUITE_P(Families, EveryFamily, ::testing::ValuesIn(all_schedule_kinds()),
                         [](const ::testing::TestParamInfo<ScheduleKind>& info) {
                           return std::string(to_string(info.param));
                         });

// ---------------------------------------------------------------------------------------------
// Particular families and options.

TEST(Schedule, LongDoubleWithNonDefaultParameters) {
  ScheduleParams p = Params(ScheduleKind::Cosine, 500);
  p.cosine_s = 0.0;
  CheckAgainstLongDouble(p);
  p.cosine_s = 0.1;
  CheckAgainstLongDouble(p);
  p = Params(ScheduleKind::Sigmoid, 300);
  p.sigmoid_start = 0.0;
  p.sigmoid_end = 3.0;
  p.sigmoid_tau = 0.7;
  CheckAgainstLongDouble(p);
  p = Params(ScheduleKind::ScaledLinear, 100);
  p.beta_start = 0.00085;
  p.beta_end = 0.012;
  p.scale_with_T = true;
  CheckAgainstLongDouble(p);
  p = Params(ScheduleKind::SigmoidBeta, 321);
  p.beta_start = 0.3;
  p.beta_end = 0.001;  // decreasing is allowed
  CheckAgainstLongDouble(p);
  p = Params(ScheduleKind::Linear, 4000);
  p.scale_with_T = true;
  p.zero_terminal_snr = true;
  CheckAgainstLongDouble(p);
}

TEST(Schedule, CosineCapsBetaAtTheEnd) {
  // f(T) = cos^2(pi/2) = 0, so the uncapped beta_T would be 1.
  for (int T : {1, 2, 10, 1000}) {
    const Schedule s(Params(ScheduleKind::Cosine, T));
    EXPECT_EQ(s.beta(T), kMaxBeta) << "T = " << T;
    EXPECT_TRUE(RelNear(s.alpha_bar(T), static_cast<long double>(s.alpha_bar(T - 1)) * (1.0L - 0.999L)));
  }
  // T = 1: the only step is capped.
  EXPECT_TRUE(RelNear(Schedule(Params(ScheduleKind::Cosine, 1)).alpha_bar(1), 0.001L));
}

TEST(Schedule, SigmoidCapsEveryBetaAboveTheLimit) {
  // A steep sigmoid (tau = 0.05) over few steps: several uncapped betas exceed 0.999.
  ScheduleParams p = Params(ScheduleKind::Sigmoid, 10);
  p.sigmoid_tau = 0.05;
  const Schedule s(p);
  const ReferenceSchedule r = ComputeReference(p);
  int capped = 0;
  long double product = 1.0L;
  for (int t = 1; t <= 10; ++t) {
    EXPECT_LE(s.beta(t), kMaxBeta);
    if (s.beta(t) == kMaxBeta) ++capped;
    product *= 1.0L - r.beta[t];
    EXPECT_TRUE(RelNear(s.alpha_bar(t), product)) << "t = " << t;  // recomputed from the capped betas
  }
  EXPECT_GE(capped, 2);
}

TEST(Schedule, ScaleWithTIsTheIdentityAtThousandSteps) {
  ScheduleParams p = Params(ScheduleKind::Linear, 1000);
  const Schedule plain(p);
  p.scale_with_T = true;
  const Schedule scaled(p);
  EXPECT_EQ(plain.betas(), scaled.betas());
}

TEST(Schedule, ScaleWithTKeepsAlphaBarTSmall) {
  // The point of the option: changing T keeps alpha_bar_T near its T = 1000 value.
  for (int T : {100, 250, 2000, 4000}) {
    ScheduleParams p = Params(ScheduleKind::Linear, T);
    p.scale_with_T = true;
    const Schedule s(p);
    EXPECT_NEAR(s.beta(1), 1e-4 * 1000.0 / T, 1e-18 * 1000.0 / T);
    EXPECT_NEAR(s.beta(T), 0.02 * 1000.0 / T, 1e-16);
    EXPECT_LT(s.alpha_bar(T), 1e-4) << "T = " << T;
  }
}

TEST(Schedule, ConstantIsAGeometricSequence) {
  ScheduleParams p = Params(ScheduleKind::Constant, 300);
  p.beta = 0.01;
  const Schedule s(p);
  for (int t : {1, 2, 3, 150, 299, 300}) {
    const long double alpha_bar = std::pow(0.99L, static_cast<long double>(t));
    const long double previous = std::pow(0.99L, static_cast<long double>(t - 1));
    EXPECT_EQ(s.beta(t), 0.01);
    EXPECT_TRUE(RelNear(s.alpha_bar(t), alpha_bar)) << "t = " << t;
    EXPECT_TRUE(RelNear(s.one_minus_alpha_bar(t), 1.0L - alpha_bar)) << "t = " << t;
    EXPECT_TRUE(RelNear(s.posterior_variance(t), (1.0L - previous) / (1.0L - alpha_bar) * 0.01L)) << "t = " << t;
  }
}

TEST(Schedule, OneMinusAlphaBarIsAccurateWhereAlphaBarIsCloseToOne) {
  // beta = x = 1e-12 for 3 steps: 1 - alpha_bar_3 = 3x - 3x^2 + x^3, where 1 - alpha_bar in
  // double would keep only 4 digits. Posterior variance at t = 2: x (x) / (2x - x^2) = x / (2 - x).
  const long double x = 1e-12L;
  ScheduleParams p = Params(ScheduleKind::Constant, 3);
  p.beta = 1e-12;
  const Schedule s(p);
  EXPECT_TRUE(RelNear(s.one_minus_alpha_bar(1), x));
  EXPECT_TRUE(RelNear(s.one_minus_alpha_bar(3), 3 * x - 3 * x * x + x * x * x));
  EXPECT_TRUE(RelNear(s.posterior_variance(2), x / (2 - x)));
  EXPECT_TRUE(RelNear(s.snr(3), (1 - 3 * x + 3 * x * x - x * x * x) / (3 * x - 3 * x * x + x * x * x)));
}

TEST(Schedule, SingleStepScheduleWorksForEveryFamily) {
  for (ScheduleKind kind : all_schedule_kinds()) {
    SCOPED_TRACE(std::string(to_string(kind)));
    const Schedule s(Params(kind, 1));
    EXPECT_EQ(s.T(), 1);
    EXPECT_GT(s.beta(1), 0.0);
    EXPECT_LT(s.beta(1), 1.0);
    EXPECT_EQ(s.posterior_variance(1), 0.0);
  }
  EXPECT_EQ(Schedule(Params(ScheduleKind::Linear, 1)).beta(1), 1e-4);  // linspace of one point
  EXPECT_TRUE(RelNear(Schedule(Params(ScheduleKind::ScaledLinear, 1)).beta(1), 1e-4L, 1e-15));
}

// ---------------------------------------------------------------------------------------------
// Validation: a message naming the parameter (and the value).

void ExpectRejected(const ScheduleParams& p, std::initializer_list<const char*> fragments) {
  try {
    Schedule schedule(p);
    ADD_FAILURE() << "no ScheduleError for " << to_string(p.kind);
  } catch (const ScheduleError& error) {
    const std::string message = error.what();
    for (const char* fragment : fragments)
      EXPECT_NE(message.find(fragment), std::string::npos) << "message \"" << message << "\" lacks \"" << fragment << "\"";
  }
}

TEST(ScheduleValidation, MessagesNameTheParameterAndValue) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ScheduleParams p;
  p.beta_end = 1.5;
  ExpectRejected(p, {"beta_end must be in (0, 1), got 1.5"});
  p = ScheduleParams{};
  p.beta_start = 0.0;
  ExpectRejected(p, {"beta_start must be in (0, 1), got 0"});
  p = ScheduleParams{};
  p.beta_start = -1e-4;
  ExpectRejected(p, {"beta_start", "-0.0001"});
  p = ScheduleParams{};
  p.beta_start = nan;
  ExpectRejected(p, {"beta_start", "nan"});
  p = ScheduleParams{};
  p.T = 0;
  ExpectRejected(p, {"T must be in [1, 10000], got 0"});
  p.T = 10001;
  ExpectRejected(p, {"T must be in [1, 10000], got 10001"});
  p = Params(ScheduleKind::Constant);
  p.beta = 1.0;
  ExpectRejected(p, {"beta must be in (0, 1), got 1"});
  p = Params(ScheduleKind::Cosine);
  p.cosine_s = -0.1;
  ExpectRejected(p, {"cosine_s must be >= 0, got -0.1"});
  p = Params(ScheduleKind::Cosine);
  p.cosine_s = std::numeric_limits<double>::infinity();
  ExpectRejected(p, {"cosine_s", "inf"});
  p = Params(ScheduleKind::Sigmoid);
  p.sigmoid_tau = 0.0;
  ExpectRejected(p, {"sigmoid_tau must be > 0, got 0"});
  p = Params(ScheduleKind::Sigmoid);
  p.sigmoid_start = 3.0;
  ExpectRejected(p, {"sigmoid_start must be < sigmoid_end", "3"});
  p = Params(ScheduleKind::SigmoidBeta);
  p.beta_end = -0.5;
  ExpectRejected(p, {"beta_end", "-0.5"});
  p = Params(ScheduleKind::ScaledLinear);
  p.beta_end = 1.0;
  ExpectRejected(p, {"beta_end", "got 1"});
  // NaN anywhere, even in a field the family does not use.
  p = Params(ScheduleKind::Linear);
  p.sigmoid_tau = nan;
  ExpectRejected(p, {"sigmoid_tau", "nan"});
}

TEST(ScheduleValidation, ScaleWithTIsCheckedAfterScaling) {
  ScheduleParams p = Params(ScheduleKind::Linear, 10);
  p.scale_with_T = true;  // beta_end = 0.02 * 100 = 2
  ExpectRejected(p, {"beta_end", "scale_with_T", "got 2"});
  p.scale_with_T = false;
  EXPECT_NO_THROW(Schedule{p});
}

TEST(ScheduleValidation, ZeroTerminalSnrNeedsTwoSteps) {
  ScheduleParams p = Params(ScheduleKind::Linear, 1);
  p.zero_terminal_snr = true;
  ExpectRejected(p, {"zero_terminal_snr", "T"});
}

TEST(ScheduleValidation, DegenerateParametersAreRejectedNotNaN) {
  // In range, but beta rounds to 0 (sigmoid far in its left tail) or the angles underflow.
  ScheduleParams p = Params(ScheduleKind::Sigmoid, 100);
  p.sigmoid_start = -1000.0;
  p.sigmoid_end = -990.0;
  ExpectRejected(p, {"sigmoid_start = -1000", "sigmoid_end = -990"});
  p = Params(ScheduleKind::Cosine, 100);
  p.cosine_s = 1e300;
  ExpectRejected(p, {"cosine_s = 1e+300"});
}

TEST(Schedule, TinyBetasWithZeroTerminalSnrStayFinite) {
  // alpha_bar rounds to 1 at every t < T; the rescale must still end at 0 without a NaN.
  ScheduleParams p = Params(ScheduleKind::Constant, 10);
  p.beta = 1e-300;
  p.zero_terminal_snr = true;
  const Schedule s(p);
  EXPECT_EQ(s.alpha_bar(10), 0.0);
  EXPECT_EQ(s.beta(1), 1e-300);
  for (int t = 0; t <= 10; ++t) {
    for (double v : {s.beta(t), s.alpha_bar(t), s.one_minus_alpha_bar(t), s.log_snr(t), s.posterior_variance(t),
                     s.posterior_mean_coef_x0(t), s.posterior_mean_coef_xt(t)})
      ASSERT_FALSE(std::isnan(v)) << "t = " << t;
    if (t > 0) {
      ASSERT_LE(s.alpha_bar(t), s.alpha_bar(t - 1));
    }
    ASSERT_GE(s.beta(t), 0.0);
    ASSERT_LE(s.beta(t), 1.0);
  }
}

// Found by the GUI soak (issue 7): a steep sigmoid (tau = 0.05) with zero terminal SNR gave
// 1 - alpha_bar = 1 + 2.2e-16 near T, and log_snr_from_alpha_bar refused it. Both quantities
// must stay in [0, 1] for every family and extreme setting that is accepted.
TEST(Schedule, AlphaBarAndItsComplementStayInTheUnitInterval) {
  int accepted = 0;
  for (ScheduleKind kind : diffusion::all_schedule_kinds()) {
    for (int T : {2, 10, 1000, 10000}) {
      for (bool zero_terminal : {false, true}) {
        for (int variant = 0; variant < 5; ++variant) {
          ScheduleParams p = Params(kind, T);
          p.zero_terminal_snr = zero_terminal;
          if (variant == 1) { p.sigmoid_tau = 0.05; p.beta_end = 0.999; p.beta = 0.999; }
          if (variant == 2) { p.sigmoid_tau = 10; p.beta_start = 1e-5; p.cosine_s = 1e-12; }
          if (variant == 3) { p.sigmoid_start = -10; p.sigmoid_end = 10; p.beta = 1e-300; }
          if (variant == 4) { p.beta_start = 0.5; p.beta_end = 0.5; p.cosine_s = 0.5; }
          std::optional<Schedule> s;
          try {
            s.emplace(p);
          } catch (const diffusion::ScheduleError&) {
            continue;   // rejected with a message: fine
          }
          ++accepted;
          for (int t = 0; t <= T; ++t) {
            ASSERT_GE(s->alpha_bar(t), 0.0) << diffusion::to_string(kind) << " v" << variant << " t=" << t;
            ASSERT_LE(s->alpha_bar(t), 1.0) << diffusion::to_string(kind) << " v" << variant << " t=" << t;
            ASSERT_GE(s->one_minus_alpha_bar(t), 0.0) << diffusion::to_string(kind) << " v" << variant << " t=" << t;
            ASSERT_LE(s->one_minus_alpha_bar(t), 1.0) << diffusion::to_string(kind) << " v" << variant << " t=" << t;
          }
        }
      }
    }
  }
  EXPECT_GT(accepted, 150);
}

TEST(ScheduleValidation, ValidateAloneThrowsTheSameError) {
  ScheduleParams p;
  p.beta_end = 2.0;
  EXPECT_THROW(validate(p), ScheduleError);
  EXPECT_THROW(validate(p), std::invalid_argument);  // ScheduleError is an invalid_argument
  EXPECT_NO_THROW(validate(ScheduleParams{}));
}

TEST(ScheduleNames, RoundTripAndAliases) {
  EXPECT_EQ(all_schedule_kinds().size(), 6u);
  for (ScheduleKind kind : all_schedule_kinds()) EXPECT_EQ(parse_schedule_kind(to_string(kind)), kind);
  EXPECT_EQ(to_string(ScheduleKind::ScaledLinear), "scaled_linear");
  EXPECT_EQ(to_string(ScheduleKind::SigmoidBeta), "sigmoid_beta");
  EXPECT_EQ(parse_schedule_kind("quadratic"), ScheduleKind::ScaledLinear);
  EXPECT_EQ(parse_schedule_kind("Linear"), std::nullopt);
  EXPECT_EQ(parse_schedule_kind(""), std::nullopt);
}

}  // namespace
}  // namespace diffusion

TEST(ScheduleParamsEquality, EveryFieldCounts) {
  const diffusion::ScheduleParams base;
  EXPECT_TRUE(base == diffusion::ScheduleParams{});
  std::vector<diffusion::ScheduleParams> changed(11, base);
  changed[0].kind = diffusion::ScheduleKind::Cosine;
  changed[1].T = 999;
  changed[2].beta_start = 2e-4;
  changed[3].beta_end = 0.03;
  changed[4].beta = 0.02;
  changed[5].cosine_s = 0.01;
  changed[6].sigmoid_start = -2.0;
  changed[7].sigmoid_end = 2.0;
  changed[8].sigmoid_tau = 0.5;
  changed[9].scale_with_T = true;
  changed[10].zero_terminal_snr = true;
  for (const auto& params : changed) {
    EXPECT_TRUE(params != base);
    EXPECT_FALSE(params == base);
  }
}
