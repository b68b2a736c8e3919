// Nearest-point distances in 2D with a bucket grid: each sample searches rings of cells outward
// until the ring's inner edge is farther than the best distance found.
#include "diffusion/nearest_distance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace diffusion {
namespace {

struct Grid {
  double min_x = 0, min_y = 0, cell = 1;
  long columns = 1, rows = 1;
  std::vector<std::size_t> start;   // per cell, index into `points` (CSR layout), size cells + 1
  std::vector<float> points;        // reference points sorted by cell, interleaved x, y

  explicit Grid(const std::vector<float>& reference) {
    const std::size_t m = reference.size() / 2;
    double max_x = -std::numeric_limits<double>::infinity(), max_y = max_x;
    min_x = min_y = std::numeric_limits<double>::infinity();
    std::size_t finite = 0;
    for (std::size_t i = 0; i < m; ++i) {
      const double x = reference[2 * i], y = reference[2 * i + 1];
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      ++finite;
      min_x = std::min(min_x, x), max_x = std::max(max_x, x);
      min_y = std::min(min_y, y), max_y = std::max(max_y, y);
    }
    if (finite == 0) return;
    // About two points per cell on average, at most 1024 cells a side.
    const double width = std::max(max_x - min_x, 1e-9), height = std::max(max_y - min_y, 1e-9);
    cell = std::max(std::sqrt(width * height * 2.0 / static_cast<double>(finite)),
                    std::max(width, height) / 1024.0);
    columns = static_cast<long>(width / cell) + 1;
    rows = static_cast<long>(height / cell) + 1;
    std::vector<std::size_t> counts(static_cast<std::size_t>(columns * rows) + 1, 0);
    auto cell_of = [&](double x, double y) {
      return static_cast<std::size_t>(std::min(rows - 1, static_cast<long>((y - min_y) / cell)) * columns +
                                      std::min(columns - 1, static_cast<long>((x - min_x) / cell)));
    };
    for (std::size_t i = 0; i < m; ++i)
      if (std::isfinite(reference[2 * i]) && std::isfinite(reference[2 * i + 1]))
        ++counts[cell_of(reference[2 * i], reference[2 * i + 1]) + 1];
    for (std::size_t c = 1; c < counts.size(); ++c) counts[c] += counts[c - 1];
    start = counts;
    points.resize(2 * finite);
    for (std::size_t i = 0; i < m; ++i) {
      const float x = reference[2 * i], y = reference[2 * i + 1];
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      const std::size_t slot = counts[cell_of(x, y)]++;
      points[2 * slot] = x;
      points[2 * slot + 1] = y;
    }
  }

  double nearest(double x, double y) const {
    if (points.empty() || !std::isfinite(x) || !std::isfinite(y)) return std::numeric_limits<double>::infinity();
    // The sample's cell, clamped onto the grid; rings grow until nothing closer can remain.
    const long cx = std::clamp(static_cast<long>(std::floor((x - min_x) / cell)), 0L, columns - 1);
    const long cy = std::clamp(static_cast<long>(std::floor((y - min_y) / cell)), 0L, rows - 1);
    // Distance from the sample to the grid's box (0 inside): rings nearer than that are empty.
    const double outside_x = std::max({min_x - x, x - (min_x + columns * cell), 0.0});
    const double outside_y = std::max({min_y - y, y - (min_y + rows * cell), 0.0});
    const double to_box = std::hypot(outside_x, outside_y);
    double best_sq = std::numeric_limits<double>::infinity();
    const long max_ring = std::max(columns, rows);
    for (long ring = 0; ring <= max_ring; ++ring) {
      // Every point in this ring or beyond is at least (ring - 1) cells from the sample's cell, and
      // as far as the box; projecting onto the box shortens no distance, so both bound it below.
      const double ring_floor = std::max(to_box, static_cast<double>(std::max(0L, ring - 1)) * cell);
      if (ring_floor * ring_floor > best_sq) break;
      for (long gy = cy - ring; gy <= cy + ring; ++gy) {
        if (gy < 0 || gy >= rows) continue;
        const bool edge_row = gy == cy - ring || gy == cy + ring;
        for (long gx = cx - ring; gx <= cx + ring; gx += edge_row ? 1 : 2 * ring) {
          if (gx >= 0 && gx < columns) {
            const std::size_t c = static_cast<std::size_t>(gy * columns + gx);
            for (std::size_t k = start[c]; k < start[c + 1]; ++k) {
              const double dx = points[2 * k] - x, dy = points[2 * k + 1] - y;
              best_sq = std::min(best_sq, dx * dx + dy * dy);
            }
          }
        }
      }
    }
    return std::sqrt(best_sq);
  }
};

}  // namespace

std::vector<double> nearest_distances_2d(const std::vector<float>& samples, const std::vector<float>& reference) {
  const Grid grid(reference);
  std::vector<double> out(samples.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = grid.nearest(samples[2 * i], samples[2 * i + 1]);
  return out;
}

double share_above(const std::vector<double>& distances, double radius) {
  if (distances.empty()) return 0.0;
  const auto n = std::count_if(distances.begin(), distances.end(), [radius](double d) { return !(d <= radius); });
  return static_cast<double>(n) / static_cast<double>(distances.size());
}

double share_within(const std::vector<double>& distances, double radius) {
  return distances.empty() ? 0.0 : 1.0 - share_above(distances, radius);
}

}  // namespace diffusion
