#pragma once
// One moment on screen: the t of the picture the shown view draws, beside the t the timeline asks
// for (the cursor, AppState::t). The worker answers a request some frames later, so the two can
// differ; every label (the timeline's text, the equation panel, the presenter's readout, the
// curves' cursor line and the panels' captions, which read their frames' own t) names the
// picture's t, so the window never shows two moments at once.
//
// Playback keeps time but never runs ahead of the pictures: while the newest request has not been
// answered the cursor holds (no new job, so a slow worker is never cancelled mid-frame and left
// without a frame to show); the time that passed meanwhile is kept and spent on the next step, so
// steps are dropped rather than the picture lagging behind the clock (at most kMaxPlaybackStall
// seconds of it). Plain values: no ImGui, no worker; unit-tested without a window.
#include <string>

#include "gui/protocol/jobs.hpp"
#include "gui/state/app_state.hpp"

namespace diffuscope::gui {

// The most playback time (seconds) kept while the picture is on its way.
inline constexpr double kMaxPlaybackStall = 0.25;

struct ShownMoment {
  int t = 0;                    // the picture's timestep on the timeline (the cursor before any picture)
  int requested = 0;            // the cursor: what the lecturer or the clock asked for
  bool has_picture = false;     // the view has drawn a frame
  bool answers_request = true;  // the picture answers the newest job sent (false: one is on its way)
  // The picture is not the one asked for yet (a frame is on its way).
  bool on_its_way() const { return !answers_request; }
};

// The shown view's moment: the forward view's picture from AppState::picture.forward_t; the reverse
// and Images views' from panel 0's kept state (SamplingSettings::shown_t, which may lie a few
// steps on the noisy side of the cursor when only every k-th state is kept).
ShownMoment shown_moment(const AppState& state);

// The forward frame's cursor on a timeline over 0..timeline_T: the larger side's t (with Compare
// each side clamps the cursor to its own T, so the larger one is the cursor itself), rescaled
// when the frame was computed for schedules of another T (a slider moved since).
int forward_picture_t(const ForwardFrame& frame, int timeline_T);

// While playing and the picture does not answer the request yet: keeps this frame's playback time
// in playback.carry (at most kMaxPlaybackStall seconds' worth) and returns true: the cursor holds.
// Otherwise returns false and changes nothing.
bool hold_playback_for_picture(Playback& playback, const ShownMoment& moment, double dt_seconds);

// Timeline playback (forward: up; the run views once the lecturer took the cursor: down) that
// advances only once the picture answers the request: holds (hold_playback_for_picture), else
// advances from the request the picture answers, by the time kept and this frame's
// (advance_playback / advance_playback_down). Returns the new cursor.
int advance_shown_playback(Playback& playback, const ShownMoment& moment, int T, double dt_seconds, bool down);

// The timeline's scrubber: where its knob sits and its text, a printf format with one %d (the
// knob's value, as ImGui's SliderInt wants it). The text names the picture's t: "t = 514 / 1000";
// when the picture is not the cursor's yet (a frame on its way after a scrub) it adds where the
// cursor went, "t = 514 → 545 / 1000", the knob at the cursor under the lecturer's hand; when the
// picture answers the cursor with another t (the run views' visited or kept state nearest it),
// "t = 320 (cursor at 305) / 1000". While playing, only the picture's t (knob and text).
struct TimelineText {
  int knob_t = 0;
  std::string format;
};
TimelineText timeline_text(const ShownMoment& moment, int T, bool playing);

}  // namespace diffuscope::gui
