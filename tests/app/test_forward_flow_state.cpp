// Flow matching's path as side B of the forward view, without a window: its curves against the
// closed forms computed here, forward_alpha_bar / forward_noise_std for a flow side, the labels,
// the job's switch, the equation panel's lines, the scene key "b_flow" (round trip; older scenes
// without it load without warnings) and the --b-flow flag's scene.
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "diffusion/schedule.hpp"
#include "gui/lecture/command_line_scene.hpp"
#include "gui/lecture/gui_options.hpp"
#include "gui/lecture/scene.hpp"
#include "gui/protocol/flow_path.hpp"
#include "gui/state/app_state.hpp"
#include "gui/state/curves.hpp"
#include "gui/state/equations.hpp"
#include "gui/state/schedule_labels.hpp"

namespace diffuscope::gui {
namespace {

AppState flow_state(int t) {
  AppState state;
  state.set_compare(true);
  state.b_is_flow = true;
  state.t = t;
  return state;
}

TEST(ForwardFlowCurves, ValuesAgainstTheClosedForm) {
  const int T = 1000;
  const ScheduleCurves c = make_flow_curves(T, false);
  ASSERT_EQ(c.x.size(), 1001u);
  for (int t : {1, 250, 500, 999, 1000}) {
    const auto i = static_cast<std::size_t>(t);
    // Written as (T − t) and t rather than through τ.
    const double signal = static_cast<double>(T - t) / T, noise = static_cast<double>(t) / T;
    EXPECT_DOUBLE_EQ(c.x[i], t);
    EXPECT_NEAR(c.sqrt_alpha_bar[i], signal, 1e-15);
    EXPECT_NEAR(c.sqrt_one_minus_alpha_bar[i], noise, 1e-15);
    EXPECT_NEAR(c.alpha_bar[i], signal * signal, 1e-15);
    EXPECT_TRUE(std::isnan(c.beta[i]));            // the path has no per-step β
    EXPECT_TRUE(std::isnan(c.posterior_variance[i]));
    const double snr = std::pow(static_cast<double>(T - t) / t, 2);
    EXPECT_NEAR(c.snr[i], snr, 1e-12 * std::max(1.0, snr));
    if (t < T) EXPECT_NEAR(c.log_snr[i], 2.0 * std::log(static_cast<double>(T - t) / t), 1e-12);
  }
  EXPECT_NEAR(c.snr[250], 9.0, 1e-12);            // ((1 − 0.25) / 0.25)²
  EXPECT_TRUE(std::isnan(c.snr[0]));              // SNR = ∞ at τ = 0: a gap
  EXPECT_TRUE(std::isnan(c.log_snr[0]));
  EXPECT_TRUE(std::isnan(c.log_snr[1000]));       // log-SNR = −∞ at τ = 1
  EXPECT_DOUBLE_EQ(c.snr[1000], 0.0);
  const ScheduleCurves f = make_flow_curves(400, true);
  EXPECT_DOUBLE_EQ(f.x[100], 0.25);
  EXPECT_DOUBLE_EQ(f.x[400], 1.0);

  const CurveValues v = flow_curve_values(400, 100);
  EXPECT_TRUE(v.flow);
  EXPECT_DOUBLE_EQ(v.tau, 0.25);
  EXPECT_DOUBLE_EQ(v.sqrt_alpha_bar, 0.75);
  EXPECT_DOUBLE_EQ(v.sqrt_one_minus_alpha_bar, 0.25);
  EXPECT_NEAR(v.snr, 9.0, 1e-12);
  EXPECT_NEAR(v.log_snr, std::log(9.0), 1e-12);
  EXPECT_EQ(flow_curve_values(400, 900).t, 400);  // clamped to T
}

TEST(ForwardFlowCurves, PathMomentsAndCoefficients) {
  EXPECT_DOUBLE_EQ(flow_tau(250, 1000), 0.25);
  EXPECT_DOUBLE_EQ(flow_tau(-3, 1000), 0.0);
  EXPECT_DOUBLE_EQ(flow_tau(2000, 1000), 1.0);
  EXPECT_DOUBLE_EQ(flow_tau(5, 0), 0.0);
  EXPECT_DOUBLE_EQ(flow_predicted_mean(0.25, 0.4), 0.3);
  EXPECT_DOUBLE_EQ(flow_predicted_variance(0.25, 0.5), 0.5625 * 0.5 + 0.0625);
  EXPECT_TRUE(std::isinf(flow_snr(0.0)));
  EXPECT_TRUE(std::isinf(flow_path_log_snr(1.0)) && flow_path_log_snr(1.0) < 0);
}

TEST(ForwardFlowCurves, FrameCoefficientsOfAFlowSide) {
  ForwardFrame frame;
  ForwardSide side;
  side.schedule = std::make_shared<const diffusion::Schedule>(diffusion::ScheduleParams{});   // T = 1000
  side.t = 250;
  side.flow = true;
  EXPECT_DOUBLE_EQ(forward_alpha_bar(frame, side), 0.5625);
  EXPECT_DOUBLE_EQ(forward_noise_std(frame, side), 0.25);
  side.flow = false;
  EXPECT_DOUBLE_EQ(forward_alpha_bar(frame, side), side.schedule->alpha_bar(250));
  EXPECT_DOUBLE_EQ(forward_noise_std(frame, side), side.schedule->sqrt_one_minus_alpha_bar(250));
}

TEST(ForwardFlowLabels, BIsNamedByItsPath) {
  diffusion::ScheduleParams a, b;
  b.kind = diffusion::ScheduleKind::Cosine;
  const ScheduleLabelPair flow = forward_side_labels(a, b, true);
  EXPECT_EQ(flow.a, "linear");
  EXPECT_EQ(flow.b, "flow matching, x_τ = (1−τ)x₀ + τε");
  b.T = 500;
  const ScheduleLabelPair with_t = forward_side_labels(a, b, true);
  EXPECT_EQ(with_t.a, "linear, T = 1000");
  EXPECT_EQ(with_t.b, std::string(kFlowPathLabel) + ", T = 500");
  const ScheduleLabelPair plain = forward_side_labels(a, b, false);
  EXPECT_EQ(plain.b, schedule_difference_labels(a, b).b);
  EXPECT_EQ(plain.b, "cosine, T = 500");
}

TEST(ForwardFlowJob, TheSwitchActsOnlyWithCompareInClosedForm) {
  AppState state = flow_state(100);
  EXPECT_TRUE(state.b_flow_shown());
  EXPECT_TRUE(make_forward_job(state).b_flow);
  for (ForwardProcess process : {ForwardProcess::Markov, ForwardProcess::Naive}) {
    state.process = process;
    EXPECT_FALSE(state.b_flow_shown());
    EXPECT_FALSE(make_forward_job(state).b_flow);   // the worker would reject it
  }
  state.process = ForwardProcess::ClosedForm;
  state.set_compare(false);
  EXPECT_FALSE(make_forward_job(state).b_flow);
  EXPECT_TRUE(state.b_is_flow);   // kept for when Compare comes back
  state.set_compare(true);
  const ForwardJob with = make_forward_job(state);
  state.b_is_flow = false;
  EXPECT_FALSE(same_job(with, make_forward_job(state)));
}

std::vector<EquationLine> group(const std::vector<EquationLine>& lines, int g) {
  std::vector<EquationLine> out;
  for (const EquationLine& line : lines)
    if (line.group == g) out.push_back(line);
  return out;
}

TEST(ForwardFlowEquations, BShowsThePathWithItsNumbers) {
  const std::vector<EquationLine> b = group(equations_at(flow_state(250), 250), 1);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].symbolic, "x_τ = (1 − τ) · x₀ + τ · ε");
  EXPECT_EQ(b[0].numeric, "τ = 0.250:  x_τ = 0.750 · x₀ + 0.250 · ε");
  EXPECT_EQ(b[0].caption, "B · flow · linear path, τ = t/T");
  EXPECT_EQ(b[1].symbolic, "SNR_τ = ((1 − τ) / τ)²");
  EXPECT_EQ(b[1].numeric, "SNR = 9.000,  log-SNR = 2.197");
  // A keeps its schedule's closed form.
  const std::vector<EquationLine> a = group(equations_at(flow_state(250), 250), 0);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a[0].symbolic, "xₜ = √ᾱₜ · x₀ + √(1 − ᾱₜ) · ε");
  // t = 0: the data; presenter mode leaves out the SNR line, as for a schedule.
  EXPECT_EQ(group(equations_at(flow_state(0), 0), 1).at(0).symbolic, "x₀: the data");
  AppState presenter = flow_state(250);
  presenter.presenter = true;
  EXPECT_EQ(group(equations_at(presenter, 250), 1).size(), 1u);
  // Markov: the switch is off, B is its schedule's Markov step again.
  AppState markov = flow_state(250);
  markov.process = ForwardProcess::Markov;
  EXPECT_NE(group(equations_at(markov, 250), 1).at(0).caption.find("Markov"), std::string::npos);
}

