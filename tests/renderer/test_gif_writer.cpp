// GifWriter: files are decoded back with giflib's own decoder (DGifSlurp) and compared with the
// frames written: frame count, size, loop extension, delays, exact pixels when a frame has
// <= 256 colours, a stated tolerance otherwise; atomic writes, cancel and error messages.
#include <gtest/gtest.h>

#include <dirent.h>
#include <gif_lib.h>
#include <stb_image.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "renderer/gif_writer.hpp"

namespace {

using Image = std::vector<std::uint8_t>;  // top-down RGBA8

struct DecodedGif {
  bool ok = false;
  std::string error;
  int width = 0;
  int height = 0;
  std::vector<Image> frames;  // RGBA, alpha 255
  std::vector<int> delays;    // centiseconds
  bool loops_forever = false;
  bool has_loop_extension = false;
};

bool is_netscape_loop(const ExtensionBlock* blocks, int count, bool* forever) {
  for (int i = 0; i + 1 < count; ++i) {
    const ExtensionBlock& app = blocks[i];
    if (app.Function != APPLICATION_EXT_FUNC_CODE || app.ByteCount != 11) continue;
    if (std::memcmp(app.Bytes, "NETSCAPE2.0", 11) != 0) continue;
    const ExtensionBlock& data = blocks[i + 1];
    if (data.Function != CONTINUE_EXT_FUNC_CODE || data.ByteCount != 3 || data.Bytes[0] != 1) return false;
    *forever = data.Bytes[1] == 0 && data.Bytes[2] == 0;
    return true;
  }
  return false;
}

DecodedGif decode(const std::string& path) {
  DecodedGif result;
  int error = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
  if (gif == nullptr) {
    result.error = std::string("DGifOpenFileName: ") + GifErrorString(error);
    return result;
  }
  if (DGifSlurp(gif) != GIF_OK) {
    result.error = std::string("DGifSlurp: ") + GifErrorString(gif->Error);
    DGifCloseFile(gif, &error);
    return result;
  }
  result.width = gif->SWidth;
  result.height = gif->SHeight;
  bool forever = false;
  if (gif->ImageCount > 0) {
    result.has_loop_extension =
        is_netscape_loop(gif->SavedImages[0].ExtensionBlocks, gif->SavedImages[0].ExtensionBlockCount, &forever);
  }
  result.loops_forever = result.has_loop_extension && forever;
  for (int i = 0; i < gif->ImageCount; ++i) {
    const SavedImage& image = gif->SavedImages[i];
    const GifImageDesc& desc = image.ImageDesc;
    const ColorMapObject* map = desc.ColorMap != nullptr ? desc.ColorMap : gif->SColorMap;
    if (map == nullptr || desc.Left != 0 || desc.Top != 0 || desc.Width != gif->SWidth ||
        desc.Height != gif->SHeight || desc.Interlace) {
      result.error = "frame " + std::to_string(i) + " is not a full, non-interlaced frame with a colour table";
      DGifCloseFile(gif, &error);
      return result;
    }
    Image rgba(static_cast<std::size_t>(desc.Width) * desc.Height * 4);
    for (int p = 0; p < desc.Width * desc.Height; ++p) {
      const int index = image.RasterBits[p];
      if (index >= map->ColorCount) {
        result.error = "palette index out of range";
        DGifCloseFile(gif, &error);
        return result;
      }
      const GifColorType colour = map->Colors[index];
      rgba[static_cast<std::size_t>(p) * 4 + 0] = colour.Red;
      rgba[static_cast<std::size_t>(p) * 4 + 1] = colour.Green;
      rgba[static_cast<std::size_t>(p) * 4 + 2] = colour.Blue;
      rgba[static_cast<std::size_t>(p) * 4 + 3] = 255;
    }
    result.frames.push_back(std::move(rgba));
    GraphicsControlBlock control;
    result.delays.push_back(DGifSavedExtensionToGCB(gif, i, &control) == GIF_OK ? control.DelayTime : -1);
  }
  DGifCloseFile(gif, &error);
  result.ok = true;
  return result;
}

Image flat(int width, int height, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  Image image(static_cast<std::size_t>(width) * height * 4);
  for (std::size_t p = 0; p < image.size(); p += 4) {
    image[p] = r;
    image[p + 1] = g;
    image[p + 2] = b;
    image[p + 3] = 255;
  }
  return image;
}

void set_pixel(Image& image, int width, int x, int y, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
  std::uint8_t* p = image.data() + (static_cast<std::size_t>(y) * width + x) * 4;
  p[0] = r;
  p[1] = g;
  p[2] = b;
  p[3] = 255;
}

// Four flat quadrants of distinct colours.
Image quadrants(int width, int height) {
  Image image = flat(width, height, 0, 0, 0);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const int q = (x < width / 2 ? 0 : 1) + (y < height / 2 ? 0 : 2);
      static const std::uint8_t colours[4][3] = {{255, 255, 255}, {20, 40, 200}, {250, 180, 0}, {1, 2, 3}};
      set_pixel(image, width, x, y, colours[q][0], colours[q][1], colours[q][2]);
    }
  }
  return image;
}

