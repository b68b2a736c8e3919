// The equation panel's text and the presenter's readout: the formulas with their current numbers.
// Every expected number is computed here from the definitions (products of 1 − β in a loop, the
// DDPM/DDIM coefficients written out), never by calling the schedule or the sampler code.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "gui/state/app_state.hpp"
#include "diffusion/schedule.hpp"
#include "gui/state/equations.hpp"

namespace dg = diffuscope::gui;
using diffusion::ScheduleKind;
using diffusion::SigmaKind;

namespace {

// The linear schedule's ᾱ_0..ᾱ_T and β_0..β_T (Ho et al. 2020: β linear from β_1 to β_T).
struct LinearReference {
  std::vector<double> beta, alpha_bar;
  LinearReference(int T, double beta_1, double beta_T) : beta(T + 1, 0.0), alpha_bar(T + 1, 1.0) {
    for (int t = 1; t <= T; ++t) {
      beta[t] = beta_1 + (beta_T - beta_1) * (t - 1) / (T - 1);
      alpha_bar[t] = alpha_bar[t - 1] * (1.0 - beta[t]);
    }
  }
};

// Three decimals, as the panel writes coefficients between 0.001 and 10⁴.
std::string f3(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f", value);
  return buffer;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

dg::AppState reverse_state(int t, SigmaKind sigma = SigmaKind::Small, double eta = 0.0, int steps = 0) {
  dg::AppState s;
  s.view = dg::AppView::Reverse;
  s.reverse.panels[0].sampler.sigma = sigma;
  s.reverse.panels[0].sampler.eta = eta;
  s.reverse.panels[0].steps = steps;
  // The ε-model: the formulas below are the classic ones (the v- and x₀-models have their own test).
  s.reverse.panels[0].model_target = diffusion::PredictionTarget::Eps;
  s.t = t;
  return s;
}

const dg::EquationLine* find_caption(const std::vector<dg::EquationLine>& lines, const std::string& part) {
  for (const auto& line : lines)
    if (contains(line.caption, part)) return &line;
  return nullptr;
}

}  // namespace

// ---- Formatting ----

TEST(EquationFormat, ThreeDecimals) {
  EXPECT_EQ(dg::format_coefficient(0.28), "0.280");
  EXPECT_EQ(dg::format_coefficient(0.95999), "0.960");
  EXPECT_EQ(dg::format_coefficient(1.0), "1.000");
  EXPECT_EQ(dg::format_coefficient(0.001), "0.001");
  EXPECT_EQ(dg::format_coefficient(9999.0), "9999.000");
  EXPECT_EQ(dg::format_coefficient(-2.4651), "−2.465");  // U+2212, not a hyphen
  EXPECT_EQ(dg::format_coefficient(0.0), "0");
}

TEST(EquationFormat, TinyAndHugeInScientific) {
  EXPECT_EQ(dg::format_coefficient(2.5e-4), "2.50×10⁻⁴");
  EXPECT_EQ(dg::format_coefficient(1e-10), "1.00×10⁻¹⁰");
  EXPECT_EQ(dg::format_coefficient(-3.14159e-5), "−3.14×10⁻⁵");
  EXPECT_EQ(dg::format_coefficient(0.00099999), "1.00×10⁻³");  // rounding carries into the exponent
  EXPECT_EQ(dg::format_coefficient(12345.0), "1.23×10⁴");
  // No nonzero coefficient ever reads as zero.
  for (double x = 1e-300; x < 1e-2; x *= 1.7) {
    const std::string text = dg::format_coefficient(x);
    EXPECT_NE(text, "0.000") << x;
    EXPECT_NE(text, "0") << x;
  }
}

TEST(EquationFormat, NonFinite) {
  EXPECT_EQ(dg::format_coefficient(std::numeric_limits<double>::infinity()), "∞");
  EXPECT_EQ(dg::format_coefficient(-std::numeric_limits<double>::infinity()), "−∞");
  EXPECT_EQ(dg::format_coefficient(std::nan("")), "undefined");
}

TEST(EquationFormat, SubAndSuperscripts) {
  EXPECT_EQ(dg::subscript(500), "₅₀₀");
  EXPECT_EQ(dg::subscript(0), "₀");
  EXPECT_EQ(dg::subscript(-1), "₋₁");
  EXPECT_EQ(dg::subscript(1234567890), "₁₂₃₄₅₆₇₈₉₀");
  EXPECT_EQ(dg::superscript(-4), "⁻⁴");
  EXPECT_EQ(dg::superscript(10), "¹⁰");
}

// ---- Forward view ----

TEST(ForwardEquations, ClosedFormIssueExample) {
  dg::AppState s;  // linear, T = 1000, β from 10⁻⁴ to 0.02
  s.t = 500;
  const LinearReference ref(1000, 1e-4, 0.02);
  // The issue's numbers, checked against the hand loop first.
  EXPECT_NEAR(std::sqrt(ref.alpha_bar[500]), 0.280, 5e-4);
  EXPECT_NEAR(std::sqrt(1.0 - ref.alpha_bar[500]), 0.960, 5e-4);
  const auto lines = dg::current_equations(s);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0].symbolic, "xₜ = √ᾱₜ · x₀ + √(1 − ᾱₜ) · ε");
  EXPECT_EQ(lines[0].numeric, "x₅₀₀ = 0.280 · x₀ + 0.960 · ε");
  EXPECT_EQ(lines[0].group, 0);
  const double snr = ref.alpha_bar[500] / (1.0 - ref.alpha_bar[500]);
  EXPECT_TRUE(contains(lines[1].numeric, "SNR₅₀₀ = " + f3(snr))) << lines[1].numeric;
  EXPECT_TRUE(contains(lines[1].numeric, "log-SNR = −" + f3(-std::log(snr)))) << lines[1].numeric;
  EXPECT_TRUE(contains(lines[1].numeric, "ᾱ₅₀₀ = " + f3(ref.alpha_bar[500]))) << lines[1].numeric;
}

