#pragma once
// Jobs the UI sends to the worker and frames the worker publishes back: plain values only
// (no tensors, no GL), so that both threads can hold them without sharing anything mutable.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "diffusion/datasets2d.hpp"
#include "gui/sources/image_source.hpp"
#include "gui/protocol/shared_schedule.hpp"

namespace diffuscope::gui {

// How x_t is produced from x_0 in the forward views.
enum class ForwardProcess {
  ClosedForm,  // x_t = sqrt(ab_t) x_0 + sqrt(1 - ab_t) eps, one fixed eps per point
  Markov,      // x_t = sqrt(alpha_t) x_{t-1} + sqrt(beta_t) eps_t, fresh eps_t per step
  Naive,       // the notes' variance-exploding process: x_t = x_0 + sqrt(t beta) eps
};

// A snapshot of what the forward views show. The worker caches everything that does not change
// between jobs (dataset, noise, schedules, Markov states, image tensors, strips), so sending a
// full job every UI frame is cheap: only the cursor-dependent part is recomputed.
struct ForwardJob {
  // The UI's schedules as built (never null; the worker uses them as they are).
  SharedSchedule schedule_a = default_schedule();
  SharedSchedule schedule_b = default_schedule();   // used only when compare
  bool compare = false;
  // Side B is flow matching's linear path x_t = (1 − τ)x_0 + τε, τ = t / T_B (flow_path.hpp), on
  // A's ε (same point, same ε), instead of schedule B's variance-preserving process: only B's T
  // is used. Closed form only (the worker rejects it with another process); needs compare.
  bool b_flow = false;
  ForwardProcess process = ForwardProcess::ClosedForm;
  double naive_beta = 0.02;              // Naive only: per-step variance (must be > 0, finite)
  diffusion::Dataset2DKind dataset = diffusion::Dataset2DKind::Moons;
  int n_points = 5000;
  std::uint64_t seed = 7;                // x_0, eps, Markov step noise and the image's eps
  // A drawn dataset (its classes colour the points): x_0 are these points, and dataset and
  // n_points are not used. Null: the named dataset. Compared by identity (every edit is a new set).
  std::shared_ptr<const diffusion::LabelledPoints2D> drawn;
  int t = 0;                             // cursor; clamped to 0..T of each schedule
  std::shared_ptr<const Image> image;    // x_0 of the image view; null = no image work
  int strip_count = 8;                   // images in each strip (0 = no strip)
  // x0_hat of the image by the image model at t, beside x_t (the dataset image only: the model
  // knows 28x28 garments). image_model_path: the checkpoint ("" = the shipped one).
  bool predict_x0 = false;
  std::string image_model_path;
};

// Sample and predicted moments of x_t, per coordinate (index 0 = x, 1 = y).
// Predicted: closed form and Markov: mean sqrt(ab_t) E[x_0], variance ab_t Var[x_0] + 1 - ab_t;
// Naive: mean E[x_0], variance Var[x_0] + t beta. E and Var of x_0 are the sample's own.
struct Moments2D {
  std::array<double, 2> sample_mean{};
  std::array<double, 2> sample_variance{};     // 1/N normalisation
  std::array<double, 2> predicted_mean{};
  std::array<double, 2> predicted_variance{};
};

// What one schedule (A or B) shows at the cursor.
struct ForwardSide {
  // The job's schedule this side was computed with (null for B without compare). The UI reads T,
  // ab_t, ... from it rather than from its own slot: a frame may answer an older job than the
  // UI's newest (a slider moved since), and its pictures belong to this schedule, not the slot's.
  SharedSchedule schedule;
  int t = 0;                        // the cursor clamped to 0..T
  // The side is flow matching's path (ForwardJob::b_flow): x_t = (1 − τ)x_0 + τε, τ = t / T.
  bool flow = false;
  std::vector<float> xt_xy;         // interleaved x, y for each point, same order as x0_xy
  Moments2D moments;
  Image image;                      // x_t of the image, shown as clamp((x_t + 1) / 2, 0, 1)
  // x_t at strip_t, same display mapping; null without an image. Shared between frames (the
  // strip only changes with the schedule, image, seed or process): compare pointers to know
  // when to re-upload.
  std::shared_ptr<const std::vector<Image>> strip;
  std::vector<int> strip_t;         // round(k T / (strip_count - 1)), k = 0..strip_count-1
  // The image model's x0_hat of the image at t (same display mapping as `image`); empty when not
  // asked for or not available, then x0_hat_note says why ("" when not asked for).
  Image x0_hat;
  int x0_hat_t = -1;                // the t of the x_t that x0_hat was computed from (-1: none)
  std::string x0_hat_note;
  // True when x0_hat is not yet the model's answer for this t and schedule (it is the last one
  // computed for this image, or empty): a frame of the same generation with it follows.
  bool x0_hat_pending = false;
};

struct ForwardFrame {
  std::uint64_t generation = 0;     // the job's generation (Worker::submit's return value)
  ForwardProcess process = ForwardProcess::ClosedForm;
  double naive_beta = 0.02;         // the job's (Naive: x_t's noise coefficient, see below)
  bool compare = false;
  // x_0 and its colouring labels. x0_revision changes whenever x_0 changes (dataset, n, seed),
  // so the UI re-uploads point colours only then.
  std::uint64_t x0_revision = 0;
  std::vector<float> x0_xy;
  std::vector<int> labels;
  // The class of each point (a drawing's classes; a dataset's natural classes, diffusion::
  // dataset2d_class_of_label) and whether x_0 is a drawing.
  std::vector<int> classes;
  bool drawn = false;
  std::array<double, 2> x0_mean{};
  std::array<double, 2> x0_variance{};
  ForwardSide a;
  ForwardSide b;                    // filled only when compare
  // The image view's fixed eps, shown as clamp((eps + 1) / 2, 0, 1); null without an image.
  // image_revision changes when the image, the seed or a strip changes.
  std::uint64_t image_revision = 0;
  std::shared_ptr<const Image> eps_image;
  std::string device_name;          // "cpu", "cuda:0", ...
  double compute_ms = 0;            // worker time spent on this frame
};

// What a side's x_t is made of, from the frame's own job (its schedule, process and naive_beta):
// x_t = sqrt(alpha_bar) x_0 + noise_std eps. alpha_bar: ab_t for the closed form and Markov;
// Naive: 1 (the notes' variance-exploding process keeps x_0 as it is). A flow side: (1 − τ)².
double forward_alpha_bar(const ForwardFrame& frame, const ForwardSide& side);
// sqrt(1 - ab_t); Naive: sqrt(t beta); a flow side: τ.
double forward_noise_std(const ForwardFrame& frame, const ForwardSide& side);
int forward_T(const ForwardSide& side);   // T of the side's schedule (0 without one)

// Where the worker computes, for the device selector.
struct DeviceStatus {
  std::string request = "auto";     // what was asked: auto | cpu | cuda
  std::string name;                 // "cpu", "cuda:0" ("" until the worker has started)
  std::string description;          // "CPU, 2 threads", "CUDA: NVIDIA H200"
  bool cuda_available = false;
  std::string cuda_unavailable_reason;  // why cuda cannot be chosen ("" when it can)
  std::uint64_t revision = 0;       // bumps when the device changed (jobs must be sent again)
};

}  // namespace diffuscope::gui
