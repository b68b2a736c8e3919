// Lecture scenes: save/load round trip, partial loads with warnings, atomic writes, the scene
// library and the shipped scenes.
#include "gui/lecture/scene.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gui/lecture/scene_library.hpp"

namespace diffuscope::gui {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using diffusion::ScheduleKind;
using diffusion::ScheduleParams;
using diffusion::SigmaKind;

// A fresh folder per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("diffuscope_scene_" + std::to_string(::getpid()) + "_" + info->test_suite_name() + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

bool any_warning_contains(const SceneLoad& load, const std::string& text) {
  return std::any_of(load.warnings.begin(), load.warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

std::string all_warnings(const SceneLoad& load) {
  std::string out;
  for (const std::string& w : load.warnings) out += "  " + w + "\n";
  return out;
}

// Applies `j` as a scene (no base folder needed).
SceneLoad apply_json(const json& j, AppState& state) { return apply_scene_json(j.dump(), state, "test.json", "/scenes"); }

json header() { return json{{"format", "diffuscope-scene"}, {"version", 1}}; }

void expect_same_panel(const ReversePanelSettings& x, const ReversePanelSettings& y, bool with_denoiser,
                       const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_EQ(x.sampler.sigma, y.sampler.sigma);
  EXPECT_EQ(x.sampler.eta, y.sampler.eta);
  EXPECT_EQ(x.sampler.interpolation, y.sampler.interpolation);
  EXPECT_EQ(x.sampler.clip_x0, y.sampler.clip_x0);
  EXPECT_EQ(x.steps, y.steps);
  if (with_denoiser) EXPECT_EQ(x.denoiser, y.denoiser);
  if (with_denoiser) EXPECT_EQ(x.model_target, y.model_target);
  EXPECT_EQ(x.family, y.family);
  EXPECT_EQ(x.ode_solver, y.ode_solver);
  if (with_denoiser) EXPECT_EQ(x.process, y.process);
}

// Every scene-held field of `state` changed from a fresh AppState's value.
AppState everything_changed() {
  AppState s;
  ScheduleParams a;
  a.kind = ScheduleKind::Sigmoid;
  a.T = 500;
  a.beta_start = 2e-4;
  a.beta_end = 0.03;
  a.beta = 0.015;
  a.cosine_s = 0.01;
  a.sigmoid_start = -2.5;
  a.sigmoid_end = 2.75;
  a.sigmoid_tau = 0.7;
  a.scale_with_T = true;
  a.zero_terminal_snr = true;
  s.a.params = a;
  ScheduleParams b;
  b.kind = ScheduleKind::ScaledLinear;
  b.T = 800;
  b.beta_start = 3e-4;
  b.beta_end = 0.012;
  b.beta = 0.005;
  b.cosine_s = 0.02;
  b.sigmoid_start = -4.0;
  b.sigmoid_end = 1.5;
  b.sigmoid_tau = 1.3;
  b.scale_with_T = true;
  b.zero_terminal_snr = false;
  s.b.params = b;
  s.compare = true;
  s.process = ForwardProcess::Markov;
  s.naive_beta = 0.0375;
  s.dataset = diffusion::Dataset2DKind::SwissRoll;
  s.n_points = 1234;
  s.seed = 9223372036854775813ull;  // above 2^63: must survive as an unsigned integer
  s.x_axis_fraction = true;
  s.coefficient_tab = 2;
  s.image_is_fashion = true;
  s.fashion_index = 42;
  s.ui_scale = 2.2f;
  s.light_theme = true;
  s.presenter = true;
  s.show_equations = false;
  s.playback.steps_per_second = 123.5;
  s.playback.loop = false;
  s.scene_title = "Schedules, σ and η";
  s.scene_notes = "Line one.\nLine \"two\" with ᾱ_t.";

  ReverseState& r = s.reverse;
  r.panel_count = 3;
  r.panels[0] = {{SigmaKind::Large, 0.3, 0.1}, 10, DenoiserKind::Exact, std::nullopt, ScheduleKind::Cosine};
  r.panels[1] = {{SigmaKind::Interpolated, 0.75, 0.0}, 250, DenoiserKind::Model, diffusion::PredictionTarget::Eps, ScheduleKind::Sigmoid};
  r.panels[2] = {{SigmaKind::DDIM, 0.2, 0.4}, 5, DenoiserKind::Exact, std::nullopt, ScheduleKind::Constant};
  r.panels[3] = {{SigmaKind::DDIM, 1.0, 0.9}, 1, DenoiserKind::Model, diffusion::PredictionTarget::V, ScheduleKind::SigmoidBeta};
  r.panels[0].sampler.clip_x0 = true;   // 2D panels clip nothing by default
  r.panels[2].sampler.clip_x0 = true;
  r.panels[1].ode_solver = diffusion::OdeSolver::Heun;
  r.panels[3].ode_solver = diffusion::OdeSolver::DpmSolverPP2M;
  r.panels[1].process = diffusion::ProcessFamily::Flow;   // a flow panel: Heun (above)
  r.spacing = diffusion::Spacing::Linspace;
  r.n_points = 1500;
  r.seed = 99;
  r.field = VectorField::Eps;
  r.predicted_x0 = true;
  r.trajectories = false;
  r.posterior = true;
  r.tracked = {3, 10, 1499};
  r.picked = 1499;
  r.training_steps = 5000;

  ImagesState& im = s.images;
  im.sampling.panel_count = 2;
  im.sampling.panels[0] = {{SigmaKind::DDIM, 0.5, 0.2}, 40, DenoiserKind::Model, std::nullopt, ScheduleKind::Linear};
  im.sampling.panels[1] = {{SigmaKind::Large, 0.0, 0.6}, 7, DenoiserKind::Model, std::nullopt, ScheduleKind::Cosine};
  im.sampling.panels[2] = {{SigmaKind::Interpolated, 0.1, 0.3}, 3, DenoiserKind::Model, std::nullopt, ScheduleKind::ScaledLinear};
  im.sampling.panels[3] = {{SigmaKind::Small, 0.9, 0.8}, 2, DenoiserKind::Model, std::nullopt, ScheduleKind::Constant};
  im.sampling.panels[1].sampler.clip_x0 = true;   // Images panels clip by default: the others don't
  im.sampling.panels[3].sampler.clip_x0 = true;
  im.sampling.panels[2].ode_solver = diffusion::OdeSolver::Euler;
  im.sampling.spacing = diffusion::Spacing::Leading;
  im.sampling.seed = 11;
  im.image_count = 9;
  im.selected = 4;
  im.model_path = "/models/my-fashion.ckpt";

  EXPECT_TRUE(s.refresh_schedules());
  EXPECT_EQ(s.a.error(), "");
  EXPECT_EQ(s.b.error(), "");
  s.set_view(AppView::Reverse);
  s.set_cursor(250);
  s.playback.playing = true;
  return s;
}

// ---- Round trip ----

TEST(SceneRoundTrip, EveryFieldSurvivesSaveAndLoad) {
  const AppState original = everything_changed();
  const std::string text = scene_to_json(original);
  AppState loaded;
  const SceneLoad load = apply_scene_json(text, loaded, "round-trip.json", "/tmp");
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_TRUE(load.warnings.empty()) << all_warnings(load);

  EXPECT_EQ(loaded.scene_title, original.scene_title);
  EXPECT_EQ(loaded.scene_notes, original.scene_notes);
  EXPECT_TRUE(loaded.a.params == original.a.params);
  EXPECT_TRUE(loaded.b.params == original.b.params);
  EXPECT_TRUE(loaded.a.good_params() == original.a.params);  // refreshed: the views use them now
  EXPECT_TRUE(loaded.b.good_params() == original.b.params);
  EXPECT_EQ(loaded.compare, true);
  EXPECT_EQ(loaded.process, ForwardProcess::Markov);
  EXPECT_EQ(loaded.naive_beta, 0.0375);
  EXPECT_EQ(loaded.dataset, diffusion::Dataset2DKind::SwissRoll);
  EXPECT_EQ(loaded.n_points, 1234);
  EXPECT_EQ(loaded.seed, 9223372036854775813ull);
  EXPECT_EQ(loaded.x_axis_fraction, true);
  EXPECT_EQ(loaded.coefficient_tab, 2);
  ASSERT_TRUE(load.image.has_value());
  EXPECT_TRUE(load.image->fashion);
  EXPECT_EQ(load.image->fashion_index, 42);
  EXPECT_EQ(loaded.ui_scale, 2.2f);
  EXPECT_EQ(loaded.light_theme, true);
  EXPECT_EQ(loaded.presenter, true);
  EXPECT_EQ(loaded.show_equations, false);
  EXPECT_EQ(loaded.playback.steps_per_second, 123.5);
  EXPECT_EQ(loaded.playback.loop, false);
  EXPECT_EQ(loaded.playback.playing, true);

  EXPECT_EQ(loaded.view, AppView::Reverse);
  EXPECT_EQ(loaded.t, 250);
  EXPECT_TRUE(loaded.reverse.cursor.follow);
  EXPECT_EQ(loaded.reverse.cursor.final_t, 250);

  const ReverseState& r = loaded.reverse;
  EXPECT_EQ(r.panel_count, 3);
  for (int i = 0; i < kMaxReversePanels; ++i)
    expect_same_panel(r.panels[i], original.reverse.panels[i], true, "reverse panel " + std::to_string(i));
  EXPECT_EQ(r.spacing, diffusion::Spacing::Linspace);
  EXPECT_EQ(r.n_points, 1500);
  EXPECT_EQ(r.seed, 99u);
  EXPECT_EQ(r.field, VectorField::Eps);
  EXPECT_EQ(r.predicted_x0, true);
  EXPECT_EQ(r.trajectories, false);
  EXPECT_EQ(r.posterior, true);
  EXPECT_EQ(r.tracked, (std::vector<int>{3, 10, 1499}));
  EXPECT_EQ(r.picked, 1499);
  EXPECT_EQ(r.training_steps, 5000);

  const ImagesState& im = loaded.images;
  EXPECT_EQ(im.sampling.panel_count, 2);
  for (int i = 0; i < kMaxReversePanels; ++i)
    expect_same_panel(im.sampling.panels[i], original.images.sampling.panels[i], false,
                      "images panel " + std::to_string(i));
  EXPECT_EQ(im.sampling.spacing, diffusion::Spacing::Leading);
  EXPECT_EQ(im.sampling.seed, 11u);
  EXPECT_EQ(im.image_count, 9);
  EXPECT_EQ(im.selected, 4);
  EXPECT_EQ(im.model_path, "/models/my-fashion.ckpt");
  EXPECT_TRUE(im.device_defaults_applied);

  // And, once the caller has loaded the image the scene asked for, it writes back the same text.
  loaded.image_is_fashion = load.image->fashion;
  loaded.fashion_index = load.image->fashion_index;
  EXPECT_EQ(scene_to_json(loaded), text);
}

TEST(SceneRoundTrip, FreshStateRoundTripsWithoutWarnings) {
  const AppState fresh;
  const std::string text = scene_to_json(fresh);
  const json j = json::parse(text);
  EXPECT_EQ(j.at("format"), "diffuscope-scene");
  EXPECT_EQ(j.at("version"), kSceneVersion);
  EXPECT_EQ(j.at("reverse").at("panels").size(), 4u);
  EXPECT_EQ(j.at("image").at("source"), "fashion-mnist");
  EXPECT_EQ(j.at("ui_scale"), 1.5);  // the float written as its short decimal
  AppState loaded;
  const SceneLoad load = apply_scene_json(text, loaded, "fresh.json", "/");
  ASSERT_TRUE(load.ok);
  EXPECT_TRUE(load.warnings.empty()) << all_warnings(load);
  EXPECT_EQ(scene_to_json(loaded), text);
}

TEST(SceneRoundTrip, NonSceneFieldsAreLeftAlone) {
  AppState state;
  state.notify(WarningLevel::Warning, "keep me");
  auto pixels = std::make_shared<const Image>(Image{2, 1, 1, {0.25f, 0.75f}});
  state.image = pixels;
  state.image_name = "shirt";
  state.playback.carry = 0.375;
  state.show_help = true;
  state.reverse.field_grid = 23;
  const SceneLoad load = apply_json(header(), state);
  ASSERT_TRUE(load.ok);
  ASSERT_EQ(state.notifications.size(), 1u);
  EXPECT_EQ(state.notifications.front().text, "keep me");
  EXPECT_EQ(state.image, pixels);
  EXPECT_EQ(state.image_name, "shirt");
  EXPECT_EQ(state.playback.carry, 0.375);
  EXPECT_TRUE(state.show_help);
  EXPECT_EQ(state.reverse.field_grid, 23);
}

// ---- Partial loads ----

TEST(SceneLoadWarnings, MissingKeysTakeAFreshStatesValuesSilently) {
  AppState state = everything_changed();  // as if scene 5 was shown
  json j = header();
  j["process"] = "naive";
  j["schedules"]["A"] = {{"kind", "cosine"}};
  const SceneLoad load = apply_json(j, state);
  ASSERT_TRUE(load.ok);
  EXPECT_TRUE(load.warnings.empty()) << all_warnings(load);
  const AppState fresh;
  EXPECT_EQ(state.process, ForwardProcess::Naive);
  ScheduleParams cosine;
  cosine.kind = ScheduleKind::Cosine;
  EXPECT_TRUE(state.a.params == cosine);
  EXPECT_TRUE(state.b.params == fresh.b.params);
  EXPECT_FALSE(state.compare);  // not inherited from the previous scene
  EXPECT_EQ(state.n_points, fresh.n_points);
  EXPECT_EQ(state.seed, fresh.seed);
  EXPECT_EQ(state.ui_scale, fresh.ui_scale);
  EXPECT_FALSE(state.light_theme);
  EXPECT_FALSE(state.presenter);
  EXPECT_EQ(state.scene_title, "");
  EXPECT_EQ(state.view, AppView::Forward);
  EXPECT_EQ(state.t, 0);
  EXPECT_FALSE(state.playback.playing);
  EXPECT_EQ(state.reverse.panel_count, 1);
  EXPECT_EQ(state.reverse.panels[0].sampler.sigma, SigmaKind::Small);
  EXPECT_TRUE(state.reverse.tracked.empty());
  EXPECT_EQ(state.reverse.picked, -1);
  EXPECT_EQ(state.images.image_count, fresh.images.image_count);
  EXPECT_EQ(state.images.model_path, "");
  EXPECT_FALSE(state.images.device_defaults_applied);  // the device's defaults still apply
  ASSERT_TRUE(load.image.has_value());
  EXPECT_EQ(*load.image, SceneImage{});
  for (int v : state.view_t) EXPECT_EQ(v, -1);
}

// Issue 14: scenes written before "clip_x0" existed load with the defaults: the Images view clips
// to [-1, 1] (as the CLI does), the 2D view does not; a wrong type is reported and ignored.
TEST(SceneLoadWarnings, ScenesWithoutClippingTakeEachViewsDefault) {
  AppState state = everything_changed();
  json j = header();
  j["reverse"] = {{"panel_count", 2}, {"panels", json::array({{{"sigma", "large"}}, {{"sigma", "ddim"}}})}};
  j["images"] = {{"panel_count", 2}, {"panels", json::array({{{"sigma", "ddim"}}, {{"steps", 20}}})}};
  SceneLoad load = apply_json(j, state);
  ASSERT_TRUE(load.ok);
  EXPECT_TRUE(load.warnings.empty()) << all_warnings(load);
  for (int i = 0; i < kMaxReversePanels; ++i) {
    EXPECT_FALSE(state.reverse.panels[i].sampler.clip_x0) << i;
    EXPECT_TRUE(state.images.sampling.panels[i].sampler.clip_x0) << i;
  }
  j["images"]["panels"][0]["clip_x0"] = false;
  j["reverse"]["panels"][1]["clip_x0"] = "yes";
  load = apply_json(j, state);
  EXPECT_FALSE(state.images.sampling.panels[0].sampler.clip_x0);
  EXPECT_TRUE(state.images.sampling.panels[1].sampler.clip_x0);
  EXPECT_FALSE(state.reverse.panels[1].sampler.clip_x0);
  EXPECT_TRUE(any_warning_contains(load, "reverse.panels[1].clip_x0")) << all_warnings(load);
}

TEST(SceneLoadWarnings, UnknownKeysAreListedInOneWarning) {
  AppState state;
  json j = header();
  j["n_points"] = 300;
  j["hologram"] = true;
  j["reverse"] = {{"bar", 2}, {"panels", json::array({{{"sigma", "large"}, {"baz", 3}}})}};
  j["schedules"] = {{"C", json::object()}};
  const SceneLoad load = apply_json(j, state);
  ASSERT_TRUE(load.ok);
  ASSERT_EQ(load.warnings.size(), 1u) << all_warnings(load);
  EXPECT_EQ(load.warnings[0], "unknown keys ignored: hologram, reverse.bar, reverse.panels[0].baz, schedules.C");
  EXPECT_EQ(state.n_points, 300);
  EXPECT_EQ(state.reverse.panels[0].sampler.sigma, SigmaKind::Large);
}

TEST(SceneLoadWarnings, WrongTypesKeepTheValueAndNameKeyAndValue) {
  AppState state;
  state.compare = true;
  state.n_points = 10;
  state.naive_beta = 0.05;
  state.dataset = diffusion::Dataset2DKind::Spiral;
  state.reverse.predicted_x0 = true;
  json j = header();
  j["compare"] = "yes";
  j["n_points"] = "many";
  j["naive_beta"] = "NaN";
  j["dataset"] = 3;
  j["seed"] = -1;
  j["reverse"] = {{"predicted_x0", 1}, {"posterior", true}};
  j["playback"] = "fast";
  j["process"] = "markov";
  const SceneLoad load = apply_json(j, state);
  ASSERT_TRUE(load.ok);
  EXPECT_EQ(load.warnings.size(), 7u) << all_warnings(load);
  EXPECT_TRUE(any_warning_contains(load, "compare = \"yes\": expected true or false")) << all_warnings(load);
  EXPECT_TRUE(any_warning_contains(load, "n_points = \"many\": expected an integer in 1..1000000"));
  EXPECT_TRUE(any_warning_contains(load, "naive_beta = \"NaN\": expected a number in (0, 1]"));
  EXPECT_TRUE(any_warning_contains(load, "dataset = 3: expected one of moons, 8gaussians"));
  EXPECT_TRUE(any_warning_contains(load, "seed = -1"));
  EXPECT_TRUE(any_warning_contains(load, "reverse.predicted_x0 = 1"));
  EXPECT_TRUE(any_warning_contains(load, "playback = \"fast\": expected an object"));
  // The bad settings kept their values; the good ones were applied.
  EXPECT_TRUE(state.compare);
  EXPECT_EQ(state.n_points, 10);
  EXPECT_EQ(state.naive_beta, 0.05);
  EXPECT_EQ(state.dataset, diffusion::Dataset2DKind::Spiral);
  EXPECT_EQ(state.seed, 7u);
  EXPECT_TRUE(state.reverse.predicted_x0);
  EXPECT_TRUE(state.reverse.posterior);
  EXPECT_EQ(state.process, ForwardProcess::Markov);
  EXPECT_TRUE(std::isfinite(state.naive_beta));
}

TEST(SceneLoadWarnings, OutOfRangeValuesKeepTheValueAndNameTheRange) {
  AppState state;
  json j = header();
  j["n_points"] = 0;
  j["coefficient_tab"] = 3;
  j["ui_scale"] = 5;
  j["naive_beta"] = 0;
  j["playback"] = {{"steps_per_second", 1e6}, {"loop", false}};
  j["reverse"] = {{"panel_count", 7},
                  {"n_points", 50000},
                  {"tracked", {1, 2, 5000}},
                  {"panels", json::array({{{"eta", 1.5}, {"steps", 20}}, {{"interpolation", -0.1}}})}};
  j["images"] = {{"image_count", 100}, {"selected", 3}};
  j["schedules"] = {{"A", {{"T", 20000}, {"beta_end", 0.03}}}};
  const SceneLoad load = apply_json(j, state);
  ASSERT_TRUE(load.ok);
  const AppState fresh;
  EXPECT_TRUE(any_warning_contains(load, "n_points = 0: expected an integer in 1..1000000")) << all_warnings(load);
  EXPECT_TRUE(any_warning_contains(load, "coefficient_tab = 3: expected an integer in 0..2"));
  EXPECT_TRUE(any_warning_contains(load, "ui_scale = 5: expected a number in [1, 3]"));
  EXPECT_TRUE(any_warning_contains(load, "naive_beta = 0: expected a number in (0, 1]"));
  EXPECT_TRUE(any_warning_contains(load, "playback.steps_per_second = 1000000.0: expected a number in [1, 2000]"));
  EXPECT_TRUE(any_warning_contains(load, "reverse.panel_count = 7: expected an integer in 1..4"));
  EXPECT_TRUE(any_warning_contains(load, "reverse.n_points = 50000: expected an integer in 1..20000"));
  EXPECT_TRUE(any_warning_contains(load, "reverse.tracked = [1,2,5000]"));
  EXPECT_TRUE(any_warning_contains(load, "reverse.panels[0].eta = 1.5: expected a number in [0, 1]"));
  EXPECT_TRUE(any_warning_contains(load, "reverse.panels[1].interpolation = -0.1"));
  EXPECT_TRUE(any_warning_contains(load, "images.image_count = 100: expected an integer in 1..64"));
  EXPECT_TRUE(any_warning_contains(load, "schedules.A.T = 20000: expected an integer in 1..10000"));
  EXPECT_EQ(load.warnings.size(), 12u) << all_warnings(load);

  EXPECT_EQ(state.n_points, fresh.n_points);
  EXPECT_EQ(state.coefficient_tab, 0);
  EXPECT_EQ(state.ui_scale, fresh.ui_scale);
  EXPECT_EQ(state.playback.steps_per_second, fresh.playback.steps_per_second);
  EXPECT_FALSE(state.playback.loop);                 // the valid neighbour was applied
  EXPECT_EQ(state.reverse.panel_count, 1);
  EXPECT_EQ(state.reverse.n_points, 2000);
  EXPECT_TRUE(state.reverse.tracked.empty());
  EXPECT_EQ(state.reverse.panels[0].sampler.eta, 0.0);
  EXPECT_EQ(state.reverse.panels[0].steps, 20);
  EXPECT_EQ(state.reverse.panels[1].sampler.interpolation, 0.5);
  EXPECT_EQ(state.images.image_count, fresh.images.image_count);
  EXPECT_EQ(state.images.selected, 3);
  EXPECT_EQ(state.a.params.T, 1000);                 // T kept, the other field applied
  EXPECT_EQ(state.a.params.beta_end, 0.03);
  EXPECT_EQ(state.a.good_params().beta_end, 0.03);
}

TEST(SceneLoadWarnings, ScheduleThatFailsValidationKeepsThePreviousGoodOne) {
  AppState state;
  state.a.params.kind = ScheduleKind::Cosine;
  state.a.params.T = 400;
  state.refresh_schedules();
  const ScheduleParams before = state.a.good_params();
  json j = header();
  j["schedules"] = {{"A", {{"kind", "linear"}, {"beta_end", 1.5}}}, {"B", {{"kind", "constant"}, {"beta", 0.02}}}};
  const SceneLoad load = apply_json(j, state);
  ASSERT_TRUE(load.ok);
  ASSERT_EQ(load.warnings.size(), 1u) << all_warnings(load);
  EXPECT_NE(load.warnings[0].find("schedules.A: "), std::string::npos) << load.warnings[0];
  EXPECT_NE(load.warnings[0].find("beta_end"), std::string::npos) << load.warnings[0];
  EXPECT_NE(load.warnings[0].find("kept the previous schedule"), std::string::npos) << load.warnings[0];
  EXPECT_TRUE(state.a.params == before);
  EXPECT_TRUE(state.a.good_params() == before);
  EXPECT_EQ(state.a.error(), "");
  EXPECT_EQ(state.b.params.kind, ScheduleKind::Constant);
  EXPECT_EQ(state.b.good_params().beta, 0.02);
}

TEST(SceneLoadWarnings, UnknownNamesListTheValidOnes) {
  AppState state;
  json j = header();
  j["view"] = "sideways";
  j["process"] = "vp";
  j["theme"] = "sepia";
  j["schedules"] = {{"A", {{"kind", "quadratic-ish"}}}};
  j["reverse"] = {{"field", "curl"}, {"spacing", "even"}, {"panels", json::array({{{"sigma", "tiny"}, {"denoiser", "oracle"}}})}};
  const SceneLoad load = apply_json(j, state);
  ASSERT_TRUE(load.ok);
  EXPECT_EQ(load.warnings.size(), 8u) << all_warnings(load);
  EXPECT_TRUE(any_warning_contains(load, "view = \"sideways\": expected one of forward, reverse, images"));
  EXPECT_TRUE(any_warning_contains(load, "process = \"vp\": expected one of closed, markov, naive"));
  EXPECT_TRUE(any_warning_contains(load, "theme = \"sepia\": expected one of dark, light"));
  EXPECT_TRUE(any_warning_contains(load, "schedules.A.kind = \"quadratic-ish\": expected one of linear, scaled_linear"));
  EXPECT_TRUE(any_warning_contains(load, "reverse.field = \"curl\": expected one of none, score, eps"));
  EXPECT_TRUE(any_warning_contains(load, "reverse.spacing = \"even\": expected one of leading, trailing, linspace"));
  EXPECT_TRUE(any_warning_contains(load, "reverse.panels[0].sigma = \"tiny\": expected one of small, large"));
  EXPECT_TRUE(any_warning_contains(load, "reverse.panels[0].denoiser = \"oracle\": expected one of model, exact"));
  EXPECT_EQ(state.view, AppView::Forward);
  EXPECT_EQ(state.process, ForwardProcess::ClosedForm);
  EXPECT_EQ(state.a.params.kind, ScheduleKind::Linear);
}

// Issue 18: a panel's ODE solver by its key; "none" (or no key: older scenes) samples with σ.
TEST(SceneLoadWarnings, OdeSolverKeysAndUnknownSolvers) {
  AppState state;
  json j = header();
  j["reverse"] = {{"panel_count", 3},
                  {"panels", json::array({{{"ode_solver", "heun"}}, {{"ode_solver", "none"}}, {{"ode_solver", "rk4"}}})}};
  const SceneLoad load = apply_json(j, state);
  ASSERT_TRUE(load.ok);
  EXPECT_EQ(load.warnings.size(), 1u) << all_warnings(load);
  EXPECT_TRUE(any_warning_contains(load, "reverse.panels[2].ode_solver = \"rk4\": expected one of none, euler, heun, dpmpp2m"))
      << all_warnings(load);
  EXPECT_EQ(state.reverse.panels[0].ode_solver, diffusion::OdeSolver::Heun);
  EXPECT_FALSE(state.reverse.panels[1].ode_solver.has_value());
  EXPECT_FALSE(state.reverse.panels[2].ode_solver.has_value());   // kept its value
  EXPECT_FALSE(state.reverse.panels[3].ode_solver.has_value());   // absent: a fresh panel's
  const json written = json::parse(scene_to_json(state));
  EXPECT_EQ(written.at("reverse").at("panels")[0].at("ode_solver"), "heun");
  EXPECT_EQ(written.at("reverse").at("panels")[1].at("ode_solver"), "none");
}

TEST(SceneLoadWarnings, NewerOlderAndMissingVersions) {
  {
    AppState state;
    json j = header();
    j["version"] = 2;
    j["hologram"] = {{"depth", 3}};
    j["compare"] = true;
    const SceneLoad load = apply_json(j, state);
    ASSERT_TRUE(load.ok);
    ASSERT_EQ(load.warnings.size(), 2u) << all_warnings(load);
    EXPECT_EQ(load.warnings[0], "written by a newer Diffuscope (version 2): loaded the settings this version knows");
    EXPECT_EQ(load.warnings[1], "unknown keys ignored: hologram");
    EXPECT_TRUE(state.compare);
  }
  {
    AppState state;
    json j = {{"format", "diffuscope-scene"}, {"compare", true}};
    const SceneLoad load = apply_json(j, state);
    ASSERT_TRUE(load.ok);
    ASSERT_EQ(load.warnings.size(), 1u) << all_warnings(load);
    EXPECT_EQ(load.warnings[0], "no \"version\" key: read as version 1");
    EXPECT_TRUE(state.compare);
  }
  {
    AppState state;
    json j = {{"format", "diffuscope-scene"}, {"version", 0}};
    const SceneLoad load = apply_json(j, state);
    ASSERT_EQ(load.warnings.size(), 1u) << all_warnings(load);
    EXPECT_TRUE(any_warning_contains(load, "version = 0 is not a scene version"));
  }
  {
    AppState state;
    json j = {{"format", "slides"}, {"version", 1}, {"n_points", 77}};
    const SceneLoad load = apply_json(j, state);
    ASSERT_TRUE(load.ok);
    ASSERT_EQ(load.warnings.size(), 1u) << all_warnings(load);
    EXPECT_EQ(load.warnings[0], "format = \"slides\": expected \"diffuscope-scene\"; read it anyway");
    EXPECT_EQ(state.n_points, 77);
  }
}

TEST(SceneLoadWarnings, BrokenJsonAndNonObjectsChangeNothing) {
  AppState state = everything_changed();
  const std::string before = scene_to_json(state);
  for (const std::string& text : {std::string("{ \"t\": 1, "), std::string("[1, 2]"), std::string("42"),
                                  std::string(""), std::string("{\"n_points\": 1e999}"), std::string("{\"t\": NaN}")}) {
    SCOPED_TRACE(text);
    const SceneLoad load = apply_scene_json(text, state, "lecture.json", "/");
    EXPECT_FALSE(load.ok);
    EXPECT_NE(load.error.find("lecture.json"), std::string::npos) << load.error;
    EXPECT_TRUE(load.warnings.empty());
    EXPECT_FALSE(load.image.has_value());
    EXPECT_EQ(scene_to_json(state), before);
  }
  const SceneLoad broken = apply_scene_json("{\n  \"t\": 1,\n", state, "lecture.json", "/");
  EXPECT_NE(broken.error.find("line 3, column 1"), std::string::npos) << broken.error;
  const SceneLoad array = apply_scene_json("[1, 2]", state, "lecture.json", "/");
  EXPECT_NE(array.error.find("array, not an object"), std::string::npos) << array.error;
}

TEST(SceneLoadWarnings, CursorFollowsTheViewAndItsRange) {
  {
    AppState state;
    json j = header();
    j["view"] = "forward";
    j["schedules"] = {{"A", {{"T", 200}}}};
    j["t"] = 150;
    ASSERT_TRUE(apply_json(j, state).warnings.empty());
    EXPECT_EQ(state.max_T(), 200);
    EXPECT_EQ(state.t, 150);
  }
  {
    AppState state;
    json j = header();
    j["schedules"] = {{"A", {{"T", 200}}}};
    j["t"] = 500;  // beyond this scene's T
    const SceneLoad load = apply_json(j, state);
    EXPECT_TRUE(any_warning_contains(load, "t = 500: expected an integer in 0..200")) << all_warnings(load);
    EXPECT_EQ(state.t, 0);
  }
  {
    AppState state;
    json j = header();
    j["view"] = "images";
    j["t"] = 300;
    j["images"] = {{"image_count", 4}};
    ASSERT_TRUE(apply_json(j, state).warnings.empty());
    EXPECT_EQ(state.view, AppView::Images);
    EXPECT_EQ(state.t, 300);
    EXPECT_TRUE(state.images.sampling.cursor.follow);
    EXPECT_EQ(state.images.sampling.cursor.final_t, 300);
    EXPECT_EQ(state.reverse.cursor.final_t, -1);
    EXPECT_TRUE(state.images.device_defaults_applied);
    // The device's defaults no longer overwrite the scene's count.
    apply_device_defaults(state.images, true, false, false);
    EXPECT_EQ(state.images.image_count, 4);
  }
  {
    AppState state;
    state.set_view(AppView::Reverse);
    state.reverse.cursor.follow = false;
    json j = header();
    j["view"] = "reverse";  // already shown: the run is followed again, to its end
    const SceneLoad load = apply_json(j, state);
    EXPECT_TRUE(load.warnings.empty()) << all_warnings(load);
    EXPECT_TRUE(state.reverse.cursor.follow);
    EXPECT_EQ(state.reverse.cursor.final_t, -1);
    EXPECT_EQ(state.t, state.max_T());
  }
}

TEST(SceneLoadWarnings, ImageEntries) {
  {
    AppState state;
    json j = header();
    j["image"] = {{"source", "file"}, {"path", "pictures/../cat.png"}};
    const SceneLoad load = apply_scene_json(j.dump(), state, "s.json", "/lectures/week3");
    EXPECT_TRUE(load.warnings.empty()) << all_warnings(load);
    ASSERT_TRUE(load.image.has_value());
    EXPECT_FALSE(load.image->fashion);
    EXPECT_EQ(load.image->path, "/lectures/week3/cat.png");
  }
  {
    AppState state;
    json j = header();
    j["image"] = {{"source", "file"}, {"path", "/data/dog.jpg"}};
    const SceneLoad load = apply_scene_json(j.dump(), state, "s.json", "/lectures");
    ASSERT_TRUE(load.image.has_value());
    EXPECT_EQ(load.image->path, "/data/dog.jpg");
  }
  {
    AppState state;
    json j = header();
    j["image"] = {{"source", "fashion-mnist"}, {"index", 12000}};
    const SceneLoad load = apply_json(j, state);
    EXPECT_TRUE(any_warning_contains(load, "image.index = 12000: expected an integer in 0..9999")) << all_warnings(load);
    EXPECT_FALSE(load.image.has_value());  // keep the image shown now
  }
  {
    AppState state;
    json j = header();
    j["image"] = {{"source", "webcam"}};
    const SceneLoad load = apply_json(j, state);
    EXPECT_TRUE(any_warning_contains(load, "image.source = \"webcam\": expected one of fashion-mnist, file"));
    EXPECT_FALSE(load.image.has_value());
  }
  {
    AppState state;
    json j = header();
    j["image"] = {{"source", "file"}};
    const SceneLoad load = apply_json(j, state);
    EXPECT_TRUE(any_warning_contains(load, "image.path = null"));
    EXPECT_FALSE(load.image.has_value());
  }
}

// A user's image is saved by its absolute path (AppState::image_path, set when the window loads it).
TEST(SceneRoundTrip, UserImageIsSavedByPath) {
  AppState state;
  state.image_is_fashion = false;
  state.image_path = "/lectures/cat.png";
  const json j = json::parse(scene_to_json(state));
  EXPECT_EQ(j.at("image"), (json{{"source", "file"}, {"path", "/lectures/cat.png"}}));
  AppState loaded;
  const SceneLoad load = apply_scene_json(j.dump(), loaded, "s.json", "/elsewhere");
  ASSERT_TRUE(load.image.has_value());
  EXPECT_EQ(*load.image, scene_image_of(state));
}

// ---- Files ----

TEST(SceneFiles, SaveWritesAtomicallyAndLoadsBack) {
  TempDir dir;
  const std::string path = dir.file("lecture.json");
  const AppState original = everything_changed();
  ASSERT_EQ(save_scene_file(path, original), "");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);  // no temporary file
  EXPECT_EQ(read_text(path), scene_to_json(original));
  // Saving again replaces the file.
  AppState other;
  other.scene_title = "second";
  ASSERT_EQ(save_scene_file(path, other), "");
  EXPECT_EQ(read_text(path), scene_to_json(other));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);

  AppState loaded;
  ASSERT_EQ(save_scene_file(path, original), "");
  const SceneLoad load = load_scene_file(path, loaded);
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_TRUE(load.warnings.empty()) << all_warnings(load);
  ASSERT_TRUE(load.image.has_value());
  loaded.fashion_index = load.image->fashion_index;
  EXPECT_EQ(scene_to_json(loaded), scene_to_json(original));
}

TEST(SceneFiles, FailedSaveKeepsThePreviousFile) {
  TempDir dir;
  // The temporary file cannot be created: the scene's name is as long as a folder allows, so the
  // temporary name beside it is too long (works even as root).
  const std::string path = dir.file(std::string(245, 'n') + ".json");
  write_text(path, "previous contents");
  const std::string message = save_scene_file(path, AppState());
  EXPECT_NE(message, "");
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_EQ(read_text(path), "previous contents");

  const std::string missing_folder = dir.file("no/such/folder/scene.json");
  const std::string message2 = save_scene_file(missing_folder, AppState());
  EXPECT_NE(message2.find(missing_folder), std::string::npos) << message2;
  EXPECT_FALSE(fs::exists(missing_folder));
}

TEST(SceneFiles, UnreadableFilesChangeNothing) {
  TempDir dir;
  AppState state = everything_changed();
  const std::string before = scene_to_json(state);
  const std::string missing = dir.file("missing.json");
  const SceneLoad load = load_scene_file(missing, state);
  EXPECT_FALSE(load.ok);
  EXPECT_NE(load.error.find(missing), std::string::npos) << load.error;
  const SceneLoad folder = load_scene_file(dir.path().string(), state);
  EXPECT_FALSE(folder.ok);
  EXPECT_NE(folder.error.find("folder"), std::string::npos) << folder.error;
  const std::string broken = dir.file("broken.json");
  write_text(broken, "{\"compare\": tru");
  const SceneLoad bad = load_scene_file(broken, state);
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.find(broken), std::string::npos) << bad.error;
  EXPECT_EQ(scene_to_json(state), before);
}