TEST(ForwardEquations, PresenterModeLeavesTheSnrToTheReadout) {
  dg::AppState s;
  s.t = 500;
  const auto shown = dg::current_equations(s);
  s.presenter = true;
  const auto presenter = dg::current_equations(s);
  ASSERT_EQ(presenter.size() + 1, shown.size());
  EXPECT_EQ(presenter[0].numeric, "x₅₀₀ = 0.280 · x₀ + 0.960 · ε");
  for (const auto& line : presenter) EXPECT_FALSE(contains(line.numeric, "SNR")) << line.numeric;
  auto reverse = reverse_state(500, SigmaKind::Small);
  const std::size_t reverse_lines = dg::current_equations(reverse).size();
  reverse.presenter = true;
  EXPECT_EQ(dg::current_equations(reverse).size() + 1, reverse_lines);
}

TEST(ForwardEquations, ClosedFormFollowsCursorAndSchedule) {
  dg::AppState s;
  s.a.params.T = 200;
  s.a.params.beta_end = 0.05;
  s.refresh_schedules();
  s.t = 37;
  const LinearReference ref(200, 1e-4, 0.05);
  const auto lines = dg::current_equations(s);
  EXPECT_EQ(lines[0].numeric, "x₃₇ = " + f3(std::sqrt(ref.alpha_bar[37])) + " · x₀ + " +
                                  f3(std::sqrt(1.0 - ref.alpha_bar[37])) + " · ε");
}

TEST(ForwardEquations, MarkovStepAndItsMarginal) {
  dg::AppState s;
  s.process = dg::ForwardProcess::Markov;
  s.t = 500;
  const LinearReference ref(1000, 1e-4, 0.02);
  const auto lines = dg::current_equations(s);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].symbolic, "xₜ = √(1 − βₜ) · xₜ₋₁ + √βₜ · ε");
  EXPECT_EQ(lines[0].numeric, "x₅₀₀ = " + f3(std::sqrt(1.0 - ref.beta[500])) + " · x₄₉₉ + " +
                                  f3(std::sqrt(ref.beta[500])) + " · ε");
  EXPECT_EQ(lines[0].numeric, "x₅₀₀ = 0.995 · x₄₉₉ + 0.100 · ε");
  EXPECT_EQ(lines[1].numeric, "x₅₀₀ ∼ 0.280 · x₀ + 0.960 · ε");
  EXPECT_TRUE(contains(lines[2].caption, "signal-to-noise"));
}

TEST(ForwardEquations, NaiveStepAndItsGrowingSpread) {
  dg::AppState s;
  s.process = dg::ForwardProcess::Naive;
  s.naive_beta = 0.02;
  s.t = 500;
  const auto lines = dg::current_equations(s);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].symbolic, "xₜ = xₜ₋₁ + √β · ε");
  EXPECT_EQ(lines[0].numeric, "x₅₀₀ = x₄₉₉ + " + f3(std::sqrt(0.02)) + " · ε");
  EXPECT_EQ(lines[1].numeric, "x₅₀₀ = x₀ + " + f3(std::sqrt(500 * 0.02)) + " · ε");  // 3.162
  EXPECT_EQ(lines[2].symbolic, "Var[xₜ] = Var[x₀] + t·β");
  EXPECT_EQ(lines[2].numeric, "Var[x₅₀₀] = Var[x₀] + 10.000");
}

TEST(ForwardEquations, TimestepZeroIsTheData) {
  for (auto process : {dg::ForwardProcess::ClosedForm, dg::ForwardProcess::Markov, dg::ForwardProcess::Naive}) {
    dg::AppState s;
    s.process = process;
    s.t = 0;
    const auto lines = dg::current_equations(s);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].symbolic, "x₀: the data");
  }
}

TEST(ForwardEquations, CompareAddsGroupBWithItsOwnNumbers) {
  dg::AppState s;
  s.set_compare(true);  // B: cosine, T = 1000 (Nichol & Dhariwal 2021)
  ASSERT_EQ(s.b.schedule()->params().kind, ScheduleKind::Cosine);
  s.t = 500;
  const auto lines = dg::current_equations(s);
  std::vector<dg::EquationLine> a, b;
  for (const auto& line : lines) (line.group == 0 ? a : b).push_back(line);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(a[0].caption.rfind("A", 0), 0u) << a[0].caption;
  EXPECT_EQ(b[0].caption.rfind("B", 0), 0u) << b[0].caption;
  EXPECT_EQ(a[0].numeric, "x₅₀₀ = 0.280 · x₀ + 0.960 · ε");
  // Cosine: ᾱ_t = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s)) π/2); no β reaches the cap by t = 500.
  const double pi = std::acos(-1.0), s_off = 0.008;
  const auto f = [&](double t) { return std::pow(std::cos((t / 1000.0 + s_off) / (1 + s_off) * pi / 2), 2); };
  const double ab = f(500) / f(0);
  EXPECT_EQ(b[0].numeric, "x₅₀₀ = " + f3(std::sqrt(ab)) + " · x₀ + " + f3(std::sqrt(1 - ab)) + " · ε");
  EXPECT_NE(a[0].numeric, b[0].numeric);
}

