#pragma once
// Lecture scenes: everything a lecturer sets in the window (schedules, process, dataset or image,
// samplers, cursor, view, scale, theme) saved to and loaded from a JSON file. A scene is a whole
// state: a key the file lacks takes the value of a freshly started app, so loading scene 2 after
// scene 5 inherits nothing from scene 5. A partly broken file loads what it can and says, one line
// per problem, what it could not. GL-free, ImGui-free, torch-free.
//
// Schema (version 1; every key optional, written in this order by scene_to_json):
//   format "diffuscope-scene", version 1, title, notes,
//   view "forward"|"reverse"|"images", t (0..T of the shown timeline),
//   schedules {A, B: {kind (diffusion::to_string), T, beta_start, beta_end, beta, cosine_s,
//              sigmoid_start, sigmoid_end, sigmoid_tau, scale_with_T, zero_terminal_snr}},
//   compare, process "closed"|"markov"|"naive", naive_beta, dataset (diffusion::to_string),
//   n_points, seed, x_axis_fraction, coefficient_tab 0..2,
//   image {"source": "fashion-mnist", "index": N} | {"source": "file", "path": P},
//   ui_scale 1..3, theme "dark"|"light", presenter, show_equations,
//   playback {steps_per_second, loop, playing},
//   reverse {panel_count 1..4, panels [{sigma, eta, interpolation, steps, denoiser "model"|"exact",
//            family}], spacing, n_points, seed, field "none"|"score"|"eps", predicted_x0,
//            trajectories, posterior, tracked [indices], training_steps},
//   images {panel_count, panels [{sigma, eta, interpolation, steps, family}], spacing, seed,
//           image_count 1..64, selected, model_path}.
#include <optional>
#include <string>
#include <vector>

#include "gui/state/app_state.hpp"

namespace diffuscope::gui {

inline constexpr int kSceneVersion = 1;
inline constexpr const char* kSceneFormat = "diffuscope-scene";

// The image a scene shows in the forward image view.
struct SceneImage {
  bool fashion = true;      // a Fashion-MNIST test image, else a PNG/JPEG file
  int fashion_index = 0;    // 0..kMaxFashionIndex
  std::string path;         // the file, absolute (relative paths in a scene resolve to its folder)
};
bool operator==(const SceneImage& x, const SceneImage& y);
inline bool operator!=(const SceneImage& x, const SceneImage& y) { return !(x == y); }

struct SceneLoad {
  bool ok = false;                    // false: nothing was applied (unreadable / not JSON / not an object)
  std::string error;                  // why not (names the file)
  std::vector<std::string> warnings;  // what could not be applied, one line each, naming key and value
  // The image the scene wants shown (the caller loads it). nullopt: the scene's image entry was
  // unusable, keep the current image. A scene without an image entry asks for Fashion-MNIST #0.
  std::optional<SceneImage> image;
};

// (The ranges of the settings are limits.hpp's.)
inline constexpr std::size_t kMaxSceneFileBytes = 4u * 1024 * 1024;

// The state's scene as pretty-printed JSON with every key (see the schema above).
std::string scene_to_json(const AppState& state);

// The sampling keys of a "reverse" (with_denoiser) or "images" section (panel_count, panels,
// spacing) for `sampling`, as a JSON object's text: what scene_to_json writes there.
std::string sampling_scene_json(const SamplingSettings& sampling, bool with_denoiser);

// Applies a scene to `state`. A key that is missing takes a fresh AppState's value; a key with a
// wrong type, an out-of-range value or an unknown name is reported and keeps the value it had
// before the load (a schedule that fails to validate keeps the slot's previous good parameters;
// a t outside 0..T counts as missing: 0 in the forward view, the end of the run in the others).
// Non-scene fields (notifications, image pixels, window, playback carry) are left alone.
// source_name names the text in the error; base_dir resolves relative image and model paths.
// The view and cursor are set through set_view / refresh_schedules / set_cursor; in the reverse
// and Images views the run is followed and the cursor settles at t once it has finished.
SceneLoad apply_scene_json(const std::string& text, AppState& state, const std::string& source_name,
                           const std::string& base_dir);

// Reads and applies a scene file (at most kMaxSceneFileBytes). An empty title becomes the file
// name without ".json".
SceneLoad load_scene_file(const std::string& path, AppState& state);

// Writes scene_to_json(state) to `path` atomically (fileio::write_file_atomically), so that a failed
// or killed save never leaves a half-written scene. Returns "" on success, else a message naming
// the file.
std::string save_scene_file(const std::string& path, const AppState& state);

// The image `state` shows, as a scene records it (Fashion-MNIST index, or the file's path).
SceneImage scene_image_of(const AppState& state);

}  // namespace diffuscope::gui
