// FrameDamage over real ImGui draw data (a headless ImGui context: the font atlas is built on the
// CPU, no GL): two panels side by side, frames in which one, both or neither change.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "renderer/frame_damage.hpp"

using namespace renderer;

namespace {

struct Panels {
  std::string left_text = "left";
  std::string right_text = "right";
  float right_x = 400.0f;
  ImTextureID image = nullptr;   // drawn in the right panel when set
  bool popup = false;            // a third window on top of both
};

class FrameDamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    context_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(800, 600);
    io.DeltaTime = 1.0f / 60.0f;
    io.IniFilename = nullptr;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  }
  void TearDown() override { ImGui::DestroyContext(context_); }

  static void panel(const char* name, ImVec2 pos, const std::string& text, ImTextureID image) {
    ImGui::SetNextWindowPos(pos);
    ImGui::SetNextWindowSize(ImVec2(300, 500));
    ImGui::Begin(name, nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
    ImGui::TextUnformatted(text.c_str());
    if (image) ImGui::Image(image, ImVec2(100, 80));
    ImGui::End();
  }

  DamageRect frame(const Panels& p) {
    ImGui::NewFrame();
    panel("left", ImVec2(20, 30), p.left_text, nullptr);
    panel("right", ImVec2(p.right_x, 30), p.right_text, p.image);
    if (p.popup) {
      ImGui::SetNextWindowPos(ImVec2(250, 200));
      ImGui::SetNextWindowSize(ImVec2(200, 100));
      ImGui::Begin("on top", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
      ImGui::TextUnformatted("popup");
      ImGui::End();
    }
    ImGui::Render();
    return damage_.compute(*ImGui::GetDrawData());
  }

  // A few frames with the same content: ImGui settles window sizes and focus in its first frames.
  void settle(const Panels& p) {
    for (int i = 0; i < 3; ++i) frame(p);
  }

  ImGuiContext* context_ = nullptr;
  FrameDamage damage_;
};

bool contains(const DamageRect& outer, const DamageRect& inner) {
  return outer.x0 <= inner.x0 && outer.y0 <= inner.y0 && outer.x1 >= inner.x1 && outer.y1 >= inner.y1;
}

}  // namespace

TEST_F(FrameDamageTest, FirstFrameIsWholeDisplayThenNothingWhileUnchanged) {
  const Panels p;
  EXPECT_EQ(frame(p), (DamageRect{0, 0, 800, 600}));
  settle(p);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(frame(p).empty()) << i;
}

TEST_F(FrameDamageTest, OneChangedPanelDamagesOnlyItsRectangle) {
  Panels p;
  settle(p);
  p.right_text = "right, changed";
  const DamageRect d = frame(p);
  // The right window's rectangle (its border's anti-aliased fringe reaches half a pixel out), nothing
  // of the left one.
  EXPECT_TRUE(contains(d, DamageRect{400, 30, 700, 530}));
  EXPECT_TRUE(contains(DamageRect{399, 29, 701, 531}, d));
  EXPECT_TRUE(frame(p).empty());                   // drawn once per change
}

TEST_F(FrameDamageTest, AMovedPanelDamagesWhereItWasAndWhereItIs) {
  Panels p;
  settle(p);
  p.right_x = 450.0f;
  const DamageRect d = frame(p);
  EXPECT_TRUE(contains(d, DamageRect{400, 30, 750, 530}));
  EXPECT_TRUE(contains(DamageRect{399, 29, 751, 531}, d));
}

TEST_F(FrameDamageTest, ATextureWithNewPixelsDamagesTheCommandsThatSampleIt) {
  Panels p;
  p.image = reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(42));
  settle(p);
  note_texture_changed(reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(7)));   // not drawn
  EXPECT_TRUE(frame(p).empty());
  note_texture_changed(p.image);
  const DamageRect d = frame(p);
  EXPECT_FALSE(d.empty());
  EXPECT_TRUE(contains(DamageRect{400, 30, 700, 530}, d));   // inside the right panel only
  EXPECT_LE(d.area(), 100.0f * 80.0f + 1000.0f);             // about the image, not the panel
  EXPECT_TRUE(frame(p).empty());                             // the note is used once
}

TEST_F(FrameDamageTest, AWindowAppearingOrGoingAwayRedrawsEverything) {
  Panels p;
  settle(p);
  p.popup = true;
  EXPECT_EQ(frame(p), (DamageRect{0, 0, 800, 600}));
  EXPECT_TRUE(frame(p).empty());
  p.popup = false;
  EXPECT_EQ(frame(p), (DamageRect{0, 0, 800, 600}));
}

TEST_F(FrameDamageTest, InvalidateAndDisplayResizeRedrawEverything) {
  Panels p;
  settle(p);
  damage_.invalidate();
  EXPECT_EQ(frame(p), (DamageRect{0, 0, 800, 600}));
  ImGui::GetIO().DisplaySize = ImVec2(900, 600);
  EXPECT_EQ(frame(p), (DamageRect{0, 0, 900, 600}));
}

TEST_F(FrameDamageTest, DamageIsWidenedToWholePixels) {
  Panels p;
  settle(p);
  ImGui::GetIO().DisplaySize = ImVec2(800, 600);
  p.right_x = 400.5f;   // a window at a fractional position (ImGui rounds it, the test checks anyway)
  const DamageRect d = frame(p);
  EXPECT_EQ(d.x0, std::floor(d.x0));
  EXPECT_EQ(d.x1, std::ceil(d.x1));
  EXPECT_EQ(d.y0, std::floor(d.y0));
  EXPECT_EQ(d.y1, std::ceil(d.y1));
  EXPECT_LE(d.x0, 400.0f);
}

TEST_F(FrameDamageTest, ClipToDamageEmptiesCommandsOutsideAndCutsTheRest) {
  Panels p;
  settle(p);
  frame(p);
  ImDrawData* data = ImGui::GetDrawData();
  const DamageRect damage{420, 40, 500, 100};
  clip_draw_data_to(*data, damage);
  int inside = 0;
  for (int i = 0; i < data->CmdListsCount; ++i) {
    for (const ImDrawCmd& cmd : data->CmdLists[i]->CmdBuffer) {
      const bool empty = !(cmd.ClipRect.z > cmd.ClipRect.x && cmd.ClipRect.w > cmd.ClipRect.y);
      if (empty) continue;
      ++inside;
      EXPECT_TRUE(contains(damage, DamageRect{cmd.ClipRect.x, cmd.ClipRect.y, cmd.ClipRect.z, cmd.ClipRect.w}));
    }
  }
  EXPECT_GE(inside, 1);   // the right panel's commands, cut to the damage
}