TEST(ForwardEquations, CompareClampsTheCursorToEachT) {
  dg::AppState s;
  s.b.params.kind = ScheduleKind::Linear;
  s.b.params.T = 500;
  s.b_initialised = true;
  s.set_compare(true);
  s.refresh_schedules();
  s.t = 800;
  const LinearReference ref_b(500, 1e-4, 0.02);
  const auto lines = dg::current_equations(s);
  const dg::EquationLine* b = nullptr;
  for (const auto& line : lines)
    if (line.group == 1) { b = &line; break; }
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->numeric, "x₅₀₀ = " + f3(std::sqrt(ref_b.alpha_bar[500])) + " · x₀ + " +
                            f3(std::sqrt(1 - ref_b.alpha_bar[500])) + " · ε");
  EXPECT_TRUE(contains(lines[0].numeric, "x₈₀₀ = "));
}

// ---- Reverse and Images views ----

TEST(ReverseEquations, DdpmSmallSigmaFullChain) {
  const auto s = reverse_state(500, SigmaKind::Small);
  const LinearReference ref(1000, 1e-4, 0.02);
  const double beta = ref.beta[500], ab = ref.alpha_bar[500], ab_prev = ref.alpha_bar[499];
  const double beta_tilde = (1 - ab_prev) / (1 - ab) * beta;
  const auto lines = dg::current_equations(s);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0].symbolic, "xₜ₋₁ = 1/√αₜ · (xₜ − βₜ/√(1 − ᾱₜ) · ε̂) + σₜ · z");
  EXPECT_EQ(lines[0].numeric, "x₄₉₉ = " + f3(1 / std::sqrt(1 - beta)) + " · (x₅₀₀ − " +
                                  f3(beta / std::sqrt(1 - ab)) + " · ε̂) + " + f3(std::sqrt(beta_tilde)) +
                                  " · z");
  EXPECT_TRUE(contains(lines[0].caption, "x₄₉₉ ← x₅₀₀"));
  EXPECT_TRUE(contains(lines[1].caption, "small"));
  EXPECT_EQ(lines[1].symbolic, "σₜ² = β̃ₜ = (1 − ᾱₜ₋₁)/(1 − ᾱₜ) · βₜ");
  EXPECT_EQ(lines[1].numeric, "σ₅₀₀ = " + f3(std::sqrt(beta_tilde)));
  EXPECT_TRUE(contains(lines.back().numeric, "SNR₅₀₀ = " + f3(ab / (1 - ab))));
}

TEST(ReverseEquations, LargeAndInterpolatedSigma) {
  const LinearReference ref(1000, 1e-4, 0.02);
  const double beta = ref.beta[300];
  const double beta_tilde = (1 - ref.alpha_bar[299]) / (1 - ref.alpha_bar[300]) * beta;
  {
    const auto lines = dg::current_equations(reverse_state(300, SigmaKind::Large));
    EXPECT_EQ(lines[1].symbolic, "σₜ² = βₜ");
    EXPECT_EQ(lines[1].numeric, "σ₃₀₀ = " + f3(std::sqrt(beta)));
    EXPECT_TRUE(contains(lines[0].numeric, "+ " + f3(std::sqrt(beta)) + " · z"));
  }
  {
    auto s = reverse_state(300, SigmaKind::Interpolated);
    s.reverse.panels[0].sampler.interpolation = 0.25;
    const auto lines = dg::current_equations(s);
    // log σ² = v log β + (1 − v) log β̃ (Nichol & Dhariwal 2021, eq. 15)
    const double sigma = std::sqrt(std::pow(beta, 0.25) * std::pow(beta_tilde, 0.75));
    EXPECT_TRUE(contains(lines[1].caption, "v = 0.25"));
    EXPECT_EQ(lines[1].numeric, "σ₃₀₀ = " + f3(sigma));
  }
}

TEST(ReverseEquations, DdimEtaZeroDropsTheNoiseTerm) {
  const auto lines = dg::current_equations(reverse_state(500, SigmaKind::DDIM, 0.0));
  const LinearReference ref(1000, 1e-4, 0.02);
  const double ab_prev = ref.alpha_bar[499];
  ASSERT_GE(lines.size(), 4u);
  EXPECT_EQ(lines[0].symbolic, "x̂₀ = (xₜ − √(1 − ᾱₜ) · ε̂) / √ᾱₜ");
  EXPECT_EQ(lines[0].numeric, "x̂₀ = (x₅₀₀ − 0.960 · ε̂) / 0.280");
  EXPECT_EQ(lines[1].symbolic, "xₜ₋₁ = √ᾱₜ₋₁ · x̂₀ + √(1 − ᾱₜ₋₁ − σₜ²) · ε̂ + σₜ · z");
  // η = 0: σ = 0, so the z term is dropped from the numbers.
  EXPECT_EQ(lines[1].numeric, "x₄₉₉ = " + f3(std::sqrt(ab_prev)) + " · x̂₀ + " + f3(std::sqrt(1 - ab_prev)) + " · ε̂");
  EXPECT_TRUE(contains(lines[2].caption, "DDIM η = 0.00"));
  EXPECT_TRUE(contains(lines[2].numeric, "σ₅₀₀ = 0 "));
  EXPECT_TRUE(contains(lines[2].numeric, "deterministic"));
}

