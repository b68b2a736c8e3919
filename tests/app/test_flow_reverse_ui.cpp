// Flow-matching panels on the UI side (issue 18): the "flow" compare preset, the panel captions
// (process, solver, NFE, K; never σ), the equation panel's τ step for a flow panel #1, the scene
// key "process" (round trip, old scenes without it, the shipped scene 13), and the GUI flags
// --process flow, --sigma ode and --solver as the command-line scene applies them.
#include <cmath>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "gui/lecture/command_line_scene.hpp"
#include "gui/lecture/gui_options.hpp"
#include "gui/lecture/scene.hpp"
#include "gui/lecture/scene_library.hpp"
#include "gui/state/app_state.hpp"
#include "gui/state/caption_forms.hpp"
#include "gui/state/choice_tables.hpp"
#include "gui/state/equations.hpp"
#include "gui/state/flow_sampler_equations.hpp"
#include "gui/state/reverse_state.hpp"

namespace diffuscope::gui {
namespace {

using diffusion::OdeSolver;
using diffusion::ProcessFamily;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(FlowReverseUi, PresetIsDdpmDdimAndFlowEulerAndHeunAtAboutTenNfe) {
  SamplingSettings s;
  s.panels[0].denoiser = DenoiserKind::Exact;   // the preset uses learned models whatever panel 0 had,
  s.panels[0].class_id = 1;                      // unconditional ones
  s.panels[0].guidance = 3.0;
  s.panels[0].model_target = diffusion::PredictionTarget::X0;
  apply_reverse_preset(s, ReversePreset::FlowComparison, diffusion::ScheduleKind::Linear);
  ASSERT_EQ(s.panel_count, 4);
  EXPECT_EQ(s.panels[0].process, ProcessFamily::Ddpm);
  EXPECT_EQ(s.panels[0].sampler.sigma, diffusion::SigmaKind::Small);
  EXPECT_FALSE(s.panels[0].ode_solver.has_value());
  EXPECT_EQ(s.panels[1].process, ProcessFamily::Ddpm);
  EXPECT_EQ(s.panels[1].sampler.sigma, diffusion::SigmaKind::DDIM);
  EXPECT_EQ(s.panels[1].sampler.eta, 0.0);
  EXPECT_EQ(s.panels[2].process, ProcessFamily::Flow);
  EXPECT_EQ(s.panels[2].ode_solver, OdeSolver::Euler);
  EXPECT_EQ(s.panels[3].process, ProcessFamily::Flow);
  EXPECT_EQ(s.panels[3].ode_solver, OdeSolver::Heun);
  const int steps[] = {10, 10, 10, 5};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(s.panels[static_cast<std::size_t>(i)].steps, steps[i]);
    EXPECT_EQ(s.panels[static_cast<std::size_t>(i)].denoiser, DenoiserKind::Model);
    EXPECT_EQ(s.panels[static_cast<std::size_t>(i)].class_id, diffusion::kNullClass);
    EXPECT_EQ(s.panels[static_cast<std::size_t>(i)].guidance, 1.0);
    EXPECT_FALSE(s.panels[static_cast<std::size_t>(i)].model_target.has_value());
  }
  // Its key and label; another preset afterwards makes every panel a DDPM panel again.
  EXPECT_EQ(parse_key<ReversePreset>("flow"), ReversePreset::FlowComparison);
  EXPECT_TRUE(has(label_of(ReversePreset::FlowComparison), "flow matching"));
  apply_reverse_preset(s, ReversePreset::SigmaComparison, diffusion::ScheduleKind::Linear);
  for (const auto& panel : s.panels) EXPECT_EQ(panel.process, ProcessFamily::Ddpm);
}

TEST(FlowReverseUi, SpecsCarryTheProcessAndAChangeRestartsTheRun) {
  AppState state;
  apply_reverse_preset(state.reverse, ReversePreset::FlowComparison, diffusion::ScheduleKind::Linear);
  const ReverseJob job = make_reverse_job(state.reverse, state.a.schedule(), diffusion::Dataset2DKind::Moons, 0, 0);
  ASSERT_EQ(job.panels.size(), 4u);
  EXPECT_EQ(job.panels[2].process, ProcessFamily::Flow);
  EXPECT_EQ(job.panels[3].ode_solver, OdeSolver::Heun);
  ReverseJob other = job;
  other.panels[2].process = ProcessFamily::Ddpm;
  EXPECT_TRUE(restarts_run(job, other));
  EXPECT_FALSE(job.panels[2] == other.panels[2]);
}

TEST(FlowReverseUi, CaptionsNameTheProcessSolverNfeAndKNeverSigma) {
  ReversePanelSpec spec;
  spec.process = ProcessFamily::Flow;
  spec.ode_solver = OdeSolver::Euler;
  spec.steps = 10;
  spec.sampler.sigma = diffusion::SigmaKind::Large;   // ignored by flow panels
  spec.sampler.clip_x0 = true;                        // so is clipping
  EXPECT_EQ(panel_label(spec, 1000), "flow · Euler · NFE = 10 · K = 10 · learned");
  spec.ode_solver = OdeSolver::Heun;
  spec.steps = 5;
  spec.denoiser = DenoiserKind::Exact;
  EXPECT_EQ(panel_label(spec, 1000), "flow · Heun · NFE = 9 · K = 5 · exact");
  spec.class_id = 2;   // flow panels are never guided: a class left over from a DDPM panel is ignored
  EXPECT_FALSE(is_guided(spec));
  EXPECT_EQ(panel_label(spec, 1000), "flow · Heun · NFE = 9 · K = 5 · exact");
  EXPECT_EQ(panel_network_evaluations(spec, 1000), 9);
  spec.ode_solver.reset();   // no solver: Euler
  EXPECT_EQ(sampler_caption(spec), "flow · Euler");
  // The short forms of a narrow panel keep "flow" and the NFE, and none says σ.
  spec.ode_solver = OdeSolver::Heun;
  const std::vector<std::string> forms = panel_label_forms("#4  " + panel_label(spec, 1000));
  ASSERT_GE(forms.size(), 3u);
  for (const std::string& form : forms) {
    EXPECT_TRUE(has(form, "flow")) << form;
    EXPECT_FALSE(has(form, "σ")) << form;
  }
  EXPECT_TRUE(has(forms[2], "NFE=9")) << forms[2];
}

AppState flow_panel_state(OdeSolver solver, int steps, int t) {
  AppState s;
  s.view = AppView::Reverse;
  s.reverse.panels[0].process = ProcessFamily::Flow;
  s.reverse.panels[0].ode_solver = solver;
  s.reverse.panels[0].steps = steps;
  s.t = t;
  return s;
}

TEST(FlowReverseUi, EquationPanelShowsTheEulerAndHeunStepInTau) {
  // K = 10 on T = 1000: the cursor 850 shows the state at t = 900, τ = 0.9; its step goes to 0.8.
  EXPECT_DOUBLE_EQ(flow_shown_tau(10, 1000, 850), 0.9);
  EXPECT_DOUBLE_EQ(flow_shown_tau(10, 1000, 1000), 1.0);
  EXPECT_DOUBLE_EQ(flow_shown_tau(10, 1000, 0), 0.0);
  EXPECT_DOUBLE_EQ(flow_shown_tau(3, 1000, 334), 2.0 / 3.0);   // round(2000/3) = 667 >= 334 > 333
  EXPECT_EQ(flow_visited_timesteps(12, 200),
            (std::vector<int>{17, 33, 50, 67, 83, 100, 117, 133, 150, 167, 183, 200}));
  const std::vector<EquationLine> euler = equations_at(flow_panel_state(OdeSolver::Euler, 10, 850), 850);
  ASSERT_EQ(euler.size(), 2u);
  EXPECT_TRUE(has(euler[0].symbolic, "x_τ = (1 − τ) · x₀ + τ · ε")) << euler[0].symbolic;
  EXPECT_TRUE(has(euler[0].symbolic, "ε − x₀"));
  EXPECT_EQ(euler[1].symbolic, "x_{τ−Δτ} = x_τ − Δτ · v̂(x_τ, τ)");
  EXPECT_EQ(euler[1].numeric, "x_0.8 = x_0.9 − 0.1 · v̂(x_0.9, 0.9)");
  EXPECT_TRUE(has(euler[1].caption, "τ = 0.9 → 0.8")) << euler[1].caption;
  EXPECT_TRUE(has(euler[1].caption, "NFE = 10")) << euler[1].caption;
  for (const auto& line : euler) EXPECT_FALSE(has(line.caption + line.symbolic + line.numeric, "σ"));

  const std::vector<EquationLine> heun = equations_at(flow_panel_state(OdeSolver::Heun, 5, 1000), 1000);
  ASSERT_EQ(heun.size(), 2u);
  EXPECT_TRUE(has(heun[1].symbolic, "x̃ = x_τ − Δτ · v̂(x_τ, τ)")) << heun[1].symbolic;
  EXPECT_TRUE(has(heun[1].symbolic, "Δτ/2 · (v̂(x_τ, τ) + v̂(x̃, τ − Δτ))")) << heun[1].symbolic;
  EXPECT_EQ(heun[1].numeric, "x̃ = x_1 − 0.2 · v̂(x_1, 1),  x_0.8 = x_1 − 0.1 · (v̂(x_1, 1) + v̂(x̃, 0.8))");
  EXPECT_TRUE(has(heun[1].caption, "NFE = 9")) << heun[1].caption;
  // The last step (τ = 0.2 → 0) is plain Euler; at t = 0 sampling is done.
  const auto last = equations_at(flow_panel_state(OdeSolver::Heun, 5, 150), 150);
  EXPECT_TRUE(has(last[1].numeric, "plain Euler")) << last[1].numeric;
  const auto done = equations_at(flow_panel_state(OdeSolver::Heun, 5, 0), 0);
  EXPECT_TRUE(has(done[1].caption, "τ = 0")) << done[1].caption;
  // The readout: τ = 0.3 (t = 300 → 200) has SNR ((1 − τ)/τ)² and the VP ᾱ with that SNR.
  const Readout r = current_readout(flow_panel_state(OdeSolver::Euler, 10, 300));
  EXPECT_TRUE(has(r.sigma_caption, "flow matching at τ = 0.3")) << r.sigma_caption;
  EXPECT_EQ(r.t, 300);
  EXPECT_EQ(r.t_prev, 200);
  EXPECT_NEAR(r.snr, (0.7 / 0.3) * (0.7 / 0.3), 1e-12);
  EXPECT_NEAR(r.log_snr, std::log(r.snr), 1e-12);
  EXPECT_NEAR(r.alpha_bar, r.snr / (1 + r.snr), 1e-12);
  EXPECT_EQ(r.sigma, 0.0);
}

// Sets every reverse panel's "process" of a scene's JSON to `value`, or removes it (null).
std::string with_reverse_process(const std::string& text, const nlohmann::json& value) {
  nlohmann::json j = nlohmann::json::parse(text);
  for (auto& panel : j["reverse"]["panels"]) {
    if (value.is_null()) panel.erase("process");
    else panel["process"] = value;
  }
  return j.dump();
}

TEST(FlowReverseUi, SceneProcessKeyRoundTripsAndOldScenesLoadAsDdpm) {
  AppState original;
  apply_reverse_preset(original.reverse, ReversePreset::FlowComparison, diffusion::ScheduleKind::Linear);
  const std::string text = scene_to_json(original);
  AppState loaded;
  SceneLoad load = apply_scene_json(text, loaded, "test", "");
  ASSERT_TRUE(load.ok);
  EXPECT_TRUE(load.warnings.empty());
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(loaded.reverse.panels[i].process, original.reverse.panels[i].process);
    EXPECT_EQ(loaded.reverse.panels[i].ode_solver, original.reverse.panels[i].ode_solver);
  }
  // A scene from before flow matching (no "process"): DDPM panels, no warning.
  AppState old;
  old.reverse.panels[0].process = ProcessFamily::Flow;
  load = apply_scene_json(with_reverse_process(text, nullptr), old, "old", "");
  EXPECT_TRUE(load.warnings.empty()) << load.warnings.front();
  for (const auto& panel : old.reverse.panels) EXPECT_EQ(panel.process, ProcessFamily::Ddpm);
  // A bad word is a warning naming the key and the valid words.
  AppState bad;
  load = apply_scene_json(with_reverse_process(text, "rectified"), bad, "bad", "");
  ASSERT_FALSE(load.warnings.empty());
  EXPECT_TRUE(has(load.warnings.front(), "process")) << load.warnings.front();
  EXPECT_TRUE(has(load.warnings.front(), "ddpm, flow")) << load.warnings.front();
  // A flow panel with DPM-Solver++ (not a flow solver) becomes Euler, with a warning.
  nlohmann::json dpm = nlohmann::json::parse(text);
  dpm["reverse"]["panels"][2]["ode_solver"] = "dpmpp2m";
  AppState fixed;
  load = apply_scene_json(dpm.dump(), fixed, "dpm", "");
  ASSERT_EQ(load.warnings.size(), 1u);
  EXPECT_TRUE(has(load.warnings.front(), "euler or heun")) << load.warnings.front();
  EXPECT_EQ(fixed.reverse.panels[2].ode_solver, OdeSolver::Euler);
}

