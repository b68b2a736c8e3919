// Export planning: timesteps of an animation, PNG sequence names, GIF delays, validation of the
// export settings and the progress state machine. Expected values are written out or computed
// here with floating point (the code under test uses integer arithmetic).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "gui/lecture/export_plan.hpp"

namespace dg = diffuscope::gui;

namespace {

std::vector<int> reversed(std::vector<int> values) { return std::vector<int>(values.rbegin(), values.rend()); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A fresh folder for the validation tests, removed afterwards.
class ExportValidation : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/diffuscope_export_plan_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    folder_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf '" + folder_ + "'").c_str()); }

  dg::ExportSettings settings(dg::ExportKind kind, const std::string& name) const {
    dg::ExportSettings s;
    s.kind = kind;
    s.path = folder_ + "/" + name;
    s.width = 1280;
    s.height = 720;
    return s;
  }

  std::string folder_;
};

}  // namespace

TEST(ExportTimesteps, Down1000In60FramesIsRoundedEvenSpacing) {
  const std::vector<int> down = dg::export_timesteps(1000, 60, dg::ExportDirection::Down);
  ASSERT_EQ(down.size(), 60u);
  for (int k = 0; k < 60; ++k) {
    EXPECT_EQ(down[static_cast<std::size_t>(k)], std::lround(1000.0 * (59 - k) / 59.0)) << "k = " << k;
  }
  // A few by hand: 1000·58/59 = 983.05, 1000·29/59 = 491.53, 1000/59 = 16.95.
  EXPECT_EQ(down.front(), 1000);
  EXPECT_EQ(down[1], 983);
  EXPECT_EQ(down[30], 492);
  EXPECT_EQ(down[58], 17);
  EXPECT_EQ(down.back(), 0);
}

TEST(ExportTimesteps, UpIsDownReversed) {
  const std::vector<int> up = dg::export_timesteps(1000, 60, dg::ExportDirection::Up);
  ASSERT_EQ(up.size(), 60u);
  EXPECT_EQ(up.front(), 0);
  EXPECT_EQ(up[1], 17);
  EXPECT_EQ(up.back(), 1000);
  EXPECT_EQ(up, reversed(dg::export_timesteps(1000, 60, dg::ExportDirection::Down)));
}

