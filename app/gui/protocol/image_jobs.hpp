#pragma once
// Jobs and frames of the Images view: a grid of samples of the learned image U-Net denoising from
// x_T, in 1-4 compared panels that share x_T and every z (common random numbers), and the selected
// sample's x_t, x0_hat and eps_hat. Plain values only, like jobs.hpp: no tensors, no GL.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gui/protocol/reverse_jobs.hpp"

namespace diffuscope::gui {

inline constexpr int kMinImageCount = 1;
inline constexpr int kMaxImageCount = 64;
// One U-Net forward of 16 Fashion-MNIST images takes ~30 ms on 2 CPU threads; 64 take ~0.1 s.
inline constexpr int kDefaultImageCountCpu = 16;
inline constexpr int kDefaultImageCountCuda = 64;
inline constexpr int kDefaultImageStepsCpu = 100;   // K; on a GPU every step is affordable

// Kept states are stored as float16 (2 bytes a value): enough to show and to re-evaluate the
// model on (x_t stays within about ±5, where float16 is exact to ~2.5e-3), half of float32.
inline constexpr std::size_t kImageStateValueBytes = 2;
// Bytes the kept states of one panel take when every state is kept: states = K + 1 (x_T .. x_0).
// 64 images x 1001 states x 784 pixels x 2 bytes = 100,452,352 bytes (95.8 MiB) for K = T = 1000.
constexpr std::size_t image_state_bytes(int images, int states, int pixels) {
  return static_cast<std::size_t>(images) * static_cast<std::size_t>(states) *
         static_cast<std::size_t>(pixels) * kImageStateValueBytes;
}
// The worker's default budget for kept states over all panels. One or two panels of 64 images x
// 1000 steps fit (every state kept); beyond it every stride-th state is kept and scrubbing shows
// the nearest kept state on the noisy side.
inline constexpr std::size_t kDefaultImageStateBudget = std::size_t(256) << 20;

// eps_hat is shown with grey = 0 and black / white at -/+ this value.
inline constexpr double kEpsDisplayRange = 2.0;

struct ImageReverseJob {
  // 1..kMaxReversePanels; each panel's schedule, sampler, K and spacing (its denoiser field is
  // ignored: the Images view always uses the image model).
  std::vector<ReversePanelSpec> panels;
  int image_count = kDefaultImageCountCpu;   // samples in each grid, kMinImageCount..kMaxImageCount
  std::uint64_t seed = 7;                    // x_T and the z sequence, shared by every panel
  std::string model_path;                    // the image checkpoint ("" = the shipped one)
  // The cursor, as ReverseJob::t: 0..max T over the panels, each panel showing the state at the
  // smallest visited timestep >= its t (x_0 at t = 0); -1 follows the run.
  int t = -1;
  int selected = 0;                          // sample shown large with x0_hat and eps_hat; -1: none
};
// True when the worker must drop the run and start again (panels, count, seed, model); cursor and
// selection changes never restart it.
bool restarts_image_run(const ImageReverseJob& x, const ImageReverseJob& y);
// True when sending y after x would change nothing.
bool same_image_job(const ImageReverseJob& x, const ImageReverseJob& y);

// The selected sample at a panel's shown state, as display bytes (height x width x channels,
// interleaved): x_t and x0_hat map [-1, 1] to 0..255, eps_hat maps [-kEpsDisplayRange,
// kEpsDisplayRange].
struct SampleImages {
  int sample = -1;                 // -1: none
  int state = -1;                  // the state these belong to
  std::vector<std::uint8_t> x_t;
  std::vector<std::uint8_t> x0_hat;
  std::vector<std::uint8_t> eps_hat;   // empty at x_0 (no step is taken from it)
};

struct ImagePanelFrame : SteppedPanelFrame {
  // image_count images one after another, each height x width x channels bytes, interleaved,
  // [-1, 1] -> 0..255 (empty until the panel has a state).
  std::vector<std::uint8_t> grid;
  SampleImages selected;
};

struct ImageReverseFrame {
  std::uint64_t generation = 0;
  int image_count = 0;
  int channels = 1, height = 0, width = 0;   // of each sample (the model's training size)
  std::vector<ImagePanelFrame> panels;
  std::string model_description;   // "fashion-mnist.ckpt · 30000 steps · loss 0.031"
  std::string model_error;         // why there is no model ("" when loaded)
  double image_steps_per_second = 0;   // images x steps per second of compute, this run
  bool running = false;
  std::int64_t panel_steps = 0;    // panel steps this run has computed (statistics, tests)
  std::size_t state_bytes = 0;     // memory the kept states of this run take, all panels
  int state_stride = 1;            // every stride-th state is kept (1: all)
  std::string device_name;         // where the run computes: "cpu", "cuda:0"
};

// The panel's label: "σ² = β̃ · K = 100" (the sampler and K, as the 2D view without the denoiser).
std::string image_panel_label(const ReversePanelSpec& spec, int T);

}  // namespace diffuscope::gui