// A smooth two-dimensional gradient with more than 256 distinct colours.
Image gradient(int width, int height) {
  Image image = flat(width, height, 0, 0, 0);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      set_pixel(image, width, x, y, static_cast<std::uint8_t>(x * 6), static_cast<std::uint8_t>(y * 8),
                static_cast<std::uint8_t>(60 + x + y));
    }
  }
  return image;
}

std::size_t distinct_colours(const Image& image) {
  std::set<std::uint32_t> colours;
  for (std::size_t p = 0; p < image.size(); p += 4) {
    colours.insert((std::uint32_t(image[p]) << 16) | (std::uint32_t(image[p + 1]) << 8) | image[p + 2]);
  }
  return colours.size();
}

// Mean and max absolute error over the R, G, B channels (alpha ignored: GIFs are opaque).
struct Error {
  double mean = 0.0;
  int max = 0;
};
Error rgb_error(const Image& expected, const Image& actual) {
  Error error;
  double total = 0.0;
  std::size_t samples = 0;
  for (std::size_t p = 0; p < expected.size(); p += 4) {
    for (int c = 0; c < 3; ++c) {
      const int d = std::abs(int(expected[p + c]) - int(actual[p + c]));
      total += d;
      error.max = std::max(error.max, d);
      ++samples;
    }
  }
  error.mean = total / static_cast<double>(samples);
  return error;
}

Image opaque(Image image) {
  for (std::size_t p = 3; p < image.size(); p += 4) image[p] = 255;
  return image;
}

