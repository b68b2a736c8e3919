#pragma once
// The Forward view as a whole: its panels (schedule controls, curves, 2D points, marginal, image,
// timeline) and its worker lane (the forward job sent when the state changed, resent once after a
// failure). UI thread only.
#include <cstdint>
#include <memory>

#include "gui/views/forward/curves_plot.hpp"
#include "gui/views/forward/forward_image_view.hpp"
#include "gui/protocol/job_lane.hpp"
#include "gui/protocol/jobs.hpp"
#include "gui/state/layout.hpp"
#include "gui/views/forward/marginal_plot.hpp"
#include "gui/views/forward/points_view.hpp"
#include "gui/views/common/screen_parts.hpp"

namespace diffuscope::gui {

class ForwardScreen {
 public:
  ForwardScreen();
  // Forgets the frame drawn last frame (drawn_frame() is null until draw() runs again).
  void new_frame();
  // Picks up the newest published frame before the timeline advances and records its t and
  // whether it answers the newest job (AppState::picture), which playback waits for. Forward view
  // only. draw() takes the newest frame again after sending its job.
  void settle(AppState& state, Worker& worker);
  // Lays out and draws the view's panels and sends its job. inject_fault: throw once, after the
  // schedule panel (DIFFUSCOPE_INJECT_UI_FAULT, tests).
  void draw(ScreenFrame& f, bool inject_fault);
  // The frame drawn for the newest job sent, complete (x̂_0 included): a screenshot may be taken.
  bool ready() const;

  JobLane<ForwardJob>& lane() { return lane_; }
  // For the scripted sessions: what this frame sent and drew.
  std::uint64_t submitted_this_frame() const { return submitted_this_frame_; }
  std::uint64_t drawn_generation() const { return frame_ ? frame_->generation : 0; }
  std::uint64_t curves_revision() const { return curves_plot_.drawn_revision(); }
  // The layout of the last frame shown in the window (the bench rests the mouse on the curves).
  const WindowLayout& last_layout() const { return layout_hint_; }
  // The image panel's request to step through Fashion-MNIST (0: none); cleared when taken.
  int take_fashion_step();
  void release();  // frees GL objects (context current)

 private:
  void submit(ScreenFrame& f);
  // Takes the newest published frame as the one shown and records it in AppState::picture.
  void pick_frame(AppState& state, Worker& worker);

  PointsView points_view_;
  ForwardImageView image_view_;
  CurvesPlot curves_plot_;
  MarginalPlot marginal_plot_;
  JobLane<ForwardJob> lane_;
  std::shared_ptr<const ForwardFrame> frame_;   // drawn this frame (null: the view was not drawn)
  std::uint64_t submitted_this_frame_ = 0;      // the job's generation, when one was sent
  WindowLayout layout_hint_;
  ImageViewActions pending_actions_;
};

}  // namespace diffuscope::gui
