#pragma once
// The reverse view's UI state and its plain-value rules: what job it sends, when a job restarts
// the run, how the timeline cursor follows a run until the lecturer touches it, lecture presets
// of compared panels, picking a point, scaling field arrows. GL-free, ImGui-free, torch-free.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "diffusion/datasets2d.hpp"
#include "diffusion/reverse_config.hpp"
#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule_params.hpp"
#include "gui/state/limits.hpp"
#include "gui/protocol/reverse_jobs.hpp"

namespace diffuscope::gui {

// What one panel of the reverse view samples with. Panel 0 takes its schedule from slot A; the
// other panels take A's parameters with their own family (so T and β ends stay A's).
struct ReversePanelSettings {
  diffusion::ReverseConfig sampler;
  int steps = 0;                                   // K sampling steps; 0 (or >= T): all T steps
  DenoiserKind denoiser = DenoiserKind::Model;
  std::optional<diffusion::PredictionTarget> model_target;         // ReversePanelSpec::model_target
  diffusion::ScheduleKind family = diffusion::ScheduleKind::Linear;  // panels 1..3 only
  std::optional<diffusion::OdeSolver> ode_solver;                  // ReversePanelSpec::ode_solver
  int class_id = diffusion::kNullClass;                            // ReversePanelSpec::class_id
  double guidance = 1.0;                                           // ReversePanelSpec::guidance (w)
  diffusion::ProcessFamily process = diffusion::ProcessFamily::Ddpm;  // ReversePanelSpec::process
};

// The timeline cursor of the reverse and Images views. While `follow` is on the cursor belongs to
// the run: opening the view (or a restarted run) shows x_T (t = T) and playback plays the run down
// to t = 0 (or final_t) while it is computed ahead; the cursor never passes what the run has
// computed (it waits at `frontier`). At the end, once the run has settled, following stops (no
// loop). Any touch of the timeline turns it off (the lecturer's t, instant).
struct ReverseCursor {
  bool follow = true;
  int final_t = -1;  // one-shot (--t): where the played run stops once it has finished; -1: at 0
  // Headless captures (screenshots, exports, sessions): once the run has settled the cursor jumps
  // to the end instead of playing there. Set by the UI loop each frame.
  bool jump_to_end = false;
  // While following, from the newest frame of the run: the smallest timeline t down to which every
  // panel has computed (-1: nothing known yet), and whether the run has settled.
  int frontier = -1;
  bool run_done = false;
};
// Where a followed run's playback ends: final_t clamped to 0..timeline_T, else 0.
int replay_end(const ReverseCursor& cursor, int timeline_T);
// The cursor rule after a frame of the followed run (frontier: run_frontier's, -1 without a frame;
// settled: the run will not change any more): records frontier and settled in the cursor; before
// any state is known the cursor shows x_T (timeline_T); it never shows a t below the frontier;
// once the run has settled and the cursor has reached the end (at once with jump_to_end), the
// cursor is the end and following stops. Returns the cursor to show. Not following: t unchanged.
int settle_followed_cursor(ReverseCursor& cursor, int frontier, bool settled, int t, int timeline_T);

enum class ReversePreset {
  SigmaComparison,     // β̃ | β | DDIM η = 0 | DDIM η = 1
  StepsComparison,     // DDIM η = 0 with K = T, 100, 20, 5
  DenoiserComparison,  // learned | exact, same sampler
  TargetComparison,    // learned ε-, x₀- and v-models, DDIM η = 0, K = 50
  OdeSolverComparison, // DDPM (β̃) | DDIM η = 0 | ODE Heun | DPM-Solver++(2M) at about 10 NFE
  GuidanceComparison,  // one class at guidance w = 0, 1, 3, 7 (kGuidanceCompareScales)
  FlowComparison,      // DDPM (β̃) | DDIM η = 0 | flow Euler | flow Heun at about 10 NFE, learned
};
// The guidance compare's w per panel: unconditional, conditional, guided, strongly guided.
inline constexpr double kGuidanceCompareScales[kMaxReversePanels] = {0.0, 1.0, 3.0, 7.0};
// The K of each panel of the ODE solvers' compare: 10 network evaluations each, except Heun,
// whose 2K − 1 cannot be 10: K = 5 gives 9 (K = 6 would spend 11, more than the others).
inline constexpr int kOdeCompareNfe = 10;
inline constexpr int kOdeCompareHeunSteps = 5;
// Every preset, and a preset's label: choice_tables.hpp's table of ReversePreset.
const std::vector<ReversePreset>& all_reverse_presets();
const char* reverse_preset_label(ReversePreset preset);

// What the Reverse and Images views share: the compared panels' samplers, the spacing, the seed
// of x_T and z, and the timeline cursor following a run.
struct SamplingSettings {
  int panel_count = 1;                                           // 1..kMaxReversePanels
  std::array<ReversePanelSettings, kMaxReversePanels> panels{};
  diffusion::Spacing spacing = diffusion::Spacing::Trailing;     // shared by all panels
  std::uint64_t seed = 7;                                        // x_T and every z, shared
  ReverseCursor cursor;
  // The timestep of panel 0's picture in the newest frame of the current run (-1: none yet). Set
  // by the UI loop each frame; the equation panel and the readout describe this picture's step,
  // which differs from the cursor's when only every k-th state is kept. Not saved in scenes.
  int shown_t = -1;
  // Panel 0's ε̂_∅, ε̂_c and ε̂_w at one point of that picture when it is guided (invalid: none);
  // set by the reverse view each frame, for the equation panel. Not saved in scenes.
  GuidanceNumbers guidance_shown;
};

// The 2D reverse view: the shared sampling settings, and the cloud, its overlays and training.
struct ReverseState : SamplingSettings {
  int n_points = 2000;
  // Overlays.
  VectorField field = VectorField::None;
  int field_grid = 17;                                           // arrows per side (set by the view)
  bool predicted_x0 = false;
  bool trajectories = true;
  bool posterior = false;
  std::vector<int> tracked;                                      // clicked points (indices)
  int picked = -1;                                               // last clicked point
  // In-app training.
  std::int64_t training_steps = 20000;
  bool training_from_current = false;
};

inline constexpr double kReverseHalfRange = 4.0;  // the clouds' axes: x_T ~ N(0, I) fits in ±4

// "Clip x̂_0 to the data range" (a panel's sampler.clip_x0): the range each view clips to. The
// job builders set it, so the UI state stores only the switch. Images: [-1, 1], the range the
// image model was trained on (on by default, as `diffuscope sample --data` does). 2D datasets:
// the smallest interval holding both coordinates of 10,000 points of the dataset (seed 1),
// rounded outwards to 0.5 (off by default: the 2D samplers of the CLI never clip).
struct ClipRange {
  double min = -1.0, max = 1.0;
};
inline constexpr ClipRange kImageClipRange{-1.0, 1.0};
ClipRange data_clip_range(diffusion::Dataset2DKind dataset);
// The sampler with x0_hat's clip range set to `range` (clip_x0 unchanged).
diffusion::ReverseConfig with_clip_range(diffusion::ReverseConfig sampler, ClipRange range);

// The schedule panel `index` samples with: A's, with the panel's family for index > 0 (built
// here, on the UI thread; A's own when the family is A's).
PanelSchedule reverse_panel_schedule(const SamplingSettings& state, int index, const SharedSchedule& a);


// The worker's specs of panels 0..panel_count-1: each panel's schedule (A's, or its family's),
// sampler with x̂_0's clip range, K (K = T sent as 0), spacing, denoiser and model target.
std::vector<ReversePanelSpec> make_panel_specs(const SamplingSettings& state, const SharedSchedule& schedule_a,
                                               ClipRange clip_range);
// The job's cursor: t (0..), also while the view follows its run (it plays the run from x_T and
// never asks for a state the run has not computed; -1, "the newest state", is no longer sent).
int job_cursor(const SamplingSettings& state, int t);

// The job for the current state: panels 0..panel_count-1, the cursor (job_cursor), the
// overlays. schedule_a: A's last good schedule; model_revision: the worker's for the dataset.
ReverseJob make_reverse_job(const ReverseState& state, const SharedSchedule& schedule_a,
                            diffusion::Dataset2DKind dataset, std::uint64_t model_revision, int t);

bool same_panel_spec(const ReversePanelSpec& x, const ReversePanelSpec& y);
// True when the worker would have to drop the run and start again (panels, dataset, sizes, seed,
// model revision). Cursor and overlay changes never restart a run.
bool restarts_run(const ReverseJob& x, const ReverseJob& y);
// True when sending y after x would change nothing (run, cursor and overlays all equal).
bool same_reverse_job(const ReverseJob& x, const ReverseJob& y);

// Sets panel_count and the panels' settings for a lecture preset (panel 0's denoiser, K, clipping
// and the schedule family are kept where the preset does not vary them). The guidance compare
// keeps panel 0's class (class 0 when it has none) and uses the learned conditional model when
// conditional_model (has_conditional_model), else the exact denoiser.
void apply_reverse_preset(SamplingSettings& state, ReversePreset preset,
                          diffusion::ScheduleKind family_a, bool conditional_model = true);
// Whether the dataset has a shipped class-conditional model (diffusion::shipped_conditional_model_path).
bool has_conditional_model(diffusion::Dataset2DKind dataset);
// Adds or removes panels; a new panel starts as a copy of panel 0 (so it differs in nothing yet).
void set_panel_count(SamplingSettings& state, int count, diffusion::ScheduleKind family_a);

// The timesteps the sampler visits (increasing), for the strip under the K slider. On a bad
// combination (e.g. a spacing that repeats a timestep) returns {} and the reason in *error.
std::vector<int> visited_timesteps(int T, int steps, diffusion::Spacing spacing,
                                   std::string* error = nullptr);

// The timeline value that shows where a run is: panel 0's shown timestep on the timeline's
// 0..timeline_T. -1 when the frame has no panel yet.
int followed_cursor(const ReverseFrame& frame, int timeline_T);
// The newest computed timestep of a panel on the timeline's 0..timeline_T (0 once x_0 is reached;
// -1 before any state).
int panel_frontier(const SteppedPanelFrame& panel, int timeline_T);
// The run's frontier: the largest panel_frontier over the panels that have not failed (every
// panel has computed down to it); -1 without panels or while one has no state yet; 0 when every
// panel failed.
int run_frontier(const ReverseFrame& frame, int timeline_T);
// True when every panel has finished or failed (a run that will not change any more).
bool run_settled(const ReverseFrame& frame);
// Whether the panel's sliced Wasserstein distance belongs to the state it shows (the worker
// computes it between slices; until then the frame carries the last one, of another state).
bool distance_is_current(const ReversePanelFrame& panel);
// True when every panel that has not failed shows its current distance.
bool distances_settled(const ReverseFrame& frame);
// settle_followed_cursor with the frame's frontier and settledness (frame null: none yet).
int settle_cursor(ReverseCursor& cursor, const ReverseFrame* frame, int t, int timeline_T);

// Index of the point of the cloud (interleaved x, y) nearest to (x, y) within max_distance (data
// units); -1 when none is that close. Non-finite points are skipped.
int nearest_point(const std::vector<float>& xy, double x, double y, double max_distance);
// Adds a clicked point to the tracked ones (at most kMaxTrackedPoints; the oldest goes) and
// makes it the picked one. A point already tracked only becomes the picked one.
void track_point(ReverseState& state, int index);
void clear_tracked(ReverseState& state);

// Factor that turns field vectors (interleaved) into data-space arrows: the 90th-percentile length
// becomes 0.8 of a grid cell (cell: the grid spacing in data units), so the typical arrow is
// visible and the longest ones do not cover their neighbours. 0 when every vector is zero/NaN.
double arrow_scale(const std::vector<float>& vectors, double cell);
// An arrow after scaling is capped at this many cells.
inline constexpr double kMaxArrowCells = 1.4;

// The job the Train button sends for the dataset (planned steps clamped to 100..1e6).
TrainingJob make_training_job(const ReverseState& state, diffusion::Dataset2DKind dataset);

// Texts under each panel.
// "SWD to data = 0.0123" (NaN: "SWD to data = …"); a guided panel's, measured to its class's
// points (ReversePanelFrame::sliced_wasserstein_class): "SWD to class 3 = 0.0123".
std::string swd_text(double sliced_wasserstein, int reference_class = -1);
// The tracked paths' straightness (ReversePanelFrame::path_length_ratio): "path length / distance:
// 1.04" (1 = straight), or for narrow panels "len/dist 1.04"; "" for NaN (no tracked path yet).
std::string path_ratio_text(double path_length_ratio, bool compact = false);
// The posterior overlay's name for the step t -> t_prev: "q(x₉₈₀ | x₁₀₀₀, x̂₀)".
std::string posterior_label(int t, int t_prev);
// The memorisation meter (ReversePanelFrame::copied_share): "copies 97.3 %" ("copies …" for NaN),
// then what a copy is (kCopyRadius): Short " (≤ 0.001)", Long " (≤ 0.001 from a training point)".
enum class CopyRadiusText { None, Short, Long };
std::string copies_text(double copied_share, CopyRadiusText radius);

}  // namespace diffuscope::gui
