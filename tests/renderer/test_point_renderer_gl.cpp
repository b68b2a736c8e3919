// Draws known points into a render target and reads the pixels back.
#include <epoxy/gl.h>
#include <gtest/gtest.h>

#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gl_test_window.hpp"
#include "renderer/point_renderer.hpp"
#include "renderer/render_target.hpp"

using namespace renderer;

namespace {

struct Rgba {
  int r, g, b, a;
};

// Pixel (x, y) with y counted from the top, from top-down RGBA rows.
Rgba pixel_at(const std::vector<std::uint8_t>& rgba, int width, int x, int y) {
  const std::uint8_t* p = rgba.data() + (static_cast<std::size_t>(y) * width + x) * 4;
  return {p[0], p[1], p[2], p[3]};
}

}  // namespace

TEST(PointRendererGl, ContextIsCoreProfile33OrNewer) {
  ASSERT_NE(gl_test_window(), nullptr);
  EXPECT_GE(epoxy_gl_version(), 33);
}

TEST(PointRendererGl, PointsLandWhereTheViewPutsThem) {
  RenderTarget target;
  std::string error;
  ASSERT_TRUE(target.resize(200, 100, &error)) << error;
  PointRenderer points;
  ASSERT_TRUE(points.init(&error)) << error;

  // Data rect [-2, 2] x [-1, 1] on 200 x 100 px: 50 px per unit in both directions.
  // Red at (-1, 0.5) -> pixel (50, 25) from the top; green at (1, -0.5) -> (150, 75);
  // blue at (0, 0) -> (100, 50); a point far outside the rect is not drawn.
  const float xy[] = {-1.0f, 0.5f, 1.0f, -0.5f, 0.0f, 0.0f, 50.0f, 50.0f};
  const std::uint32_t colors[] = {IM_COL32(255, 0, 0, 255), IM_COL32(0, 255, 0, 255), IM_COL32(0, 0, 255, 255),
                                  IM_COL32(255, 255, 255, 255)};
  points.set_positions(xy, 4);
  points.set_colors(colors, 4);
  EXPECT_EQ(points.point_count(), 4);

  PointView view;
  view.x_min = -2.0;
  view.x_max = 2.0;
  view.y_min = -1.0;
  view.y_max = 1.0;
  view.point_diameter_px = 9.0f;
  target.begin();
  target.clear(0.0f, 0.0f, 0.0f, 1.0f);
  points.draw(view);
  target.end();
  ASSERT_EQ(glGetError(), static_cast<GLenum>(GL_NO_ERROR));

  std::vector<std::uint8_t> rgba = target.read_pixels_rgba();
  ASSERT_EQ(rgba.size(), 200u * 100u * 4u);
  // Centres carry the full colour (pixel centres are at +0.5, so test the pixel whose centre
  // is closest to the projected point).
  Rgba red = pixel_at(rgba, 200, 50, 25);
  EXPECT_GT(red.r, 200);
  EXPECT_LT(red.g, 40);
  EXPECT_LT(red.b, 40);
  Rgba green = pixel_at(rgba, 200, 150, 75);
  EXPECT_GT(green.g, 200);
  EXPECT_LT(green.r, 40);
  Rgba blue = pixel_at(rgba, 200, 100, 50);
  EXPECT_GT(blue.b, 200);
  EXPECT_LT(blue.r, 40);
  // Inside the 9 px disc but off centre: still coloured.
  EXPECT_GT(pixel_at(rgba, 200, 53, 25).r, 150);
  // Corner of the sprite square (outside the disc) and far away: background.
  Rgba corner = pixel_at(rgba, 200, 54, 21);
  EXPECT_LT(corner.r, 60) << "sprites must be round";
  for (auto [x, y] : {std::pair{10, 10}, {190, 90}, {100, 10}, {5, 95}}) {
    Rgba bg = pixel_at(rgba, 200, x, y);
    EXPECT_EQ(bg.r + bg.g + bg.b, 0) << x << "," << y;
  }
  // No white pixels anywhere: the out-of-range point was clipped.
  int white = 0;
  for (std::size_t i = 0; i < rgba.size(); i += 4) {
    if (rgba[i] > 200 && rgba[i + 1] > 200 && rgba[i + 2] > 200) ++white;
  }
  EXPECT_EQ(white, 0);
}

TEST(PointRendererGl, AlphaBlendsAndMissingColorsDrawWhite) {
  RenderTarget target;
  ASSERT_TRUE(target.resize(64, 64));
  PointRenderer points;
  ASSERT_TRUE(points.init());
  const float xy[] = {0.0f, 0.0f};
  points.set_positions(xy, 1);  // no colours uploaded: white
  PointView view;  // [-1, 1]^2
  view.point_diameter_px = 12.0f;
  view.opacity = 0.5f;
  target.begin();
  target.clear(0.0f, 0.0f, 0.0f, 1.0f);
  points.draw(view);
  target.end();
  std::vector<std::uint8_t> rgba = target.read_pixels_rgba();
  Rgba centre = pixel_at(rgba, 64, 32, 32);
  // White at 50 % over black: about 128.
  EXPECT_NEAR(centre.r, 128, 3);
  EXPECT_NEAR(centre.g, 128, 3);
  EXPECT_NEAR(centre.b, 128, 3);
}

TEST(PointRendererGl, DrawRestoresGlState) {
  RenderTarget target;
  ASSERT_TRUE(target.resize(16, 16));
  PointRenderer points;
  ASSERT_TRUE(points.init());
  const float xy[] = {0.0f, 0.0f};
  points.set_positions(xy, 1);
  glDisable(GL_BLEND);
  glUseProgram(0);
  GLint viewport_before[4];
  glGetIntegerv(GL_VIEWPORT, viewport_before);
  target.begin();
  points.draw(PointView{});
  target.end();
  EXPECT_FALSE(glIsEnabled(GL_BLEND));
  GLint program = -1, framebuffer = -1, viewport[4];
  glGetIntegerv(GL_CURRENT_PROGRAM, &program);
  glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &framebuffer);
  glGetIntegerv(GL_VIEWPORT, viewport);
  EXPECT_EQ(program, 0);
  EXPECT_EQ(framebuffer, 0);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(viewport[i], viewport_before[i]);
}

TEST(RenderTargetGl, ResizeKeepsOrReplacesTexture) {
  RenderTarget target;
  ASSERT_TRUE(target.resize(32, 16));
  unsigned int texture = target.texture();
  EXPECT_NE(texture, 0u);
  ASSERT_TRUE(target.resize(32, 16));
  EXPECT_EQ(target.texture(), texture);
  ASSERT_TRUE(target.resize(0, -5));  // clamped to 1x1
  EXPECT_EQ(target.width(), 1);
  EXPECT_EQ(target.height(), 1);
  EXPECT_NE(target.texture_id(), nullptr);
}
