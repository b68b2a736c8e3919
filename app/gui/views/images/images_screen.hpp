#pragma once
// The Images view as a whole: its panels (sampler controls, the sample grids, the selected sample
// with compare and device rows, timeline) and its worker lane (the image run, restarted when its
// settings change, stopped when the view is left). The first job waits until the worker knows its
// device (the defaults of count and K depend on it). UI thread only.
#include <memory>

#include "gui/protocol/image_jobs.hpp"
#include "gui/views/images/images_controls.hpp"
#include "gui/views/images/image_grids_view.hpp"
#include "gui/protocol/job_lane.hpp"
#include "gui/views/common/screen_parts.hpp"

namespace diffuscope::gui {

class ImagesScreen {
 public:
  // An image run (16 images x 100 U-Net steps take ~3 s on 2 idle CPU threads) on a loaded machine.
  static constexpr double kScreenshotTimeoutSeconds = 180.0;

  ImagesScreen();
  // Before the panels: picks up the run's newest frame and moves the cursor with it (only while
  // the view is shown and a job of this run was sent).
  void settle(AppState& state, Worker& worker);
  void draw(ScreenFrame& f);
  // The run finished (or failed with a message) and, with --image-t, the cursor moved there.
  bool ready(const AppState& state) const;
  // The worker's run stops when the view is left (frees its kept states and the worker's time).
  void after_frame(AppView view_before, AppView view_now, Worker& worker);
  JobLane<ImageReverseJob>& lane() { return lane_; }
  void release();  // frees GL objects (context current)

 private:
  void draw_side_column(ScreenFrame& f, const PanelRect& side);

  ImagesControls images_controls_;
  ImageGridsView image_grids_view_;
  JobLane<ImageReverseJob> lane_;
  std::shared_ptr<const ImageReverseFrame> frame_;  // this frame's (null: the view is not shown)
};

}  // namespace diffuscope::gui
