// The real `diffuscope gui` under Xvfb with lecture scenes and exports: every shipped scene loads
// and renders; a partly broken scene loads with warnings and a broken one is refused; --export-gif
// writes a GIF that decodes with the right frame count and size; --export-sequence writes numbered
// PNGs of the presenter layout. LiveFaults: a fault injected into a worker job (exception, NaN,
// out of memory) or into a frame shows an error in the window and the app goes on (issue 7).
#include <gtest/gtest.h>

#include <gif_lib.h>
#include <stb/stb_image.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>
#include <unistd.h>

#ifndef DIFFUSCOPE_EXE
#error "DIFFUSCOPE_EXE must name the diffuscope binary"
#endif
#ifndef DIFFUSCOPE_SCENES_DIR
#error "DIFFUSCOPE_SCENES_DIR must name assets/scenes"
#endif

namespace fs = std::filesystem;

namespace {

struct Png {
  int width = 0, height = 0;
  std::size_t colours = 0;   // distinct RGB values among sampled pixels (capped)
  std::size_t error_red = 0; // pixels of the dark theme's error text, (255, 110, 110)
};

Png read_png(const std::string& path) {
  Png png;
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &png.width, &png.height, &channels, 3);
  if (!data) return png;
  std::set<unsigned> colours;
  for (int i = 0; i < png.width * png.height && colours.size() < 5000; i += 7) {
    colours.insert(data[3 * i] | (data[3 * i + 1] << 8) | (data[3 * i + 2] << 16));
  }
  png.colours = colours.size();
  for (int i = 0; i < png.width * png.height; ++i) {
    if (data[3 * i] == 255 && data[3 * i + 1] == 110 && data[3 * i + 2] == 110) ++png.error_red;
  }
  stbi_image_free(data);
  return png;
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "diffuscope_lecture_" + std::to_string(::getpid()) + "_" + name;
}

struct AppRun {
  int exit_code = -1;
  std::string err;
};

// Runs `diffuscope gui ARGS` (with ENV, e.g. "NAME=value", in its environment), capturing stderr.
AppRun run(const std::string& args, const std::string& env = "") {
  const std::string err_path = temp_path("stderr.txt");
  const std::string command =
      (env.empty() ? "" : "env " + env + " ") + std::string(DIFFUSCOPE_EXE) + " gui " + args + " 2>" + err_path;
  AppRun r;
  const int status = std::system(command.c_str());
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_path);
  std::stringstream text;
  text << in.rdbuf();
  r.err = text.str();
  std::remove(err_path.c_str());
  return r;
}

std::vector<std::string> shipped_scenes() {
  std::vector<std::string> scenes;
  for (const auto& entry : fs::directory_iterator(DIFFUSCOPE_SCENES_DIR)) {
    if (entry.path().extension() == ".json") scenes.push_back(entry.path().string());
  }
  std::sort(scenes.begin(), scenes.end());
  return scenes;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

}  // namespace

TEST(LectureScenes, EveryShippedSceneLoadsAndRenders) {
  const std::vector<std::string> scenes = shipped_scenes();
  ASSERT_GE(scenes.size(), 9u);
  for (const std::string& scene : scenes) {
    const std::string path = temp_path("scene.png");
    std::remove(path.c_str());
    const AppRun r = run("--scene " + scene + " --screenshot " + path + " --size 960x540 --frames 2 --device cpu");
    EXPECT_EQ(r.exit_code, 0) << scene << "\n" << r.err;
    // A shipped scene loads without a single warning.
    EXPECT_EQ(r.err.find("warning"), std::string::npos) << scene << "\n" << r.err;
    const Png png = read_png(path);
    EXPECT_EQ(png.width, 960) << scene;
    EXPECT_EQ(png.height, 540) << scene;
    EXPECT_GT(png.colours, 40u) << scene;
    std::remove(path.c_str());
  }
}

TEST(LectureScenes, SceneByNumberAndPresenterMode) {
  const std::string path = temp_path("presenter.png");
  std::remove(path.c_str());
  const AppRun r = run("--scene 3 --presenter --screenshot " + path + " --size 960x540 --frames 2 --device cpu");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_png(path).width, 960);
  std::remove(path.c_str());
}

TEST(LectureScenes, PartlyBrokenSceneLoadsWithWarningsBrokenOneIsRefused) {
  const std::string partly = temp_path("partly.json");
  write_file(partly, R"({"format": "diffuscope-scene", "version": 1, "view": "forward",
    "t": 250, "no_such_setting": 3, "compare": "yes", "ui_scale": 40})");
  const std::string path = temp_path("partly.png");
  std::remove(path.c_str());
  const AppRun loaded = run("--scene " + partly + " --screenshot " + path + " --size 800x500 --frames 2 --device cpu");
  EXPECT_EQ(loaded.exit_code, 0) << loaded.err;
  EXPECT_NE(loaded.err.find("no_such_setting"), std::string::npos) << loaded.err;
  EXPECT_NE(loaded.err.find("compare"), std::string::npos) << loaded.err;
  EXPECT_NE(loaded.err.find("ui_scale"), std::string::npos) << loaded.err;
  EXPECT_EQ(read_png(path).width, 800);

  const std::string broken = temp_path("broken.json");
  write_file(broken, "{\"view\": \"forward\", ");
  const AppRun refused = run("--scene " + broken + " --screenshot " + path + " --size 800x500 --frames 2 --device cpu");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find(broken), std::string::npos) << refused.err;
  std::remove(path.c_str());
  std::remove(partly.c_str());
  std::remove(broken.c_str());
}