// Bad files cost bounded memory (issue 14): a scene is at most 4 MiB, and the JSON parser holds a
// node per nesting level (4 MiB of "[[[[" took ~300 MB), so text nested deeper than 64 levels is
// refused before parsing. Brackets inside strings do not count.
TEST(SceneFiles, DeeplyNestedTextIsRefusedBeforeParsing) {
  TempDir dir;
  AppState state = everything_changed();
  const std::string before = scene_to_json(state);
  const std::string deep = dir.file("deep.json");
  write_text(deep, "{\"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}");
  const SceneLoad load = load_scene_file(deep, state);
  EXPECT_FALSE(load.ok);
  EXPECT_NE(load.error.find("nested more than 64 levels deep"), std::string::npos) << load.error;
  EXPECT_EQ(scene_to_json(state), before);

  const std::string quoted = dir.file("quoted.json");
  json j = header();
  j["title"] = std::string(100, '[') + "\\\"" + std::string(100, '{');
  write_text(quoted, j.dump());
  const SceneLoad fine = load_scene_file(quoted, state);
  ASSERT_TRUE(fine.ok) << fine.error;
  EXPECT_EQ(state.scene_title, j["title"].get<std::string>());
}

TEST(SceneFiles, RelativePathsResolveToTheScenesFolderAndTitleDefaultsToTheName) {
  TempDir dir;
  fs::create_directories(dir.path() / "week3");
  const std::string path = (dir.path() / "week3" / "forward.json").string();
  json j = header();
  j["image"] = {{"source", "file"}, {"path", "images/cat.png"}};
  j["images"] = {{"model_path", "../models/fashion.ckpt"}};
  write_text(path, j.dump());
  AppState state;
  const SceneLoad load = load_scene_file(path, state);
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_TRUE(load.warnings.empty()) << all_warnings(load);
  ASSERT_TRUE(load.image.has_value());
  EXPECT_EQ(load.image->path, (dir.path() / "week3" / "images" / "cat.png").string());
  EXPECT_EQ(state.images.model_path, (dir.path() / "models" / "fashion.ckpt").string());
  EXPECT_EQ(state.scene_title, "forward");
}

