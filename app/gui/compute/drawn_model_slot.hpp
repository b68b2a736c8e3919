#pragma once
// The model trained in the app on a drawing, and the drawing it learnt. One slot: a training on
// any drawing replaces it. A run on a drawing gets the model only for that drawing: the same point
// set, or one with the very same points and classes (a scene saved and loaded again). Every edit
// makes a new point set, and Undo brings the old one back, so its model comes back with it. For
// any other drawing get() says why there is none, and the reverse view then shows the exact
// denoiser, labelled. Lives on the worker thread, inside ModelStore (not
// thread-safe). Torch-free header.
#include <cstdint>
#include <memory>
#include <string>

#include "diffusion/datasets2d.hpp"
#include "diffusion/prediction_target.hpp"
#include "gui/compute/model_store.hpp"

namespace diffuscope::gui {

using DrawnPointsPtr = std::shared_ptr<const diffusion::LabelledPoints2D>;

// "trained here on the drawing (2000 points) · v-prediction · 5200 steps · loss 0.312": the model
// description line of the reverse view (split at " · ") and the training panel.
std::string drawn_model_description(int points, diffusion::PredictionTarget target, std::int64_t steps,
                                    double loss);

class DrawnModelSlot {
 public:
  // Keeps `model` (its revision already set by the store) as the model of `drawing` (not null).
  void store(DrawnPointsPtr drawing, StoredModel model);
  // The model trained on exactly `drawing`; else a StoredModel with a null model whose `error`
  // says why: none trained on a drawing yet, or the one there is learnt an earlier drawing.
  StoredModel get(const DrawnPointsPtr& drawing) const;
  // True when the stored model learnt `drawing` (the same set, or equal points and classes).
  bool learnt(const DrawnPointsPtr& drawing) const;
  // The newest model trained on any drawing (null model when none): where "continue" starts.
  const StoredModel& latest() const { return model_; }
  // Points of the drawing the newest model learnt (0: none).
  int trained_points() const { return drawing_ ? drawing_->size() : 0; }
  // Revision of the newest model (0: none trained on a drawing).
  std::uint64_t revision() const { return model_.model ? model_.revision : 0; }
  // The worker's device changed: the model moves there (in place; call only when no run holds it).
  void move_to(const std::string& device_name);

 private:
  DrawnPointsPtr drawing_;
  StoredModel model_;
};

}  // namespace diffuscope::gui