std::vector<std::string> files_in(const std::string& folder) {
  std::vector<std::string> names;
  if (DIR* dir = ::opendir(folder.c_str())) {
    while (dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(dir);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class GifWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/diffuscope_gif_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    folder_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf '" + folder_ + "'").c_str()); }
  std::string folder_;
};

}  // namespace

TEST_F(GifWriterTest, ThreeFramesDecodeWithSizeDelayLoopAndPixels) {
  constexpr int kWidth = 40, kHeight = 30;
  const std::vector<Image> frames = {flat(kWidth, kHeight, 200, 30, 40), quadrants(kWidth, kHeight),
                                     gradient(kWidth, kHeight)};
  ASSERT_GT(distinct_colours(frames[2]), 256u) << "the gradient must need quantising";

  const std::string path = folder_ + "/three.gif";
  renderer::GifWriter writer;
  ASSERT_EQ(writer.open(path, kWidth, kHeight, 7, true), "");
  for (const Image& frame : frames) ASSERT_EQ(writer.add_frame(frame.data(), kWidth, kHeight), "");
  EXPECT_EQ(writer.frame_count(), 3);
  ASSERT_EQ(writer.finish(), "");
  EXPECT_EQ(files_in(folder_), std::vector<std::string>{"three.gif"});  // no temporary file left

  const DecodedGif gif = decode(path);
  ASSERT_TRUE(gif.ok) << gif.error;
  EXPECT_EQ(gif.width, kWidth);
  EXPECT_EQ(gif.height, kHeight);
  ASSERT_EQ(gif.frames.size(), 3u);
  EXPECT_TRUE(gif.has_loop_extension);
  EXPECT_TRUE(gif.loops_forever);
  EXPECT_EQ(gif.delays, (std::vector<int>{7, 7, 7}));
  EXPECT_EQ(gif.frames[0], frames[0]);  // one colour: exact
  EXPECT_EQ(gif.frames[1], frames[1]);  // four colours: exact
  
  // A second, independent decoder (stb_image, as image viewers use) agrees on frames and delays.
  const std::string bytes = read_file(path);
  int* delays_ms = nullptr;
  int stb_width = 0, stb_height = 0, stb_frames = 0, stb_channels = 0;
  stbi_uc* stb_pixels = stbi_load_gif_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                                                  static_cast<int>(bytes.size()), &delays_ms, &stb_width, &stb_height,
                                                  &stb_frames, &stb_channels, 4);
  ASSERT_NE(stb_pixels, nullptr) << stbi_failure_reason();
  EXPECT_EQ(stb_width, kWidth);
  EXPECT_EQ(stb_height, kHeight);
  ASSERT_EQ(stb_frames, 3);
  for (int i = 0; i < stb_frames; ++i) {
    EXPECT_EQ(delays_ms[i], 70) << "frame " << i;
    const Image stb_frame(stb_pixels + static_cast<std::size_t>(i) * kWidth * kHeight * 4,
                          stb_pixels + static_cast<std::size_t>(i + 1) * kWidth * kHeight * 4);
    EXPECT_EQ(stb_frame, gif.frames[static_cast<std::size_t>(i)]) << "frame " << i;
  }
  stbi_image_free(stb_pixels);
  stbi_image_free(delays_ms);

  // Quantised gradient: mean error below 3/255 and no channel off by 16 or more.
  const Error error = rgb_error(frames[2], gif.frames[2]);
  std::printf("gradient (%zu colours): mean abs error %.3f / 255, max %d / 255\n", distinct_colours(frames[2]),
              error.mean, error.max);
  EXPECT_LT(error.mean, 3.0);
  EXPECT_LT(error.max, 16);
}

TEST_F(GifWriterTest, Exactly256ColoursRoundTripExactly) {
  // 256 colours that differ in their low bits too (several share one 15-bit histogram cell), and
  // half-transparent alpha, which GIF frames drop.
  constexpr int kWidth = 64, kHeight = 48;
  Image frame(static_cast<std::size_t>(kWidth) * kHeight * 4);
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      const int colour = ((y / 3) * 16 + x / 4) % 256;  // 16 x 16 blocks, 256 colours
      std::uint8_t* p = frame.data() + (static_cast<std::size_t>(y) * kWidth + x) * 4;
      p[0] = static_cast<std::uint8_t>(100 + (colour & 3));
      p[1] = static_cast<std::uint8_t>((colour >> 2) * 4 + 1);
      p[2] = static_cast<std::uint8_t>(255 - (colour >> 4));
      p[3] = 128;
    }
  }
  ASSERT_EQ(distinct_colours(frame), 256u);

  const std::string path = folder_ + "/palette.gif";
  renderer::GifWriter writer;
  ASSERT_EQ(writer.open(path, kWidth, kHeight, 10, false), "");
  ASSERT_EQ(writer.add_frame(frame.data(), kWidth, kHeight), "");
  ASSERT_EQ(writer.finish(), "");
  const DecodedGif gif = decode(path);
  ASSERT_TRUE(gif.ok) << gif.error;
  ASSERT_EQ(gif.frames.size(), 1u);
  EXPECT_EQ(gif.frames[0], opaque(frame));
  EXPECT_FALSE(gif.has_loop_extension);  // loop = false plays once
  EXPECT_EQ(gif.delays, std::vector<int>{10});
}

