#include "gui/lecture/key_bindings.hpp"

// Only the key codes are used, to check the copies above: no GL header, nothing to link.
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

namespace diffuscope::gui {

static_assert(keys::kSpace == GLFW_KEY_SPACE);
static_assert(keys::kDigit1 == GLFW_KEY_1 && keys::kDigit1 + 8 == GLFW_KEY_9);
static_assert(keys::kE == GLFW_KEY_E);
static_assert(keys::kO == GLFW_KEY_O);
static_assert(keys::kP == GLFW_KEY_P);
static_assert(keys::kS == GLFW_KEY_S);
static_assert(keys::kEscape == GLFW_KEY_ESCAPE);
static_assert(keys::kRight == GLFW_KEY_RIGHT);
static_assert(keys::kLeft == GLFW_KEY_LEFT);
static_assert(keys::kPageUp == GLFW_KEY_PAGE_UP);
static_assert(keys::kPageDown == GLFW_KEY_PAGE_DOWN);
static_assert(keys::kHome == GLFW_KEY_HOME);
static_assert(keys::kEnd == GLFW_KEY_END);
static_assert(keys::kF1 == GLFW_KEY_F1);
static_assert(keys::kF11 == GLFW_KEY_F11);
static_assert(GLFW_KEY_LAST < keys::kImGuiKeyCount);

namespace {

constexpr const char* kPresenting = "Presenting";
constexpr const char* kScenes = "Scenes";
constexpr const char* kTimeline = "Timeline";
constexpr const char* kFiles = "Files";

std::vector<KeyBinding> make_bindings() {
  std::vector<KeyBinding> b = {
      {KeyAction::ToggleHelp, keys::kF1, false, 0, "F1", "Show or hide this list of keys", kPresenting, false},
      {KeyAction::CloseOverlay, keys::kEscape, false, 0, "Esc", "Close this list or a dialog", kPresenting,
       false},
      {KeyAction::ToggleFullscreen, keys::kF11, false, 0, "F11", "Full screen on / off", kPresenting, false},
      {KeyAction::TogglePresenter, keys::kP, false, 0, "P",
       "Presenter mode: only the views, the timeline and a readout", kPresenting, false},
      {KeyAction::ToggleEquations, keys::kE, false, 0, "E", "Show or hide the equations", kPresenting, false},
  };
  // 1..9: the scene list's order (stable storage for the labels and descriptions).
  static const char* const kDigitLabels[9] = {"1", "2", "3", "4", "5", "6", "7", "8", "9"};
  static const char* const kSceneDescriptions[9] = {
      "Go to scene 1", "Go to scene 2", "Go to scene 3", "Go to scene 4", "Go to scene 5",
      "Go to scene 6", "Go to scene 7", "Go to scene 8", "Go to scene 9"};
  for (int n = 1; n <= 9; ++n) {
    b.push_back({KeyAction::GoToScene, keys::kDigit1 + n - 1, false, n, kDigitLabels[n - 1],
                 kSceneDescriptions[n - 1], kScenes, false});
  }
  const std::vector<KeyBinding> rest = {
      {KeyAction::NextScene, keys::kPageDown, false, 0, "PageDown", "Next scene (clicker: forward)",
       kScenes, false},
      {KeyAction::PreviousScene, keys::kPageUp, false, 0, "PageUp", "Previous scene (clicker: back)", kScenes,
       false},
      {KeyAction::PlayPause, keys::kSpace, false, 0, "Space", "Play / pause", kTimeline, true},
      {KeyAction::StepBack, keys::kLeft, false, 0, "←", "Step back (hold to repeat)", kTimeline, true},
      {KeyAction::StepForward, keys::kRight, false, 0, "→", "Step forward (hold to repeat)", kTimeline, true},
      {KeyAction::ToStart, keys::kHome, false, 0, "Home", "Go to t = 0", kTimeline, true},
      {KeyAction::ToEnd, keys::kEnd, false, 0, "End", "Go to t = T", kTimeline, true},
      {KeyAction::SaveScene, keys::kS, true, 0, "Ctrl+S", "Save the state as a scene file", kFiles, false},
      {KeyAction::OpenScene, keys::kO, true, 0, "Ctrl+O", "Open a scene file", kFiles, false},
      {KeyAction::Export, keys::kE, true, 0, "Ctrl+E", "Export a PNG, a GIF or PNG frames", kFiles,
       false},
  };
  b.insert(b.end(), rest.begin(), rest.end());
  return b;
}

}  // namespace

const std::vector<KeyBinding>& key_bindings() {
  static const std::vector<KeyBinding> bindings = make_bindings();
  return bindings;
}

const std::vector<const char*>& key_groups() {
  static const std::vector<const char*> groups = {kPresenting, kScenes, kTimeline, kFiles};
  return groups;
}

std::vector<KeyPress> presses_from(const std::function<bool(int key)>& went_down, KeyModifiers modifiers,
                                   bool text_input) {
  std::vector<KeyPress> presses;
  // Typing into a field, or a desktop shortcut (Alt+…, Super+…): the keys are not ours.
  if (text_input || modifiers.alt || modifiers.super || !went_down) return presses;
  for (const KeyBinding& b : key_bindings()) {
    if (b.timeline || b.ctrl != modifiers.ctrl) continue;
    if (went_down(b.key)) presses.push_back({b.action, b.scene});
  }
  return presses;
}

std::vector<HelpGroup> help_groups() {
  std::vector<HelpGroup> groups;
  for (const char* name : key_groups()) {
    HelpGroup group{name, {}};
    int first_scene = 0, last_scene = 0;
    auto flush_scenes = [&] {
      if (first_scene == 0) return;
      if (first_scene == last_scene) {
        group.rows.push_back({std::to_string(first_scene), "Go to scene " + std::to_string(first_scene)});
      } else {
        const std::string range = std::to_string(first_scene) + " … " + std::to_string(last_scene);
        group.rows.push_back({range, "Go to scene " + range + " of the scene list"});
      }
      first_scene = last_scene = 0;
    };
    for (const KeyBinding& b : key_bindings()) {
      if (std::string(b.group) != name) continue;
      if (b.action == KeyAction::GoToScene) {
        if (first_scene != 0 && b.scene == last_scene + 1) {
          last_scene = b.scene;
          continue;
        }
        flush_scenes();
        first_scene = last_scene = b.scene;
        continue;
      }
      flush_scenes();
      group.rows.push_back({b.key_label, b.description});
    }
    flush_scenes();
    groups.push_back(std::move(group));
  }
  return groups;
}

const char* help_hint() { return "F1: keys"; }

}  // namespace diffuscope::gui
