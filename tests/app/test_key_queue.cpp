// Every key press counts: presses queued from GLFW's key callback (KeyQueue::on_key) are handed
// out once per frame and each is carried out once, however many press+release pairs fell between
// two frames (a presentation clicker's taps). No window: the queue is fed as the callback would be.
#include <gtest/gtest.h>

#include <vector>

#include "gui/lecture/key_bindings.hpp"
#include "gui/lecture/key_queue.hpp"
#include "gui/state/app_state.hpp"

namespace dg = diffuscope::gui;

namespace {

// One tap, press and release, as GLFW's key callback reports it.
void tap(dg::KeyQueue& queue, int key, int mods = 0) {
  queue.on_key(key, dg::key_actions::kPress, mods);
  queue.on_key(key, dg::key_actions::kRelease, mods);
}

// One frame's presses, as gui_app's handle_keys reads them: take once, map through the key table.
std::vector<dg::KeyPress> frame(dg::KeyQueue& queue, bool text_input = false) {
  return dg::presses_from_events(queue.take_presses(), text_input);
}

int count(const std::vector<dg::KeyPress>& presses, dg::KeyAction action) {
  int n = 0;
  for (const dg::KeyPress& p : presses) n += p.action == action ? 1 : 0;
  return n;
}

// Carries out one frame's presses on the timeline; the others are counted, not carried out.
void carry_out(dg::AppState& state, const std::vector<dg::KeyPress>& presses) {
  for (const dg::KeyPress& p : presses) dg::apply_timeline_press(state, p);
}

}  // namespace

TEST(KeyQueue, TwentyTapsInOneFrameStepTwenty) {
  dg::KeyQueue queue;
  dg::AppState state;
  state.set_cursor(100);
  for (int i = 0; i < 20; ++i) tap(queue, dg::keys::kRight);
  EXPECT_EQ(queue.size(), 20u);  // releases are not queued
  carry_out(state, frame(queue));
  EXPECT_EQ(state.t, 120);
  EXPECT_EQ(queue.size(), 0u);
  carry_out(state, frame(queue));  // the next frame has none left: each press counted once
  EXPECT_EQ(state.t, 120);
  for (int i = 0; i < 5; ++i) tap(queue, dg::keys::kLeft);
  carry_out(state, frame(queue));
  EXPECT_EQ(state.t, 115);
}

TEST(KeyQueue, SpaceTapTogglesPlayOnce) {
  dg::KeyQueue queue;
  dg::AppState state;
  ASSERT_FALSE(state.playback.playing);
  tap(queue, dg::keys::kSpace);
  const std::vector<dg::KeyPress> presses = frame(queue);
  EXPECT_EQ(count(presses, dg::KeyAction::PlayPause), 1);
  carry_out(state, presses);
  EXPECT_TRUE(state.playback.playing);
  carry_out(state, frame(queue));
  EXPECT_TRUE(state.playback.playing);
  // Two taps in one frame: play, then pause.
  tap(queue, dg::keys::kSpace);
  tap(queue, dg::keys::kSpace);
  carry_out(state, frame(queue));
  EXPECT_TRUE(state.playback.playing);
}

TEST(KeyQueue, PageDownTapAsksForNextSceneOnce) {
  dg::KeyQueue queue;
  tap(queue, dg::keys::kPageDown);
  std::vector<dg::KeyPress> presses = frame(queue);
  ASSERT_EQ(presses.size(), 1u);
  EXPECT_EQ(presses[0].action, dg::KeyAction::NextScene);
  EXPECT_TRUE(frame(queue).empty());
  // Three clicker taps, forward, forward, back, within one frame: in order.
  tap(queue, dg::keys::kPageDown);
  tap(queue, dg::keys::kPageDown);
  tap(queue, dg::keys::kPageUp);
  presses = frame(queue);
  ASSERT_EQ(presses.size(), 3u);
  EXPECT_EQ(presses[0].action, dg::KeyAction::NextScene);
  EXPECT_EQ(presses[1].action, dg::KeyAction::NextScene);
  EXPECT_EQ(presses[2].action, dg::KeyAction::PreviousScene);
}