TEST(ForwardFlowScene, RoundTripAndOlderScenesLoadWithoutWarnings) {
  const AppState saved = flow_state(300);
  const std::string text = scene_to_json(saved);
  ASSERT_NE(text.find("\"b_flow\": true"), std::string::npos) << text;
  AppState loaded;
  const SceneLoad load = apply_scene_json(text, loaded, "test", "");
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_TRUE(load.warnings.empty()) << load.warnings.front();
  EXPECT_TRUE(loaded.b_is_flow);
  EXPECT_TRUE(loaded.b_flow_shown());

  // A scene from before the key: B is its schedule, and nothing is reported.
  nlohmann::json old = nlohmann::json::parse(text);
  old.erase("b_flow");
  AppState older = flow_state(10);   // b_is_flow on before loading: the scene resets it
  const SceneLoad old_load = apply_scene_json(old.dump(), older, "old", "");
  ASSERT_TRUE(old_load.ok) << old_load.error;
  EXPECT_TRUE(old_load.warnings.empty()) << old_load.warnings.front();
  EXPECT_FALSE(older.b_is_flow);

  nlohmann::json bad = nlohmann::json::parse(text);
  bad["b_flow"] = "yes";
  AppState bad_state;
  const SceneLoad bad_load = apply_scene_json(bad.dump(), bad_state, "bad", "");
  ASSERT_EQ(bad_load.warnings.size(), 1u);
  EXPECT_NE(bad_load.warnings[0].find("b_flow"), std::string::npos) << bad_load.warnings[0];
}

TEST(ForwardFlowScene, BFlowFlagComparesWithThePath) {
  GuiOptions options;
  options.b_flow = true;
  AppState state;
  const SceneLoad load = apply_command_line(state, options);
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_TRUE(load.warnings.empty()) << load.warnings.front();
  EXPECT_TRUE(state.compare);
  EXPECT_TRUE(state.b_is_flow);
  EXPECT_TRUE(state.b_flow_shown());
  EXPECT_EQ(state.coefficient_tab, 2);   // log-SNR
  AppState plain;
  apply_command_line(plain, GuiOptions{});
  EXPECT_FALSE(plain.b_is_flow);
}

}  // namespace
}  // namespace diffuscope::gui
