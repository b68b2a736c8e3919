// Classifier-free guidance in the reverse view's plain values (issue 17, item 3): the guidance
// compare preset, a panel's class and w in the spec (a change restarts the run), two network
// evaluations a step in the NFE and the labels, the labels' short forms, the scene keys (and old
// scenes without them), the shipped guidance scene, and the equation panel's guided ε̂ line.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "diffusion/datasets2d.hpp"
#include "gui/lecture/scene.hpp"
#include "gui/lecture/scene_library.hpp"
#include "gui/state/app_state.hpp"
#include "gui/state/caption_forms.hpp"
#include "gui/state/equations.hpp"
#include "gui/state/guidance_equation.hpp"
#include "gui/state/reverse_state.hpp"

namespace diffuscope::gui {
namespace {

using json = nlohmann::json;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Every object key's path ("reverse.panels[1].class"); tracked indices and the image's variant
// are content, not keys (as ShippedScenes counts them).
void guidance_scene_keys(const json& j, const std::string& prefix, std::set<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
      if (path.rfind("reverse.tracked", 0) == 0 || path.rfind("image.", 0) == 0) continue;
      out.insert(path);
      guidance_scene_keys(*it, path, out);
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) guidance_scene_keys(j[i], prefix + "[" + std::to_string(i) + "]", out);
  }
}

TEST(GuidanceUi, PresetSamplesOneClassAtFourScales) {
  SamplingSettings s;
  s.panels[0].class_id = 3;
  s.panels[0].model_target = diffusion::PredictionTarget::Eps;
  apply_reverse_preset(s, ReversePreset::GuidanceComparison, diffusion::ScheduleKind::Cosine, true);
  ASSERT_EQ(s.panel_count, 4);
  const double scales[] = {0.0, 1.0, 3.0, 7.0};
  for (int i = 0; i < 4; ++i) {
    const ReversePanelSettings& p = s.panels[static_cast<std::size_t>(i)];
    EXPECT_EQ(p.class_id, 3) << i;                        // panel 0's class is kept
    EXPECT_EQ(p.guidance, scales[i]) << i;
    EXPECT_EQ(p.denoiser, DenoiserKind::Model) << i;      // the learned conditional model
    EXPECT_FALSE(p.model_target.has_value()) << i;        // it predicts what it was trained to
    EXPECT_EQ(p.family, diffusion::ScheduleKind::Cosine) << i;
  }
  SamplingSettings fresh;  // no class: class 0; no conditional model: the exact denoiser
  apply_reverse_preset(fresh, ReversePreset::GuidanceComparison, diffusion::ScheduleKind::Linear, false);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(fresh.panels[static_cast<std::size_t>(i)].class_id, 0);
    EXPECT_EQ(fresh.panels[static_cast<std::size_t>(i)].denoiser, DenoiserKind::Exact);
  }
  EXPECT_TRUE(has_conditional_model(diffusion::Dataset2DKind::EightGaussians));  // shipped
  EXPECT_FALSE(has_conditional_model(diffusion::Dataset2DKind::Spiral));
}

TEST(GuidanceUi, ClassAndScaleAreOfTheSpecAndRestartTheRun) {
  ReverseState state;
  state.panel_count = 2;
  const ReverseJob plain = make_reverse_job(state, default_schedule(), diffusion::Dataset2DKind::Moons, 0, 0);
  EXPECT_EQ(plain.panels[1].class_id, diffusion::kNullClass);
  state.panels[1].class_id = 1;
  state.panels[1].guidance = 3.0;
  const ReverseJob guided = make_reverse_job(state, default_schedule(), diffusion::Dataset2DKind::Moons, 0, 0);
  EXPECT_EQ(guided.panels[1].class_id, 1);
  EXPECT_EQ(guided.panels[1].guidance, 3.0);
  EXPECT_FALSE(guided.panels[1] == plain.panels[1]);
  EXPECT_FALSE(same_panel_spec(guided.panels[1], plain.panels[1]));
  EXPECT_TRUE(restarts_run(plain, guided));
  state.panels[1].guidance = 3.5;
  const ReverseJob stronger = make_reverse_job(state, default_schedule(), diffusion::Dataset2DKind::Moons, 0, 0);
  EXPECT_FALSE(same_panel_spec(guided.panels[1], stronger.panels[1]));
  EXPECT_FALSE(guided.panels[1] == stronger.panels[1]);
  EXPECT_TRUE(restarts_run(guided, stronger));
  EXPECT_FALSE(restarts_run(stronger, stronger));
}

