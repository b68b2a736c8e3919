#pragma once
// The Reverse view as a whole: its panels (sampler controls, the clouds, compare, training and
// device column, timeline) and its worker lane (the reverse run, restarted when its settings
// change, stopped when the view is left). The cursor follows the run until the lecturer touches
// the timeline. UI thread only.
#include <memory>

#include "gui/protocol/job_lane.hpp"
#include "gui/protocol/reverse_jobs.hpp"
#include "gui/views/reverse/reverse_controls.hpp"
#include "gui/views/reverse/reverse_clouds_view.hpp"
#include "gui/views/common/screen_parts.hpp"
#include "gui/views/reverse/training_panel.hpp"

namespace diffuscope::gui {

class ReverseScreen {
 public:
  // A reverse run of 1000 steps on a loaded CPU can take a while: a screenshot waits (bounded).
  static constexpr double kScreenshotTimeoutSeconds = 60.0;

  ReverseScreen();
  // Before the panels: picks up the run's newest frame and moves the cursor with it (only while
  // the view is shown; frames of a run that was replaced do not count).
  void settle(AppState& state, Worker& worker);
  void draw(ScreenFrame& f);
  // The run finished and, with --t, the cursor moved there: a screenshot may be taken.
  bool ready(const AppState& state) const;
  // The worker's run stops when the view is left (nobody looks at it).
  void after_frame(AppView view_before, AppView view_now, Worker& worker);
  JobLane<ReverseJob>& lane() { return lane_; }
  void release();  // frees GL objects (context current)

 private:
  ReverseControls reverse_controls_;
  ReverseCloudsView reverse_view_;
  TrainingPanel training_panel_;
  JobLane<ReverseJob> lane_;
  std::shared_ptr<const ReverseFrame> frame_;  // this frame's (null: the view is not shown)
};

}  // namespace diffuscope::gui
