#pragma once
// Render on demand: whether the window needs another frame now, or may sleep until an event (a
// key, the pointer, a resize, the worker's new frame) or a deadline. Plain values, no GLFW/ImGui.
//
// Usage (UI thread, after each frame):
//   RedrawInputs in; in.playing = ...; in.frames_since_event = ...;
//   const RedrawDecision d = decide_redraw(in);
//   if (!d.render_now) window.wait_events(d.wait_seconds);   // then count the wake-up as an event
namespace diffuscope::gui {

// Frames run after an event before the loop sleeps again: Dear ImGui needs two to settle hover
// and layout; a third covers what a frame asks for the next (menu actions, a submitted job).
inline constexpr int kSettleFrames = 3;
// The longest sleep without an event: a safety net for a wake-up that never came (every wake-up
// has an event: input, glfwPostEmptyEvent from the worker, a banner's deadline), long enough that
// a still window builds no frames for a whole slide.
inline constexpr double kMaxWaitSeconds = 30.0;

struct RedrawInputs {
  bool headless = false;              // screenshot, export, bench or soak: frames drive it
  bool playing = false;               // the timeline plays
  bool worker_busy = false;           // a forward job or its x̂_0 still to come
  bool run_streaming = false;         // a reverse, images or training run is computing
  bool work_pending = false;          // a frame asked the next for something (load a scene, ...)
  int frames_since_event = 0;         // frames run since the last input or worker frame (0: this one)
  double next_notification_seconds = -1.0;  // the soonest banner's time left; < 0: none shown
};

struct RedrawDecision {
  bool render_now = true;
  double wait_seconds = 0.0;          // when !render_now: the longest sleep before the next frame
};

RedrawDecision decide_redraw(const RedrawInputs& in);

}  // namespace diffuscope::gui