// ---- Library ----

TEST(SceneLibrary, ListsJsonFilesByNameWithTheirTitles) {
  TempDir dir;
  write_text(dir.file("02-b.json"), R"({"title": "Bee"})");
  write_text(dir.file("01-a.json"), R"({"title": ""})");
  write_text(dir.file("03-c.json"), "{ not json");
  write_text(dir.file("notes.txt"), R"({"title": "not a scene"})");
  fs::create_directory(dir.path() / "04-folder.json");
  const std::vector<SceneEntry> scenes = list_scenes(dir.path().string());
  ASSERT_EQ(scenes.size(), 3u);
  EXPECT_EQ(scenes[0].path, dir.file("01-a.json"));
  EXPECT_EQ(scenes[0].title, "01-a");
  EXPECT_EQ(scenes[1].title, "Bee");
  EXPECT_EQ(scenes[2].title, "03-c.json");
  EXPECT_TRUE(list_scenes(dir.file("nowhere")).empty());
}

// ---- The shipped lecture ----

// Every key path of a JSON value ("reverse.panels[0].eta").
void key_paths(const json& j, const std::string& prefix, std::set<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string path = prefix.empty() ? it.key() : prefix + "." + it.key();
      out.insert(path);
      key_paths(*it, path, out);
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) key_paths(j[i], prefix + "[" + std::to_string(i) + "]", out);
  }
}

