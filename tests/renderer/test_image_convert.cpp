// CPU parts of image upload (no GL needed). PNG writing is tested in tests/fileio.
#include <gtest/gtest.h>

#include <cmath>

#include "renderer/image_texture.hpp"

using namespace renderer;

TEST(ImageConvert, GreyAndRgbToRgba) {
  const std::uint8_t grey[] = {0, 128, 255, 7};
  std::uint8_t out[16];
  ASSERT_EQ(to_rgba8(grey, 2, 2, 1, ChannelLayout::Interleaved, out), "");
  EXPECT_EQ(out[4], 128);
  EXPECT_EQ(out[5], 128);
  EXPECT_EQ(out[6], 128);
  EXPECT_EQ(out[7], 255);
  const std::uint8_t rgb[] = {1, 2, 3, 4, 5, 6};
  std::uint8_t out2[8];
  ASSERT_EQ(to_rgba8(rgb, 2, 1, 3, ChannelLayout::Interleaved, out2), "");
  EXPECT_EQ(out2[4], 4);
  EXPECT_EQ(out2[6], 6);
  EXPECT_EQ(out2[7], 255);
}

TEST(ImageConvert, PlanarFloatInMinusOneToOne) {
  // CHW, 2x1 pixels, 3 channels: R plane {-1, 1}, G plane {0, 0.5}, B plane {NaN, 3}.
  const float chw[] = {-1.0f, 1.0f, 0.0f, 0.5f, std::nanf(""), 3.0f};
  std::uint8_t out[8];
  ASSERT_EQ(float_to_rgba8(chw, 2, 1, 3, -1.0f, 1.0f, ChannelLayout::Planar, out), "");
  EXPECT_EQ(out[0], 0);    // R(-1)
  EXPECT_EQ(out[1], 128);  // G(0) = round(127.5)
  EXPECT_EQ(out[2], 0);    // B(NaN) -> 0
  EXPECT_EQ(out[4], 255);  // R(1)
  EXPECT_EQ(out[5], 191);  // G(0.5) = round(191.25)
  EXPECT_EQ(out[6], 255);  // B(3) clamped
  EXPECT_EQ(out[7], 255);
}

TEST(ImageConvert, BadArgumentsNameTheProblem) {
  const std::uint8_t px[4] = {};
  std::uint8_t out[16];
  EXPECT_NE(to_rgba8(px, 2, 2, 2, ChannelLayout::Interleaved, out).find("channels"), std::string::npos);
  EXPECT_NE(to_rgba8(px, 0, 2, 1, ChannelLayout::Interleaved, out).find("size"), std::string::npos);
  EXPECT_NE(to_rgba8(nullptr, 2, 2, 1, ChannelLayout::Interleaved, out).find("null"), std::string::npos);
  const float f[4] = {};
  EXPECT_NE(float_to_rgba8(f, 2, 2, 1, 1.0f, 1.0f, ChannelLayout::Interleaved, out).find("range"),
            std::string::npos);
}
