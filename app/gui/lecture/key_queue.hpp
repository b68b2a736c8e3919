#pragma once
// Every key press since the last frame, in order. Dear ImGui 1.86 has no input queue: it keeps
// one "down" flag per key, so a tap whose press and release both fall between two frames (what a
// presentation clicker sends) never shows as pressed. The window's GLFW key callback pushes each
// press (and key repeat) here; the frame takes them once (take_presses) and handles each once.
// Plain values: no GL, no ImGui, no GLFW (the codes are GLFW's, checked in key_queue.cpp).
#include <cstddef>
#include <vector>

#include "gui/lecture/key_bindings.hpp"
#include "gui/state/app_state.hpp"

namespace diffuscope::gui {

// GLFW's modifier bits (GLFW_MOD_*) and key actions (GLFW_RELEASE/PRESS/REPEAT).
namespace key_mods {
inline constexpr int kShift = 0x1;
inline constexpr int kCtrl = 0x2;
inline constexpr int kAlt = 0x4;
inline constexpr int kSuper = 0x8;
}  // namespace key_mods
namespace key_actions {
inline constexpr int kRelease = 0;
inline constexpr int kPress = 1;
inline constexpr int kRepeat = 2;
}  // namespace key_actions

// One press: the GLFW key code, the modifiers held (key_mods bits), and whether it is the key
// repeat of a held key rather than a new press.
struct KeyEvent {
  int key = 0;
  int mods = 0;
  bool repeat = false;
};

class KeyQueue {
 public:
  // At most this many presses wait (a stalled frame under a held key must not grow without end);
  // beyond it the oldest key repeats, then the oldest presses, give way.
  static constexpr std::size_t kCapacity = 256;

  // A GLFW key event (key, action, mods as the key callback gets them): presses and repeats are
  // kept, releases and unknown keys (GLFW_KEY_UNKNOWN = -1) are not.
  void on_key(int key, int action, int mods);
  void push(const KeyEvent& event);

  // The presses since the last call, oldest first; the queue is empty afterwards.
  std::vector<KeyEvent> take_presses();
  std::size_t size() const { return presses_.size(); }

 private:
  std::vector<KeyEvent> presses_;
};

// The presses of these events for the bindings of the key table (key_bindings()), in order,
// timeline keys included. Nothing while a text field takes input (the keys are being typed). Ctrl
// must match the binding exactly and Alt/Super combinations are the desktop's (as presses_from).
// Key repeats count only for the keys that step (←/→: StepBack/StepForward); holding PageDown
// must not run through the scenes.
std::vector<KeyPress> presses_from_events(const std::vector<KeyEvent>& events, bool text_input);

// Whether `action` is one of the timeline's (KeyBinding::timeline: Space, ←, →, Home, End).
bool is_timeline_action(KeyAction action);

// Toggles playing; pressing play at the end (not looping) restarts from t = 0 (reverse view:
// from t = T, since it plays T -> 0).
void toggle_play(AppState& state);

// Carries out a timeline press (PlayPause: toggle_play; StepBack/StepForward: t -/+ 1; ToStart:
// t = 0; ToEnd: t = T). False (and nothing done) for any other action.
bool apply_timeline_press(AppState& state, const KeyPress& press);

}  // namespace diffuscope::gui
