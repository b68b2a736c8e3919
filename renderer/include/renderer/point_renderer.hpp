#pragma once
// Draws 2-D point clouds with GL 3.3 core shaders (shaders/points.vert, shaders/points.frag):
// round point sprites with a smooth edge, per-point RGBA colour, alpha blending.
// Every member needs the GL context current on the calling thread (the UI thread).
#include <cstdint>
#include <string>

namespace renderer {

// The data rectangle mapped onto the current viewport, and how points look.
struct PointView {
  double x_min = -1.0, x_max = 1.0;   // data x shown from the left to the right edge
  double y_min = -1.0, y_max = 1.0;   // data y shown from the bottom to the top edge
  float point_diameter_px = 4.0f;     // sprite diameter in pixels (scale it with the UI scale)
  float opacity = 1.0f;               // multiplies every point's alpha
};

class PointRenderer {
 public:
  PointRenderer() = default;
  ~PointRenderer();
  PointRenderer(const PointRenderer&) = delete;
  PointRenderer& operator=(const PointRenderer&) = delete;

  // Compiles the embedded shaders and creates the buffers. Returns false with a message
  // (compiler log included) in *error on failure. Safe to call again (no-op once initialised).
  bool init(std::string* error = nullptr);
  bool initialized() const { return program_ != 0; }

  // Uploads count interleaved (x, y) positions. Call only when the data changed.
  // Non-finite positions are drawn nowhere (they fall outside the clip volume).
  void set_positions(const float* xy, int count);
  // Uploads count colours packed as ImU32 (IM_COL32: R in the low byte). Call only when changed.
  // While fewer colours than positions are uploaded, every point is drawn white.
  void set_colors(const std::uint32_t* rgba, int count);
  int point_count() const { return position_count_; }
  // Changes with every set_positions / set_colors (unique across renderers): a picture of these
  // points drawn at revision r is still right while revision() == r.
  std::uint64_t revision() const { return revision_; }

  // Draws into the currently bound framebuffer and viewport (e.g. between RenderTarget::begin and
  // end). Sets and restores the GL state it touches (program, VAO, blending, point size mode).
  void draw(const PointView& view);

  void release();

 private:
  unsigned int program_ = 0;
  unsigned int vertex_array_ = 0;
  unsigned int position_buffer_ = 0;
  unsigned int color_buffer_ = 0;
  int position_count_ = 0;
  int color_count_ = 0;
  int position_capacity_ = 0;
  int color_capacity_ = 0;
  std::uint64_t revision_ = 0;
  int uniform_scale_ = -1;
  int uniform_offset_ = -1;
  int uniform_point_size_ = -1;
  int uniform_opacity_ = -1;
};

}  // namespace renderer