TEST(LectureExport, GifDecodesWithTheFrameCountAndSize) {
  const std::string gif = temp_path("scrub.gif");
  std::remove(gif.c_str());
  const AppRun r = run("--scene 3 --export-gif " + gif + " --export-frames 6 --size 640x360 --device cpu");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int error = 0;
  GifFileType* file = DGifOpenFileName(gif.c_str(), &error);
  ASSERT_NE(file, nullptr) << GifErrorString(error);
  ASSERT_EQ(DGifSlurp(file), GIF_OK) << GifErrorString(file->Error);
  EXPECT_EQ(file->ImageCount, 6);
  EXPECT_EQ(file->SWidth, 640);
  EXPECT_EQ(file->SHeight, 360);
  // Frames differ (t moves from T to 0): the first and last frame are not the same picture.
  if (file->ImageCount == 6) {
    const SavedImage& first = file->SavedImages[0];
    const SavedImage& last = file->SavedImages[5];
    const int n = first.ImageDesc.Width * first.ImageDesc.Height;
    ASSERT_EQ(n, last.ImageDesc.Width * last.ImageDesc.Height);
    const ColorMapObject* first_map = first.ImageDesc.ColorMap ? first.ImageDesc.ColorMap : file->SColorMap;
    const ColorMapObject* last_map = last.ImageDesc.ColorMap ? last.ImageDesc.ColorMap : file->SColorMap;
    ASSERT_NE(first_map, nullptr);
    ASSERT_NE(last_map, nullptr);
    int differing = 0;
    for (int i = 0; i < n; ++i) {
      const GifColorType a = first_map->Colors[first.RasterBits[i]];
      const GifColorType b = last_map->Colors[last.RasterBits[i]];
      differing += a.Red != b.Red || a.Green != b.Green || a.Blue != b.Blue;
    }
    EXPECT_GT(differing, n / 100);
  }
  DGifCloseFile(file, &error);
  std::remove(gif.c_str());
}

TEST(LectureExport, PngSequenceOfThePresenterLayout) {
  const std::string base = temp_path("frames.png");
  const AppRun r = run("--export-sequence " + base + " --export-frames 3 --export-content views --export-direction up "
                    "--size 640x400 --device cpu");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string stem = base.substr(0, base.size() - 4);
  for (int i = 1; i <= 3; ++i) {
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "_%04d.png", i);
    const Png png = read_png(stem + suffix);
    EXPECT_EQ(png.width, 640) << suffix;
    EXPECT_EQ(png.height, 400) << suffix;
    EXPECT_GT(png.colours, 20u) << suffix;
    std::remove((stem + suffix).c_str());
  }
}

// A PNG at a chosen resolution, independent of the window: the whole window laid out at 1920x1080
// from an 800x500 window, and one view (the 2D points) alone at 1000x1000.
TEST(LectureExport, PngOfTheWindowOrOneViewAtAChosenSize) {
  const std::string window = temp_path("window.png");
  const AppRun whole = run("--export-png " + window + " --export-size 1920x1080 --size 800x500 --device cpu");
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const Png big = read_png(window);
  EXPECT_EQ(big.width, 1920);
  EXPECT_EQ(big.height, 1080);
  EXPECT_GT(big.colours, 50u);

  const std::string view = temp_path("points.png");
  const AppRun one = run("--export-png " + view + " --export-view points --export-size 1000x1000 --size 800x500 --device cpu");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const Png points = read_png(view);
  EXPECT_EQ(points.width, 1000);
  EXPECT_EQ(points.height, 1000);
  EXPECT_GT(points.colours, 50u);  // the coloured cloud, axes and labels

  // A view that the shown view does not have is refused with a message, and nothing is written.
  const std::string wrong = temp_path("grids.png");
  const AppRun refused = run("--export-png " + wrong + " --export-view grids --size 800x500 --device cpu");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("grids"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(wrong));
  std::remove(window.c_str());
  std::remove(view.c_str());
}

