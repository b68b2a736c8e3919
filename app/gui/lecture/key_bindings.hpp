#pragma once
// The single list of the app's keyboard shortcuts: what each key does, its label and its group in
// the F1 overlay. Plain data (no ImGui, no GLFW) so the list is unit-tested; the keys are GLFW key
// codes as plain ints, because Debian's ImGui 1.86 GLFW backend fills io.KeysDown[] by GLFW key
// code (it has no ImGuiKey_F1 and the like).
#include <functional>
#include <string>
#include <vector>

namespace diffuscope::gui {

// GLFW key codes (checked against <GLFW/glfw3.h> in key_bindings.cpp).
namespace keys {
inline constexpr int kSpace = 32;
inline constexpr int kDigit1 = 49;   // '1' .. '9' are 49 .. 57
inline constexpr int kE = 69;
inline constexpr int kO = 79;
inline constexpr int kP = 80;
inline constexpr int kS = 83;
inline constexpr int kEscape = 256;
inline constexpr int kRight = 262;
inline constexpr int kLeft = 263;
inline constexpr int kPageUp = 266;
inline constexpr int kPageDown = 267;
inline constexpr int kHome = 268;
inline constexpr int kEnd = 269;
inline constexpr int kF1 = 290;
inline constexpr int kF11 = 300;
// ImGui 1.86 keeps 512 key states (io.KeysDown); every bound key must index into it.
inline constexpr int kImGuiKeyCount = 512;
}  // namespace keys

enum class KeyAction {
  ToggleHelp, ToggleFullscreen, TogglePresenter, ToggleEquations, NextScene, PreviousScene,
  GoToScene /* KeyBinding::scene = 1..9 */, SaveScene, OpenScene, Export, CloseOverlay,
  PlayPause, StepBack, StepForward, ToStart, ToEnd
};

struct KeyBinding {
  KeyAction action;
  int key;                  // GLFW key code
  bool ctrl;                // true: only with Ctrl held; false: only without
  int scene;                // GoToScene: 1..9; else 0
  const char* key_label;    // as shown in the overlay: "F1", "Ctrl+S", "←"
  const char* description;  // one line, what the key does
  const char* group;        // "Presenting", "Scenes", "Timeline" or "Files"
  bool timeline;            // a timeline key (apply_timeline_press in key_queue.hpp)
};

// Every shortcut, in the order the overlay lists them.
const std::vector<KeyBinding>& key_bindings();

// The overlay's groups, in order.
const std::vector<const char*>& key_groups();

struct KeyPress {
  KeyAction action;
  int scene;   // GoToScene: 1..9; else 0
};

// Modifier state of this frame.
struct KeyModifiers {
  bool ctrl = false;
  bool alt = false;     // any Alt or Super combination belongs to the desktop, never to the app
  bool super = false;
};

// The presses of this frame for the non-timeline bindings, given which keys went down this frame
// (`went_down(key)`, no key repeat). Nothing while a text field takes input (the keys are being
// typed). Ctrl must match the binding exactly, so E and Ctrl+E never both fire.
std::vector<KeyPress> presses_from(const std::function<bool(int key)>& went_down, KeyModifiers modifiers,
                                   bool text_input);

// The app reads presses from GLFW's key callback, not by polling ImGui (a tap between two frames
// would be lost): see key_queue.hpp (KeyQueue, presses_from_events).

// The overlay's rows: consecutive scene keys 1..9 share one row ("1 … 9").
struct HelpRow {
  std::string keys;
  std::string description;
};
struct HelpGroup {
  std::string name;
  std::vector<HelpRow> rows;
};
std::vector<HelpGroup> help_groups();

// The one-line hint shown in the window: "F1: keys".
const char* help_hint();

}  // namespace diffuscope::gui
