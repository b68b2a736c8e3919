#include "gui/state/shown_moment.hpp"

#include <algorithm>

namespace diffuscope::gui {

ShownMoment shown_moment(const AppState& state) {
  ShownMoment m;
  m.requested = state.t;
  m.answers_request = state.picture.answers_request;
  int picture_t = -1;
  if (state.view == AppView::Forward) {
    picture_t = state.picture.forward_t;
  } else {
    picture_t = state.view == AppView::Images ? state.images.sampling.shown_t : state.reverse.shown_t;
  }
  m.has_picture = picture_t >= 0;
  m.t = m.has_picture ? std::clamp(picture_t, 0, std::max(0, state.max_T())) : state.t;
  return m;
}

int forward_picture_t(const ForwardFrame& frame, int timeline_T) {
  int t = frame.a.t;
  int frame_T = forward_T(frame.a);
  if (frame.compare) {
    t = std::max(t, frame.b.t);
    frame_T = std::max(frame_T, forward_T(frame.b));
  }
  if (frame_T == timeline_T) return std::clamp(t, 0, std::max(0, timeline_T));
  return rescale_cursor(t, frame_T, timeline_T);
}

bool hold_playback_for_picture(Playback& playback, const ShownMoment& moment, double dt_seconds) {
  if (!playback.playing || moment.answers_request) return false;
  const double speed = std::clamp(playback.steps_per_second, kMinPlaybackSpeed, kMaxPlaybackSpeed);
  playback.carry = std::min(playback.carry + speed * std::clamp(dt_seconds, 0.0, kMaxPlaybackStall),
                            speed * kMaxPlaybackStall);
  return true;
}

int advance_shown_playback(Playback& playback, const ShownMoment& moment, int T, double dt_seconds, bool down) {
  if (hold_playback_for_picture(playback, moment, dt_seconds)) return moment.requested;
  // The picture answers the request: the next step starts there (in the forward view that is the
  // picture's own t; a run view that keeps every k-th state shows the kept state nearest it, and
  // stepping from that state's t would never leave it).
  return down ? advance_playback_down(playback, moment.requested, T, dt_seconds)
              : advance_playback(playback, moment.requested, T, dt_seconds);
}

TimelineText timeline_text(const ShownMoment& moment, int T, bool playing) {
  const std::string of_T = " / " + std::to_string(T);
  const std::string shown = std::to_string(moment.t);
  if (playing || moment.t == moment.requested) return {moment.t, "t = %d" + of_T};
  if (moment.on_its_way()) return {moment.requested, "t = " + shown + " → %d" + of_T};
  return {moment.requested, "t = " + shown + " (cursor at %d)" + of_T};
}

}  // namespace diffuscope::gui
