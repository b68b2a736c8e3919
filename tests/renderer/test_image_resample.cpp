// Area-average downscaling and cropping of RGBA8 images, against pixels worked out by hand.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <vector>

#include "renderer/image_resample.hpp"

namespace {

using Image = std::vector<std::uint8_t>;

// One RGBA pixel per entry, rows top-down.
Image pixels(std::initializer_list<std::array<int, 4>> list) {
  Image image;
  for (const auto& p : list) {
    for (int c : p) image.push_back(static_cast<std::uint8_t>(c));
  }
  return image;
}

}  // namespace

TEST(DownscaleRgba, TwoByTwoBlocksAverage) {
  // 4x2 -> 2x1: each output pixel is the mean of a 2x2 block.
  const Image source = pixels({{0, 100, 255, 255}, {10, 100, 255, 255}, {20, 0, 0, 0}, {30, 0, 1, 0},
                               {40, 100, 255, 255}, {50, 104, 255, 251}, {60, 0, 3, 0}, {70, 1, 0, 0}});
  const Image result = renderer::downscale_rgba(source.data(), 4, 2, 2, 1);
  // Left: r (0+10+40+50)/4 = 25, g 404/4 = 101, b 255, a (255*3+251)/4 = 254.
  // Right: r (20+30+60+70)/4 = 45, g 1/4 -> 0, b 4/4 = 1, a 0.
  EXPECT_EQ(result, pixels({{25, 101, 255, 254}, {45, 0, 1, 0}}));
}

TEST(DownscaleRgba, FractionalCoverageIsWeighted) {
  // 3x1 -> 2x1: output 0 covers source [0, 1.5): all of pixel 0, half of pixel 1; output 1 covers
  // [1.5, 3). With r = 0, 90, 200: (0 + 45) / 1.5 = 30 and (45 + 200) / 1.5 = 163.33 -> 163.
  const Image source = pixels({{0, 30, 0, 255}, {90, 30, 0, 255}, {200, 30, 3, 255}});
  const Image result = renderer::downscale_rgba(source.data(), 3, 1, 2, 1);
  // b: (0 + 0) / 1.5 = 0 and (0 + 3) / 1.5 = 2.
  EXPECT_EQ(result, pixels({{30, 30, 0, 255}, {163, 30, 2, 255}}));
}

TEST(DownscaleRgba, VerticalAndHalfRoundsUp) {
  // 1x2 -> 1x1: (1 + 2) / 2 = 1.5 -> 2; (10 + 13) / 2 = 11.5 -> 12; (0 + 255) / 2 = 127.5 -> 128.
  const Image source = pixels({{1, 10, 0, 7}, {2, 13, 255, 7}});
  EXPECT_EQ(renderer::downscale_rgba(source.data(), 1, 2, 1, 1), pixels({{2, 12, 128, 7}}));
}

TEST(DownscaleRgba, WholeImageToOnePixelIsItsMean) {
  // 5x5 with r = x + 5y (0..24, mean 12), g = 4x (mean 8), b = 255 except one 0 pixel
  // (255 * 24 / 25 = 244.8 -> 245), a = 255.
  Image source;
  for (int y = 0; y < 5; ++y) {
    for (int x = 0; x < 5; ++x) {
      source.push_back(static_cast<std::uint8_t>(x + 5 * y));
      source.push_back(static_cast<std::uint8_t>(4 * x));
      source.push_back(x == 2 && y == 3 ? 0 : 255);
      source.push_back(255);
    }
  }
  EXPECT_EQ(renderer::downscale_rgba(source.data(), 5, 5, 1, 1), pixels({{12, 8, 245, 255}}));
}

TEST(DownscaleRgba, SameSizeIsACopy) {
  const Image source = pixels({{1, 2, 3, 4}, {5, 6, 7, 8}, {9, 10, 11, 12}, {13, 14, 15, 16}});
  EXPECT_EQ(renderer::downscale_rgba(source.data(), 2, 2, 2, 2), source);
}

TEST(DownscaleRgba, InvalidArgumentsGiveEmpty) {
  const Image source = pixels({{1, 2, 3, 4}, {5, 6, 7, 8}});
  EXPECT_TRUE(renderer::downscale_rgba(source.data(), 2, 1, 3, 1).empty());  // upscaling
  EXPECT_TRUE(renderer::downscale_rgba(source.data(), 2, 1, 1, 2).empty());
  EXPECT_TRUE(renderer::downscale_rgba(source.data(), 2, 1, 0, 1).empty());
  EXPECT_TRUE(renderer::downscale_rgba(source.data(), 0, 1, 0, 1).empty());
  EXPECT_TRUE(renderer::downscale_rgba(nullptr, 2, 1, 1, 1).empty());
}

TEST(CropRgba, CopiesTheRectangle) {
  // 4x3 with r = 10x, g = 10y, b = x + y, a = 255.
  Image source;
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 4; ++x) {
      for (int v : {10 * x, 10 * y, x + y, 255}) source.push_back(static_cast<std::uint8_t>(v));
    }
  }
  EXPECT_EQ(renderer::crop_rgba(source.data(), 4, 3, 1, 1, 2, 2),
            pixels({{10, 10, 2, 255}, {20, 10, 3, 255}, {10, 20, 3, 255}, {20, 20, 4, 255}}));
  EXPECT_EQ(renderer::crop_rgba(source.data(), 4, 3, 3, 0, 1, 1), pixels({{30, 0, 3, 255}}));
  EXPECT_EQ(renderer::crop_rgba(source.data(), 4, 3, 0, 0, 4, 3), source);
}

TEST(CropRgba, RectangleOutsideTheImageGivesEmpty) {
  const Image source(4 * 3 * 4, 7);
  EXPECT_TRUE(renderer::crop_rgba(source.data(), 4, 3, 3, 0, 2, 1).empty());
  EXPECT_TRUE(renderer::crop_rgba(source.data(), 4, 3, 0, 2, 1, 2).empty());
  EXPECT_TRUE(renderer::crop_rgba(source.data(), 4, 3, -1, 0, 1, 1).empty());
  EXPECT_TRUE(renderer::crop_rgba(source.data(), 4, 3, 0, 0, 0, 1).empty());
  EXPECT_TRUE(renderer::crop_rgba(nullptr, 4, 3, 0, 0, 1, 1).empty());
}

TEST(ScaledSize, RoundsAndClamps) {
  auto size = renderer::scaled_size(1600, 900, 0.5f);
  EXPECT_EQ(size.width, 800);
  EXPECT_EQ(size.height, 450);
  size = renderer::scaled_size(1601, 901, 0.5f);  // 800.5 and 450.5 round up
  EXPECT_EQ(size.width, 801);
  EXPECT_EQ(size.height, 451);
  size = renderer::scaled_size(100, 60, 2.0f);  // only shrinks
  EXPECT_EQ(size.width, 100);
  EXPECT_EQ(size.height, 60);
  size = renderer::scaled_size(100, 60, std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(size.width, 100);
  EXPECT_EQ(size.height, 60);
  size = renderer::scaled_size(3, 3, 0.1f);  // never below 1 x 1
  EXPECT_EQ(size.width, 1);
  EXPECT_EQ(size.height, 1);
  size = renderer::scaled_size(100, 60, -1.0f);
  EXPECT_EQ(size.width, 1);
  EXPECT_EQ(size.height, 1);
}
