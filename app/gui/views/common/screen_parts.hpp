#pragma once
// What every screen (a whole view: its panels and its worker lane) draws the same way: panels at
// fixed rectangles, the view switch, the timeline strip, the banner of messages, the device row,
// and the one-view export that keeps a single panel. ImGui; called on the UI thread only.
#include <imgui.h>

#include <initializer_list>

#include "gui/state/app_state.hpp"
#include "gui/protocol/job_lane.hpp"
#include "gui/protocol/jobs.hpp"
#include "gui/state/layout.hpp"
#include "gui/state/reverse_state.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class ScheduleControls;
class Worker;

inline constexpr ImGuiWindowFlags kPanelFlags =
    ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
    ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
    ImGuiWindowFlags_NoBringToFrontOnFocus;
inline constexpr ImGuiWindowFlags kFixedPanelFlags =
    kPanelFlags | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse;

// One frame as every screen sees it (built by the frame loop).
struct ScreenFrame {
  AppState& state;
  Worker& worker;
  ScheduleControls& schedule_controls;         // slot A's controls, shared by every view's control column
  const renderer::Palette& palette;
  const DeviceStatus& device;            // the worker's device, read at the top of the frame
  const FrameLayout& frame_layout;       // the strips around the views and the body they fill
  bool presenter_layout = false;         // no control column (presenter mode, a "views" export)
  bool capturing = false;                // an export frame: no banners
  bool solo = false;                     // a one-view export: one panel fills the frame
  int solo_view = -1;                    // ...this one (its index in the view's panel list)
  bool timeline_touched = false;         // keys or playback moved the cursor this frame
};

// Every begin_panel is followed by ImGui::End(). A panel with no room (hidden in presenter mode or
// by a one-view export) is begun off screen, drawn nothing into, and reported as not shown.
bool begin_panel(const char* name, const PanelRect& r, ImGuiWindowFlags flags);

// "Forward | Reverse | Images" at the top of the left column: the shown view highlighted.
void draw_view_switch(AppState& state);

// The data combo of the 2D views: the named datasets and the drawing (`drawn_tooltip` on its entry).
void dataset_combo(AppState& state, const char* drawn_tooltip);

// The timeline strip; returns true when the lecturer moved the cursor or started/stopped playback.
bool draw_timeline(AppState& state, const PanelRect& rect);

// Messages (worker errors, bad dropped files, missing fonts) in a banner over the top of `area`:
// visible, never modal, each dismissable. Not drawn into an export frame.
void draw_notifications(const ScreenFrame& f, const PanelRect& area);

// The device selector row of the reverse and Images side columns; a choice moves the worker.
void draw_device_row(const ScreenFrame& f);

// A one-view export: keeps panel number f.solo_view of `panels`, sized to the whole frame, and
// empties the others. Does nothing in other frames.
void keep_only(const ScreenFrame& f, std::initializer_list<PanelRect*> panels);

// A run's cursor after the lecturer touched the timeline: theirs, no longer the run's. A touch
// during the run's own playback (from x_T) pauses it there; scrubbing is instant as ever.
void stop_following(ReverseCursor& cursor, Playback& playback);

// The reverse and Images layouts placed in the frame: under the menu bar, over the shared
// timeline strip, one panel alone in a one-view export (order: clouds, side, controls, timeline).
ReverseLayout place_run_layout(const ScreenFrame& f, ReverseLayout layout);

// A run view's cursor follows its run: `current` is the newest frame of the shown run (null: none
// yet, or one of a replaced run); shown_t becomes the state panel 0 shows (-1: none yet).
template <class Frame>
void follow_run(AppState& state, ReverseCursor& cursor, int& shown_t, const Frame* current,
                int (*settle)(ReverseCursor&, const Frame*, int, int)) {
  state.set_cursor(settle(cursor, current, state.t, state.max_T()));
  shown_t = current && !current->panels.empty() && current->panels[0].states_done > 0 ? current->panels[0].shown_t : -1;
}

// A run lane's job (reverse, images): a changed sampler, schedule or model restarts the run, which
// is played again from x_T (the cursor follows it, t = T); a moved cursor or overlay only updates
// what is shown; an unchanged job is not sent. submit(job) sends it and returns its generation.
template <class Job, class Submit>
void send_run_job(JobLane<Job>& lane, Job job, AppState& state, ReverseCursor& cursor, Submit submit) {
  const LaneDecision d = lane.decide(job);
  if (d.replaces_run || (d.restart && cursor.follow)) {
    state.replay_run(cursor);
    job.t = state.t;
  }
  if (d.send) lane.sent(job, submit(job), d.restart);
}

}  // namespace diffuscope::gui