std::set<std::string> key_paths(const json& j) {
  std::set<std::string> out;
  key_paths(j, "", out);
  // tracked indices and the image's variant are content, not keys
  for (auto it = out.begin(); it != out.end();) {
    if (it->rfind("reverse.tracked[", 0) == 0 || it->rfind("image.", 0) == 0) it = out.erase(it);
    else ++it;
  }
  return out;
}

struct ShippedScene {
  std::string name;
  AppState state;
  SceneLoad load;
};

std::vector<ShippedScene> load_shipped() {
  std::vector<ShippedScene> scenes;
  for (const SceneEntry& entry : list_scenes(shipped_scenes_dir())) {
    ShippedScene s;
    s.name = fs::path(entry.path).filename().string();
    s.load = load_scene_file(entry.path, s.state);
    scenes.push_back(std::move(s));
  }
  return scenes;
}

TEST(ShippedScenes, AllScenesInLectureOrderLoadWithoutWarnings) {
  const std::vector<SceneEntry> entries = list_scenes(shipped_scenes_dir());
  ASSERT_EQ(entries.size(), 13u) << shipped_scenes_dir();
  const std::set<std::string> all_keys = key_paths(json::parse(scene_to_json(AppState())));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string name = fs::path(entries[i].path).filename().string();
    SCOPED_TRACE(name);
    char prefix[8];
    std::snprintf(prefix, sizeof prefix, "%02zu-", i + 1);
    EXPECT_EQ(name.substr(0, 3), prefix);
    AppState state;
    const SceneLoad load = load_scene_file(entries[i].path, state);
    ASSERT_TRUE(load.ok) << load.error;
    EXPECT_TRUE(load.warnings.empty()) << all_warnings(load);
    EXPECT_FALSE(state.scene_title.empty());
    EXPECT_EQ(entries[i].title, state.scene_title);
    EXPECT_GE(state.scene_notes.size(), 40u);
    EXPECT_TRUE(load.image.has_value());
    // All keys present: the file says everything, nothing is left to defaults.
    const json file = json::parse(read_text(entries[i].path));
    EXPECT_EQ(key_paths(file), all_keys);
  }
}

