#include "gui/state/drawing.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>

#include "diffusion/point_csv.hpp"
#include "gui/state/limits.hpp"

namespace diffuscope::gui {

// A drawing is exported and saved in scenes as a point CSV: it must fit one.
static_assert(kMaxDrawnPoints <= diffusion::kMaxPointCsvPoints, "a drawing must fit a point CSV");
static_assert(kMaxBrushClass <= diffusion::kMaxPointCsvClass, "a brush class must fit a point CSV");

Brush clamped_brush(const Brush& brush) {
  Brush out = brush;
  out.points = std::clamp(brush.points, 1, kMaxBrushPoints);
  out.spread = std::isfinite(brush.spread) ? std::clamp(brush.spread, kMinBrushSpread, kMaxBrushSpread)
                                           : kMinBrushSpread;
  out.class_id = std::clamp(brush.class_id, 0, kMaxBrushClass);
  return out;
}

double erase_radius(const Brush& brush) {
  return std::max(kMinEraseRadius, kEraseRadiusPerSpread * clamped_brush(brush).spread);
}

diffusion::LabelledPoints2D add_dab(const diffusion::LabelledPoints2D& points, double x, double y,
                                    const Brush& raw_brush, std::uint64_t seed) {
  const Brush brush = clamped_brush(raw_brush);
  diffusion::LabelledPoints2D out = points;
  const int room = std::max(0, kMaxDrawnPoints - points.size());
  const int count = std::min(brush.points, room);
  if (count == 0 || !std::isfinite(x) || !std::isfinite(y)) return out;
  // Box-Muller on a fixed engine: the same seed gives the same dab with every standard library
  // (std::normal_distribution's algorithm is not specified).
  std::mt19937_64 engine(seed);
  auto uniform = [&engine] { return (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53; };
  const double limit = diffusion::kMaxPointCsvCoordinate;
  for (int i = 0; i < count; ++i) {
    const double radius = std::sqrt(-2.0 * std::log(uniform()));
    const double angle = 2.0 * M_PI * uniform();
    out.xy.push_back(static_cast<float>(std::clamp(x + brush.spread * radius * std::cos(angle), -limit, limit)));
    out.xy.push_back(static_cast<float>(std::clamp(y + brush.spread * radius * std::sin(angle), -limit, limit)));
    out.class_id.push_back(brush.class_id);
  }
  out.num_classes = std::max(out.num_classes, brush.class_id + 1);
  return out;
}

diffusion::LabelledPoints2D erase_near(const diffusion::LabelledPoints2D& points, double x, double y,
                                       double radius) {
  diffusion::LabelledPoints2D out;
  out.num_classes = points.num_classes;
  out.xy.reserve(points.xy.size());
  out.class_id.reserve(points.class_id.size());
  const double r2 = radius * radius;
  for (int i = 0; i < points.size(); ++i) {
    const double dx = points.xy[2 * i] - x, dy = points.xy[2 * i + 1] - y;
    if (dx * dx + dy * dy <= r2) continue;
    out.xy.push_back(points.xy[2 * i]);
    out.xy.push_back(points.xy[2 * i + 1]);
    out.class_id.push_back(points.class_id[i]);
  }
  return out;
}

Drawing::Drawing() : points_(std::make_shared<const diffusion::LabelledPoints2D>()) {}

void Drawing::begin_stroke() {
  undo_.push_back(points_);
  while (undo_.size() > static_cast<std::size_t>(kMaxDrawingUndo)) undo_.pop_front();
}

bool Drawing::dab(double x, double y, const Brush& brush) {
  if (points_->size() >= kMaxDrawnPoints) return false;
  // Seeds far apart per dab (splitmix-style constant): neighbouring dabs share no stream.
  const std::uint64_t seed = 0x9E3779B97F4A7C15ull * ++dabs_;
  points_ = std::make_shared<const diffusion::LabelledPoints2D>(add_dab(*points_, x, y, brush, seed));
  return true;
}

int Drawing::erase(double x, double y, double radius) {
  diffusion::LabelledPoints2D kept = erase_near(*points_, x, y, radius);
  const int removed = points_->size() - kept.size();
  if (removed > 0) points_ = std::make_shared<const diffusion::LabelledPoints2D>(std::move(kept));
  return removed;
}

void Drawing::clear() { replace(diffusion::LabelledPoints2D{}, true); }

void Drawing::replace(diffusion::LabelledPoints2D points, bool undoable) {
  if (points.xy.size() != 2 * points.class_id.size())
    throw std::invalid_argument("drawing: " + std::to_string(points.xy.size()) + " coordinates for " +
                                std::to_string(points.class_id.size()) + " classes");
  if (points.size() > kMaxDrawnPoints)
    throw std::invalid_argument("drawing: " + std::to_string(points.size()) + " points, at most " +
                                std::to_string(kMaxDrawnPoints));
  for (int c : points.class_id)
    if (c < 0 || c >= points.num_classes)
      throw std::invalid_argument("drawing: class " + std::to_string(c) + " is not in 0.." +
                                  std::to_string(points.num_classes - 1));
  if (undoable) begin_stroke();
  points_ = std::make_shared<const diffusion::LabelledPoints2D>(std::move(points));
}

bool Drawing::undo() {
  if (undo_.empty()) return false;
  points_ = std::move(undo_.back());
  undo_.pop_back();
  return true;
}

}  // namespace diffuscope::gui
