#pragma once
// An offscreen framebuffer with an RGBA8 colour texture, so the GUI can draw GL content (point
// clouds) into a texture and show it inside an ImGui panel with ImGui::Image.
// Every member needs the GL context current on the calling thread (the UI thread).
#include <imgui.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace renderer {

// A key for RenderTarget::shows: FNV-1a (Fowler, Noll & Vo) over the bytes of the values a
// picture depends on (sizes, view parameters, PointRenderer revisions). Plain values only.
class ContentKey {
 public:
  template <class T>
  ContentKey& add(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>, "a key is made of plain values");
    const auto* bytes = reinterpret_cast<const unsigned char*>(&value);
    for (std::size_t i = 0; i < sizeof(T); ++i) hash_ = (hash_ ^ bytes[i]) * 1099511628211ull;
    return *this;
  }
  std::uint64_t value() const { return hash_ == 0 ? 1 : hash_; }   // 0 means "nothing shown"

 private:
  std::uint64_t hash_ = 14695981039346656037ull;
};

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

  // What the texture shows, as the caller's key of its inputs (0: nothing yet; cleared when the
  // texture is recreated): draw again only when shows(key) is false, then set_shown(key).
  bool shows(std::uint64_t key) const { return framebuffer_ != 0 && key != 0 && shown_key_ == key; }
  void set_shown(std::uint64_t key) { shown_key_ = key; }

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
  std::uint64_t shown_key_ = 0;
  int previous_viewport_[4] = {0, 0, 0, 0};
};

}  // namespace renderer