TEST(ReverseEquations, DdimEtaOneHasNoise) {
  const auto lines = dg::current_equations(reverse_state(500, SigmaKind::DDIM, 1.0));
  const LinearReference ref(1000, 1e-4, 0.02);
  const double ab = ref.alpha_bar[500], ab_prev = ref.alpha_bar[499];
  // Song et al. 2021, eq. 16.
  const double sigma = std::sqrt((1 - ab_prev) / (1 - ab)) * std::sqrt(1 - ab / ab_prev);
  EXPECT_EQ(lines[1].numeric, "x₄₉₉ = " + f3(std::sqrt(ab_prev)) + " · x̂₀ + " +
                                  f3(std::sqrt(1 - ab_prev - sigma * sigma)) + " · ε̂ + " + f3(sigma) + " · z");
  EXPECT_EQ(lines[2].numeric, "σ₅₀₀ = " + f3(sigma));
}

TEST(ReverseEquations, RespacedStepUsesThePreviousVisitedTimestep) {
  // K = 100 of T = 1000, trailing: visits 10, 20, ..., 1000. The cursor at 100 shows x₁₀₀ and
  // the step out of it goes to x₉₀.
  auto s = reverse_state(100, SigmaKind::Small, 0.0, 100);
  s.reverse.spacing = diffusion::Spacing::Trailing;
  const LinearReference ref(1000, 1e-4, 0.02);
  const double ab = ref.alpha_bar[100], ab_prev = ref.alpha_bar[90];
  const double beta = 1 - ab / ab_prev;  // the jump's effective β
  const double beta_tilde = (1 - ab_prev) / (1 - ab) * beta;
  auto lines = dg::current_equations(s);
  EXPECT_TRUE(contains(lines[0].caption, "x₉₀ ← x₁₀₀")) << lines[0].caption;
  EXPECT_TRUE(contains(lines[0].caption, "K = 100 of T = 1000"));
  EXPECT_EQ(lines[0].symbolic, "xₛ = 1/√αₜ · (xₜ − βₜ/√(1 − ᾱₜ) · ε̂) + σₜ · z");
  EXPECT_EQ(lines[0].numeric, "x₉₀ = " + f3(1 / std::sqrt(1 - beta)) + " · (x₁₀₀ − " +
                                  f3(beta / std::sqrt(1 - ab)) + " · ε̂) + " + f3(std::sqrt(beta_tilde)) +
                                  " · z");
  const dg::EquationLine* jump = find_caption(lines, "effective β");
  ASSERT_NE(jump, nullptr);
  EXPECT_TRUE(contains(jump->numeric, "= " + f3(beta))) << jump->numeric;
  // A cursor between visited timesteps shows the next visited one above it.
  s.t = 95;
  lines = dg::current_equations(s);
  EXPECT_TRUE(contains(lines[0].caption, "x₉₀ ← x₁₀₀")) << lines[0].caption;
  // The last jump (10 -> 0) adds no noise.
  s.t = 4;
  lines = dg::current_equations(s);
  EXPECT_TRUE(contains(lines[0].caption, "x₀ ← x₁₀"));
  EXPECT_FALSE(contains(lines[0].numeric, "z"));
  EXPECT_TRUE(contains(lines[1].numeric, "last step"));
}

TEST(ReverseEquations, LastStepAndSampleReached) {
  auto s = reverse_state(1, SigmaKind::Large);
  auto lines = dg::current_equations(s);
  EXPECT_TRUE(contains(lines[0].numeric, "x₀ = "));
  EXPECT_FALSE(contains(lines[0].numeric, "z"));
  s.t = 0;
  lines = dg::current_equations(s);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].symbolic, "x₀: the sample");
}

TEST(ReverseEquations, ZeroTerminalSnrFirstStepUsesThePosteriorMeanForm) {
  // Lin et al. 2023: ᾱ_T = 0, so α_T = 0 and 1/√α_T is infinite; the sampler takes the posterior
  // mean in x̂₀ there, with coefficients √ᾱ_{T−1} β_T/(1 − ᾱ_T) = √ᾱ_{T−1} and 0 for x_T.
  auto s = reverse_state(1000, SigmaKind::Small);
  s.a.params.zero_terminal_snr = true;
  s.refresh_schedules();
  s.t = 1000;
  // Independent ᾱ_{T−1}: rescale √ᾱ linearly so that √ᾱ_T = 0 and √ᾱ_1 is kept.
  const LinearReference ref(1000, 1e-4, 0.02);
  const double r0 = std::sqrt(ref.alpha_bar[1]), rT = std::sqrt(ref.alpha_bar[1000]);
  const double r999 = (std::sqrt(ref.alpha_bar[999]) - rT) * r0 / (r0 - rT);
  const auto lines = dg::current_equations(s);
  EXPECT_TRUE(contains(lines[0].caption, "posterior-mean form"));
  // √ᾱ_999 is tiny (~6.5×10⁻⁵), so it is written in scientific form.
  ASSERT_GT(r999, 1e-5);
  ASSERT_LT(r999, 1e-4);
  char mantissa[32];
  std::snprintf(mantissa, sizeof mantissa, "%.2f", r999 * 1e5);
  EXPECT_EQ(lines[0].numeric, "x₉₉₉ = " + std::string(mantissa) + "×10⁻⁵ · x̂₀ + 0 · x₁₀₀₀ + " +
                                  f3(std::sqrt(1 - r999 * r999)) + " · z");
}

TEST(ReverseEquations, ImagesViewUsesItsOwnSampler) {
  dg::AppState s;
  s.view = dg::AppView::Images;
  s.images.sampling.panels[0].sampler.sigma = SigmaKind::DDIM;
  s.reverse.panels[0].sampler.sigma = SigmaKind::Large;  // the 2D view's, not used here
  s.t = 500;
  const auto lines = dg::current_equations(s);
  EXPECT_EQ(lines[0].symbolic, "x̂₀ = (xₜ − √(1 − ᾱₜ) · ε̂) / √ᾱₜ");
}