namespace {

// A fault injected into the forward lane's first job: the error is reported (headless runs echo
// the window's notifications to stderr), the UI sends the job once more, and the screenshot shows
// the frame that came: no wait for the frame timeout.
TEST(LiveFaults, ForwardJobFaultIsReportedAndTheNextJobShows) {
  for (const std::string kind : {"exception", "nan", "oom", "torch-oom"}) {
    const std::string out = temp_path("fault_forward.png");
    const AppRun r = run("--screenshot " + out + " --size 960x600", "DIFFUSCOPE_INJECT_FAULT=forward:" + kind);
    EXPECT_EQ(r.exit_code, 0) << kind << "\n" << r.err;
    EXPECT_NE(r.err.find("armed"), std::string::npos) << kind << "\n" << r.err;
    const std::string expected = kind == "nan" ? "non-finite" : kind == "exception" ? "injected fault" : "out of memory";
    EXPECT_NE(r.err.find("warning: "), std::string::npos) << kind << "\n" << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << kind << ": no '" << expected << "' in\n" << r.err;
    EXPECT_EQ(r.err.find("did not arrive"), std::string::npos) << kind << ": the app waited\n" << r.err;
    const Png png = read_png(out);
    EXPECT_EQ(png.width, 960) << kind;
    EXPECT_GT(png.colours, 40u) << kind;
    std::remove(out.c_str());
  }
}

// An exception thrown while a frame is being built (with a panel open) is reported and the frame
// skipped; the next frames draw normally and the run ends as usual.
TEST(LiveFaults, FrameThatThrowsIsSkippedAndReported) {
  const std::string out = temp_path("fault_frame.png");
  const AppRun r = run("--screenshot " + out + " --size 960x600", "DIFFUSCOPE_INJECT_UI_FAULT=1");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("a frame failed and was skipped: injected fault"), std::string::npos) << r.err;
  const Png png = read_png(out);
  EXPECT_EQ(png.width, 960);
  EXPECT_GT(png.colours, 40u);
  std::remove(out.c_str());
}

// The reverse and Images lanes: the panel whose step failed says so in red in the window.
TEST(LiveFaults, ReverseAndImagesFaultsShowInTheirPanel) {
  for (const std::string view : {"reverse", "images"}) {
    const std::string clean_out = temp_path("clean_" + view + ".png");
    const AppRun clean = run("--view " + view + " --screenshot " + clean_out + " --size 1280x720");
    ASSERT_EQ(clean.exit_code, 0) << clean.err;
    const Png clean_png = read_png(clean_out);
    // Two kinds per lane keep the test short; every kind in every lane is covered without a
    // window by the worker fault tests (test_worker_faults.cpp, test_worker_real_faults.cpp).
    const std::vector<std::string> kinds = view == "reverse" ? std::vector<std::string>{"nan", "oom"}
                                                              : std::vector<std::string>{"exception", "torch-oom"};
    for (const std::string& kind : kinds) {
      const std::string out = temp_path("fault_" + view + ".png");
      const AppRun r = run("--view " + view + " --screenshot " + out + " --size 1280x720",
                           "DIFFUSCOPE_INJECT_FAULT=" + view + ":" + kind);
      EXPECT_EQ(r.exit_code, 0) << view << ":" << kind << "\n" << r.err;
      const Png png = read_png(out);
      EXPECT_EQ(png.width, 1280);
      // Error text: a few hundred pixels of the error colour more than the clean run has.
      EXPECT_GT(png.error_red, clean_png.error_red + 100) << view << ":" << kind << ": " << png.error_red
                                                           << " error-red pixels, clean " << clean_png.error_red;
      std::remove(out.c_str());
    }
    std::remove(clean_out.c_str());
  }
}

// Render on demand (issue 16): a still window builds no frames, and the frames it builds while
// settling after launch rasterise only what changed.
TEST(RenderOnDemand, AStillWindowBuildsNoFramesAfterItSettles) {
  const std::string err_path = temp_path("frames.txt");
  const std::string command = "env DIFFUSCOPE_FRAME_LOG=1 timeout -s TERM 12 " + std::string(DIFFUSCOPE_EXE) +
                              " gui --size 1280x720 2>" + err_path;
  std::system(command.c_str());
  std::ifstream in(err_path);
  std::string line;
  int frames = 0, late_frames = 0;
  while (std::getline(in, line)) {
    double at = 0;
    long number = 0;
    if (std::sscanf(line.c_str(), "diffuscope: frame %ld built at %lf s", &number, &at) != 2) continue;
    ++frames;
    if (at > 6.0) ++late_frames;   // the last 6 s of the 12: nothing moves, nothing is built
  }
  std::remove(err_path.c_str());
  EXPECT_GE(frames, 1);
  EXPECT_EQ(late_frames, 0) << frames << " frames built";
}

// Redraw only what changed (issue 16): in a scripted session of random interaction every partial
// redraw is compared with a whole one (DIFFUSCOPE_CHECK_DAMAGE=1); not one pixel may differ.
TEST(RedrawOnlyWhatChanged, PartialRedrawsEqualWholeOnes) {
  const std::string report = temp_path("soak.json");
  const AppRun r = run("--soak 15 --size 1280x720 --soak-out " + report, "DIFFUSCOPE_CHECK_DAMAGE=1");
  std::remove(report.c_str());
  long long compared = -1, differ = -1;
  const auto at = r.err.find("damage check: ");
  ASSERT_NE(at, std::string::npos) << r.err;
  ASSERT_EQ(std::sscanf(r.err.c_str() + at, "damage check: %lld partial redraws compared with whole ones, %lld differ",
                        &compared, &differ), 2) << r.err;
  EXPECT_GE(compared, 10);
  EXPECT_EQ(differ, 0) << r.err;
}

}  // namespace