// Every key path of a scene's JSON (array elements by index), less the tracked indices and the
// image entry (content, not keys), as ShippedScenes compares them.
void flow_scene_key_paths(const nlohmann::json& j, const std::string& prefix, std::set<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
      if (path.rfind("reverse.tracked", 0) == 0 || path.rfind("image.", 0) == 0) continue;
      out.insert(path);
      flow_scene_key_paths(*it, path, out);
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) flow_scene_key_paths(j[i], prefix + "[" + std::to_string(i) + "]", out);
  }
}

TEST(FlowReverseUi, ShippedSceneDiffusionVsFlowMatching) {
  std::string path;
  for (const SceneEntry& entry : list_scenes(shipped_scenes_dir()))
    if (has(entry.path, "13-diffusion-vs-flow-matching.json")) path = entry.path;
  ASSERT_FALSE(path.empty()) << "13-diffusion-vs-flow-matching.json not in " << shipped_scenes_dir();
  AppState state;
  const SceneLoad load = load_scene_file(path, state);
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_TRUE(load.warnings.empty()) << load.warnings.front();
  EXPECT_EQ(state.scene_title, "Diffusion vs flow matching");
  EXPECT_EQ(state.view, AppView::Reverse);
  EXPECT_EQ(state.dataset, diffusion::Dataset2DKind::Moons);
  SamplingSettings preset;
  apply_reverse_preset(preset, ReversePreset::FlowComparison, diffusion::ScheduleKind::Linear);
  ASSERT_EQ(state.reverse.panel_count, 4);
  for (std::size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(state.reverse.panels[i].process, preset.panels[i].process);
    EXPECT_EQ(state.reverse.panels[i].ode_solver, preset.panels[i].ode_solver);
    EXPECT_EQ(state.reverse.panels[i].steps, preset.panels[i].steps);
    EXPECT_EQ(state.reverse.panels[i].sampler.sigma, preset.panels[i].sampler.sigma);
    EXPECT_EQ(state.reverse.panels[i].denoiser, DenoiserKind::Model);
  }
  EXPECT_TRUE(state.reverse.trajectories);
  EXPECT_GE(state.reverse.tracked.size(), 4u);
  for (const char* word : {"(1 − τ)·x₀ + τ·ε", "ε − x₀", "path length / distance", "NFE", "Forward view"})
    EXPECT_TRUE(has(state.scene_notes, word)) << word;
  // The file holds exactly the keys the scene writer emits.
  std::ifstream file(path);
  const nlohmann::json shipped = nlohmann::json::parse(file);
  std::set<std::string> file_keys, writer_keys;
  flow_scene_key_paths(shipped, "", file_keys);
  flow_scene_key_paths(nlohmann::json::parse(scene_to_json(AppState())), "", writer_keys);
  EXPECT_EQ(file_keys, writer_keys);
}