TEST(ReverseEquations, NoNanAndNoZeroLookingCoefficientAnywhere) {
  // Every view, process and sampler, at the ends and middle, also with zero terminal SNR
  // (ᾱ_T = 0: 1/√α_T is infinite and must read "∞", never "nan" or "inf").
  const std::regex zero_looking("(^|[^0-9])0\\.000");
  for (bool ztsnr : {false, true}) {
    for (int view = 0; view < dg::kViewCount; ++view) {
      for (int variant = 0; variant < 5; ++variant) {
        dg::AppState s;
        s.a.params.zero_terminal_snr = ztsnr;
        s.refresh_schedules();
        s.view = static_cast<dg::AppView>(view);
        s.process = static_cast<dg::ForwardProcess>(variant % 3);
        auto& sampler = (s.view == dg::AppView::Images ? s.images.sampling : s.reverse).panels[0];
        sampler.sampler.sigma = static_cast<SigmaKind>(variant % 4);
        sampler.sampler.eta = 0.5;
        sampler.steps = variant == 4 ? 7 : 0;
        for (int t : {0, 1, 2, 500, 999, 1000}) {
          s.t = t;
          for (const auto& line : dg::current_equations(s)) {
            for (const std::string* text : {&line.symbolic, &line.numeric, &line.caption}) {
              EXPECT_FALSE(contains(*text, "nan")) << *text;
              EXPECT_FALSE(contains(*text, "inf")) << *text;
              EXPECT_FALSE(std::regex_search(*text, zero_looking)) << *text;
            }
          }
          EXPECT_LE(dg::current_equations(s).size(), dg::equation_line_count(s));
        }
      }
    }
  }
}

TEST(ReverseEquations, LineCountDoesNotDependOnTheCursor) {
  auto s = reverse_state(0, SigmaKind::DDIM, 0.5, 20);
  const std::size_t at_zero = dg::equation_line_count(s);
  s.t = 600;
  EXPECT_EQ(dg::equation_line_count(s), at_zero);
  EXPECT_EQ(dg::current_equations(s).size(), at_zero);
}

// ---- Readout ----

TEST(EquationReadout, ForwardViewUsesTheSmallSigma) {
  dg::AppState s;
  s.t = 500;
  const LinearReference ref(1000, 1e-4, 0.02);
  const double ab = ref.alpha_bar[500];
  const dg::Readout r = dg::current_readout(s);
  EXPECT_EQ(r.t, 500);
  EXPECT_EQ(r.T, 1000);
  EXPECT_NEAR(r.alpha_bar, ab, 1e-12);
  EXPECT_NEAR(r.snr, ab / (1 - ab), 1e-10);
  EXPECT_NEAR(r.log_snr, std::log(ab / (1 - ab)), 1e-9);
  EXPECT_NEAR(r.sigma, std::sqrt((1 - ref.alpha_bar[499]) / (1 - ab) * ref.beta[500]), 1e-12);
  EXPECT_TRUE(contains(r.sigma_caption, "β̃"));
  s.t = 0;
  const dg::Readout r0 = dg::current_readout(s);
  EXPECT_EQ(r0.alpha_bar, 1.0);
  EXPECT_TRUE(std::isinf(r0.snr));
  EXPECT_EQ(r0.sigma, 0.0);
}

TEST(EquationReadout, ForwardNaive) {
  dg::AppState s;
  s.process = dg::ForwardProcess::Naive;
  s.naive_beta = 0.01;
  s.t = 400;
  const dg::Readout r = dg::current_readout(s);
  EXPECT_EQ(r.alpha_bar, 1.0);
  EXPECT_NEAR(r.sigma, 2.0, 1e-12);  // √(400 · 0.01)
  EXPECT_NEAR(r.snr, 0.25, 1e-12);
}

TEST(EquationReadout, ReverseViewUsesTheShownStep) {
  auto s = reverse_state(150, SigmaKind::DDIM, 0.5, 10);  // visits 100, 200, ..., 1000
  s.reverse.spacing = diffusion::Spacing::Trailing;
  const LinearReference ref(1000, 1e-4, 0.02);
  const double ab = ref.alpha_bar[200], ab_prev = ref.alpha_bar[100];
  const dg::Readout r = dg::current_readout(s);
  EXPECT_EQ(r.t, 200);
  EXPECT_EQ(r.t_prev, 100);
  EXPECT_NEAR(r.alpha_bar, ab, 1e-12);
  EXPECT_NEAR(r.snr, ab / (1 - ab), 1e-9);
  EXPECT_NEAR(r.sigma, 0.5 * std::sqrt((1 - ab_prev) / (1 - ab) * (1 - ab / ab_prev)), 1e-12);
  EXPECT_TRUE(contains(r.sigma_caption, "DDIM η = 0.50"));
  s.t = 0;
  const dg::Readout r0 = dg::current_readout(s);
  EXPECT_EQ(r0.t, 0);
  EXPECT_EQ(r0.t_prev, -1);
  EXPECT_EQ(r0.sigma, 0.0);
}

TEST(EquationReadout, ImagesViewUsesItsSampler) {
  dg::AppState s;
  s.view = dg::AppView::Images;
  s.images.sampling.panels[0].sampler.sigma = SigmaKind::Large;
  s.t = 700;
  const LinearReference ref(1000, 1e-4, 0.02);
  const dg::Readout r = dg::current_readout(s);
  EXPECT_EQ(r.t, 700);
  EXPECT_NEAR(r.sigma, std::sqrt(ref.beta[700]), 1e-12);
  EXPECT_TRUE(contains(r.sigma_caption, "σₜ² = βₜ"));
}

