#pragma once
// Colour maps for point clouds ("where did each point start") and categorical series colours.
#include <imgui.h>

#include <cstdint>
#include <vector>

namespace renderer {

// Perceptually ordered map from dark blue-violet (u = 0) through teal and green to yellow (u = 1),
// viridis-like (own polynomial fit). u is clamped to [0, 1]; NaN maps to u = 0.
ImVec4 colormap_rgba(float u, float alpha = 1.0f);
ImU32 colormap(float u, float alpha = 1.0f);

// A distinguishable colour for category `index` (cycles after 10), readable on dark and light.
ImU32 categorical_color(int index, float alpha = 1.0f);

// Colours for count points from one value each (values[i * stride]): values are normalised by
// their finite min/max (or [lo, hi] when lo < hi) and passed through colormap().
// Non-finite values get grey.
std::vector<std::uint32_t> colors_from_values(const float* values, int count, int stride,
                                              float alpha = 1.0f, float lo = 0.0f,
                                              float hi = 0.0f);

// Colours from integer labels through categorical_color().
std::vector<std::uint32_t> colors_from_labels(const int* labels, int count, float alpha = 1.0f);

}  // namespace renderer