TEST_F(GifWriterTest, PhotoLikeFullHdFrameEncodesQuickly) {
  // Smooth colour fields, a few hard-edged shapes and per-pixel noise (fixed-seed LCG).
  constexpr int kWidth = 1600, kHeight = 900;
  Image frame = flat(kWidth, kHeight, 0, 0, 0);
  std::uint32_t seed = 12345u;
  for (int y = 0; y < kHeight; ++y) {
    for (int x = 0; x < kWidth; ++x) {
      seed = seed * 1664525u + 1013904223u;
      const int noise = static_cast<int>((seed >> 24) % 9) - 4;
      const double u = double(x) / kWidth, v = double(y) / kHeight;
      double r = 255.0 * (0.5 + 0.5 * std::sin(6.0 * u + 1.0)), g = 255.0 * v * v,
             b = 255.0 * (0.5 + 0.5 * std::cos(4.0 * (u + v)));
      if ((x - 400) * (x - 400) + (y - 450) * (y - 450) < 200 * 200) r = 240, g = 240, b = 230;
      if (x > 1000 && x < 1300 && y > 100 && y < 300) r = 10, g = 120, b = 60;
      auto channel = [noise](double value) { return static_cast<std::uint8_t>(std::clamp(value + noise, 0.0, 255.0)); };
      set_pixel(frame, kWidth, x, y, channel(r), channel(g), channel(b));
    }
  }
  const std::string path = folder_ + "/photo.gif";
  const auto start = std::chrono::steady_clock::now();
  renderer::GifWriter writer;
  ASSERT_EQ(writer.open(path, kWidth, kHeight, 5, true), "");
  ASSERT_EQ(writer.add_frame(frame.data(), kWidth, kHeight), "");
  ASSERT_EQ(writer.finish(), "");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const DecodedGif gif = decode(path);
  ASSERT_TRUE(gif.ok) << gif.error;
  ASSERT_EQ(gif.frames.size(), 1u);
  const Error error = rgb_error(frame, gif.frames[0]);
  std::printf("1600x900 photo-like frame (%zu colours): encoded in %.3f s, %zu bytes, mean abs error %.2f / 255, "
              "max %d / 255\n",
              distinct_colours(frame), seconds, read_file(path).size(), error.mean, error.max);
  EXPECT_LT(seconds, 5.0);  // Release build on a shared 2-core machine: typically well under 1 s
  EXPECT_LT(error.mean, 6.0);
  EXPECT_LT(error.max, 48);
}

TEST_F(GifWriterTest, FinishReplacesAnExistingFileAtomically) {
  const std::string path = folder_ + "/out.gif";
  { std::ofstream(path) << "old contents"; }
  renderer::GifWriter writer;
  ASSERT_EQ(writer.open(path, 8, 8, 5, true), "");
  EXPECT_EQ(read_file(path), "old contents");  // untouched while writing
  const Image frame = flat(8, 8, 1, 2, 3);
  ASSERT_EQ(writer.add_frame(frame.data(), 8, 8), "");
  ASSERT_EQ(writer.add_frame(frame.data(), 8, 8), "");
  EXPECT_EQ(read_file(path), "old contents");
  ASSERT_EQ(writer.finish(), "");
  EXPECT_FALSE(writer.is_open());
  const DecodedGif gif = decode(path);
  ASSERT_TRUE(gif.ok) << gif.error;
  EXPECT_EQ(gif.frames.size(), 2u);
  EXPECT_EQ(files_in(folder_), std::vector<std::string>{"out.gif"});
}

TEST_F(GifWriterTest, CancelLeavesNoFileAndKeepsTheOldTarget) {
  const std::string path = folder_ + "/kept.gif";
  { std::ofstream(path) << "previous export"; }
  const Image frame = flat(16, 16, 9, 9, 9);
  renderer::GifWriter writer;
  ASSERT_EQ(writer.open(path, 16, 16, 5, true), "");
  ASSERT_EQ(writer.add_frame(frame.data(), 16, 16), "");
  EXPECT_EQ(files_in(folder_).size(), 2u);  // the target and the temporary file
  writer.cancel();
  EXPECT_FALSE(writer.is_open());
  EXPECT_EQ(files_in(folder_), std::vector<std::string>{"kept.gif"});
  EXPECT_EQ(read_file(path), "previous export");
  EXPECT_NE(writer.finish(), "");  // nothing left to finish
  EXPECT_EQ(read_file(path), "previous export");

  // A new file that is cancelled never appears.
  writer.cancel();
  ASSERT_EQ(writer.open(folder_ + "/new.gif", 16, 16, 5, false), "");
  ASSERT_EQ(writer.add_frame(frame.data(), 16, 16), "");
  writer.cancel();
  EXPECT_EQ(files_in(folder_), std::vector<std::string>{"kept.gif"});
}

