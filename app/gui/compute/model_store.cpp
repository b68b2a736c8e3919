// The per-dataset model cache: in-app training results take precedence over shipped checkpoints.
#include "gui/compute/model_store.hpp"

#include <cstdio>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <sstream>
#include <utility>

#include <torch/torch.h>

#include "diffusion/assets.hpp"
#include "diffusion/checkpoint.hpp"
#include "diffusion/point_model.hpp"
#include "gui/compute/drawn_model_slot.hpp"
#include "gui/compute/loss_text.hpp"

namespace diffuscope::gui {
ModelStore::ModelStore(std::string device_name)
    : device_name_(std::move(device_name)), drawn_(std::make_unique<DrawnModelSlot>()) {}
ModelStore::~ModelStore() = default;

StoredModel ModelStore::get(diffusion::Dataset2DKind kind, std::optional<diffusion::PredictionTarget> target) {
  if (auto it = trained_.find(kind); it != trained_.end() && (!target || it->second.target == *target))
    return it->second;
  const auto key = std::make_pair(kind, target);
  if (auto it = shipped_.find(key); it != shipped_.end()) return it->second;

  const std::string name(diffusion::to_string(kind));
  const std::string path =
      target ? diffusion::shipped_point_model_path(kind, *target) : diffusion::shipped_point_model_path(kind);
  StoredModel result;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    result.error = "no trained model for " + name + ": " + path + " not found; press Train";
    return result;  // not cached: the file may appear later
  }
  try {
    diffusion::LoadedPointModel loaded =
        diffusion::load_point_model(path, torch::Device(device_name_), name);
    result.model = std::make_shared<diffusion::PointModel>(loaded.model);
    result.model->ptr()->eval();
    result.target = loaded.metadata.target;
    if (target && result.target != *target)
      throw std::runtime_error(path + " predicts " + std::string(diffusion::to_string(result.target)) +
                               ", not " + std::string(diffusion::to_string(*target)));
    result.revision = 0;
    result.description = std::filesystem::path(path).filename().string() + " · " +
                         std::string(diffusion::to_string(result.target)) + "-prediction · " +
                         std::to_string(loaded.metadata.steps) + " steps · loss " +
                         loss_text(loaded.metadata.final_loss);
  } catch (const std::exception& e) {
    result = StoredModel();
    result.error = "no usable model for " + name + ": " + e.what() + "; press Train";
    return result;
  }
  shipped_[key] = result;
  return result;
}

namespace {

// What differs between the shipped variants of a dataset's model (flow matching, conditional).
struct ShippedVariant {
  const char* what;          // "flow-matching", "conditional"
  const char* train_flag;    // the `diffuscope train` flag that makes one
  const char* alternative;   // appended to the missing-file message ("" or ", or choose ...")
  diffusion::ProcessFamily process;
  // Checks the loaded checkpoint (throws) and returns the description's middle part.
  std::function<std::string(const diffusion::LoadedPointModel&, const std::string& path)> check_and_describe;
};

// The variant's checkpoint at `path`, loaded for `kind` on `device` (error set when missing or
// unusable; the caller caches only a usable one, since a missing file may appear later).
StoredModel load_shipped_variant(diffusion::Dataset2DKind kind, const std::string& path, const std::string& device,
                                 const ShippedVariant& variant) {
  const std::string name(diffusion::to_string(kind));
  StoredModel result;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    result.error = std::string("no ") + variant.what + " model for " + name + ": " + path +
                   " not found; make it with `diffuscope train " + variant.train_flag + " --name " + name +
                   " --out " + path + "`" + variant.alternative;
    return result;
  }
  try {
    diffusion::LoadedPointModel loaded = diffusion::load_point_model(path, torch::Device(device), name, variant.process);
    const std::string kind_text = variant.check_and_describe(loaded, path);
    result.model = std::make_shared<diffusion::PointModel>(loaded.model);
    result.model->ptr()->eval();
    result.target = loaded.metadata.target;
    result.description = std::filesystem::path(path).filename().string() + " · " + kind_text + " · " +
                         std::to_string(loaded.metadata.steps) + " steps · loss " +
                         loss_text(loaded.metadata.final_loss);
  } catch (const std::exception& e) {
    result = StoredModel();
    result.error = std::string("no usable ") + variant.what + " model for " + name + ": " + e.what();
  }
  return result;
}

}  // namespace