// Issue 14: at ᾱ_T = 0 the exact denoiser's x̂₀ is the training points' mean (every weight equal),
// not "x̂₀ from ε̂ at a reference noise level" (that is the learned model's fallback).
TEST(ReverseEquations, ExactDenoiserXHatIsTheConditionalMeanEvenAtZeroTerminalSnr) {
  auto s = reverse_state(1000, SigmaKind::DDIM, 0.0);
  s.a.params.zero_terminal_snr = true;
  s.refresh_schedules();
  s.reverse.panels[0].denoiser = dg::DenoiserKind::Exact;
  auto lines = dg::current_equations(s);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(contains(lines[0].caption, "exact x̂₀")) << lines[0].caption;
  EXPECT_TRUE(contains(lines[0].symbolic, "E[x₀ | xₜ]")) << lines[0].symbolic;
  EXPECT_EQ(lines[0].numeric, "ᾱ₁₀₀₀ = 0: all wᵢ equal, x̂₀ = the training points' mean");
  EXPECT_FALSE(contains(lines[0].numeric, "reference noise level"));
  // Below T the weights' numbers: exp(−|x₅₀₀ − √ᾱ · x⁽ⁱ⁾|² / (2(1 − ᾱ))).
  s.a.params.zero_terminal_snr = false;
  s.refresh_schedules();
  s.t = 500;
  const LinearReference ref(1000, 1e-4, 0.02);
  lines = dg::current_equations(s);
  EXPECT_EQ(lines[0].numeric, "wᵢ ∝ exp(−|x₅₀₀ − " + f3(std::sqrt(ref.alpha_bar[500])) + " · x⁽ⁱ⁾|² / " +
                                  f3(2 * (1 - ref.alpha_bar[500])) + ")");
  // The learned model keeps its ε̂ form (and its zero-SNR fallback).
  s.reverse.panels[0].denoiser = dg::DenoiserKind::Model;
  lines = dg::current_equations(s);
  EXPECT_EQ(lines[0].symbolic, "x̂₀ = (xₜ − √(1 − ᾱₜ) · ε̂) / √ᾱₜ");
}

// Issue 14: clipping is shown wherever it is on, with the range the view clips to.
TEST(ReverseEquations, ClippingIsNamedWithTheViewsRange) {
  // Images: on by default, [−1, 1], on the DDPM step and on DDIM's x̂₀.
  dg::AppState s;
  s.view = dg::AppView::Images;
  s.t = 500;
  auto lines = dg::current_equations(s);
  EXPECT_TRUE(contains(lines[0].caption, "DDPM step")) << lines[0].caption;
  EXPECT_TRUE(contains(lines[0].caption, "x̂₀ clipped to [−1, 1]")) << lines[0].caption;
  s.images.sampling.panels[0].sampler.sigma = SigmaKind::DDIM;
  lines = dg::current_equations(s);
  EXPECT_TRUE(contains(lines[0].caption, "x̂₀ clipped to [−1, 1]")) << lines[0].caption;
  s.images.sampling.panels[0].sampler.clip_x0 = false;
  for (const auto& line : dg::current_equations(s)) EXPECT_FALSE(contains(line.caption, "clipped")) << line.caption;
  // 2D: off by default; on, the dataset's range.
  auto r = reverse_state(500);
  for (const auto& line : dg::current_equations(r)) EXPECT_FALSE(contains(line.caption, "clipped")) << line.caption;
  r.reverse.panels[0].sampler.clip_x0 = true;
  r.dataset = diffusion::Dataset2DKind::SwissRoll;
  const dg::ClipRange range = dg::data_clip_range(r.dataset);
  char expected[64];
  std::snprintf(expected, sizeof expected, "x̂₀ clipped to [−%g, %g]", -range.min, range.max);
  ASSERT_LT(range.min, 0.0);
  EXPECT_TRUE(contains(dg::current_equations(r)[0].caption, expected)) << dg::current_equations(r)[0].caption;
}

// Issue 14: with only every k-th state kept, the picture can be a few steps noisier than the
// cursor asks; the panel and the readout describe the picture (the view's shown_t).
TEST(ReverseEquations, ThePanelDescribesTheShownPictureNotTheCursor) {
  dg::AppState s;
  s.view = dg::AppView::Images;
  s.images.sampling.panels[0].steps = 100;   // visits 10, 20, ..., 1000
  s.t = 300;
  EXPECT_TRUE(contains(dg::current_equations(s)[0].caption, "x₂₉₀ ← x₃₀₀"));
  s.images.sampling.shown_t = 320;          // the kept state nearest 300 on the noisy side
  EXPECT_TRUE(contains(dg::current_equations(s)[0].caption, "x₃₁₀ ← x₃₂₀")) << dg::current_equations(s)[0].caption;
  EXPECT_EQ(dg::current_readout(s).t, 320);
  EXPECT_EQ(dg::current_readout(s).t_prev, 310);
  s.images.sampling.shown_t = 0;            // x₀ shown
  EXPECT_EQ(dg::current_equations(s)[0].symbolic, "x₀: the sample");
  // The 2D view reads its own; the forward view never does.
  auto r = reverse_state(300, SigmaKind::Small, 0.0, 100);
  r.images.sampling.shown_t = 500;
  EXPECT_TRUE(contains(dg::current_equations(r)[0].caption, "x₂₉₀ ← x₃₀₀"));
  r.reverse.shown_t = 500;
  EXPECT_TRUE(contains(dg::current_equations(r)[0].caption, "x₄₉₀ ← x₅₀₀"));
  r.view = dg::AppView::Forward;
  EXPECT_TRUE(contains(dg::current_equations(r)[0].numeric, "x₃₀₀ = "));
}