TEST(ShippedScenes, TellTheLecturesStory) {
  const std::vector<ShippedScene> s = load_shipped();
  ASSERT_EQ(s.size(), 13u);
  // 1: the naive process; 2: Markov steps.
  EXPECT_EQ(s[0].state.view, AppView::Forward);
  EXPECT_EQ(s[0].state.process, ForwardProcess::Naive);
  EXPECT_NE(s[0].state.scene_notes.find("closed form"), std::string::npos);
  EXPECT_EQ(s[1].state.process, ForwardProcess::Markov);
  // 3: linear vs cosine, SNR tab.
  EXPECT_TRUE(s[2].state.compare);
  EXPECT_EQ(s[2].state.a.params.kind, ScheduleKind::Linear);
  EXPECT_EQ(s[2].state.b.params.kind, ScheduleKind::Cosine);
  EXPECT_EQ(s[2].state.coefficient_tab, 1);
  // 4: zero terminal SNR on B only, log-SNR tab, cursor near T.
  EXPECT_TRUE(s[3].state.compare);
  EXPECT_EQ(s[3].state.b.params.kind, ScheduleKind::Linear);
  EXPECT_FALSE(s[3].state.a.params.zero_terminal_snr);
  EXPECT_TRUE(s[3].state.b.params.zero_terminal_snr);
  EXPECT_EQ(s[3].state.coefficient_tab, 2);
  EXPECT_GE(s[3].state.t, 9 * s[3].state.max_T() / 10);
  // 5: β̃ vs β, every step, on moons.
  const ReverseState& r5 = s[4].state.reverse;
  EXPECT_EQ(s[4].state.view, AppView::Reverse);
  EXPECT_EQ(s[4].state.dataset, diffusion::Dataset2DKind::Moons);
  ASSERT_EQ(r5.panel_count, 2);
  EXPECT_EQ(r5.panels[0].sampler.sigma, SigmaKind::Small);
  EXPECT_EQ(r5.panels[1].sampler.sigma, SigmaKind::Large);
  EXPECT_EQ(effective_steps(r5.panels[0].steps, 1000), 1000);
  // 6: DDIM η = 0, 0.33, 0.67, 1 with K = 50.
  const ReverseState& r6 = s[5].state.reverse;
  ASSERT_EQ(r6.panel_count, 4);
  const double etas[] = {0.0, 0.33, 0.67, 1.0};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(r6.panels[i].sampler.sigma, SigmaKind::DDIM);
    EXPECT_EQ(r6.panels[i].sampler.eta, etas[i]);
    EXPECT_EQ(r6.panels[i].steps, 50);
  }
  // 7: DDIM η = 0 with K = T, 100, 20, 5 (the StepsComparison preset).
  ReverseState preset;
  apply_reverse_preset(preset, ReversePreset::StepsComparison, ScheduleKind::Linear);
  const ReverseState& r7 = s[6].state.reverse;
  ASSERT_EQ(r7.panel_count, 4);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(r7.panels[i].sampler.sigma, preset.panels[i].sampler.sigma);
    EXPECT_EQ(r7.panels[i].sampler.eta, preset.panels[i].sampler.eta);
    EXPECT_EQ(r7.panels[i].steps, preset.panels[i].steps);
  }
  // 8: learned vs exact, small σ, every step over 200 sparse training points: the settings under
  // which the exact denoiser copies them (the meter shows ~9 in 10; with K = 100 trailing the
  // last jump, from t = 10, averages neighbours: issue 14). The notes say what the meter shows.
  const ReverseState& r8 = s[7].state.reverse;
  ASSERT_EQ(r8.panel_count, 2);
  EXPECT_EQ(r8.panels[0].denoiser, DenoiserKind::Model);
  EXPECT_EQ(r8.panels[1].denoiser, DenoiserKind::Exact);
  EXPECT_EQ(r8.panels[0].sampler.sigma, SigmaKind::Small);
  EXPECT_EQ(r8.panels[1].sampler.sigma, SigmaKind::Small);
  EXPECT_EQ(effective_steps(r8.panels[1].steps, s[7].state.a.params.T), s[7].state.a.params.T);
  EXPECT_FALSE(r8.panels[1].sampler.clip_x0);
  EXPECT_EQ(r8.n_points, 200);
  EXPECT_NE(s[7].state.scene_notes.find("within 0.001"), std::string::npos);
  EXPECT_EQ(s[7].state.scene_notes.find("reproduces"), std::string::npos);
  // 9: images, 16 of them, K = 100.
  const ImagesState& im = s[8].state.images;
  EXPECT_EQ(s[8].state.view, AppView::Images);
  EXPECT_EQ(im.image_count, 16);
  for (int i = 0; i < im.sampling.panel_count; ++i) EXPECT_EQ(im.sampling.panels[i].steps, 100);
  for (int i = 0; i < im.sampling.panel_count; ++i) EXPECT_TRUE(im.sampling.panels[i].sampler.clip_x0);
  EXPECT_TRUE(im.device_defaults_applied);
  // 10: DDIM is an ODE solver: the "ODE solvers at equal NFE" preset (DDPM, DDIM η = 0, Heun,
  // DPM-Solver++(2M)) with tracked paths, whose curvature the panels report; the notes say so.
  const ReverseState& r10 = s[9].state.reverse;
  ReverseState ode_preset;
  apply_reverse_preset(ode_preset, ReversePreset::OdeSolverComparison, ScheduleKind::Linear);
  EXPECT_EQ(s[9].state.view, AppView::Reverse);
  ASSERT_EQ(r10.panel_count, 4);
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(r10.panels[i].sampler.sigma, ode_preset.panels[i].sampler.sigma);
    EXPECT_EQ(r10.panels[i].sampler.eta, ode_preset.panels[i].sampler.eta);
    EXPECT_EQ(r10.panels[i].steps, ode_preset.panels[i].steps);
    EXPECT_EQ(r10.panels[i].ode_solver, ode_preset.panels[i].ode_solver);
  }
  EXPECT_TRUE(r10.trajectories);
  EXPECT_GE(r10.tracked.size(), 4u);
  EXPECT_NE(s[9].state.scene_notes.find("NFE"), std::string::npos);
  EXPECT_NE(s[9].state.scene_notes.find("path length"), std::string::npos);
  // 11: draw your own data: a drawing of several classes is the data, Draw is on at t = 0 (the
  // canvas shows x_0), and the reverse view's exact denoiser serves it; the notes say how.
  const AppState& d11 = s[10].state;
  EXPECT_EQ(d11.view, AppView::Forward);
  EXPECT_TRUE(d11.use_drawing);
  EXPECT_TRUE(d11.draw_mode);
  EXPECT_EQ(d11.t, 0);
  EXPECT_GE(d11.drawing.size(), 300);
  EXPECT_GE(d11.drawing.points()->num_classes, 3);
  EXPECT_EQ(d11.reverse.panels[0].denoiser, DenoiserKind::Exact);
  EXPECT_NE(d11.scene_notes.find("CSV"), std::string::npos);
  EXPECT_NE(d11.scene_notes.find("exact denoiser"), std::string::npos);
}

