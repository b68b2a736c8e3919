// Image textures and framebuffer screenshots against a real GL context.
#include <epoxy/gl.h>
#include <GLFW/glfw3.h>
#include <gtest/gtest.h>
#include <stb_image.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include "gl_test_window.hpp"
#include "renderer/image_texture.hpp"
#include "renderer/screenshot.hpp"

using namespace renderer;

namespace {

std::vector<std::uint8_t> texture_pixels(unsigned int texture, int width, int height) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * height * 4);
  glBindTexture(GL_TEXTURE_2D, texture);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glGetTexImage(GL_TEXTURE_2D, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  glBindTexture(GL_TEXTURE_2D, 0);
  return pixels;
}

GLint texture_parameter(unsigned int texture, GLenum name) {
  GLint value = 0;
  glBindTexture(GL_TEXTURE_2D, texture);
  glGetTexParameteriv(GL_TEXTURE_2D, name, &value);
  glBindTexture(GL_TEXTURE_2D, 0);
  return value;
}

}  // namespace

TEST(ImageTextureGl, SmallGreyImageIsCrispAndUpdatesInPlace) {
  std::vector<float> image(28 * 28);
  for (int i = 0; i < 28 * 28; ++i) image[i] = (i % 28) < 14 ? -1.0f : 1.0f;  // left black, right white
  ImageTexture texture;
  std::string error;
  ASSERT_TRUE(texture.upload_float(image.data(), 28, 28, 1, -1.0f, 1.0f, ChannelLayout::Interleaved, &error))
      << error;
  unsigned int name = texture.texture();
  EXPECT_EQ(texture.width(), 28);
  EXPECT_EQ(texture_parameter(name, GL_TEXTURE_MAG_FILTER), GL_NEAREST);
  std::vector<std::uint8_t> px = texture_pixels(name, 28, 28);
  EXPECT_EQ(px[0], 0);
  EXPECT_EQ(px[(27) * 4], 255);
  EXPECT_EQ(px[3], 255);

  // Same size: same texture object, new content.
  for (float& v : image) v = 1.0f;
  ASSERT_TRUE(texture.upload_float(image.data(), 28, 28, 1, -1.0f, 1.0f));
  EXPECT_EQ(texture.texture(), name);
  EXPECT_EQ(texture_pixels(name, 28, 28)[0], 255);
  EXPECT_EQ(glGetError(), static_cast<GLenum>(GL_NO_ERROR));
}

TEST(ImageTextureGl, LargeRgbImageIsLinearAndBadInputIsRejected) {
  std::vector<std::uint8_t> rgb(256 * 200 * 3, 10);
  rgb[0] = 200;
  ImageTexture texture;
  ASSERT_TRUE(texture.upload_u8(rgb.data(), 256, 200, 3));
  EXPECT_EQ(texture_parameter(texture.texture(), GL_TEXTURE_MAG_FILTER), GL_LINEAR);
  std::vector<std::uint8_t> px = texture_pixels(texture.texture(), 256, 200);
  EXPECT_EQ(px[0], 200);
  EXPECT_EQ(px[1], 10);
  EXPECT_EQ(px[3], 255);
  texture.set_filter(TextureFilter::Nearest);
  EXPECT_EQ(texture_parameter(texture.texture(), GL_TEXTURE_MAG_FILTER), GL_NEAREST);
  std::string error;
  EXPECT_FALSE(texture.upload_u8(rgb.data(), 256, 200, 2, ChannelLayout::Interleaved, &error));
  EXPECT_NE(error.find("channels"), std::string::npos);
  EXPECT_EQ(texture.width(), 256);  // the old image stays
}

TEST(ScreenshotGl, DefaultFramebufferToPngTopRowsFirst) {
  ASSERT_NE(gl_test_window(), nullptr);
  int width = 0, height = 0;
  glfwGetFramebufferSize(gl_test_window(), &width, &height);
  ASSERT_GT(width, 0);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glViewport(0, 0, width, height);
  glDisable(GL_SCISSOR_TEST);
  glClearColor(0.0f, 0.0f, 1.0f, 1.0f);  // blue everywhere
  glClear(GL_COLOR_BUFFER_BIT);
  glEnable(GL_SCISSOR_TEST);
  glScissor(0, height - 10, width, 10);  // red band along the top (GL y grows upwards)
  glClearColor(1.0f, 0.0f, 0.0f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  glDisable(GL_SCISSOR_TEST);

  namespace fs = std::filesystem;
  fs::path path = fs::temp_directory_path() / ("renderer_screenshot_" + std::to_string(::getpid()) + ".png");
  std::string error = save_framebuffer_png(path.string(), width, height);
  ASSERT_EQ(error, "");
  int w = 0, h = 0, n = 0;
  unsigned char* png = stbi_load(path.string().c_str(), &w, &h, &n, 3);
  ASSERT_NE(png, nullptr);
  EXPECT_EQ(w, width);
  EXPECT_EQ(h, height);
  EXPECT_EQ(png[0], 255);  // first row of the PNG is the top of the window: red
  EXPECT_EQ(png[2], 0);
  const unsigned char* bottom = png + (static_cast<std::size_t>(h - 1) * w) * 3;
  EXPECT_EQ(bottom[0], 0);
  EXPECT_EQ(bottom[2], 255);
  stbi_image_free(png);
  fs::remove(path);

  EXPECT_NE(save_framebuffer_png("/nonexistent-dir-xyz/shot.png", width, height), "");
  EXPECT_NE(save_framebuffer_png(path.string(), 0, height), "");
}