AppState from_flags(GuiOptions options) {
  options.view = "reverse";
  AppState state;
  const SceneLoad load = apply_command_line(state, options);
  EXPECT_TRUE(load.warnings.empty()) << load.warnings.front();
  return state;
}

TEST(FlowReverseUi, GuiFlagsMakePanelZeroAnOdeOrFlowPanel) {
  GuiOptions o;
  o.sigma = "ode";
  AppState s = from_flags(o);
  EXPECT_EQ(s.reverse.panels[0].ode_solver, OdeSolver::Heun);   // the CLI's default
  EXPECT_EQ(s.reverse.panels[0].process, ProcessFamily::Ddpm);
  o.solver = "dpmpp2m";
  EXPECT_EQ(from_flags(o).reverse.panels[0].ode_solver, OdeSolver::DpmSolverPP2M);
  o.solver = "euler";
  EXPECT_EQ(from_flags(o).reverse.panels[0].ode_solver, OdeSolver::Euler);

  GuiOptions flow;
  flow.process = "flow";
  flow.steps = 20;
  s = from_flags(flow);
  EXPECT_EQ(s.reverse.panels[0].process, ProcessFamily::Flow);
  EXPECT_EQ(s.reverse.panels[0].ode_solver, OdeSolver::Euler);   // `sample --process flow`'s default
  EXPECT_EQ(s.reverse.panels[0].steps, 20);
  EXPECT_EQ(s.process, ForwardProcess::ClosedForm);   // the forward view keeps its closed form
  flow.solver = "heun";
  EXPECT_EQ(from_flags(flow).reverse.panels[0].ode_solver, OdeSolver::Heun);

  GuiOptions compare;
  compare.reverse_compare = "flow";
  s = from_flags(compare);
  ASSERT_EQ(s.reverse.panel_count, 4);
  EXPECT_EQ(s.reverse.panels[3].process, ProcessFamily::Flow);
  EXPECT_EQ(s.reverse.panels[3].ode_solver, OdeSolver::Heun);
}

}  // namespace
}  // namespace diffuscope::gui