TEST(ShippedScenes, ReverseRunsStayCheapOnATwoCoreCpu) {
  // Network evaluations (points x steps over the panels) and, for the exact denoiser, distance
  // evaluations (points x training points x steps). Budgets: a few seconds on 2 threads.
  for (const ShippedScene& s : load_shipped()) {
    SCOPED_TRACE(s.name);
    const ReverseState& r = s.state.reverse;
    const int T = s.state.a.params.T;
    long long network = 0, exact = 0;
    for (int i = 0; i < r.panel_count; ++i) {
      // Heun spends two evaluations per step; a guided panel (a class) two for each of those.
      const int per_step = (r.panels[i].ode_solver == diffusion::OdeSolver::Heun ? 2 : 1) *
                           (r.panels[i].class_id != diffusion::kNullClass ? 2 : 1);
      const long long K = per_step * effective_steps(r.panels[i].steps, T);
      if (r.panels[i].denoiser == DenoiserKind::Exact) exact += K * r.n_points * static_cast<long long>(r.n_points);
      else network += K * r.n_points;
    }
    EXPECT_LE(network, 4'000'000);
    EXPECT_LE(exact, 500'000'000);
    const ImagesState& im = s.state.images;
    long long image_steps = 0;
    for (int i = 0; i < im.sampling.panel_count; ++i)
      image_steps += effective_steps(im.sampling.panels[i].steps, T) * im.image_count;
    EXPECT_LE(image_steps, 4000);  // U-Net image-steps: ~2 ms each on the CPU
  }
}

