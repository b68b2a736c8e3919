// The real `diffuscope gui --screenshot` under Xvfb: the PNG has the requested size and real
// content (many colours, not one), with and without Compare, with a bad --image (the app
// shows the error in the window and still writes the screenshot), and in the reverse view.
#include <gtest/gtest.h>

#include <stb/stb_image.h>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <unistd.h>

#ifndef DIFFUSCOPE_EXE
#error "DIFFUSCOPE_EXE must name the diffuscope binary"
#endif

namespace {

struct Png {
  int width = 0, height = 0;
  std::set<unsigned> colours;  // distinct RGB values (capped)
};

Png read_png(const std::string& path) {
  Png png;
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &png.width, &png.height, &channels, 3);
  if (!data) return png;
  for (int i = 0; i < png.width * png.height && png.colours.size() < 5000; i += 7) {
    png.colours.insert(data[3 * i] | (data[3 * i + 1] << 8) | (data[3 * i + 2] << 16));
  }
  stbi_image_free(data);
  return png;
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "diffuscope_" + std::to_string(::getpid()) + "_" + name;
}

int run(const std::string& args) {
  const std::string command = std::string(DIFFUSCOPE_EXE) + " gui " + args;
  return std::system(command.c_str());
}

}  // namespace

TEST(Screenshot, DefaultViewHasTheRequestedSizeAndContent) {
  const std::string path = temp_path("default.png");
  std::remove(path.c_str());
  ASSERT_EQ(run("--screenshot " + path + " --size 800x500 --frames 3 --device cpu"), 0);
  const Png png = read_png(path);
  EXPECT_EQ(png.width, 800);
  EXPECT_EQ(png.height, 500);
  // Text, curves, coloured points and an image: far more than a handful of colours.
  EXPECT_GT(png.colours.size(), 50u);
  std::remove(path.c_str());
}

TEST(Screenshot, CompareLightThemeAtAnotherSize) {
  const std::string path = temp_path("compare.png");
  std::remove(path.c_str());
  ASSERT_EQ(run("--screenshot " + path + " --size 1024x640 --frames 2 --compare --theme light "
                "--ui-scale 1.0 --device cpu"),
            0);
  const Png png = read_png(path);
  EXPECT_EQ(png.width, 1024);
  EXPECT_EQ(png.height, 640);
  EXPECT_GT(png.colours.size(), 50u);
  std::remove(path.c_str());
}

TEST(Screenshot, MarkovAndNaiveProcessesAtAChosenT) {
  for (const std::string process : {"markov", "naive"}) {
    const std::string path = temp_path(process + ".png");
    std::remove(path.c_str());
    const std::string t = process == "markov" ? " --t 500" : "";
    ASSERT_EQ(run("--screenshot " + path + " --size 900x560 --frames 2 --device cpu --process " + process + t), 0)
        << process;
    const Png png = read_png(path);
    EXPECT_EQ(png.width, 900) << process;
    EXPECT_EQ(png.height, 560) << process;
    EXPECT_GT(png.colours.size(), 50u) << process;
    std::remove(path.c_str());
  }
}

TEST(Screenshot, UnreadableImageIsReportedNotFatal) {
  const std::string bad = temp_path("not_an_image.png");
  {
    FILE* f = std::fopen(bad.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("this is not a PNG", f);
    std::fclose(f);
  }
  const std::string path = temp_path("bad_image.png");
  std::remove(path.c_str());
  EXPECT_EQ(run("--screenshot " + path + " --size 640x400 --frames 2 --device cpu --image " + bad), 0);
  EXPECT_EQ(read_png(path).width, 640);
  std::remove(path.c_str());
  std::remove(bad.c_str());
}

// The reverse view: the σ comparison preset with the exact denoiser (needs no checkpoint) and few
// steps, score arrows on, the cursor moved to t = 10 once the runs have finished.
TEST(Screenshot, ReverseViewSigmaComparison) {
  const std::string path = temp_path("reverse.png");
  std::remove(path.c_str());
  ASSERT_EQ(run("--screenshot " + path + " --size 1000x620 --frames 2 --device cpu --view reverse "
                "--dataset moons --denoiser exact --steps 20 --reverse-compare sigma --overlay score --t 10"),
            0);
  const Png png = read_png(path);
  EXPECT_EQ(png.width, 1000);
  EXPECT_EQ(png.height, 620);
  // Four clouds, the data behind them, arrows, text: far more than a handful of colours.
  EXPECT_GT(png.colours.size(), 50u);
  std::remove(path.c_str());
}

// The Images view with a checkpoint that does not exist: the window says why (in the grid and the
// status line) instead of failing, and the screenshot is still written.
TEST(Screenshot, ImagesViewWithoutAModelExplainsInTheWindow) {
  const std::string path = temp_path("images_no_model.png");
  std::remove(path.c_str());
  ASSERT_EQ(run("--screenshot " + path + " --size 1000x620 --frames 2 --device cpu --view images "
                "--image-model " + temp_path("no-such-model.ckpt") + " --image-count 4 --images-steps 3"),
            0);
  const Png png = read_png(path);
  EXPECT_EQ(png.width, 1000);
  EXPECT_EQ(png.height, 620);
  EXPECT_GT(png.colours.size(), 20u);  // controls and the message, not a blank window
  std::remove(path.c_str());
}