TEST_F(GifWriterTest, DestroyingAnUnfinishedWriterRemovesTheTemporaryFile) {
  {
    renderer::GifWriter writer;
    ASSERT_EQ(writer.open(folder_ + "/abandoned.gif", 16, 16, 5, true), "");
    const Image frame = flat(16, 16, 9, 9, 9);
    ASSERT_EQ(writer.add_frame(frame.data(), 16, 16), "");
    EXPECT_EQ(files_in(folder_).size(), 1u);
  }
  EXPECT_TRUE(files_in(folder_).empty());
}

TEST_F(GifWriterTest, MissingFolderGivesAMessage) {
  const std::string path = folder_ + "/no_such_folder/out.gif";
  renderer::GifWriter writer;
  const std::string message = writer.open(path, 40, 30, 5, true);
  EXPECT_NE(message.find("no_such_folder"), std::string::npos) << message;
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
  EXPECT_FALSE(writer.is_open());
  const Image frame = flat(40, 30, 0, 0, 0);
  EXPECT_EQ(writer.add_frame(frame.data(), 40, 30), message);
  EXPECT_EQ(writer.finish(), message);
  EXPECT_TRUE(files_in(folder_).empty());
}

TEST_F(GifWriterTest, SizeMismatchFailsAndRemovesTheTemporaryFile) {
  const std::string path = folder_ + "/mismatch.gif";
  renderer::GifWriter writer;
  ASSERT_EQ(writer.open(path, 40, 30, 5, true), "");
  const Image good = flat(40, 30, 5, 5, 5), wrong = flat(41, 30, 5, 5, 5);
  ASSERT_EQ(writer.add_frame(good.data(), 40, 30), "");
  const std::string message = writer.add_frame(wrong.data(), 41, 30);
  EXPECT_NE(message.find("41x30"), std::string::npos) << message;
  EXPECT_NE(message.find("40x30"), std::string::npos) << message;
  EXPECT_EQ(writer.add_frame(good.data(), 40, 30), message);  // the writer stays failed
  EXPECT_EQ(writer.finish(), message);
  EXPECT_TRUE(files_in(folder_).empty());
}

TEST_F(GifWriterTest, InvalidArgumentsGiveMessages) {
  renderer::GifWriter writer;
  EXPECT_NE(writer.open(folder_ + "/zero.gif", 0, 30, 5, true).find("0x30"), std::string::npos);
  EXPECT_NE(writer.open(folder_ + "/zero.gif", 40, -1, 5, true), "");
  EXPECT_NE(writer.open("", 40, 30, 5, true).find("empty"), std::string::npos);
  EXPECT_NE(writer.add_frame(nullptr, 40, 30), "");

  ASSERT_EQ(writer.open(folder_ + "/null.gif", 4, 4, 5, true), "");
  EXPECT_NE(writer.add_frame(nullptr, 4, 4).find("no pixels"), std::string::npos);

  renderer::GifWriter empty;
  ASSERT_EQ(empty.open(folder_ + "/empty.gif", 4, 4, 5, true), "");
  EXPECT_NE(empty.finish().find("no frames"), std::string::npos);
  EXPECT_TRUE(files_in(folder_).empty());
}

TEST_F(GifWriterTest, DelayIsClampedTo16Bits) {
  const std::string path = folder_ + "/slow.gif";
  renderer::GifWriter writer;
  ASSERT_EQ(writer.open(path, 4, 4, 100000, false), "");
  const Image frame = flat(4, 4, 0, 0, 0);
  ASSERT_EQ(writer.add_frame(frame.data(), 4, 4), "");
  ASSERT_EQ(writer.finish(), "");
  const DecodedGif gif = decode(path);
  ASSERT_TRUE(gif.ok) << gif.error;
  EXPECT_EQ(gif.delays, std::vector<int>{65535});
}