TEST(GuidanceUi, GuidedPanelsCountTwoEvaluationsAStepAndSayClassAndW) {
  ReversePanelSpec spec;
  spec.schedule = panel_schedule(default_schedule());
  spec.sampler.sigma = diffusion::SigmaKind::DDIM;
  spec.steps = 50;
  EXPECT_EQ(panel_network_evaluations(spec, 1000), 50);
  spec.class_id = 2;
  spec.guidance = 3.0;
  EXPECT_EQ(panel_network_evaluations(spec, 1000), 100);
  EXPECT_EQ(panel_label(spec, 1000), "class 2 · w = 3 · DDIM η = 0 · NFE = 100 · K = 50 · learned");
  spec.denoiser = DenoiserKind::Exact;
  spec.guidance = 0.5;
  EXPECT_EQ(panel_label(spec, 1000), "class 2 · w = 0.5 · DDIM η = 0 · NFE = 100 · K = 50 · exact");
  spec.ode_solver = diffusion::OdeSolver::Heun;
  spec.steps = 5;
  // Heun's 2K − 1 = 9 evaluations (ᾱ_T > 0 here), each of the null class and the class.
  EXPECT_EQ(panel_network_evaluations(spec, 1000), 18);
  spec.class_id = diffusion::kNullClass;  // no class: as before guidance existed
  EXPECT_EQ(panel_network_evaluations(spec, 1000), 9);
  EXPECT_EQ(panel_label(spec, 1000), "ODE Heun · NFE = 9 · K = 5 · exact");
}

TEST(GuidanceUi, NarrowGuidedPanelsKeepClassAndW) {
  const std::vector<std::string> forms =
      panel_label_forms("#3  class 0 · w = 3 · DDIM η = 0 · NFE = 100 · K = 50 · learned");
  ASSERT_GE(forms.size(), 4u);
  EXPECT_EQ(forms[1], "#3 class 0·w=3·DDIM η=0·NFE=100·K=50·learned");
  EXPECT_EQ(forms[forms.size() - 2], "#3 class 0·w=3");
  EXPECT_EQ(forms.back(), "#3 w=3");
  for (std::size_t i = 1; i < forms.size(); ++i) {
    EXPECT_LE(forms[i].size(), forms[i - 1].size()) << forms[i];
    EXPECT_TRUE(has(forms[i], "w=3")) << forms[i];
  }
}

TEST(GuidanceUi, SceneKeepsClassAndGuidance) {
  AppState original;
  original.reverse.panel_count = 3;
  original.reverse.panels[1].class_id = 4;
  original.reverse.panels[1].guidance = 7.5;
  original.reverse.panels[2].class_id = 0;
  original.reverse.panels[2].guidance = 0.0;
  const std::string text = scene_to_json(original);
  const json panels = json::parse(text).at("reverse").at("panels");
  EXPECT_EQ(panels.at(0).at("class"), -1);
  EXPECT_EQ(panels.at(1).at("class"), 4);
  EXPECT_EQ(panels.at(1).at("guidance"), 7.5);
  AppState loaded;
  const SceneLoad load = apply_scene_json(text, loaded, "guided.json", "/tmp");
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_TRUE(load.warnings.empty());
  EXPECT_EQ(loaded.reverse.panels[0].class_id, diffusion::kNullClass);
  EXPECT_EQ(loaded.reverse.panels[1].class_id, 4);
  EXPECT_EQ(loaded.reverse.panels[1].guidance, 7.5);
  EXPECT_EQ(loaded.reverse.panels[2].class_id, 0);
  EXPECT_EQ(loaded.reverse.panels[2].guidance, 0.0);
  EXPECT_EQ(scene_to_json(loaded), text);

  json bad = json::parse(text);
  bad["reverse"]["panels"][1]["guidance"] = 11.0;  // beyond kMaxGuidanceScale
  bad["reverse"]["panels"][2]["class"] = -2;
  AppState warned;
  const SceneLoad bad_load = apply_scene_json(bad.dump(), warned, "bad.json", "/tmp");
  ASSERT_TRUE(bad_load.ok);
  ASSERT_EQ(bad_load.warnings.size(), 2u);
  EXPECT_TRUE(has(bad_load.warnings[0], "reverse.panels[1].guidance")) << bad_load.warnings[0];
  EXPECT_TRUE(has(bad_load.warnings[1], "reverse.panels[2].class")) << bad_load.warnings[1];
}

TEST(GuidanceUi, OldScenesWithoutTheKeysLoadUnconditionalWithoutWarnings) {
  json old = json::parse(scene_to_json(AppState()));
  for (json& panel : old["reverse"]["panels"]) {
    panel.erase("class");
    panel.erase("guidance");
  }
  AppState state;
  state.reverse.panels[0].class_id = 5;  // a value from before the scene: replaced by a fresh panel's
  state.reverse.panels[0].guidance = 9.0;
  const SceneLoad load = apply_scene_json(old.dump(), state, "old.json", "/tmp");
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_TRUE(load.warnings.empty()) << (load.warnings.empty() ? "" : load.warnings[0]);
  EXPECT_EQ(state.reverse.panels[0].class_id, diffusion::kNullClass);
  EXPECT_EQ(state.reverse.panels[0].guidance, 1.0);
}

