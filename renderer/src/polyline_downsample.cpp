#include "renderer/polyline_downsample.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace renderer {
namespace {

bool is_break(const ScreenPoint& p) { return !std::isfinite(p.x) || !std::isfinite(p.y); }

}  // namespace

std::vector<ScreenPoint> downsample_columns(const std::vector<ScreenPoint>& points) {
  std::vector<ScreenPoint> out;
  out.reserve(std::min<std::size_t>(points.size(), 4096));
  const ScreenPoint break_point{std::numeric_limits<float>::quiet_NaN(),
                                std::numeric_limits<float>::quiet_NaN()};

  // The current column's run: indices of its first, lowest, highest and last point.
  bool open = false;
  long column = 0;
  std::size_t first = 0, lowest = 0, highest = 0, last = 0;
  auto flush = [&]() {
    if (!open) return;
    std::size_t keep[4] = {first, lowest, highest, last};
    std::sort(keep, keep + 4);
    for (int i = 0; i < 4; ++i) {
      if (i > 0 && keep[i] == keep[i - 1]) continue;
      out.push_back(points[keep[i]]);
    }
    open = false;
  };

  for (std::size_t i = 0; i < points.size(); ++i) {
    const ScreenPoint& p = points[i];
    if (is_break(p)) {
      flush();
      if (!out.empty() && !is_break(out.back())) out.push_back(break_point);
      continue;
    }
    long c = static_cast<long>(std::floor(p.x));
    if (open && c == column) {
      if (p.y < points[lowest].y) lowest = i;
      if (p.y > points[highest].y) highest = i;
      last = i;
      continue;
    }
    flush();
    open = true;
    column = c;
    first = lowest = highest = last = i;
  }
  flush();
  if (!out.empty() && is_break(out.back())) out.pop_back();
  return out;
}

}  // namespace renderer
