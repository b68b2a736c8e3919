// The key table: every action listed once (scenes 1..9 once each), no two bindings on the same key
// and Ctrl state, readable one-line labels; which presses a frame yields; the overlay's groups.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gui/lecture/key_bindings.hpp"

namespace dg = diffuscope::gui;

namespace {

const std::vector<dg::KeyAction> kAllActions = {
    dg::KeyAction::ToggleHelp, dg::KeyAction::ToggleFullscreen, dg::KeyAction::TogglePresenter,
    dg::KeyAction::ToggleEquations, dg::KeyAction::NextScene, dg::KeyAction::PreviousScene,
    dg::KeyAction::GoToScene, dg::KeyAction::SaveScene, dg::KeyAction::OpenScene, dg::KeyAction::Export,
    dg::KeyAction::CloseOverlay, dg::KeyAction::PlayPause, dg::KeyAction::StepBack,
    dg::KeyAction::StepForward, dg::KeyAction::ToStart, dg::KeyAction::ToEnd};

const dg::KeyBinding* find(dg::KeyAction action, int scene = 0) {
  for (const dg::KeyBinding& b : dg::key_bindings())
    if (b.action == action && b.scene == scene) return &b;
  return nullptr;
}

bool one_line(const char* text) {
  if (!text || !*text) return false;
  const std::string s(text);
  return s.find('\n') == std::string::npos && s.find('\r') == std::string::npos && s.front() != ' ' &&
         s.back() != ' ';
}

// Presses of one frame in which exactly `down` went down.
std::vector<dg::KeyPress> press(std::set<int> down, dg::KeyModifiers modifiers = {}, bool text_input = false) {
  return dg::presses_from([down](int key) { return down.count(key) > 0; }, modifiers, text_input);
}

}  // namespace

TEST(KeyBindings, EveryActionButGoToSceneOnce) {
  for (dg::KeyAction action : kAllActions) {
    if (action == dg::KeyAction::GoToScene) continue;
    int count = 0;
    for (const dg::KeyBinding& b : dg::key_bindings()) count += b.action == action ? 1 : 0;
    EXPECT_EQ(count, 1) << "action #" << static_cast<int>(action);
  }
}

TEST(KeyBindings, ScenesOneToNineOnceEach) {
  std::map<int, int> scenes;
  for (const dg::KeyBinding& b : dg::key_bindings()) {
    if (b.action == dg::KeyAction::GoToScene) {
      ++scenes[b.scene];
      // The digit key of its scene, without Ctrl.
      EXPECT_EQ(b.key, '0' + b.scene) << "scene " << b.scene;
      EXPECT_FALSE(b.ctrl);
      EXPECT_EQ(std::string(b.key_label), std::to_string(b.scene));
    } else {
      EXPECT_EQ(b.scene, 0) << b.key_label;
    }
  }
  ASSERT_EQ(scenes.size(), 9u);
  for (int n = 1; n <= 9; ++n) EXPECT_EQ(scenes[n], 1) << "scene " << n;
}

TEST(KeyBindings, NoTwoShareKeyAndCtrl) {
  std::set<std::pair<int, bool>> seen;
  for (const dg::KeyBinding& b : dg::key_bindings()) {
    EXPECT_TRUE(seen.insert({b.key, b.ctrl}).second) << b.key_label << " is bound twice";
  }
}

TEST(KeyBindings, LabelsAndDescriptionsAreOneLine) {
  std::set<std::string> groups(dg::key_groups().begin(), dg::key_groups().end());
  for (const dg::KeyBinding& b : dg::key_bindings()) {
    EXPECT_TRUE(one_line(b.key_label)) << "label of action #" << static_cast<int>(b.action);
    EXPECT_TRUE(one_line(b.description)) << b.key_label;
    EXPECT_LE(std::string(b.description).size(), 90u) << b.key_label;
    ASSERT_NE(b.group, nullptr);
    EXPECT_EQ(groups.count(b.group), 1u) << b.key_label << " has an unknown group " << b.group;
  }
}

// The GLFW key codes, written out here (the values of GLFW 3.3's glfw3.h): a wrong code would be
// a key that silently does nothing.
TEST(KeyBindings, KeysAreTheDocumentedOnes) {
  struct Expected { dg::KeyAction action; int key; bool ctrl; };
  const Expected expected[] = {
      {dg::KeyAction::ToggleHelp, 290, false},     {dg::KeyAction::ToggleFullscreen, 300, false},
      {dg::KeyAction::TogglePresenter, 80, false}, {dg::KeyAction::ToggleEquations, 69, false},
      {dg::KeyAction::NextScene, 267, false},      {dg::KeyAction::PreviousScene, 266, false},
      {dg::KeyAction::SaveScene, 83, true},        {dg::KeyAction::OpenScene, 79, true},
      {dg::KeyAction::Export, 69, true},           {dg::KeyAction::CloseOverlay, 256, false},
      {dg::KeyAction::PlayPause, 32, false},       {dg::KeyAction::StepBack, 263, false},
      {dg::KeyAction::StepForward, 262, false},    {dg::KeyAction::ToStart, 268, false},
      {dg::KeyAction::ToEnd, 269, false}};
  for (const Expected& e : expected) {
    const dg::KeyBinding* b = find(e.action);
    ASSERT_NE(b, nullptr) << "action #" << static_cast<int>(e.action);
    EXPECT_EQ(b->key, e.key) << b->key_label;
    EXPECT_EQ(b->ctrl, e.ctrl) << b->key_label;
  }
  for (const dg::KeyBinding& b : dg::key_bindings()) {
    EXPECT_GE(b.key, 0);
    EXPECT_LT(b.key, dg::keys::kImGuiKeyCount) << b.key_label;
  }
}