// ---- The drawn dataset (issue 17) ----

TEST(SceneRoundTrip, DrawingSurvivesSaveAndLoad) {
  AppState original;
  diffusion::LabelledPoints2D points;
  // Floats that need all 9 digits, a negative one and one far out: read back bit for bit.
  points.xy = {0.1f, -2.718281828f, 1.0f / 3.0f, 3.14159274f, -9999.5f, 1e-7f};
  points.class_id = {0, 5, 2};
  points.num_classes = 6;
  original.drawing.replace(points);
  original.use_drawing = true;
  original.draw_mode = true;
  original.color_by_class = true;
  original.brush.class_id = 4;
  original.brush.points = 17;
  original.brush.spread = 0.375;
  const std::string text = scene_to_json(original);
  EXPECT_EQ(json::parse(text).at("drawing").at("points_csv"), "x,y,class\n0.100000001,-2.71828175,0\n0.333333343,3.14159274,5\n-9999.5,1.00000001e-07,2\n")
      << "the points as the point-CSV text";
  AppState loaded;
  const SceneLoad load = apply_scene_json(text, loaded, "drawing.json", "/tmp");
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_TRUE(load.warnings.empty()) << all_warnings(load);
  EXPECT_EQ(loaded.drawing.points()->xy, points.xy);
  EXPECT_EQ(loaded.drawing.points()->class_id, points.class_id);
  EXPECT_EQ(loaded.drawing.points()->num_classes, 6);
  EXPECT_TRUE(loaded.use_drawing);
  EXPECT_TRUE(loaded.draw_mode);
  EXPECT_TRUE(loaded.color_by_class);
  EXPECT_EQ(loaded.brush.class_id, 4);
  EXPECT_EQ(loaded.brush.points, 17);
  EXPECT_EQ(loaded.brush.spread, 0.375);
  EXPECT_TRUE(loaded.drawing.can_undo());  // loading a scene's drawing is one undoable edit
  EXPECT_EQ(scene_to_json(loaded), text);
}

