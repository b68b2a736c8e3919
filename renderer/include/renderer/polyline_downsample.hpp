#pragma once
// Reduces a long polyline to a few points per pixel column while keeping its visual envelope:
// for each run of points inside one integer pixel column it keeps the first, the minimum, the
// maximum and the last point, in their original order (the "M4" reduction). Pure, no ImGui.
#include <vector>

namespace renderer {

// A point in pixel space. A non-finite x or y marks a break in the line and is passed through
// (consecutive breaks collapse into one).
struct ScreenPoint {
  float x = 0.0f;
  float y = 0.0f;
};

// Returns the reduced polyline. Points are expected in increasing x (as curves over t are);
// unordered input is still handled correctly, just less reduced.
std::vector<ScreenPoint> downsample_columns(const std::vector<ScreenPoint>& points);

}  // namespace renderer