TEST(KeyQueue, RepeatsStepButNeverTurnScenes) {
  dg::KeyQueue queue;
  dg::AppState state;
  state.set_cursor(10);
  queue.on_key(dg::keys::kRight, dg::key_actions::kPress, 0);
  for (int i = 0; i < 4; ++i) queue.on_key(dg::keys::kRight, dg::key_actions::kRepeat, 0);
  queue.on_key(dg::keys::kRight, dg::key_actions::kRelease, 0);
  queue.on_key(dg::keys::kPageDown, dg::key_actions::kPress, 0);
  for (int i = 0; i < 4; ++i) queue.on_key(dg::keys::kPageDown, dg::key_actions::kRepeat, 0);
  queue.on_key(dg::keys::kSpace, dg::key_actions::kRepeat, 0);
  const std::vector<dg::KeyPress> presses = frame(queue);
  EXPECT_EQ(count(presses, dg::KeyAction::StepForward), 5);
  EXPECT_EQ(count(presses, dg::KeyAction::NextScene), 1);
  EXPECT_EQ(count(presses, dg::KeyAction::PlayPause), 0);
  carry_out(state, presses);
  EXPECT_EQ(state.t, 15);
}

TEST(KeyQueue, ModifiersAndTextInput) {
  dg::KeyQueue queue;
  tap(queue, dg::keys::kE);
  tap(queue, dg::keys::kE, dg::key_mods::kCtrl);
  tap(queue, dg::keys::kS, dg::key_mods::kCtrl | dg::key_mods::kShift);
  tap(queue, dg::keys::kPageDown, dg::key_mods::kAlt);   // the desktop's
  tap(queue, dg::keys::kRight, dg::key_mods::kSuper);    // the desktop's
  const std::vector<dg::KeyPress> presses = frame(queue);
  ASSERT_EQ(presses.size(), 3u);
  EXPECT_EQ(presses[0].action, dg::KeyAction::ToggleEquations);
  EXPECT_EQ(presses[1].action, dg::KeyAction::Export);
  EXPECT_EQ(presses[2].action, dg::KeyAction::SaveScene);
  // Typing into a field: the presses are taken (never handled later) but yield nothing.
  tap(queue, dg::keys::kSpace);
  tap(queue, dg::keys::kDigit1 + 2);
  EXPECT_TRUE(frame(queue, /*text_input=*/true).empty());
  EXPECT_TRUE(frame(queue).empty());
  tap(queue, dg::keys::kDigit1 + 2);
  const std::vector<dg::KeyPress> scene = frame(queue);
  ASSERT_EQ(scene.size(), 1u);
  EXPECT_EQ(scene[0].action, dg::KeyAction::GoToScene);
  EXPECT_EQ(scene[0].scene, 3);
}

TEST(KeyQueue, UnknownKeysAndFullQueue) {
  dg::KeyQueue queue;
  queue.on_key(-1, dg::key_actions::kPress, 0);  // GLFW_KEY_UNKNOWN
  EXPECT_EQ(queue.size(), 0u);
  // Never taken for a long while: bounded; key repeats give way before presses.
  queue.on_key(dg::keys::kPageDown, dg::key_actions::kPress, 0);
  for (std::size_t i = 0; i < 2 * dg::KeyQueue::kCapacity; ++i)
    queue.on_key(dg::keys::kRight, dg::key_actions::kRepeat, 0);
  EXPECT_EQ(queue.size(), dg::KeyQueue::kCapacity);
  const std::vector<dg::KeyEvent> events = queue.take_presses();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().key, dg::keys::kPageDown);
  EXPECT_FALSE(events.front().repeat);
}

TEST(KeyQueue, TimelineActionsAreTheTableTimelineKeys) {
  for (const dg::KeyBinding& b : dg::key_bindings()) {
    EXPECT_EQ(dg::is_timeline_action(b.action), b.timeline) << b.key_label;
    dg::AppState state;
    EXPECT_EQ(dg::apply_timeline_press(state, {b.action, b.scene}), b.timeline) << b.key_label;
  }
}

TEST(KeyQueue, HomeEndAndPlayAtTheEnd) {
  dg::KeyQueue queue;
  dg::AppState state;
  state.set_cursor(7);
  tap(queue, dg::keys::kEnd);
  carry_out(state, frame(queue));
  EXPECT_EQ(state.t, state.max_T());
  // Play at the end of a forward run restarts from t = 0.
  tap(queue, dg::keys::kSpace);
  carry_out(state, frame(queue));
  EXPECT_TRUE(state.playback.playing);
  EXPECT_EQ(state.t, 0);
  tap(queue, dg::keys::kEnd);
  tap(queue, dg::keys::kHome);
  carry_out(state, frame(queue));
  EXPECT_EQ(state.t, 0);
}