TEST(ExportTimesteps, FramesClampTo2AndTPlus1) {
  EXPECT_EQ(dg::export_timesteps(10, 100, dg::ExportDirection::Down),
            (std::vector<int>{10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(dg::export_timesteps(10, 11, dg::ExportDirection::Up),
            (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(dg::export_timesteps(1000, 1, dg::ExportDirection::Down), (std::vector<int>{1000, 0}));
  EXPECT_EQ(dg::export_timesteps(1000, 0, dg::ExportDirection::Up), (std::vector<int>{0, 1000}));
  EXPECT_EQ(dg::export_timesteps(1000, -7, dg::ExportDirection::Down), (std::vector<int>{1000, 0}));
  EXPECT_EQ(dg::export_timesteps(1, 60, dg::ExportDirection::Down), (std::vector<int>{1, 0}));
  EXPECT_EQ(dg::export_timesteps(0, 60, dg::ExportDirection::Down), (std::vector<int>{0}));
  // 3·1/2 = 1.5 rounds up.
  EXPECT_EQ(dg::export_timesteps(3, 3, dg::ExportDirection::Down), (std::vector<int>{3, 2, 0}));
}

TEST(ExportTimesteps, AlwaysDistinctMonotoneFromTTo0) {
  for (int T : {1, 2, 7, 50, 999, 1000, 4000}) {
    for (int frames : {2, 3, 17, 60, 250, 1001, 5000}) {
      const std::vector<int> down = dg::export_timesteps(T, frames, dg::ExportDirection::Down);
      const std::size_t expected = static_cast<std::size_t>(std::min(frames, T + 1));
      ASSERT_EQ(down.size(), expected) << "T = " << T << ", frames = " << frames;
      EXPECT_EQ(down.front(), T);
      EXPECT_EQ(down.back(), 0);
      for (std::size_t i = 1; i < down.size(); ++i) {
        ASSERT_LT(down[i], down[i - 1]) << "T = " << T << ", frames = " << frames << ", i = " << i;
      }
    }
  }
}

TEST(ExportSequenceNames, NumberedFromOneZeroPadded) {
  EXPECT_EQ(dg::sequence_frame_path("out.png", 0, 60), "out_0001.png");
  EXPECT_EQ(dg::sequence_frame_path("out.png", 59, 60), "out_0060.png");
  EXPECT_EQ(dg::sequence_frame_path("/tmp/frames/out.png", 9, 9999), "/tmp/frames/out_0010.png");
  EXPECT_EQ(dg::sequence_frame_path("out.png", 0, 10000), "out_00001.png");
  EXPECT_EQ(dg::sequence_frame_path("out.png", 12344, 12345), "out_12345.png");
}

TEST(ExportSequenceNames, DotsInFoldersAndHiddenNamesAreNotExtensions) {
  EXPECT_EQ(dg::sequence_frame_path("/tmp/a.b/frame", 2, 10), "/tmp/a.b/frame_0003");
  EXPECT_EQ(dg::sequence_frame_path("dir/.hidden", 0, 2), "dir/.hidden_0001");
  EXPECT_EQ(dg::sequence_frame_path("shot.final.png", 0, 2), "shot.final_0001.png");
}

TEST(ExportGifDelay, RoundsToCentisecondsAtLeastTwo) {
  EXPECT_EQ(dg::gif_delay_centiseconds(4.0, 60), 7);    // 6.67 cs
  EXPECT_EQ(dg::gif_delay_centiseconds(3.0, 40), 8);    // 7.5 cs rounds up
  EXPECT_EQ(dg::gif_delay_centiseconds(3.0, 41), 7);    // 7.32 cs
  EXPECT_EQ(dg::gif_delay_centiseconds(10.0, 4), 250);
  EXPECT_EQ(dg::gif_delay_centiseconds(1.0, 100), 2);   // 1 cs: browsers would show 10
  EXPECT_EQ(dg::gif_delay_centiseconds(0.5, 100), 2);   // 0.5 cs
  EXPECT_EQ(dg::gif_delay_centiseconds(0.0, 10), 2);
  EXPECT_EQ(dg::gif_delay_centiseconds(-3.0, 10), 2);
  EXPECT_EQ(dg::gif_delay_centiseconds(std::numeric_limits<double>::quiet_NaN(), 10), 2);
  EXPECT_EQ(dg::gif_delay_centiseconds(4.0, 0), 2);
  EXPECT_EQ(dg::gif_delay_centiseconds(1.0e6, 2), 65535);  // 16-bit field
}

TEST_F(ExportValidation, AcceptsEveryKindWithMatchingExtension) {
  EXPECT_EQ(dg::validate_export(settings(dg::ExportKind::WindowPng, "window.png")), "");
  EXPECT_EQ(dg::validate_export(settings(dg::ExportKind::ViewPng, "view.PNG")), "");
  EXPECT_EQ(dg::validate_export(settings(dg::ExportKind::Gif, "anim.gif")), "");
  EXPECT_EQ(dg::validate_export(settings(dg::ExportKind::PngSequence, "seq.png")), "");
}

TEST_F(ExportValidation, ExtensionMustMatchKind) {
  const std::string gif_as_png = dg::validate_export(settings(dg::ExportKind::WindowPng, "window.gif"));
  EXPECT_TRUE(contains(gif_as_png, ".png")) << gif_as_png;
  EXPECT_TRUE(contains(gif_as_png, "extension")) << gif_as_png;
  const std::string png_as_gif = dg::validate_export(settings(dg::ExportKind::Gif, "anim.png"));
  EXPECT_TRUE(contains(png_as_gif, ".gif")) << png_as_gif;
  const std::string none = dg::validate_export(settings(dg::ExportKind::PngSequence, "frames"));
  EXPECT_TRUE(contains(none, "it has none")) << none;
}

TEST_F(ExportValidation, PathProblemsAreNamed) {
  dg::ExportSettings empty = settings(dg::ExportKind::Gif, "x.gif");
  empty.path.clear();
  EXPECT_TRUE(contains(dg::validate_export(empty), "export path")) << dg::validate_export(empty);

  const std::string missing = dg::validate_export(settings(dg::ExportKind::Gif, "no_such_folder/anim.gif"));
  EXPECT_TRUE(contains(missing, "folder")) << missing;
  EXPECT_TRUE(contains(missing, "does not exist")) << missing;
  EXPECT_TRUE(contains(missing, "no_such_folder")) << missing;

  ASSERT_EQ(::mkdir((folder_ + "/already.png").c_str(), 0755), 0);
  const std::string is_folder = dg::validate_export(settings(dg::ExportKind::WindowPng, "already.png"));
  EXPECT_TRUE(contains(is_folder, "is a folder")) << is_folder;
}

TEST_F(ExportValidation, ReadOnlyFolderIsReported) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may write anywhere";
  ASSERT_EQ(::mkdir((folder_ + "/locked").c_str(), 0555), 0);
  const std::string message = dg::validate_export(settings(dg::ExportKind::Gif, "locked/anim.gif"));
  EXPECT_TRUE(contains(message, "not writable")) << message;
}

TEST_F(ExportValidation, SizeLimits) {
  dg::ExportSettings s = settings(dg::ExportKind::WindowPng, "w.png");
  s.width = 64;
  s.height = 64;
  EXPECT_EQ(dg::validate_export(s), "");
  s.width = 7680;
  s.height = 4320;
  EXPECT_EQ(dg::validate_export(s), "");
  s.width = 63;
  EXPECT_EQ(dg::validate_export(s), "export width 63 is outside 64..7680");
  s.width = 7681;
  EXPECT_EQ(dg::validate_export(s), "export width 7681 is outside 64..7680");
  s.width = 1920;
  s.height = 63;
  EXPECT_EQ(dg::validate_export(s), "export height 63 is outside 64..4320");
  s.height = 4321;
  EXPECT_EQ(dg::validate_export(s), "export height 4321 is outside 64..4320");
}

TEST_F(ExportValidation, AnimationParameters) {
  dg::ExportSettings gif = settings(dg::ExportKind::Gif, "a.gif");
  gif.frames = 1;
  EXPECT_EQ(dg::validate_export(gif), "export frames 1 is outside 2..10000");
  gif.frames = 60;
  gif.seconds = 0.0;
  EXPECT_TRUE(contains(dg::validate_export(gif), "export seconds")) << dg::validate_export(gif);
  gif.seconds = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(contains(dg::validate_export(gif), "export seconds")) << dg::validate_export(gif);
  gif.seconds = 4.0;
  gif.gif_scale = 0.0f;
  EXPECT_TRUE(contains(dg::validate_export(gif), "GIF scale")) << dg::validate_export(gif);
  gif.gif_scale = 1.5f;
  EXPECT_TRUE(contains(dg::validate_export(gif), "GIF scale")) << dg::validate_export(gif);
  gif.gif_scale = 0.5f;
  EXPECT_EQ(dg::validate_export(gif), "");

  dg::ExportSettings sequence = settings(dg::ExportKind::PngSequence, "s.png");
  sequence.frames = 10001;
  EXPECT_EQ(dg::validate_export(sequence), "export frames 10001 is outside 2..10000");
  sequence.seconds = -1.0;  // not used by a PNG sequence
  sequence.frames = 10000;
  EXPECT_EQ(dg::validate_export(sequence), "");

  dg::ExportSettings view = settings(dg::ExportKind::ViewPng, "v.png");
  view.view = -1;
  EXPECT_EQ(dg::validate_export(view), "export view -1 is negative");
}

TEST(ExportProgressMachine, StepsThroughEveryTimestep) {
  dg::ExportProgress progress({1000, 500, 0});
  EXPECT_EQ(progress.count(), 3);
  EXPECT_FALSE(progress.done());
  EXPECT_EQ(progress.index(), 0);
  EXPECT_EQ(progress.next_t(), 1000);
  EXPECT_FLOAT_EQ(progress.fraction(), 0.0f);
  progress.frame_written();
  EXPECT_EQ(progress.next_t(), 500);
  EXPECT_FLOAT_EQ(progress.fraction(), 1.0f / 3.0f);
  progress.frame_written();
  EXPECT_EQ(progress.next_t(), 0);
  EXPECT_EQ(progress.index(), 2);
  progress.frame_written();
  EXPECT_TRUE(progress.done());
  EXPECT_FALSE(progress.cancelled());
  EXPECT_EQ(progress.next_t(), -1);
  EXPECT_FLOAT_EQ(progress.fraction(), 1.0f);
  progress.frame_written();  // ignored
  EXPECT_EQ(progress.index(), 3);
  progress.cancel();  // too late: everything was written
  EXPECT_FALSE(progress.cancelled());
}

TEST(ExportProgressMachine, CancelStopsCapture) {
  dg::ExportProgress progress(dg::export_timesteps(1000, 60, dg::ExportDirection::Down));
  progress.frame_written();
  progress.cancel();
  EXPECT_TRUE(progress.cancelled());
  EXPECT_TRUE(progress.done());
  EXPECT_EQ(progress.next_t(), -1);
  progress.frame_written();  // ignored after cancel
  EXPECT_EQ(progress.index(), 1);
  EXPECT_FLOAT_EQ(progress.fraction(), 1.0f / 60.0f);
}

TEST(ExportProgressMachine, EmptyPlanIsDone) {
  dg::ExportProgress progress({});
  EXPECT_TRUE(progress.done());
  EXPECT_FALSE(progress.cancelled());
  EXPECT_EQ(progress.next_t(), -1);
  EXPECT_EQ(progress.count(), 0);
  EXPECT_FLOAT_EQ(progress.fraction(), 1.0f);
}
