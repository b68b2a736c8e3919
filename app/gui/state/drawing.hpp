#pragma once
// A dataset the lecturer draws: points with a class each, edited by a brush (dabs of Gaussian
// scatter around the mouse), an eraser, Clear and a bounded Undo. Every edit makes a new
// immutable point set, so the jobs sent to the worker hold a drawing by shared pointer and
// compare it by identity. Pure (a dab's scatter comes from a seed), GL- and ImGui-free, unit-tested.
#include <cstdint>
#include <deque>
#include <memory>

#include "diffusion/datasets2d.hpp"

namespace diffuscope::gui {

using DrawnPoints = std::shared_ptr<const diffusion::LabelledPoints2D>;

struct Brush {
  int points = 8;          // points per dab, 1..kMaxBrushPoints
  double spread = 0.15;    // standard deviation of a dab's scatter (data units); 0: all at the mouse
  int class_id = 0;        // 0..kMaxBrushClass
};

// The brush with every field clamped into its limits.hpp range.
Brush clamped_brush(const Brush& brush);
// Radius the eraser clears: max(kMinEraseRadius, kEraseRadiusPerSpread · spread).
double erase_radius(const Brush& brush);

// `points` plus one dab at (x, y): brush.points points N((x, y), spread² I) of brush.class_id,
// drawn from `seed` (same seed, same points), clamped to ±kMaxPointCsvCoordinate, and no more than
// room for: the result never exceeds kMaxDrawnPoints. num_classes grows to cover the class.
diffusion::LabelledPoints2D add_dab(const diffusion::LabelledPoints2D& points, double x, double y,
                                    const Brush& brush, std::uint64_t seed);
// `points` without those within `radius` of (x, y) (order kept). num_classes is kept: erasing
// does not renumber the classes.
diffusion::LabelledPoints2D erase_near(const diffusion::LabelledPoints2D& points, double x, double y,
                                       double radius);

// The drawing being edited and its history. One undo step per stroke: begin_stroke() before the
// dabs or erasures of one mouse drag.
class Drawing {
 public:
  Drawing();
  // Never null (an empty point set before anything is drawn).
  const DrawnPoints& points() const { return points_; }
  int size() const { return points_->size(); }
  bool empty() const { return points_->size() == 0; }
  bool can_undo() const { return !undo_.empty(); }
  int undo_depth() const { return static_cast<int>(undo_.size()); }

  // Remembers the current points for undo (the oldest beyond kMaxDrawingUndo is forgotten).
  void begin_stroke();
  // A dab of the brush; its seed is taken from a counter, so every dab scatters differently.
  // Returns false (nothing added) when the drawing already holds kMaxDrawnPoints points.
  bool dab(double x, double y, const Brush& brush);
  // Erases the points within `radius` of (x, y); returns how many went.
  int erase(double x, double y, double radius);
  // Clear and replace are undoable by themselves (no begin_stroke needed).
  void clear();
  // Replaces the drawing (a CSV read, a scene loaded); the points must keep the LabelledPoints2D
  // invariant and hold at most kMaxDrawnPoints (throws std::invalid_argument otherwise).
  void replace(diffusion::LabelledPoints2D points, bool undoable = true);
  // Back to the points before the last stroke, clear or replace. False when there is none.
  bool undo();

 private:
  DrawnPoints points_;
  std::deque<DrawnPoints> undo_;
  std::uint64_t dabs_ = 0;
};

}  // namespace diffuscope::gui
