// Path length over endpoint distance, summed in double so long paths of small steps keep digits.
#include "diffusion/trajectory_curvature.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace diffusion {
namespace {

double point_distance(const float* a, const float* b, int dims) {
  double sum = 0.0;
  for (int d = 0; d < dims; ++d) {
    const double delta = static_cast<double>(b[d]) - static_cast<double>(a[d]);
    sum += delta * delta;
  }
  return std::sqrt(sum);
}

}  // namespace

double path_length_ratio(const float* path, std::size_t points, int dims) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (points < 2 || dims < 1) return nan;
  double length = 0.0;
  for (std::size_t i = 1; i < points; ++i)
    length += point_distance(path + (i - 1) * dims, path + i * dims, dims);
  const double chord = point_distance(path, path + (points - 1) * dims, dims);
  if (!(chord > 0.0)) return nan;
  return length / chord;
}

double mean_path_length_ratio(const std::vector<float>& paths_xy, std::size_t paths, int dims) {
  if (dims < 1) throw std::invalid_argument("mean_path_length_ratio: dims must be >= 1");
  if (paths < 1) throw std::invalid_argument("mean_path_length_ratio: there must be at least one path");
  const std::size_t per_path_values = paths * static_cast<std::size_t>(dims);
  if (paths_xy.size() % per_path_values != 0)
    throw std::invalid_argument("mean_path_length_ratio: " + std::to_string(paths_xy.size()) +
                                " values do not split into " + std::to_string(paths) + " paths of " +
                                std::to_string(dims) + "-D points");
  const std::size_t points = paths_xy.size() / per_path_values;
  double sum = 0.0;
  std::size_t counted = 0;
  for (std::size_t p = 0; p < paths; ++p) {
    const double ratio = path_length_ratio(paths_xy.data() + p * points * dims, points, dims);
    if (std::isnan(ratio)) continue;
    sum += ratio;
    ++counted;
  }
  return counted > 0 ? sum / static_cast<double>(counted) : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace diffusion
