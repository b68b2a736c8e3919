#pragma once
// Uploads small images (x_t of an image, dataset thumbnails) to GL textures for ImGui::Image.
// Pixels are converted to RGBA8 on the CPU (images here are at most a few hundred pixels).
// Every member needs the GL context current on the calling thread (the UI thread).
#include <imgui.h>

#include <cstdint>
#include <string>

namespace renderer {

enum class TextureFilter {
  Auto,     // nearest when the long side is <= 128 px (28x28 pixels stay crisp), else linear
  Nearest,
  Linear,
};

enum class ChannelLayout {
  Interleaved,  // HWC: pixel (x, y) channel c at ((y * w + x) * channels + c)
  Planar,       // CHW: as a LibTorch tensor of shape (C, H, W) is laid out
};

class ImageTexture {
 public:
  ImageTexture() = default;
  ~ImageTexture();
  ImageTexture(const ImageTexture&) = delete;
  ImageTexture& operator=(const ImageTexture&) = delete;

  // channels: 1 (grey), 3 (RGB) or 4 (RGBA); rows top-down. Updates in place when the size is
  // unchanged. Returns false with a message in *error for bad arguments.
  bool upload_u8(const std::uint8_t* pixels, int width, int height, int channels,
                 ChannelLayout layout = ChannelLayout::Interleaved,
                 std::string* error = nullptr);
  // Float pixels: [lo, hi] maps to [0, 255] (clamped; non-finite -> 0). Diffusion images live in
  // [-1, 1], so pass lo = -1, hi = 1 for them.
  bool upload_float(const float* pixels, int width, int height, int channels, float lo = 0.0f,
                    float hi = 1.0f, ChannelLayout layout = ChannelLayout::Interleaved,
                    std::string* error = nullptr);

  void set_filter(TextureFilter filter);
  ImTextureID texture_id() const;
  unsigned int texture() const { return texture_; }
  int width() const { return width_; }
  int height() const { return height_; }
  bool valid() const { return texture_ != 0; }
  void release();

 private:
  bool upload_rgba(const std::uint8_t* rgba, int width, int height);
  void apply_filter();

  unsigned int texture_ = 0;
  int width_ = 0;
  int height_ = 0;
  TextureFilter filter_ = TextureFilter::Auto;
};

// CPU conversions used by ImageTexture (exposed for tests): write width*height*4 bytes of
// top-down RGBA8 to out_rgba. Grey -> (g, g, g, 255); RGB -> (r, g, b, 255).
// Return "" on success, else a message naming the bad argument (out_rgba untouched).
std::string to_rgba8(const std::uint8_t* pixels, int width, int height, int channels,
                     ChannelLayout layout, std::uint8_t* out_rgba);
std::string float_to_rgba8(const float* pixels, int width, int height, int channels, float lo,
                           float hi, ChannelLayout layout, std::uint8_t* out_rgba);

}  // namespace renderer