// The timeline's keys stay in timeline_panel.cpp: listed, flagged, never dispatched here.
TEST(KeyBindings, TimelineKeysAreFlaggedAndGrouped) {
  const std::set<dg::KeyAction> timeline = {dg::KeyAction::PlayPause, dg::KeyAction::StepBack,
                                            dg::KeyAction::StepForward, dg::KeyAction::ToStart,
                                            dg::KeyAction::ToEnd};
  for (const dg::KeyBinding& b : dg::key_bindings()) {
    EXPECT_EQ(b.timeline, timeline.count(b.action) == 1) << b.key_label;
    EXPECT_EQ(std::string(b.group) == "Timeline", b.timeline) << b.key_label;
  }
}

TEST(KeyPresses, PlainKeys) {
  const auto p = press({290});
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].action, dg::KeyAction::ToggleHelp);
  EXPECT_EQ(p[0].scene, 0);

  const auto scene = press({'7'});
  ASSERT_EQ(scene.size(), 1u);
  EXPECT_EQ(scene[0].action, dg::KeyAction::GoToScene);
  EXPECT_EQ(scene[0].scene, 7);

  const auto clicker = press({267});
  ASSERT_EQ(clicker.size(), 1u);
  EXPECT_EQ(clicker[0].action, dg::KeyAction::NextScene);

  EXPECT_TRUE(press({}).empty());
  EXPECT_TRUE(press({'A'}).empty());   // unbound
}

TEST(KeyPresses, CtrlMustMatch) {
  // E alone: equations; Ctrl+E: export; never both.
  const auto e = press({'E'});
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].action, dg::KeyAction::ToggleEquations);
  const auto ctrl_e = press({'E'}, dg::KeyModifiers{true, false, false});
  ASSERT_EQ(ctrl_e.size(), 1u);
  EXPECT_EQ(ctrl_e[0].action, dg::KeyAction::Export);
  // S alone is not Save; Ctrl+1 is not scene 1.
  EXPECT_TRUE(press({'S'}).empty());
  EXPECT_TRUE(press({'1'}, dg::KeyModifiers{true, false, false}).empty());
  const auto save = press({'S'}, dg::KeyModifiers{true, false, false});
  ASSERT_EQ(save.size(), 1u);
  EXPECT_EQ(save[0].action, dg::KeyAction::SaveScene);
}

TEST(KeyPresses, NothingWhileTypingOrWithAltOrSuper) {
  EXPECT_TRUE(press({'P', 290, '3'}, {}, /*text_input=*/true).empty());
  EXPECT_TRUE(press({'P'}, dg::KeyModifiers{false, true, false}).empty());
  EXPECT_TRUE(press({'P'}, dg::KeyModifiers{false, false, true}).empty());
}

TEST(KeyPresses, TimelineKeysAreNotDispatched) {
  EXPECT_TRUE(press({32, 262, 263, 268, 269}).empty());
}

TEST(KeyPresses, SeveralInOneFrameInTableOrder) {
  const auto p = press({'2', 300});
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].action, dg::KeyAction::ToggleFullscreen);
  EXPECT_EQ(p[1].action, dg::KeyAction::GoToScene);
  EXPECT_EQ(p[1].scene, 2);
}

TEST(HelpGroups, FourGroupsInOrderCoveringEveryBinding) {
  const auto groups = dg::help_groups();
  ASSERT_EQ(groups.size(), 4u);
  EXPECT_EQ(groups[0].name, "Presenting");
  EXPECT_EQ(groups[1].name, "Scenes");
  EXPECT_EQ(groups[2].name, "Timeline");
  EXPECT_EQ(groups[3].name, "Files");
  std::set<std::string> shown;
  std::size_t rows = 0;
  for (const auto& g : groups) {
    EXPECT_FALSE(g.rows.empty()) << g.name;
    for (const auto& row : g.rows) {
      shown.insert(row.keys);
      EXPECT_TRUE(one_line(row.keys.c_str()));
      EXPECT_TRUE(one_line(row.description.c_str()));
    }
    rows += g.rows.size();
  }
  // The nine scene keys share one row; every other binding has its own.
  EXPECT_EQ(rows, dg::key_bindings().size() - 8);
  for (const dg::KeyBinding& b : dg::key_bindings()) {
    if (b.action == dg::KeyAction::GoToScene) continue;
    EXPECT_EQ(shown.count(b.key_label), 1u) << b.key_label;
  }
  EXPECT_EQ(shown.count("1 … 9"), 1u);
}

TEST(HelpGroups, HintNamesF1) {
  EXPECT_EQ(std::string(dg::help_hint()), "F1: keys");
}
