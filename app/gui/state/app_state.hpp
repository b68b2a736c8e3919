#pragma once
// The lecture window's UI state: plain values owned by the UI thread (design.md, "Threads").
// Everything here is GL-free and ImGui-free so that it is unit-tested without a window.
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "diffusion/datasets2d.hpp"
#include "diffusion/schedule_params.hpp"
#include "gui/state/app_view.hpp"
#include "gui/state/drawing.hpp"
#include "gui/sources/image_source.hpp"
#include "gui/state/images_state.hpp"
#include "gui/protocol/jobs.hpp"
#include "gui/state/limits.hpp"
#include "gui/state/reverse_state.hpp"
#include "gui/state/warnings.hpp"

namespace diffusion {
class Schedule;  // diffusion/schedule.hpp
}  // namespace diffusion

namespace diffuscope::gui {

// One schedule (A or B): the parameters the sliders edit and the last schedule that validated.
// A bad parameter never loses the last good schedule: the curves and the worker keep using it
// while the panel shows the error in red.
class ScheduleSlot {
 public:
  explicit ScheduleSlot(const diffusion::ScheduleParams& params = {});

  diffusion::ScheduleParams params;   // edited in place by the schedule panel

  // Recomputes the schedule when `params` changed since the last attempt (cheap: T <= 10000).
  // Returns true when the shown schedule was replaced.
  bool refresh();

  // Last schedule that validated (never null: the defaults always validate); what the jobs carry
  // to the worker, as built. The same object while `params` are unchanged.
  const std::shared_ptr<const diffusion::Schedule>& schedule() const { return schedule_; }
  // Parameters of schedule().
  const diffusion::ScheduleParams& good_params() const;
  const std::string& error() const { return error_; }                 // "" when params are valid
  const std::vector<ScheduleWarning>& warnings() const { return warnings_; }
  std::uint64_t revision() const { return revision_; }                // bumps with schedule()

 private:
  std::shared_ptr<const diffusion::Schedule> schedule_;
  diffusion::ScheduleParams attempted_;
  std::string error_;
  std::vector<ScheduleWarning> warnings_;
  std::uint64_t revision_ = 1;
};

// Timeline playback. Speed in timesteps per second; fractional steps carry over between frames
// so that slow speeds still advance evenly.
struct Playback {
  bool playing = false;
  double steps_per_second = 200.0;
  bool loop = true;
  double carry = 0.0;
};

// Advances cursor t by dt seconds of playback over 0..T. At T: restarts at 0 when looping, else
// stops playing. Returns the new cursor. Does nothing while paused.
int advance_playback(Playback& playback, int t, int T, double dt_seconds);

// The reverse view plays T -> 0: the cursor decreases; at 0 it restarts at T when looping, else
// stops playing. Same speed cap and carry as advance_playback.
int advance_playback_down(Playback& playback, int t, int T, double dt_seconds);

// While a run view's cursor follows its run (ReverseCursor::follow), playback plays the run down
// from x_T: the cursor falls at the playback speed (same cap and carry as advance_playback) to
// the end (0, or a pending final_t), never below cursor.frontier (it waits there while the run
// computes; before any frontier is known it stays put). Playing is on while it plays and off once
// the end is reached (no loop). With cursor.jump_to_end (headless) it holds still. Returns the
// new cursor.
int advance_replay(Playback& playback, const ReverseCursor& cursor, int t, int T, double dt_seconds);

// When a schedule's T changes, the cursor keeps its position as a fraction of T.
int rescale_cursor(int t, int old_T, int new_T);

// Half-width of the fixed 2D axis range: 4 for the variance-preserving processes; for the naive
// process wide enough for its growing spread, 3 + 3 √(Tβ) rounded up to an even number, so that it
// changes only with T and β, never with the cursor (no jitter while scrubbing).
double points_axis_half_range(ForwardProcess process, int T, double naive_beta);

// The default second schedule when Compare is switched on: cosine against linear (Nichol &
// Dhariwal 2021's comparison); linear against anything else. Same T as A.
diffusion::ScheduleParams default_compare_params(const diffusion::ScheduleParams& a);

// A message shown in the window's notification banner.
// What the shown view's picture is this frame, set by its screen when it picks up its frame
// (shown_moment.hpp combines it with the cursor into the moment every label names).
struct PictureOnScreen {
  // The forward view's picture: its t on the timeline (-1: none yet). The reverse and Images
  // views keep theirs in SamplingSettings::shown_t.
  int forward_t = -1;
  // The shown view's picture answers the newest job its screen sent (false: a frame is on its way).
  bool answers_request = true;
};

struct Notification {
  WarningLevel level = WarningLevel::Warning;
  std::string text;
  double seconds_left = 12.0;   // removed when it reaches 0 (or when dismissed)
  std::uint64_t serial = 0;     // 1, 2, ... in the order posted (headless runs echo new ones to stderr)
};

struct AppState {
  ScheduleSlot a;
  ScheduleSlot b{default_compare_params(diffusion::ScheduleParams{})};
  bool compare = false;
  bool b_initialised = false;       // B takes default_compare_params(A) the first time it is shown
  // B is flow matching's linear path x_τ = (1 − τ)x₀ + τε, τ = t / T_B (flow_path.hpp) rather than
  // schedule B's VP process; only B's T is used. Kept while off-screen: it acts only while
  // b_flow_shown() (Compare on, closed form).
  bool b_is_flow = false;
  ForwardProcess process = ForwardProcess::ClosedForm;
  double naive_beta = 0.02;         // the naive process' per-step variance
  diffusion::Dataset2DKind dataset = diffusion::Dataset2DKind::Moons;
  int n_points = 5000;
  std::uint64_t seed = 7;
  // The drawn dataset (drawing.hpp): x_0 of the forward view and the exact denoiser's training set
  // instead of `dataset` while use_drawing. Draw mode: the forward points panel takes the mouse as
  // the brush (left) and the eraser (right).
  bool use_drawing = false;
  Drawing drawing;
  Brush brush;
  bool draw_mode = false;
  bool color_by_class = false;      // a named dataset's points coloured by class, not by start position