TEST(GuidanceUi, ShippedGuidanceSceneComparesFourScalesOfOneClass) {
  const std::string path = shipped_scenes_dir() + "/12-guidance-diverse-to-sharp.json";
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  AppState state;
  const SceneLoad load = load_scene_file(path, state);
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_TRUE(load.warnings.empty()) << (load.warnings.empty() ? "" : load.warnings[0]);
  EXPECT_EQ(state.scene_title, "Guidance: from diverse to sharp");
  EXPECT_EQ(state.view, AppView::Reverse);
  EXPECT_EQ(state.dataset, diffusion::Dataset2DKind::EightGaussians);
  EXPECT_FALSE(state.reverse.tracked.empty());
  ASSERT_EQ(state.reverse.panel_count, 4);
  const double scales[] = {0.0, 1.0, 3.0, 7.0};
  for (int i = 0; i < 4; ++i) {
    const ReversePanelSettings& p = state.reverse.panels[static_cast<std::size_t>(i)];
    EXPECT_EQ(p.class_id, 0);
    EXPECT_EQ(p.guidance, scales[i]);
    EXPECT_EQ(p.denoiser, DenoiserKind::Model);  // the learned conditional model
  }
  EXPECT_TRUE(has_conditional_model(state.dataset));
  const json file = json::parse(std::ifstream(path));
  std::set<std::string> file_keys, writer_keys;
  guidance_scene_keys(file, "", file_keys);
  guidance_scene_keys(json::parse(scene_to_json(AppState())), "", writer_keys);
  EXPECT_EQ(file_keys, writer_keys) << "the scene holds exactly the keys the writer emits";
  const std::string notes = file.at("notes");
  EXPECT_TRUE(has(notes, "ε̂ = ε̂_∅ + w · (ε̂_c − ε̂_∅)")) << notes;
  EXPECT_TRUE(has(notes, "exact")) << notes;
  const long sentences = std::count(notes.begin(), notes.end(), '.');
  EXPECT_GE(sentences, 3);
}

// A guided panel #1 on the reverse view at t = 500 of the default schedule, with numbers of one
// point for that step.
AppState guided_state(GuidanceNumbers numbers) {
  AppState s;
  s.view = AppView::Reverse;
  s.t = 500;
  s.reverse.panels[0].class_id = 2;
  s.reverse.panels[0].guidance = 3.0;
  s.reverse.guidance_shown = numbers;
  return s;
}

TEST(GuidanceUi, EquationPanelShowsTheGuidedEpsWithItsNumbers) {
  GuidanceNumbers n;
  n.valid = true;
  n.point = 7;
  n.t = 500;
  n.class_id = 2;
  n.w = 3.0;
  n.x_t[0] = 0.25f, n.x_t[1] = -1.5f;
  n.eps_null[0] = 0.1f, n.eps_null[1] = -0.2f;
  n.eps_class[0] = 0.5f, n.eps_class[1] = 0.3f;
  // ε̂_w = ε̂_∅ + 3 (ε̂_c − ε̂_∅), by hand: (0.1 + 3·0.4, −0.2 + 3·0.5) = (1.3, 1.3).
  n.eps_guided[0] = 1.3f, n.eps_guided[1] = 1.3f;
  const AppState s = guided_state(n);
  const std::vector<EquationLine> lines = current_equations(s);
  ASSERT_FALSE(lines.empty());
  const EquationLine& g = lines.front();
  EXPECT_TRUE(has(g.caption, "class 2 · w = 3")) << g.caption;
  EXPECT_TRUE(has(g.caption, "guided ε̂")) << g.caption;
  EXPECT_TRUE(has(g.caption, "point #7")) << g.caption;
  EXPECT_EQ(g.symbolic, "ε̂ = ε̂_∅ + w · (ε̂_c − ε̂_∅)");
  EXPECT_EQ(g.numeric, "ε̂ = (0.100, −0.200) + 3 · ((0.500, 0.300) − (0.100, −0.200)) = (1.300, 1.300)");

  // Numbers of another step (the frame is on its way) or of another w: the line stays, numbers wait.
  GuidanceNumbers stale = n;
  stale.t = 480;
  const std::vector<EquationLine> waiting = current_equations(guided_state(stale));
  EXPECT_EQ(waiting.front().symbolic, g.symbolic);
  EXPECT_TRUE(has(waiting.front().numeric, "…"));
  EXPECT_EQ(waiting.size(), lines.size());
  EXPECT_EQ(equation_line_count(s), lines.size());

  // An ODE panel's caption counts the network evaluations: Heun's 2K − 1 = 9 at K = 5, twice.
  AppState ode = s;
  ode.reverse.panels[0].ode_solver = diffusion::OdeSolver::Heun;
  ode.reverse.panels[0].steps = 5;
  ode.t = 1000;
  bool found_nfe = false;
  for (const EquationLine& line : current_equations(ode)) found_nfe |= has(line.caption, "NFE = 18");
  EXPECT_TRUE(found_nfe);

  AppState unguided = s;
  unguided.reverse.panels[0].class_id = diffusion::kNullClass;
  EXPECT_FALSE(guidance_equation_line(unguided, 500).has_value());
  EXPECT_EQ(current_equations(unguided).size() + 1, lines.size());
}

}  // namespace
}  // namespace diffuscope::gui
