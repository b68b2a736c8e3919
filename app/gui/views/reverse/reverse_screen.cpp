#include "gui/views/reverse/reverse_screen.hpp"

#include <string>

#include "gui/state/app_state.hpp"
#include "gui/state/choice_tables.hpp"
#include "gui/state/model_follow.hpp"
#include "gui/widgets/ui_helpers.hpp"
#include "gui/state/reverse_state.hpp"
#include "gui/protocol/worker.hpp"

namespace diffuscope::gui {

namespace {

// The model revision the reverse job carries: the worker's newest for the data shown (the
// drawing's or the dataset's), taken while training only once the shown run has played out.
std::uint64_t reverse_job_model_revision(const JobLane<ReverseJob>& lane, const AppState& state, const Worker& worker) {
  const std::uint64_t newest =
      state.use_drawing ? worker.drawn_model_revision() : worker.model_revision(state.dataset);
  const ReverseJob& last = lane.last_job();
  const bool same_data = lane.submitted() && last.drawn == drawn_data(state) && last.dataset == state.dataset;
  const auto training = worker.latest_training();
  return followed_model_revision(newest, same_data ? last.model_revision : newest,
                                 !lane.submitted() || !state.reverse.cursor.follow, training && training->running);
}

}  // namespace

ReverseScreen::ReverseScreen() : lane_(same_reverse_job, restarts_run) {}

void ReverseScreen::settle(AppState& state, Worker& worker) {
  frame_.reset();
  if (state.view != AppView::Reverse) return;
  frame_ = worker.latest_reverse();
  const ReverseFrame* current = frame_ && lane_.shows_run(frame_->generation) ? frame_.get() : nullptr;
  follow_run(state, state.reverse.cursor, state.reverse.shown_t, current, settle_cursor);
  // The equation panel's guidance numbers: panel 0's, of the picture on screen.
  state.reverse.guidance_shown = current && !current->panels.empty() ? current->panels[0].guidance_numbers : GuidanceNumbers{};
  // Playback waits for the frame of the newest job (shown_moment.hpp).
  state.picture.answers_request = !lane_.submitted() || (frame_ && frame_->generation >= lane_.last_generation());
}

void ReverseScreen::draw(ScreenFrame& f) {
  AppState& state = f.state;
  const ReverseLayout layout = place_run_layout(
      f, compute_reverse_layout(f.frame_layout.body.w, f.frame_layout.body.h, ImGui::GetFontSize(), 0.0f,
                                !f.presenter_layout));
  if (begin_panel("Reverse controls", layout.controls, kPanelFlags)) {
    draw_view_switch(state);
    if (state.view == AppView::Reverse) reverse_controls_.draw_controls(state, f.schedule_controls, f.palette);
  }
  ImGui::End();
  state.refresh_schedules();
  if (begin_panel("Clouds", layout.clouds, kFixedPanelFlags)) reverse_view_.draw(state, frame_, f.palette);
  ImGui::End();
  TrainingActions training;
  if (begin_panel("Compare and training", layout.side, kPanelFlags)) {
    reverse_controls_.draw_compare(state, f.palette);
    // Training and the device are rarely touched in a lecture: closed until opened, except that a
    // training starting (a button elsewhere, --train) opens its section once.
    const auto training_frame = f.worker.latest_training();
    const bool training_running = training_frame && training_frame->running;
    const std::string trained_data = state.use_drawing ? std::string(diffusion::kDrawnDatasetName) : label_of(state.dataset);
    if (section(("Train a model: " + trained_data + "###training").c_str(), training_running,
                state.scene_title + (training_running ? "\n(training)" : ""))) {
      training = training_panel_.draw(state, f.worker.latest_training(), f.palette);
    }
    if (section("Device", false, state.scene_title)) draw_device_row(f);
  }
  ImGui::End();
  if (training.start) f.worker.start_training(with_drawing(make_training_job(state.reverse, state.dataset), state));
  if (training.stop) f.worker.stop_training();
  f.timeline_touched = draw_timeline(state, layout.timeline) || f.timeline_touched;
  draw_notifications(f, PanelRect{layout.clouds.x, layout.clouds.y, layout.clouds.w, 0});

  if (f.timeline_touched) stop_following(state.reverse.cursor, state.playback);
  if (state.view == AppView::Reverse) {
    Worker& worker = f.worker;
    send_run_job(lane_,
                 with_drawing(make_reverse_job(state.reverse, state.a.schedule(), state.dataset,
                                               reverse_job_model_revision(lane_, state, worker), state.t),
                              state),
                 state, state.reverse.cursor,
                 [&](const ReverseJob& job) { return worker.submit_reverse(job); });
  }
}

bool ReverseScreen::ready(const AppState& state) const {
  return frame_ && lane_.submitted() && frame_->generation == lane_.last_generation() &&
         lane_.shows_run(frame_->generation) && run_settled(*frame_) && distances_settled(*frame_) && !state.reverse.cursor.follow && state.reverse.cursor.final_t < 0;
}

void ReverseScreen::after_frame(AppView view_before, AppView view_now, Worker& worker) {
  if (lane_.left_view(view_before == AppView::Reverse, view_now == AppView::Reverse)) worker.stop_reverse();
}

void ReverseScreen::release() { reverse_view_.release(); }

}  // namespace diffuscope::gui
