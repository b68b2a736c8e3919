// 1-nearest-neighbour class assignment of 2D samples (class_accuracy.hpp).
#include "diffusion/class_accuracy.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace diffusion {

std::vector<int> nearest_point_classes(const std::vector<float>& samples, const LabelledPoints2D& reference) {
  if (reference.size() == 0 || reference.xy.size() != 2 * reference.class_id.size())
    throw std::invalid_argument("nearest_point_classes: the reference needs points, each with a class");
  if (samples.size() % 2 != 0) throw std::invalid_argument("nearest_point_classes: samples must be x, y pairs");
  const std::size_t n = samples.size() / 2;
  std::vector<int> classes(n, kNullClass);
  for (std::size_t i = 0; i < n; ++i) {
    const double x = samples[2 * i], y = samples[2 * i + 1];
    if (!std::isfinite(x) || !std::isfinite(y)) continue;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j < reference.class_id.size(); ++j) {
      const double dx = x - reference.xy[2 * j], dy = y - reference.xy[2 * j + 1];
      const double squared = dx * dx + dy * dy;
      if (squared < best) {
        best = squared;
        classes[i] = reference.class_id[j];
      }
    }
  }
  return classes;
}

double class_accuracy(const std::vector<float>& samples, int class_id, const LabelledPoints2D& reference) {
  const std::vector<int> classes = nearest_point_classes(samples, reference);
  if (classes.empty()) return 0.0;
  std::size_t hits = 0;
  for (const int c : classes) hits += c == class_id ? 1 : 0;
  return static_cast<double>(hits) / static_cast<double>(classes.size());
}

}  // namespace diffusion