StoredModel ModelStore::get_flow(diffusion::Dataset2DKind kind) {
  if (auto it = shipped_flow_.find(kind); it != shipped_flow_.end()) return it->second;
  static const ShippedVariant flow{"flow-matching", "--process flow", "", diffusion::ProcessFamily::Flow,
                                   [](const diffusion::LoadedPointModel&, const std::string&) {
                                     return std::string("velocity");
                                   }};
  StoredModel result = load_shipped_variant(kind, diffusion::shipped_flow_model_path(kind), device_name_, flow);
  if (result.model) shipped_flow_[kind] = result;
  return result;
}

StoredModel ModelStore::get_conditional(diffusion::Dataset2DKind kind) {
  if (auto it = shipped_conditional_.find(kind); it != shipped_conditional_.end()) return it->second;
  static const ShippedVariant conditional{
      "conditional", "--conditional", ", or choose the exact denoiser", diffusion::ProcessFamily::Ddpm,
      [](const diffusion::LoadedPointModel& loaded, const std::string& path) {
        if (loaded.metadata.model.num_classes <= 0)
          throw std::runtime_error(path + " holds an unconditional model (trained without --conditional)");
        return "conditional, " + std::to_string(loaded.metadata.model.num_classes) + " classes";
      }};
  StoredModel result =
      load_shipped_variant(kind, diffusion::shipped_conditional_model_path(kind), device_name_, conditional);
  if (result.model) shipped_conditional_[kind] = result;
  return result;
}

std::uint64_t ModelStore::publish_trained(diffusion::Dataset2DKind kind,
                                          const diffusion::PointModel& model,
                                          diffusion::PredictionTarget target, std::int64_t steps,
                                          double loss) {
  StoredModel stored;
  stored.target = target;
  stored.model = std::make_shared<diffusion::PointModel>(model);
  stored.model->ptr()->eval();
  stored.revision = ++last_revision_;
  stored.description =
      "trained here · " + std::string(diffusion::to_string(target)) + "-prediction · " + std::to_string(steps) +
      " steps · loss " + loss_text(loss);
  trained_[kind] = std::move(stored);
  return last_revision_;
}

std::uint64_t ModelStore::publish_trained_on_drawing(std::shared_ptr<const diffusion::LabelledPoints2D> drawing,
                                                     const diffusion::PointModel& model,
                                                     diffusion::PredictionTarget target, std::int64_t steps,
                                                     double loss) {
  StoredModel stored;
  stored.target = target;
  stored.model = std::make_shared<diffusion::PointModel>(model);
  stored.model->ptr()->eval();
  stored.revision = ++last_revision_;
  stored.description = drawn_model_description(drawing ? drawing->size() : 0, target, steps, loss);
  drawn_->store(std::move(drawing), std::move(stored));
  return last_revision_;
}

void ModelStore::move_to(const std::string& device_name) {
  if (device_name == device_name_) return;
  device_name_ = device_name;
  shipped_.clear();
  shipped_flow_.clear();
  shipped_conditional_.clear();
  drawn_->move_to(device_name_);
  const torch::Device device(device_name_);
  for (auto& entry : trained_) {
    if (entry.second.model) entry.second.model->ptr()->to(device);
  }
}

std::uint64_t ModelStore::revision(diffusion::Dataset2DKind kind) const {
  auto it = trained_.find(kind);
  return it == trained_.end() ? 0 : it->second.revision;
}

}  // namespace diffuscope::gui