  int t = 0;                        // the cursor, 0..max_T(): the t asked for (shown_moment.hpp: the t shown)
  Playback playback;
  PictureOnScreen picture;          // set each frame by the shown view's screen; not saved in scenes

  bool x_axis_fraction = false;     // curves over t/T instead of t
  int coefficient_tab = 0;          // right-hand curves plot: 0 = β, β̃; 1 = SNR; 2 = log-SNR

  std::shared_ptr<const Image> image;   // x_0 of the image view (null: none loaded)
  std::string image_name;               // shown over the image ("Fashion-MNIST #0 (Ankle boot)")
  std::string image_short_name;         // when the name does not fit ("#0 Ankle boot"); may be ""
  int fashion_index = 0;                // which Fashion-MNIST test image, when that is the source
  bool image_is_fashion = true;
  std::string image_path;               // absolute path of a user's image (scenes save it); "" for Fashion-MNIST

  float ui_scale = 1.5f;
  bool light_theme = false;

  AppView view = AppView::Forward;
  ReverseState reverse;
  ImagesState images;
  int view_t[kViewCount] = {-1, -1, -1};   // each view's cursor while another is shown (-1: its default)

  std::deque<Notification> notifications;
  std::uint64_t notifications_posted = 0;   // serial of the newest notification

  // Giving the lecture (scenes, presenter mode, equation panel, help).
  bool presenter = false;           // controls hidden: the views, the timeline and a large readout
  bool show_equations = true;       // the equation panel under the views
  bool show_help = false;           // the F1 overlay listing every key
  std::string scene_title;          // the loaded scene's title ("" before any scene)
  std::string scene_notes;          // its notes for the lecturer (shown in the File menu's scene list)

  // Largest T of the shown schedules: the timeline's range. In the reverse and Images views every
  // panel has A's T (panels differ in the family only), so the range is A's T.
  int max_T() const;
  // B is drawn as flow matching's path: b_is_flow with Compare on and the closed-form process
  // (the path has no Markov chain or naive walk of its own; the control says so).
  bool b_flow_shown() const;
  // Switches view; playback pauses. The forward view keeps its own cursor; entering the reverse
  // or the Images view shows x_T (t = T) and follows the (re)started run: it plays down from there.
  void set_view(AppView new_view);
  // Starts playing a run view's (re)started run from x_T: its cursor follows, t = T.
  void replay_run(ReverseCursor& cursor);
  // The cursor of the shown run view (null in the forward view).
  ReverseCursor* run_cursor();
  void set_cursor(int new_t);       // clamps to 0..max_T()
  void set_compare(bool on);
  // Refreshes both slots; keeps the cursor's fraction of T when T changed. Returns true if any
  // schedule changed.
  bool refresh_schedules();
  void notify(WarningLevel level, std::string text, double seconds = 12.0);
  // Ages notifications by dt seconds and drops expired ones.
  void age_notifications(double dt_seconds);
};

// The drawing's points while the drawing is the data (use_drawing), else null.
DrawnPoints drawn_data(const AppState& state);
// "drawn (1234 points)" while the drawing is the data, else the dataset's label ("moons").
std::string data_label(const AppState& state);

// The reverse job on the drawing while it is the data: its points are the exact denoiser's
// training set, and Model panels use the model trained here on that drawing (the worker falls
// back to the exact denoiser, labelled, while there is none). The caller passes the worker's
// drawn_model_revision() as the job's model_revision then.
ReverseJob with_drawing(ReverseJob job, const AppState& state);
// The training job on the drawing while it is the data (the Train panel trains on its points).
TrainingJob with_drawing(TrainingJob job, const AppState& state);

// The job the UI sends for the current state (A's and B's last good schedules, as built).
ForwardJob make_forward_job(const AppState& state);
// True when the two jobs would compute the same frame (the image compared by identity).
bool same_job(const ForwardJob& x, const ForwardJob& y);

}  // namespace diffuscope::gui
