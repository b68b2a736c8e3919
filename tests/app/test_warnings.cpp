// Live schedule warnings: thresholds and numbers checked against values computed here
// independently of diffusion::Schedule (products of (1 - β_t) written out in the test).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "gui/state/warnings.hpp"
#include "diffusion/schedule.hpp"

namespace dg = diffuscope::gui;

namespace {

bool any_contains(const std::vector<dg::ScheduleWarning>& ws, const std::string& needle,
                  dg::WarningLevel level) {
  for (const auto& w : ws)
    if (w.level == level && w.text.find(needle) != std::string::npos) return true;
  return false;
}

bool any_contains(const std::vector<dg::ScheduleWarning>& ws, const std::string& needle) {
  for (const auto& w : ws)
    if (w.text.find(needle) != std::string::npos) return true;
  return false;
}

// β_t = β_1 + (t - 1)/(T - 1) (β_T - β_1), the DDPM linear schedule (Ho et al. 2020).
std::vector<double> linear_betas(int T, double b1, double bT) {
  std::vector<double> b(static_cast<std::size_t>(T) + 1, 0.0);
  for (int t = 1; t <= T; ++t) b[t] = b1 + (bT - b1) * (t - 1) / static_cast<double>(T - 1);
  return b;
}

diffusion::ScheduleParams linear(int T) {
  diffusion::ScheduleParams p;
  p.kind = diffusion::ScheduleKind::Linear;
  p.T = T;
  p.beta_start = 1e-4;
  p.beta_end = 0.02;
  return p;
}

}  // namespace

TEST(ScheduleWarnings, DefaultLinearScheduleNeedsNoWarning) {
  diffusion::Schedule s(linear(1000));
  EXPECT_TRUE(dg::schedule_warnings(s).empty());
}

TEST(ScheduleWarnings, ShortLinearScheduleIsNotPureNoiseAtT) {
  const int T = 10;
  const auto betas = linear_betas(T, 1e-4, 0.02);
  double ab = 1.0;
  for (int t = 1; t <= T; ++t) ab *= 1.0 - betas[t];
  ASSERT_GT(ab, 0.8);  // the test's premise: 10 small steps leave most of the signal
  char expected[64];
  std::snprintf(expected, sizeof expected, "ᾱ_T = %.2f: x_T is not pure noise", ab);
  diffusion::Schedule s(linear(T));
  const auto ws = dg::schedule_warnings(s);
  ASSERT_FALSE(ws.empty());
  EXPECT_EQ(ws.front().level, dg::WarningLevel::Warning);
  EXPECT_NE(ws.front().text.find(expected), std::string::npos) << ws.front().text;
  char snr[32];
  std::snprintf(snr, sizeof snr, "SNR_T = %.2f", ab / (1.0 - ab));
  EXPECT_NE(ws.front().text.find(snr), std::string::npos) << ws.front().text;
}

TEST(ScheduleWarnings, LongUnscaledLinearScheduleSaturatesEarly) {
  const int T = 4000;
  const auto betas = linear_betas(T, 1e-4, 0.02);
  double ab = 1.0;
  int first = 0;
  for (int t = 1; t <= T; ++t) {
    ab *= 1.0 - betas[t];
    if (ab < 1e-3) {
      first = t;
      break;
    }
  }
  ASSERT_GT(first, 0);
  ASSERT_LT(first, T / 2);
  diffusion::Schedule s(linear(T));
  const auto ws = dg::schedule_warnings(s);
  EXPECT_TRUE(any_contains(ws, "from t = " + std::to_string(first) + " (", dg::WarningLevel::Warning));

  // Scaling with T (β × 1000/T) removes it: the schedule then behaves like T = 1000.
  auto p = linear(T);
  p.scale_with_T = true;
  EXPECT_FALSE(any_contains(dg::schedule_warnings(diffusion::Schedule(p)), "noise to noise"));
}

TEST(ScheduleWarnings, CosineReportsCappedBetas) {
  diffusion::ScheduleParams p;
  p.kind = diffusion::ScheduleKind::Cosine;
  p.T = 1000;
  // f(t) = cos²(((t/T + s)/(1 + s)) π/2) (Nichol & Dhariwal 2021); β_t = 1 − f(t)/f(t−1) ≥ 0.999 near T.
  const double s = 0.008, pi = std::acos(-1.0);
  auto f = [&](double t) {
    const double c = std::cos(((t / p.T + s) / (1.0 + s)) * pi / 2.0);
    return c * c;
  };
  int capped = 0;
  for (int t = 1; t <= p.T; ++t)
    if (1.0 - f(t) / f(t - 1) >= 0.999) ++capped;
  ASSERT_GE(capped, 1);
  const auto ws = dg::schedule_warnings(diffusion::Schedule(p));
  EXPECT_TRUE(any_contains(ws, "capped at 0.999 for " + std::to_string(capped), dg::WarningLevel::Info));
  // The cap is not a "large β" problem of its own.
  EXPECT_FALSE(any_contains(ws, "coarse steps"));
}

TEST(ScheduleWarnings, ZeroTerminalSnrIsExplainedNotFlaggedAsLargeBeta) {
  auto p = linear(1000);
  p.zero_terminal_snr = true;
  const auto ws = dg::schedule_warnings(diffusion::Schedule(p));
  EXPECT_TRUE(any_contains(ws, "zero terminal SNR", dg::WarningLevel::Info));
  EXPECT_FALSE(any_contains(ws, "coarse steps"));
  EXPECT_FALSE(any_contains(ws, "not pure noise"));
}

TEST(ScheduleWarnings, LargeConstantBetaIsCoarse) {
  diffusion::ScheduleParams p;
  p.kind = diffusion::ScheduleKind::Constant;
  p.T = 50;
  p.beta = 0.2;
  const auto ws = dg::schedule_warnings(diffusion::Schedule(p));
  EXPECT_TRUE(any_contains(ws, "β_t reaches 0.20 at t = 1", dg::WarningLevel::Warning));
  // 0.8^50 = 1.4e-5: pure noise at T, but saturated (0.8^t < 1e-3 from t = 31) before T/2? 31 > 25: no.
  EXPECT_FALSE(any_contains(ws, "not pure noise"));
  EXPECT_FALSE(any_contains(ws, "noise to noise"));
}

TEST(ScheduleWarnings, NaiveProcessTerminalVariance) {
  const auto w = dg::naive_process_warning(1000, 0.02, 1.0);  // 1 + 1000 · 0.02 = 21
  EXPECT_EQ(w.level, dg::WarningLevel::Warning);
  EXPECT_NE(w.text.find("= 21.0"), std::string::npos) << w.text;
}

TEST(ScheduleWarnings, FormatShort) {
  EXPECT_EQ(dg::format_short(0.6), "0.60");
  EXPECT_EQ(dg::format_short(1.5), "1.50");
  EXPECT_EQ(dg::format_short(0.0047), "0.0047");
  EXPECT_EQ(dg::format_short(21.0), "21.0");
  EXPECT_EQ(dg::format_short(1500.0), "1.5e+03");
  EXPECT_EQ(dg::format_short(0.0), "0");
  EXPECT_EQ(dg::format_short(-0.25), "-0.25");
  EXPECT_EQ(dg::format_short(INFINITY), "∞");
  EXPECT_EQ(dg::format_short(NAN), "NaN");
}
