#include "renderer/image_texture.hpp"

#include <epoxy/gl.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "renderer/frame_damage.hpp"

namespace renderer {
namespace {

// Images larger than this are surely not meant to be shown pixel by pixel.
constexpr int kMaxImageSide = 8192;

std::string check_arguments(const void* pixels, int width, int height, int channels) {
  if (pixels == nullptr) return "image upload: pixels is null";
  if (width <= 0 || height <= 0 || width > kMaxImageSide || height > kMaxImageSide) {
    return "image upload: size " + std::to_string(width) + "x" + std::to_string(height) +
           " is outside 1.." + std::to_string(kMaxImageSide);
  }
  if (channels != 1 && channels != 3 && channels != 4) {
    return "image upload: channels = " + std::to_string(channels) + " (expected 1, 3 or 4)";
  }
  return {};
}

// Index of (x, y, c) in the source buffer.
std::size_t source_index(int x, int y, int c, int width, int height, int channels, ChannelLayout layout) {
  const std::size_t w = static_cast<std::size_t>(width), h = static_cast<std::size_t>(height);
  if (layout == ChannelLayout::Planar) {
    return static_cast<std::size_t>(c) * w * h + static_cast<std::size_t>(y) * w + static_cast<std::size_t>(x);
  }
  return (static_cast<std::size_t>(y) * w + static_cast<std::size_t>(x)) * static_cast<std::size_t>(channels) +
         static_cast<std::size_t>(c);
}

template <typename Pixel, typename Convert>
void convert_to_rgba(const Pixel* pixels, int width, int height, int channels, ChannelLayout layout,
                     Convert convert, std::uint8_t* out) {
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      std::uint8_t* o = out + (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) + x) * 4;
      if (channels == 1) {
        std::uint8_t g = convert(pixels[source_index(x, y, 0, width, height, 1, layout)]);
        o[0] = o[1] = o[2] = g;
        o[3] = 255;
      } else {
        for (int c = 0; c < 3; ++c) o[c] = convert(pixels[source_index(x, y, c, width, height, channels, layout)]);
        o[3] = channels == 4 ? convert(pixels[source_index(x, y, 3, width, height, channels, layout)]) : 255;
      }
    }
  }
}

}  // namespace

std::string to_rgba8(const std::uint8_t* pixels, int width, int height, int channels, ChannelLayout layout,
                     std::uint8_t* out_rgba) {
  std::string error = check_arguments(pixels, width, height, channels);
  if (!error.empty()) return error;
  if (out_rgba == nullptr) return "image upload: output buffer is null";
  convert_to_rgba(pixels, width, height, channels, layout, [](std::uint8_t v) { return v; }, out_rgba);
  return {};
}

std::string float_to_rgba8(const float* pixels, int width, int height, int channels, float lo, float hi,
                           ChannelLayout layout, std::uint8_t* out_rgba) {
  std::string error = check_arguments(pixels, width, height, channels);
  if (!error.empty()) return error;
  if (out_rgba == nullptr) return "image upload: output buffer is null";
  if (!(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi)) {
    return "image upload: value range [" + std::to_string(lo) + ", " + std::to_string(hi) +
           "] is empty or not finite";
  }
  const float scale = 255.0f / (hi - lo);
  auto convert = [lo, scale](float v) -> std::uint8_t {
    if (!std::isfinite(v)) return 0;
    float scaled = std::round((v - lo) * scale);
    return static_cast<std::uint8_t>(std::clamp(scaled, 0.0f, 255.0f));
  };
  convert_to_rgba(pixels, width, height, channels, layout, convert, out_rgba);
  return {};
}

ImageTexture::~ImageTexture() { release(); }

void ImageTexture::release() {
  if (texture_ != 0) glDeleteTextures(1, &texture_);
  texture_ = 0;
  width_ = height_ = 0;
}

bool ImageTexture::upload_u8(const std::uint8_t* pixels, int width, int height, int channels,
                             ChannelLayout layout, std::string* error) {
  std::vector<std::uint8_t> rgba(static_cast<std::size_t>(std::max(width, 0)) *
                                 static_cast<std::size_t>(std::max(height, 0)) * 4);
  std::string message = to_rgba8(pixels, width, height, channels, layout, rgba.data());
  if (!message.empty()) {
    if (error != nullptr) *error = message;
    return false;
  }
  return upload_rgba(rgba.data(), width, height);
}

bool ImageTexture::upload_float(const float* pixels, int width, int height, int channels, float lo, float hi,
                                ChannelLayout layout, std::string* error) {
  std::string message = check_arguments(pixels, width, height, channels);
  std::vector<std::uint8_t> rgba;
  if (message.empty()) {
    rgba.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4);
    message = float_to_rgba8(pixels, width, height, channels, lo, hi, layout, rgba.data());
  }
  if (!message.empty()) {
    if (error != nullptr) *error = message;
    return false;
  }
  return upload_rgba(rgba.data(), width, height);
}

bool ImageTexture::upload_rgba(const std::uint8_t* rgba, int width, int height) {
  GLint previous_texture = 0, previous_unpack = 4;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous_texture);
  glGetIntegerv(GL_UNPACK_ALIGNMENT, &previous_unpack);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  if (texture_ == 0) {
    glGenTextures(1, &texture_);
    width_ = height_ = 0;
  }
  glBindTexture(GL_TEXTURE_2D, texture_);
  if (width == width_ && height == height_) {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
  } else {
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    width_ = width;
    height_ = height;
  }
  apply_filter();
  glPixelStorei(GL_UNPACK_ALIGNMENT, previous_unpack);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous_texture));
  return true;
}

void ImageTexture::set_filter(TextureFilter filter) {
  filter_ = filter;
  if (texture_ == 0) return;
  GLint previous_texture = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous_texture);
  glBindTexture(GL_TEXTURE_2D, texture_);
  apply_filter();
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous_texture));
}

void ImageTexture::apply_filter() {
  note_texture_changed(texture_id());   // new pixels or a new filter: the image looks different
  bool nearest = filter_ == TextureFilter::Nearest ||
                 (filter_ == TextureFilter::Auto && std::max(width_, height_) <= 128);
  GLint mode = nearest ? GL_NEAREST : GL_LINEAR;
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, mode);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, mode);
}

ImTextureID ImageTexture::texture_id() const {
  return reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(texture_));
}

}  // namespace renderer
