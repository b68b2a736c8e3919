#include <gtest/gtest.h>

#include <cmath>

#include "renderer/colormap.hpp"
#include "renderer/theme.hpp"

using namespace renderer;

namespace {
float luminance(const ImVec4& c) { return 0.2126f * c.x + 0.7152f * c.y + 0.0722f * c.z; }
}  // namespace

TEST(Colormap, EndsAndMonotoneLuminance) {
  ImVec4 lo = colormap_rgba(0.0f), hi = colormap_rgba(1.0f);
  EXPECT_NEAR(lo.x, 68 / 255.0f, 1e-6);
  EXPECT_NEAR(hi.z, 37 / 255.0f, 1e-6);
  float previous = -1.0f;
  for (int i = 0; i <= 100; ++i) {
    float l = luminance(colormap_rgba(i / 100.0f));
    EXPECT_GT(l, previous) << "u = " << i / 100.0f;
    previous = l;
  }
  // Clamped and NaN-safe.
  EXPECT_EQ(colormap(-3.0f), colormap(0.0f));
  EXPECT_EQ(colormap(7.0f), colormap(1.0f));
  EXPECT_EQ(colormap(std::nanf("")), colormap(0.0f));
}

TEST(Colormap, ColorsFromValuesNormalisesByRange) {
  const float xy[] = {0.0f, 9.f, 5.0f, 9.f, 10.0f, 9.f, std::nanf(""), 9.f};
  std::vector<std::uint32_t> c = colors_from_values(xy, 4, 2, 0.5f);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0], colormap(0.0f, 0.5f));
  EXPECT_EQ(c[1], colormap(0.5f, 0.5f));
  EXPECT_EQ(c[2], colormap(1.0f, 0.5f));
  EXPECT_EQ(c[3], IM_COL32(128, 128, 128, 128));
  // An explicit range.
  std::vector<std::uint32_t> d = colors_from_values(xy, 3, 2, 1.0f, 0.0f, 20.0f);
  EXPECT_EQ(d[2], colormap(0.5f));
}

TEST(Colormap, CategoricalCyclesAndDiffers) {
  for (int i = 0; i < 10; ++i) {
    for (int j = i + 1; j < 10; ++j) EXPECT_NE(categorical_color(i), categorical_color(j));
  }
  EXPECT_EQ(categorical_color(12), categorical_color(2));
  EXPECT_EQ(categorical_color(-1), categorical_color(9));
  const int labels[] = {0, 1, 0};
  std::vector<std::uint32_t> c = colors_from_labels(labels, 3);
  EXPECT_EQ(c[0], c[2]);
  EXPECT_NE(c[0], c[1]);
}

TEST(Theme, ParseNamesAndScaleSizes) {
  EXPECT_EQ(parse_theme("dark"), ThemeKind::Dark);
  EXPECT_EQ(parse_theme("Light"), ThemeKind::Light);
  EXPECT_EQ(parse_theme("high-contrast"), ThemeKind::Light);
  EXPECT_FALSE(parse_theme("purple").has_value());
  ImGuiStyle one, two;
  apply_theme(ThemeKind::Dark, 1.0f, &one);
  apply_theme(ThemeKind::Dark, 2.0f, &two);
  EXPECT_FLOAT_EQ(two.FramePadding.x, 2.0f * one.FramePadding.x);
  // Applying twice does not compound.
  apply_theme(ThemeKind::Dark, 2.0f, &two);
  EXPECT_FLOAT_EQ(two.FramePadding.x, 2.0f * one.FramePadding.x);
  // High contrast: black text on a near-white window.
  ImGuiStyle light;
  apply_theme(ThemeKind::Light, 1.0f, &light);
  EXPECT_LT(luminance(light.Colors[ImGuiCol_Text]), 0.05f);
  EXPECT_GT(luminance(light.Colors[ImGuiCol_WindowBg]), 0.9f);
  EXPECT_NE(palette(ThemeKind::Dark).schedule_a, palette(ThemeKind::Dark).schedule_b);
}
