#include "renderer/colormap.hpp"

#include <algorithm>
#include <cmath>

namespace renderer {
namespace {

// Nine anchors of a viridis-like ramp (sRGB, 0..255), evenly spaced in u; linear between them.
// Luminance rises monotonically from the first anchor to the last.
constexpr float kAnchors[9][3] = {
    {68, 1, 84},    {72, 40, 120},  {62, 74, 137},  {49, 104, 142}, {38, 130, 142},
    {31, 158, 137}, {53, 183, 121}, {110, 206, 88}, {253, 231, 37},
};

// Okabe & Ito's colour-blind-safe set, extended with four distinct hues.
constexpr unsigned char kCategorical[10][3] = {
    {0, 114, 178},  {230, 159, 0}, {0, 158, 115},  {204, 121, 167}, {86, 180, 233},
    {213, 94, 0},   {240, 228, 66}, {148, 103, 189}, {140, 86, 75},  {127, 127, 127},
};

}  // namespace

ImVec4 colormap_rgba(float u, float alpha) {
  if (std::isnan(u)) u = 0.0f;
  u = std::clamp(u, 0.0f, 1.0f);
  float position = u * 8.0f;
  int i = std::min(7, static_cast<int>(position));
  float f = position - static_cast<float>(i);
  float rgb[3];
  for (int c = 0; c < 3; ++c) {
    rgb[c] = (kAnchors[i][c] + (kAnchors[i + 1][c] - kAnchors[i][c]) * f) / 255.0f;
  }
  return ImVec4(rgb[0], rgb[1], rgb[2], std::clamp(alpha, 0.0f, 1.0f));
}

ImU32 colormap(float u, float alpha) { return ImGui::ColorConvertFloat4ToU32(colormap_rgba(u, alpha)); }

ImU32 categorical_color(int index, float alpha) {
  int i = ((index % 10) + 10) % 10;
  int a = static_cast<int>(std::lround(std::clamp(alpha, 0.0f, 1.0f) * 255.0f));
  return IM_COL32(kCategorical[i][0], kCategorical[i][1], kCategorical[i][2], a);
}

std::vector<std::uint32_t> colors_from_values(const float* values, int count, int stride, float alpha,
                                              float lo, float hi) {
  std::vector<std::uint32_t> colors;
  if (values == nullptr || count <= 0 || stride <= 0) return colors;
  auto at = [&](int i) { return values[static_cast<std::size_t>(i) * static_cast<std::size_t>(stride)]; };
  if (!(lo < hi)) {
    lo = INFINITY;
    hi = -INFINITY;
    for (int i = 0; i < count; ++i) {
      float v = at(i);
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  const int a = static_cast<int>(std::lround(std::clamp(alpha, 0.0f, 1.0f) * 255.0f));
  const std::uint32_t grey = IM_COL32(128, 128, 128, a);
  colors.resize(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    float v = at(i);
    if (!std::isfinite(v)) {
      colors[static_cast<std::size_t>(i)] = grey;
      continue;
    }
    float u = hi > lo ? (v - lo) / (hi - lo) : 0.5f;
    colors[static_cast<std::size_t>(i)] = colormap(u, alpha);
  }
  return colors;
}

std::vector<std::uint32_t> colors_from_labels(const int* labels, int count, float alpha) {
  std::vector<std::uint32_t> colors;
  if (labels == nullptr || count <= 0) return colors;
  colors.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) colors.push_back(categorical_color(labels[i], alpha));
  return colors;
}

}  // namespace renderer
