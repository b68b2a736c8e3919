#include "gui/views/forward/forward_screen.hpp"

#include <imgui.h>

#include <stdexcept>

#include "diffusion/schedule.hpp"
#include "gui/state/app_state.hpp"
#include "gui/state/shown_moment.hpp"
#include "gui/views/forward/schedule_controls.hpp"
#include "gui/protocol/worker.hpp"

namespace diffuscope::gui {

ForwardScreen::ForwardScreen() : lane_(same_job) {}

void ForwardScreen::new_frame() {
  frame_.reset();
  submitted_this_frame_ = 0;
}

void ForwardScreen::settle(AppState& state, Worker& worker) {
  frame_.reset();
  if (state.view == AppView::Forward) pick_frame(state, worker);
}

void ForwardScreen::pick_frame(AppState& state, Worker& worker) {
  // busy() before latest(), as in submit: a job that ends in between is seen as published.
  const bool idle = !worker.busy();
  frame_ = worker.latest();
  state.picture.forward_t = frame_ ? forward_picture_t(*frame_, state.max_T()) : -1;
  const std::uint64_t shown = frame_ ? frame_->generation : 0;
  // A job the worker dropped (it failed) never gets its frame: the picture is as answered as it
  // will be, and playback goes on (submit sends the job once more).
  state.picture.answers_request = !lane_.submitted() || shown >= lane_.last_generation() || idle;
}

void ForwardScreen::draw(ScreenFrame& f, bool inject_fault) {
  AppState& state = f.state;
  const FrameLayout& frame_layout = f.frame_layout;
  // The curves panel's least height (its A/B key line with Compare, the legend row, a plot whose
  // axis title "t" stays whole): a short window gives it that before the bottom row's share.
  const ImGuiStyle& style = ImGui::GetStyle();
  const float curves_min_h =
      curves_panel_min_height(ImGui::GetFontSize(), style.WindowPadding.y,
                              state.compare ? ImGui::GetTextLineHeightWithSpacing() : 0.0f,
                              ImGui::GetFrameHeight(), style.ItemSpacing.y);
  WindowLayout layout = compute_layout(frame_layout.body.w, frame_layout.body.h, ImGui::GetFontSize(), 0.0f,
                                       state.compare, !f.presenter_layout, curves_min_h);
  shift_down(layout, frame_layout.body.y);
  layout.timeline = frame_layout.timeline;
  keep_only(f, {&layout.curves, &layout.points, &layout.marginal, &layout.images, &layout.schedule, &layout.timeline});
  if (!f.capturing) layout_hint_ = layout;

  if (begin_panel("Schedule", layout.schedule, kPanelFlags)) {
    draw_view_switch(state);
    if (state.view == AppView::Forward) f.schedule_controls.draw(state, f.palette);
  }
  if (inject_fault) throw std::runtime_error("injected fault (DIFFUSCOPE_INJECT_UI_FAULT) in a frame");
  ImGui::End();
  state.refresh_schedules();  // same frame: everything below sees the new schedule

  submit(f);
  if (begin_panel("Curves", layout.curves, kFixedPanelFlags)) curves_plot_.draw(state, f.palette);
  ImGui::End();
  if (begin_panel("Marginal", layout.marginal, kFixedPanelFlags)) marginal_plot_.draw(state, frame_.get(), f.palette);
  ImGui::End();
  if (begin_panel("Points", layout.points, kFixedPanelFlags)) points_view_.draw(state, frame_.get(), f.palette);
  ImGui::End();
  if (begin_panel("Image", layout.images, kFixedPanelFlags)) {
    pending_actions_ = image_view_.draw(state, frame_.get(), f.palette);
  }
  ImGui::End();
  draw_timeline(state, layout.timeline);
  draw_notifications(f, PanelRect{layout.curves.x, layout.curves.y, ImGui::GetIO().DisplaySize.x - layout.curves.x, 0});
}

// The worker: the current state is sent when it changed; the newest frame is shown.
void ForwardScreen::submit(ScreenFrame& f) {
  Worker& worker = f.worker;
  const ForwardJob job = make_forward_job(f.state);
  const LaneDecision d = lane_.decide(job);
  if (d.send) {
    lane_.sent(job, worker.submit(job), d.restart);
    submitted_this_frame_ = lane_.last_generation();
  } else {
    const bool idle = !worker.busy();  // read before the frame: a job that ends in between is seen
    const auto published = worker.latest();
    if (lane_.should_resend(idle, published ? published->generation : 0)) {
      lane_.resent(worker.submit(job));
      submitted_this_frame_ = lane_.last_generation();
    }
  }
  // The newest frame, which may have come since settle: what the panels, the timeline and the
  // strips under the view show and name.
  pick_frame(f.state, worker);
}

bool ForwardScreen::ready() const {
  return frame_ && frame_->generation == lane_.last_generation() && !frame_->a.x0_hat_pending &&
         !frame_->b.x0_hat_pending;
}

int ForwardScreen::take_fashion_step() {
  const int step = pending_actions_.fashion_step;
  if (step != 0) pending_actions_ = {};
  return step;
}

void ForwardScreen::release() {
  points_view_.release();
  image_view_.release();
}

}  // namespace diffuscope::gui
