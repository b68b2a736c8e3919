#pragma once
// The worker's learned 2D models, one per dataset: the model trained in the app if there is one,
// else the shipped checkpoint (diffusion::shipped_point_model_path); and, for comparing prediction
// targets, the dataset's model of a given target (trained here with it, else shipped); and the
// dataset's shipped flow-matching velocity model (get_flow). Lives on the worker thread
// only (not thread-safe); the revisions it hands out are mirrored to the UI by the Worker.
// Torch-free header: the model type is only forward-declared.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "diffusion/datasets2d.hpp"
#include "diffusion/prediction_target.hpp"
#include <optional>

namespace diffusion {
class PointModel;
}

namespace diffuscope::gui {

class DrawnModelSlot;

struct StoredModel {
  // Null when the dataset has no usable model (then `error` says why). Never modified after it
  // was stored: training publishes a new copy, so a run may keep using the one it started with.
  std::shared_ptr<diffusion::PointModel> model;
  diffusion::PredictionTarget target = diffusion::kDefaultPointTarget;  // what the model predicts
  std::uint64_t revision = 0;      // 0: the shipped checkpoint; 1, 2, ...: trained in the app
  std::string description;         // "moons.ckpt · 20000 steps · loss 0.312", "trained here · 5200 steps"
  std::string error;               // "no trained model for spiral: ... not found; press Train"
};

class ModelStore {
 public:
  // device_name: where loaded models are put ("cpu", "cuda:0").
  explicit ModelStore(std::string device_name);
  ~ModelStore();
  ModelStore(const ModelStore&) = delete;
  ModelStore& operator=(const ModelStore&) = delete;

  // The dataset's current model. The shipped checkpoint is loaded once and kept; a failed load is
  // tried again on the next call, so a checkpoint written later (or fixed) is picked up.
  // With a target: the model trained here if it predicts that target, else the shipped model of
  // that target (shipped_point_model_path(kind, target)).
  StoredModel get(diffusion::Dataset2DKind kind, std::optional<diffusion::PredictionTarget> target = std::nullopt);
  // The dataset's shipped flow-matching velocity model (diffusion::shipped_flow_model_path),
  // loaded once and kept; a missing file (error names it and the `diffuscope train --process flow`
  // command that makes it) or a failed load is tried again on the next call. Its `target` means
  // nothing (a flow model predicts the velocity).
  StoredModel get_flow(diffusion::Dataset2DKind kind);
  // The dataset's shipped class-conditional model (diffusion::shipped_conditional_model_path,
  // classifier-free guidance), cached like get_flow; a missing file's error names it and the
  // `diffuscope train --conditional` command that makes it.
  StoredModel get_conditional(diffusion::Dataset2DKind kind);
  // Stores a model trained in the app and returns its revision (increasing over the whole store,
  // so a new model never reuses a number). The caller must not modify `model` afterwards:
  // PointTrainer::ema_model() returns an independent copy, which is what training publishes.
  std::uint64_t publish_trained(diffusion::Dataset2DKind kind, const diffusion::PointModel& model,
                                diffusion::PredictionTarget target, std::int64_t steps, double loss);
  // Revision get() would return now, without loading anything (0 when none was trained here).
  std::uint64_t revision(diffusion::Dataset2DKind kind) const;
  // A model trained in the app on a drawing (drawn_model_slot.hpp): it replaces the previous
  // drawing's model, never a dataset's; its revision comes from the same counter as publish_trained.
  std::uint64_t publish_trained_on_drawing(std::shared_ptr<const diffusion::LabelledPoints2D> drawing,
                                           const diffusion::PointModel& model, diffusion::PredictionTarget target,
                                           std::int64_t steps, double loss);
  const DrawnModelSlot& drawn() const { return *drawn_; }
  // The worker's device changed: models trained here move to it (in place: call only when no run
  // or training holds them any more); shipped checkpoints are loaded again on demand.
  void move_to(const std::string& device_name);
  const std::string& device_name() const { return device_name_; }

 private:
  std::string device_name_;
  std::map<diffusion::Dataset2DKind, StoredModel> trained_;
  // Keyed by dataset and the target asked for (nullopt: the default model).
  std::map<std::pair<diffusion::Dataset2DKind, std::optional<diffusion::PredictionTarget>>, StoredModel> shipped_;
  std::map<diffusion::Dataset2DKind, StoredModel> shipped_flow_;
  std::map<diffusion::Dataset2DKind, StoredModel> shipped_conditional_;
  std::uint64_t last_revision_ = 0;
  std::unique_ptr<DrawnModelSlot> drawn_;
};

}  // namespace diffuscope::gui
