#pragma once
// An offscreen framebuffer with an RGBA8 colour texture, so the GUI can draw GL content (point
// clouds) into a texture and show it inside an ImGui panel with ImGui::Image.
// Every member needs the GL context current on the calling thread (the UI thread).
#include <imgui.h>

#include <cstdint>
#include <string>
#include <vector>

namespace renderer {

class RenderTarget {
 public:
  RenderTarget() = default;
  ~RenderTarget();
  RenderTarget(const RenderTarget&) = delete;
  RenderTarget& operator=(const RenderTarget&) = delete;

  // (Re)creates the texture when the size changed (no-op otherwise). Sizes are clamped to >= 1.
  // Returns false and fills *error (if given) when the framebuffer is incomplete.
  bool resize(int width, int height, std::string* error = nullptr);

  // Binds the framebuffer and sets the viewport to the whole texture; remembers the previous
  // framebuffer binding and viewport, which end() restores.
  void begin();
  void end();
  // Clears the colour attachment (call between begin and end).
  void clear(float r, float g, float b, float a);

  // Reads the texture back as top-down rows of RGBA8 (width*height*4 bytes).
  std::vector<std::uint8_t> read_pixels_rgba();

  // For ImGui::Image: the GL texture name as an ImTextureID. GL's origin is bottom-left, so show
  // it with uv0 = image_uv0(), uv1 = image_uv1() (flipped vertically).
  ImTextureID texture_id() const;
  static ImVec2 image_uv0() { return ImVec2(0.0f, 1.0f); }
  static ImVec2 image_uv1() { return ImVec2(1.0f, 0.0f); }

  unsigned int texture() const { return texture_; }
  unsigned int framebuffer() const { return framebuffer_; }
  int width() const { return width_; }
  int height() const { return height_; }
  bool valid() const { return framebuffer_ != 0; }
  void release();

 private:
  unsigned int framebuffer_ = 0;
  unsigned int texture_ = 0;
  int width_ = 0;
  int height_ = 0;
  int previous_framebuffer_ = 0;
  int previous_viewport_[4] = {0, 0, 0, 0};
};

}  // namespace renderer