namespace {

// The soak (issue 7) once ended the app with a domain_error from log_snr_from_alpha_bar: the panel
// and the readout must take any valid schedule, at any cursor, without throwing.
TEST(EquationsAnySchedule, NeverThrowOnExtremeValidSchedules) {
  std::vector<diffusion::ScheduleParams> schedules;
  for (ScheduleKind kind : diffusion::all_schedule_kinds()) {
    for (int T : {1, 2, 10, 1000, 10000}) {
      for (bool zero_terminal : {false, true}) {
        for (int variant = 0; variant < 4; ++variant) {
          diffusion::ScheduleParams p;
          p.kind = kind;
          p.T = T;
          p.zero_terminal_snr = zero_terminal;
          if (variant == 1) { p.beta_start = 1e-5; p.beta_end = 0.999; p.beta = 0.999; p.cosine_s = 1e-12; p.sigmoid_tau = 0.05; }
          if (variant == 2) { p.beta_start = 0.5; p.beta_end = 0.5; p.beta = 1e-5; p.cosine_s = 0.5; p.sigmoid_start = -10; p.sigmoid_end = 10; }
          if (variant == 3) { p.beta_start = 1e-300; p.beta_end = 1e-300; p.beta = 1e-300; p.sigmoid_tau = 10; }
          schedules.push_back(p);
        }
      }
    }
  }
  int checked = 0;
  for (const auto& p : schedules) {
    for (dg::AppView view : {dg::AppView::Forward, dg::AppView::Reverse, dg::AppView::Images}) {
      for (int steps : {0, 1, 2, 7}) {
        dg::AppState s;
        s.a.params = p;
        s.refresh_schedules();
        if (s.a.good_params() != p) continue;   // not a valid schedule: the slot kept the last good one
        s.view = view;
        s.reverse.panels[0].steps = steps;
        s.images.sampling.panels[0].steps = steps;
        const int T = s.a.schedule()->T();
        for (int t : {0, 1, 2, T / 2, T - 1, T}) {
          s.t = std::clamp(t, 0, T);
          for (bool presenter : {false, true}) {
            s.presenter = presenter;
            EXPECT_NO_THROW(dg::current_equations(s)) << diffusion::to_string(p.kind) << " T=" << p.T << " t=" << t;
            dg::Readout r;
            EXPECT_NO_THROW(r = dg::current_readout(s)) << diffusion::to_string(p.kind) << " T=" << p.T << " t=" << t;
            EXPECT_FALSE(std::isnan(r.log_snr)) << diffusion::to_string(p.kind) << " T=" << p.T << " t=" << t;
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

}  // namespace

// How x̂₀ and ε̂ follow from each target's output, with the numbers of the step (Salimans & Ho
// 2022), and what the line says outside the trained log-SNR range.
TEST(ReverseEquations, EachPredictionTargetShowsHowXHatAndEpsHatFollow) {
  const LinearReference ref(1000, 1e-4, 0.02);
  const double a = std::sqrt(ref.alpha_bar[500]), sd = std::sqrt(1 - ref.alpha_bar[500]);
  auto s = reverse_state(500, SigmaKind::DDIM, 0.0);
  s.reverse.panels[0].model_target = diffusion::PredictionTarget::V;
  auto lines = dg::current_equations(s);
  EXPECT_TRUE(contains(lines[0].caption, "learned v-model: predicts v̂")) << lines[0].caption;
  EXPECT_EQ(lines[0].symbolic, "x̂₀ = √ᾱₜ xₜ − √(1 − ᾱₜ) v̂,  ε̂ = √(1 − ᾱₜ) xₜ + √ᾱₜ v̂");
  EXPECT_EQ(lines[0].numeric, "x̂₀ = " + f3(a) + " · x₅₀₀ − " + f3(sd) + " · v̂,  ε̂ = " + f3(sd) + " · x₅₀₀ + " +
                                  f3(a) + " · v̂");
  s.reverse.panels[0].model_target = diffusion::PredictionTarget::X0;
  lines = dg::current_equations(s);
  EXPECT_EQ(lines[0].symbolic, "ε̂ = (xₜ − √ᾱₜ · x̂₀) / √(1 − ᾱₜ)");
  EXPECT_EQ(lines[0].numeric, "ε̂ = (x₅₀₀ − " + f3(a) + " · x̂₀) / " + f3(sd));
  // The panel's "current" model is the shipped default, v; DDPM puts the line after σ.
  s = reverse_state(500, SigmaKind::Small);
  s.reverse.panels[0].model_target.reset();
  lines = dg::current_equations(s);
  ASSERT_NE(find_caption(lines, "learned v-model"), nullptr);
  EXPECT_TRUE(contains(lines[0].caption, "DDPM step"));
  // Zero terminal SNR at t = T: λ = −∞ is below the trained range; v runs at λ = −20, ε at −6.
  s = reverse_state(1000, SigmaKind::DDIM, 0.0, 0);
  s.a.params.zero_terminal_snr = true;
  s.refresh_schedules();
  s.t = 1000;
  s.reverse.panels[0].model_target = diffusion::PredictionTarget::V;
  lines = dg::current_equations(s);
  EXPECT_TRUE(contains(lines[0].caption, "below its trained range, run at λ = −20, x̂₀ kept")) << lines[0].caption;
  s.reverse.panels[0].model_target = diffusion::PredictionTarget::Eps;
  lines = dg::current_equations(s);
  EXPECT_TRUE(contains(lines[0].caption, "run at λ = −6, x̂₀ kept")) << lines[0].caption;
}

// Issue 18: an ODE panel shows its solver's step in DDIM's variables, the numbers of the x̂₀/ε̂
// form it computes, and the run's network evaluations. K = 10 of T = 1000 (trailing) visits
// 1000, 900, …, 100: the cursor at 500 shows the step 500 → 400, the one before came from 600.
TEST(ReverseEquations, OdeSolversShowTheirStepAndNfe) {
  const LinearReference ref(1000, 1e-4, 0.02);
  const double ab = ref.alpha_bar[500], ab_prev = ref.alpha_bar[400], ab_before = ref.alpha_bar[600];
  const std::string euler = "x₄₀₀ = " + f3(std::sqrt(ab_prev)) + " · x̂₀ + " + f3(std::sqrt(1 - ab_prev)) + " · ε̂";
  auto ode_state = [](diffusion::OdeSolver solver, int t) {
    dg::AppState s = reverse_state(t, SigmaKind::Small, 0.0, 10);
    s.reverse.panels[0].ode_solver = solver;
    return s;
  };
  {
    const auto lines = dg::current_equations(ode_state(diffusion::OdeSolver::Euler, 500));
    const dg::EquationLine* step = find_caption(lines, "ODE Euler step");
    ASSERT_NE(step, nullptr);
    EXPECT_TRUE(contains(step->caption, "x₄₀₀ ← x₅₀₀")) << step->caption;
    EXPECT_TRUE(contains(step->caption, "NFE = 10")) << step->caption;
    EXPECT_EQ(step->symbolic, "x̄ₛ = x̄ₜ + (σ̂ₛ − σ̂ₜ) · ε̂,  x̄ = x/√ᾱ, σ̂ = √(1 − ᾱ)/√ᾱ");
    EXPECT_EQ(step->numeric, euler);
    EXPECT_EQ(find_caption(lines, "σₜ"), nullptr);   // no σ line: the ODE adds no noise
    EXPECT_EQ(lines[0].symbolic, "x̂₀ = (xₜ − √(1 − ᾱₜ) · ε̂) / √ᾱₜ");
  }
  {
    // Heun: 2 evaluations per step but 1 on the last: 19. The correction's weight is
    // √ᾱₛ (σ̂ₜ − σ̂ₛ) / 2 on ε̂ − ε̂′, σ̂ = √(1 − ᾱ)/√ᾱ.
    const auto lines = dg::current_equations(ode_state(diffusion::OdeSolver::Heun, 500));
    const dg::EquationLine* step = find_caption(lines, "ODE Heun step");
    ASSERT_NE(step, nullptr);
    EXPECT_TRUE(contains(step->caption, "NFE = 19")) << step->caption;
    const double sigma_hat = std::sqrt((1 - ab) / ab), sigma_hat_prev = std::sqrt((1 - ab_prev) / ab_prev);
    EXPECT_EQ(step->numeric, euler + " + " + f3(std::sqrt(ab_prev) * (sigma_hat - sigma_hat_prev) / 2) + " · (ε̂ − ε̂′)");
    // The last step (100 → 0) is plain Euler.
    const auto last = dg::current_equations(ode_state(diffusion::OdeSolver::Heun, 100));
    const dg::EquationLine* last_step = find_caption(last, "ODE Heun step");
    ASSERT_NE(last_step, nullptr);
    EXPECT_TRUE(contains(last_step->numeric, "last step: plain Euler")) << last_step->numeric;
  }
  {
    // DPM-Solver++(2M): h = λₛ − λₜ, r = h′/h with h′ of the step 600 → 500, λ = log(√ᾱ/√(1 − ᾱ)).
    const auto lambda = [](double a) { return 0.5 * std::log(a / (1 - a)); };
    const double h = lambda(ab_prev) - lambda(ab), r = (lambda(ab) - lambda(ab_before)) / h;
    const double weight = (1 - std::exp(-h)) * std::sqrt(ab_prev) / (2 * r);
    const auto lines = dg::current_equations(ode_state(diffusion::OdeSolver::DpmSolverPP2M, 500));
    const dg::EquationLine* step = find_caption(lines, "DPM-Solver++(2M) step");
    ASSERT_NE(step, nullptr);
    EXPECT_TRUE(contains(step->caption, "NFE = 10")) << step->caption;
    EXPECT_EQ(step->numeric, euler + " + " + f3(weight) + " · (x̂₀ − x̂₀′),  h = " + f3(h) + ", r = " + f3(r));
    // The first step (from t = 1000) has no step before it: first order.
    const auto first = dg::current_equations(ode_state(diffusion::OdeSolver::DpmSolverPP2M, 1000));
    const dg::EquationLine* first_step = find_caption(first, "DPM-Solver++(2M) step");
    ASSERT_NE(first_step, nullptr);
    EXPECT_TRUE(contains(first_step->numeric, "first step: first order")) << first_step->numeric;
  }
  // The readout: no noise.
  const dg::Readout readout = dg::current_readout(ode_state(diffusion::OdeSolver::Heun, 500));
  EXPECT_EQ(readout.sigma, 0.0);
  EXPECT_TRUE(contains(readout.sigma_caption, "no noise")) << readout.sigma_caption;
}