TEST(SceneLoadWarnings, BadDrawingNamesLineAndColumnAndKeepsTheDrawing) {
  AppState state;
  Brush brush;
  brush.points = 3;
  state.drawing.dab(0.5, 0.5, brush);
  const DrawnPoints before = state.drawing.points();
  json j = header();
  j["drawing"]["points_csv"] = "x,y,class\n1,2,0\n3,oops,1\n";
  j["drawing"]["use"] = true;
  const SceneLoad load = apply_json(j, state);
  ASSERT_TRUE(load.ok);
  ASSERT_EQ(load.warnings.size(), 1u) << all_warnings(load);
  EXPECT_NE(load.warnings[0].find("drawing.points_csv: line 3, column 2 (y)"), std::string::npos) << load.warnings[0];
  EXPECT_EQ(state.drawing.points(), before);
  // An empty points_csv clears the drawing (undoably); a scene without a drawing keeps it.
  j["drawing"]["points_csv"] = "";
  ASSERT_TRUE(apply_json(j, state).warnings.empty());
  EXPECT_TRUE(state.drawing.empty());
  ASSERT_TRUE(state.drawing.undo());
  EXPECT_EQ(state.drawing.points(), before);
  ASSERT_TRUE(apply_json(header(), state).warnings.empty());
  EXPECT_EQ(state.drawing.points(), before);
  EXPECT_FALSE(state.use_drawing);  // the data go back to the named dataset
}

}  // namespace
}  // namespace diffuscope::gui
