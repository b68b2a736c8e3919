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

std::uint32_t class_color(int class_id, float alpha, bool light_background) {
  // Okabe & Ito (2008), "Color Universal Design": orange, sky blue, bluish green, yellow, blue,
  // vermillion, reddish purple, and a neutral. On a light background yellow and the neutral are
  // darkened to keep their contrast.
  static const float dark_bg[kClassColorCount][3] = {
      {0.90f, 0.62f, 0.00f}, {0.34f, 0.71f, 0.91f}, {0.00f, 0.62f, 0.45f}, {0.94f, 0.89f, 0.26f},
      {0.20f, 0.50f, 0.90f}, {0.84f, 0.37f, 0.00f}, {0.80f, 0.47f, 0.65f}, {0.92f, 0.92f, 0.92f}};
  static const float light_bg[kClassColorCount][3] = {
      {0.90f, 0.55f, 0.00f}, {0.20f, 0.60f, 0.85f}, {0.00f, 0.55f, 0.40f}, {0.70f, 0.62f, 0.00f},
      {0.00f, 0.40f, 0.70f}, {0.80f, 0.33f, 0.00f}, {0.75f, 0.40f, 0.60f}, {0.25f, 0.25f, 0.25f}};
  if (class_id < 0) return pack(0.5f, 0.5f, 0.5f, alpha);
  const float* rgb = (light_background ? light_bg : dark_bg)[class_id % kClassColorCount];
  return pack(rgb[0], rgb[1], rgb[2], alpha);
}

std::vector<std::uint32_t> class_colors(const int* class_id, int count, float alpha, bool light_background) {
  std::vector<std::uint32_t> out(static_cast<std::size_t>(std::max(count, 0)));
  for (int i = 0; i < count; ++i) out[static_cast<std::size_t>(i)] = class_color(class_id[i], alpha, light_background);
  return out;
}

}  // namespace diffuscope::gui
