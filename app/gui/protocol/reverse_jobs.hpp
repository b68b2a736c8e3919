#pragma once
// Jobs and frames of the reverse view (learned or exact denoiser, 1-4 compared panels) and of
// in-app training. Plain values only, like jobs.hpp: no tensors, no GL.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <optional>

#include "diffusion/datasets2d.hpp"
#include "diffusion/ode_solver_kind.hpp"
#include "diffusion/prediction_target.hpp"
#include "diffusion/process_family.hpp"
#include "diffusion/reverse_config.hpp"
#include "diffusion/sampling_steps.hpp"
#include "gui/protocol/shared_schedule.hpp"

namespace diffuscope::gui {

enum class DenoiserKind {
  Model,  // the trained network of the dataset (shipped checkpoint, or the one trained in the app)
  Exact,  // E[x_0 | x_t] over the training points (diffusion/exact_denoiser.hpp): memorises them
};

inline constexpr int kMaxReversePanels = 4;

// A sample counts as a copy of a training point when it lies within this distance of one (data
// units; the 2D datasets have about unit variance, and their training points lie ~1e-2 apart).
inline constexpr double kCopyRadius = 1e-3;

// " · x̂₀ clipped to [−1, 1]" when the sampler clips x0_hat, else "": the suffix every panel label
// (2D and Images, UI and worker) ends with, so a clipped panel says so under its picture.
std::string clip_label(const diffusion::ReverseConfig& sampler);
// "[−1, 1]", "[−2.5, 3]": a clip range as the labels write it (U+2212 minus).
std::string clip_range_text(double min, double max);

// What makes one panel's run: change any field and that panel's trajectory is recomputed.
struct ReversePanelSpec {
  PanelSchedule schedule;                    // built by the UI; the worker never rebuilds it
  diffusion::ReverseConfig sampler;          // sigma choice, eta, interpolation
  int steps = 0;                             // K sampling steps, 1..T; 0 = every step (K = T)
  diffusion::Spacing spacing = diffusion::Spacing::Trailing;
  DenoiserKind denoiser = DenoiserKind::Model;
  // Model panels: the dataset's model that predicts this target (the "prediction target" compare);
  // nullopt: the dataset's current model (trained here, else shipped), whatever it predicts.
  std::optional<diffusion::PredictionTarget> model_target;
  // Set: the panel solves the probability-flow ODE with this solver (diffusion/ode_solver.hpp),
  // deterministic, and of `sampler` only the clipping counts (as `sample --sigma ode`).
  std::optional<diffusion::OdeSolver> ode_solver;
  // Flow: the panel integrates flow matching's dx/dτ = v̂(x, τ) from x_1 = the run's x_T over K
  // uniform τ steps with ode_solver (Euler or Heun; unset: Euler) and ignores `sampler` and
  // `spacing`; its state k shows at timeline t = round(τ_k·T) of `schedule`
  // (compute/flow_panel_step.hpp). Ddpm: the diffusion samplers above.
  diffusion::ProcessFamily process = diffusion::ProcessFamily::Ddpm;
  // Classifier-free guidance (diffusion/guidance.hpp): a class 0..classes-1 of the dataset, or
  // kNullClass (unconditional: the panel runs as without guidance, `guidance` unused). With a
  // class, ε̂ = ε̂_∅ + w (ε̂_c − ε̂_∅) with w = guidance in [0, kMaxGuidanceScale]: two denoiser
  // evaluations a step (compute/guided_denoisers.hpp builds them).
  int class_id = diffusion::kNullClass;
  double guidance = 1.0;
};
// True when the panel samples with a class (classifier-free guidance, two evaluations a step).
// Flow-matching panels are never guided (no conditional flow model): their class is ignored.
inline bool is_guided(int class_id, diffusion::ProcessFamily process) {
  return class_id != diffusion::kNullClass && process != diffusion::ProcessFamily::Flow;
}
inline bool is_guided(const ReversePanelSpec& spec) {
  return is_guided(spec.class_id, spec.process);
}
// "class 3 · w = 3": how a guided panel's label starts ("" for an unguided panel).
std::string guidance_caption(const ReversePanelSpec& spec);
// panel_label without the leading guidance_caption (its NFE still counts both evaluations).
std::string unguided_panel_label(const ReversePanelSpec& spec, int T);
bool operator==(const ReversePanelSpec& a, const ReversePanelSpec& b);

// K the sampler visits for a panel's `steps` at this T (0 or >= T: T; below 1: 1).
int effective_steps(int steps, int T);
// The network evaluations (NFE) a panel's run makes: K for the stochastic samplers, Euler and
// DPM-Solver++(2M); Heun's ode_network_evaluations (2K − 1, 2K − 2 from ᾱ_T = 0). Reads the
// schedule's steps for Heun; without a built schedule, K (2K − 1 for Heun).
int panel_network_evaluations(const ReversePanelSpec& spec, int T);
// The sampler's short name in captions: "σ² = β̃", "DDIM η = 0", "ODE Euler", "ODE Heun",
// "ODE DPM++" (DPM-Solver++(2M), shortened so that narrow panels keep the NFE).
std::string sampler_caption(const ReversePanelSpec& spec);
// A flow-matching panel's sampler: "flow · Euler", "flow · Heun" (no solver: Euler).
std::string flow_sampler_caption(std::optional<diffusion::OdeSolver> solver);
// "σ² = β̃ · NFE = 1000 · K = 1000", "ODE Heun · NFE = 9 · K = 5": the sampler, the network
// evaluations and K, as every panel label starts.
std::string sampler_and_steps_label(const ReversePanelSpec& spec, int T);
// What a panel runs, under its picture and in the worker's frames alike:
// "σ² = β̃ · K = 1000 · learned", or "learned v-model · σ² = β̃ · K = 1000" for a chosen target
// (+ clip_label).
std::string panel_label(const ReversePanelSpec& spec, int T);
inline bool operator!=(const ReversePanelSpec& a, const ReversePanelSpec& b) { return !(a == b); }

enum class VectorField { None, Score, Eps };  // score = -eps_hat / sqrt(1 - ab_t)

// Cursor-dependent extras; changing them never restarts a run.
struct ReverseOverlays {
  VectorField field = VectorField::None;
  int field_grid = 17;                       // arrows on a field_grid x field_grid grid over the view
  double half_range = 4.0;                   // the view's axis half-range (grid spans it)
  bool predicted_x0 = false;                 // x0_hat of the tracked points at the cursor
  std::vector<int> tracked;                  // point indices whose whole trajectories are drawn
  int picked = -1;                           // point whose posterior q(x_{t-1}|x_t, x0_hat) is shown
};

struct ReverseJob {
  std::vector<ReversePanelSpec> panels;      // 1..kMaxReversePanels; all share x_T and every z
  diffusion::Dataset2DKind dataset = diffusion::Dataset2DKind::Moons;
  int n_points = 2000;                       // samples drawn (x_T rows)
  int exact_train_n = 2000;                  // training points of the exact denoiser
  // A drawn dataset: the exact denoiser's training points and the reference data are these
  // points (dataset and exact_train_n are not used). Model panels use the model trained in the app
  // on this drawing (DrawnModelSlot::get: the same points); while there is none they use the
  // exact denoiser and the frame's model_description says so. Null: the named dataset. Compared
  // by identity. model_revision then is the Worker's drawn_model_revision().
  std::shared_ptr<const diffusion::LabelledPoints2D> drawn;
  std::uint64_t seed = 7;                    // x_T and the z sequence (common random numbers)
  std::uint64_t model_revision = 0;          // bump to pick up a newly trained model
  // The cursor: a timestep of the timeline, 0..max T over the panels; each panel maps it to its
  // own T by fraction (as rescale_cursor does) and shows the state at the smallest visited
  // timestep >= its t (x_0 at t = 0). -1: follow the run (show the newest computed state).
  int t = -1;
  ReverseOverlays overlays;
};

// What a panel's frame says about its run, in the 2D reverse view (ReversePanelFrame) and the
// Images view (ImagePanelFrame) alike (stepped_run.hpp fills it).
struct SteppedPanelFrame {
  // The schedule of the job this frame answers, as the UI sent it: the UI reads T and ab_t at
  // shown_t from it, not from its own slot, since a frame may answer an older job (a slider
  // moved since) and shown_t belongs to this schedule.
  PanelSchedule schedule;
  std::vector<int> visited_t;                // the K timesteps visited, descending (T first)
  int states_done = 0;                       // computed states: 1 (x_T) .. K + 1 (x_0 reached)
  bool finished = false;
  int shown_state = 0;                       // index of the shown state: 0 = x_T, K = x_0
  int shown_t = 0;                           // its timestep (0 for x_0)
  std::string label;                         // e.g. "σ = β̃ · K = 1000 · learned"
  std::string error;                         // why this panel could not run ("" if fine)
};
// ab_t at the shown state (1 at x_0; NaN when the panel has no schedule).
double shown_alpha_bar(const SteppedPanelFrame& panel);

// ε̂_∅, ε̂_c and the guided ε̂_w of one point at one step (ReversePanelFrame::guidance_numbers).
struct GuidanceNumbers {
  bool valid = false;
  int point = -1;                 // the point's index in the cloud
  int t = 0;                      // the step's timestep (the state's)
  int class_id = -1;
  double w = 0;
  float x_t[2] = {0, 0};
  float eps_null[2] = {0, 0}, eps_class[2] = {0, 0}, eps_guided[2] = {0, 0};
};

struct ReversePanelFrame : SteppedPanelFrame {
  std::vector<float> xt_xy;                  // the shown cloud, interleaved x, y
  double sliced_wasserstein = std::numeric_limits<double>::quiet_NaN();  // shown cloud vs fresh data
  // The state that distance belongs to (-1: none yet). It equals shown_state except just after
  // the cursor moved (the distance follows within tens of ms) and while a run streams with the
  // cursor following it (refreshed about every 0.3 s: each costs tens of ms at 2000 points).
  int sliced_wasserstein_state = -1;
  // A guided panel's distance is to the fresh points of its class only (-1: to all the data).
  int sliced_wasserstein_class = -1;
  // The memorisation meter: the share (0..1) of the cloud's points within kCopyRadius of a
  // training point of the exact denoiser (make_dataset2d(dataset, exact_train_n, seed)), whatever
  // the panel's denoiser. Computed with the distance, for the same state (NaN: not yet).
  double copied_share = std::numeric_limits<double>::quiet_NaN();
  // Overlays (empty when not asked for or not yet computed).
  std::vector<float> field_xy;               // arrow tails, interleaved
  std::vector<float> field_vectors;          // arrow vectors (score or eps), interleaved
  std::vector<float> tracked_x0_xy;          // x0_hat per tracked point, at the shown state
  // Per tracked point, states 0..states_done-1 (x, y each). Beyond the worker's state memory
  // (256 MiB over all panels) only every stride-th state is kept, plus the newest: then each
  // path has trajectories_xy.size() / (2 tracked.size()) points.
  std::vector<float> trajectories_xy;
  // How straight the tracked paths are: the mean over them of path length / endpoint distance
  // (diffusion/trajectory_curvature.hpp; 1 = straight), over the kept states of trajectories_xy.
  // NaN without tracked points or while no path has two distinct points.
  double path_length_ratio = std::numeric_limits<double>::quiet_NaN();
  // The true posterior q(x_{t_prev} | x_t, x0_hat) of overlays.picked at the shown state, for the
  // step the sampler takes next (t -> t_prev, the respaced step when K < T): its mean
  // mu_tilde(x_t, x0_hat) and its standard deviation sqrt(beta_tilde) with the step's effective
  // beta. Not the sampler's own mean and sigma: those differ for sigma^2 = beta and for DDIM.
  bool has_posterior = false;
  float picked_xy[2] = {0, 0};
  float posterior_mean_xy[2] = {0, 0};
  double posterior_sigma = 0;                // sqrt(beta_tilde) of that step (0 on the last step)
  int posterior_t = 0, posterior_t_prev = 0;
  // Guided panels: the two predictions guidance combines at one point of the shown state
  // (overlays.picked, else point 0) for the step taken from it, and the guided ε̂ the sampler used
  // (ε̂_w = ε̂_∅ + w (ε̂_c − ε̂_∅), after clipping when the sampler clips): the equation panel's numbers.
  GuidanceNumbers guidance_numbers;
};

struct ReverseFrame {
  std::uint64_t generation = 0;
  std::vector<ReversePanelFrame> panels;
  std::vector<float> data_xy;                // fresh data points (faint background, SWD reference)
  std::uint64_t model_revision = 0;
  std::string model_description;             // "moons.ckpt · 20000 steps · loss 0.31" or why none
  double point_steps_per_second = 0;         // of the run so far
  bool running = false;                      // some panel still computing
  std::int64_t panel_steps = 0;              // panel steps this run has computed (statistics, tests)
};

struct TrainingJob {
  diffusion::Dataset2DKind dataset = diffusion::Dataset2DKind::Moons;
  std::int64_t steps = 20000;                // planned steps (Stop ends earlier, keeping the model)
  std::uint64_t seed = 1;
  bool from_current = false;                 // continue from the dataset's current model
  // Set: train on these points (a drawing; dataset is not used) and publish the model as the
  // drawing's (ModelStore::publish_trained_on_drawing); from_current continues from the newest
  // model trained on a drawing, this one or an earlier one. Compared by identity.
  std::shared_ptr<const diffusion::LabelledPoints2D> drawn;
};

struct TrainingFrame {
  diffusion::Dataset2DKind dataset = diffusion::Dataset2DKind::Moons;
  std::shared_ptr<const diffusion::LabelledPoints2D> drawn;  // the job's drawing (null: dataset)
  bool running = false;
  std::int64_t step = 0, planned_steps = 0;
  std::vector<float> loss_history;           // mean loss per reported interval (log axis in the UI)
  std::vector<std::int64_t> loss_steps;      // the step of each entry of loss_history
  double steps_per_second = 0;
  // The loss by the log-SNR the groups of points were trained at (diffusion/loss_bands.hpp), over
  // the last reported interval: which noise levels are hard. mean is NaN for an empty band.
  struct LossBand {
    float log_snr_lower = 0, log_snr_upper = 0, mean = 0;
  };
  std::vector<LossBand> loss_bands;
  std::vector<float> preview_xy;             // a periodic sample preview (few-step sampler)
  std::int64_t preview_step = 0;
  std::uint64_t model_revision = 0;          // the revision the newest published model has
  std::string message;                       // "stopped at step 5200", errors
};

}  // namespace diffuscope::gui
