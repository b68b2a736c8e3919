#include "gui/lecture/key_queue.hpp"

#include <algorithm>

// Only the codes are used, to check the copies in the header: no GL header, nothing to link.
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

namespace diffuscope::gui {

static_assert(key_mods::kShift == GLFW_MOD_SHIFT && key_mods::kCtrl == GLFW_MOD_CONTROL);
static_assert(key_mods::kAlt == GLFW_MOD_ALT && key_mods::kSuper == GLFW_MOD_SUPER);
static_assert(key_actions::kRelease == GLFW_RELEASE && key_actions::kPress == GLFW_PRESS &&
              key_actions::kRepeat == GLFW_REPEAT);

void KeyQueue::on_key(int key, int action, int mods) {
  if (key < 0) return;  // GLFW_KEY_UNKNOWN: no binding can name it
  if (action != key_actions::kPress && action != key_actions::kRepeat) return;
  push(KeyEvent{key, mods, action == key_actions::kRepeat});
}

void KeyQueue::push(const KeyEvent& event) {
  if (presses_.size() >= kCapacity) {
    // Full (nobody took the presses for a long while): a held key's repeats go first.
    auto it = std::find_if(presses_.begin(), presses_.end(), [](const KeyEvent& e) { return e.repeat; });
    presses_.erase(it != presses_.end() ? it : presses_.begin());
  }
  presses_.push_back(event);
}

std::vector<KeyEvent> KeyQueue::take_presses() {
  std::vector<KeyEvent> out;
  out.swap(presses_);
  return out;
}

bool is_timeline_action(KeyAction action) {
  switch (action) {
    case KeyAction::PlayPause:
    case KeyAction::StepBack:
    case KeyAction::StepForward:
    case KeyAction::ToStart:
    case KeyAction::ToEnd: return true;
    default: return false;
  }
}

namespace {
bool repeats(KeyAction action) { return action == KeyAction::StepBack || action == KeyAction::StepForward; }
}  // namespace

std::vector<KeyPress> presses_from_events(const std::vector<KeyEvent>& events, bool text_input) {
  std::vector<KeyPress> presses;
  if (text_input) return presses;  // typing into a field: the keys are the field's
  for (const KeyEvent& e : events) {
    const KeyModifiers modifiers{(e.mods & key_mods::kCtrl) != 0, (e.mods & key_mods::kAlt) != 0,
                                 (e.mods & key_mods::kSuper) != 0};
    if (modifiers.alt || modifiers.super) continue;  // a desktop shortcut
    for (const KeyBinding& b : key_bindings()) {
      if (b.key != e.key || b.ctrl != modifiers.ctrl) continue;
      if (e.repeat && !repeats(b.action)) continue;
      presses.push_back({b.action, b.scene});
    }
  }
  return presses;
}

void toggle_play(AppState& state) {
  // Forward plays 0 -> T, reverse T -> 0: play at the end restarts from the beginning.
  if (plays_down(state.view)) {
    if (!state.playback.playing && state.t <= 0) state.set_cursor(state.max_T());
  } else if (!state.playback.playing && state.t >= state.max_T()) {
    state.set_cursor(0);
  }
  state.playback.playing = !state.playback.playing;
  state.playback.carry = 0.0;
}

bool apply_timeline_press(AppState& state, const KeyPress& press) {
  switch (press.action) {
    case KeyAction::PlayPause: toggle_play(state); return true;
    case KeyAction::StepBack: state.set_cursor(state.t - 1); return true;
    case KeyAction::StepForward: state.set_cursor(state.t + 1); return true;
    case KeyAction::ToStart: state.set_cursor(0); return true;
    case KeyAction::ToEnd: state.set_cursor(state.max_T()); return true;
    default: return false;
  }
}

}  // namespace diffuscope::gui
