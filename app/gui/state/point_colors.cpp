#include "gui/state/point_colors.hpp"

#include <algorithm>
#include <cmath>

namespace diffuscope::gui {

void hsv_to_rgb(float h, float s, float v, float* r, float* g, float* b) {
  h = h - std::floor(h);
  const float sector = h * 6.0f;
  const int i = static_cast<int>(sector) % 6;
  const float f = sector - std::floor(sector);
  const float p = v * (1.0f - s);
  const float q = v * (1.0f - s * f);
  const float u = v * (1.0f - s * (1.0f - f));
  switch (i) {
    case 0: *r = v; *g = u; *b = p; break;
    case 1: *r = q; *g = v; *b = p; break;
    case 2: *r = p; *g = v; *b = u; break;
    case 3: *r = p; *g = q; *b = v; break;
    case 4: *r = u; *g = p; *b = v; break;
    default: *r = v; *g = p; *b = q; break;
  }
}

namespace {
std::uint32_t pack(float r, float g, float b, float a) {
  auto byte = [](float x) {
    return static_cast<std::uint32_t>(std::lround(std::clamp(x, 0.0f, 1.0f) * 255.0f));
  };
  return byte(r) | (byte(g) << 8) | (byte(b) << 16) | (byte(a) << 24);
}
}  // namespace

std::vector<std::uint32_t> start_position_colors(const float* xy, int count, float alpha,
                                                 bool light_background) {
  std::vector<std::uint32_t> out(static_cast<std::size_t>(std::max(count, 0)));
  double sx = 0, sy = 0;
  int n = 0;
  for (int i = 0; i < count; ++i) {
    const float x = xy[2 * i], y = xy[2 * i + 1];
    if (std::isfinite(x) && std::isfinite(y)) {
      sx += x;
      sy += y;
      ++n;
    }
  }
  const double cx = n > 0 ? sx / n : 0.0, cy = n > 0 ? sy / n : 0.0;
  const float saturation = light_background ? 0.85f : 0.70f;
  const float value = light_background ? 0.72f : 0.98f;
  for (int i = 0; i < count; ++i) {
    const float x = xy[2 * i], y = xy[2 * i + 1];
    if (!std::isfinite(x) || !std::isfinite(y)) {
      out[static_cast<std::size_t>(i)] = pack(0.5f, 0.5f, 0.5f, alpha);
      continue;
    }
    const double angle = std::atan2(y - cy, x - cx);           // -pi..pi
    const float hue = static_cast<float>(angle / (2.0 * M_PI)); // wrapped by hsv_to_rgb
    float r, g, b;
    hsv_to_rgb(hue, saturation, value, &r, &g, &b);
    out[static_cast<std::size_t>(i)] = pack(r, g, b, alpha);
  }
  return out;
}

}  // namespace diffuscope::gui
