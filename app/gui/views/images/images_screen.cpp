#include "gui/views/images/images_screen.hpp"

#include "gui/state/app_state.hpp"
#include "gui/state/images_state.hpp"
#include "gui/widgets/ui_helpers.hpp"
#include "gui/protocol/worker.hpp"

namespace diffuscope::gui {

ImagesScreen::ImagesScreen() : lane_(same_image_job, restarts_image_run) {}

void ImagesScreen::settle(AppState& state, Worker& worker) {
  frame_.reset();
  if (state.view != AppView::Images) return;
  frame_ = worker.latest_images();
  const ImageReverseFrame* current =
      frame_ && lane_.submitted() && lane_.shows_run(frame_->generation) ? frame_.get() : nullptr;
  follow_run(state, state.images.sampling.cursor, state.images.sampling.shown_t, current, settle_image_cursor);
  // Playback waits for the frame of the newest job (shown_moment.hpp).
  state.picture.answers_request = !lane_.submitted() || (frame_ && frame_->generation >= lane_.last_generation());
}

void ImagesScreen::draw(ScreenFrame& f) {
  AppState& state = f.state;
  const ReverseLayout layout = place_run_layout(
      f, compute_images_layout(f.frame_layout.body.w, f.frame_layout.body.h, ImGui::GetFontSize(), 0.0f,
                               !f.presenter_layout));
  if (begin_panel("Images controls", layout.controls, kPanelFlags)) {
    draw_view_switch(state);
    if (state.view == AppView::Images) images_controls_.draw_controls(state, f.schedule_controls, f.palette);
  }
  ImGui::End();
  state.refresh_schedules();
  if (begin_panel("Image grids", layout.clouds, kFixedPanelFlags)) image_grids_view_.draw(state, frame_, f.palette);
  ImGui::End();
  draw_side_column(f, layout.side);
  f.timeline_touched = draw_timeline(state, layout.timeline) || f.timeline_touched;
  draw_notifications(f, PanelRect{layout.clouds.x, layout.clouds.y, layout.clouds.w, 0});

  if (f.timeline_touched) stop_following(state.images.sampling.cursor, state.playback);
  if (state.view == AppView::Images && state.images.device_defaults_applied) {
    Worker& worker = f.worker;
    send_run_job(lane_, make_image_job(state.images, state.a.schedule(), state.t), state,
                 state.images.sampling.cursor, [&](const ImageReverseJob& job) { return worker.submit_images(job); });
  }
}

// The selected sample large; with the controls shown, also the compare and device rows.
void ImagesScreen::draw_side_column(ScreenFrame& f, const PanelRect& side) {
  const bool side_controls = !f.presenter_layout && !f.solo;
  const bool shown = begin_panel("Selected sample and compare", side, side_controls ? kPanelFlags : kFixedPanelFlags);
  if (shown) {
    image_grids_view_.draw_selected(f.state, frame_, side_controls ? 0.5f * side.h : 0.9f * side.h, f.palette);
  }
  if (shown && side_controls) {
    images_controls_.draw_compare(f.state, f.palette);
    if (section("Device", false, f.state.scene_title)) draw_device_row(f);
  }
  ImGui::End();
}

bool ImagesScreen::ready(const AppState& state) const {
  return frame_ && lane_.submitted() && frame_->generation == lane_.last_generation() &&
         lane_.shows_run(frame_->generation) && image_run_settled(*frame_) &&
         !state.images.sampling.cursor.follow && state.images.sampling.cursor.final_t < 0;
}

void ImagesScreen::after_frame(AppView view_before, AppView view_now, Worker& worker) {
  if (lane_.left_view(view_before == AppView::Images, view_now == AppView::Images)) worker.stop_images();
}

void ImagesScreen::release() { image_grids_view_.release(); }

}  // namespace diffuscope::gui
