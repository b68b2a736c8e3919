// Loading the image checkpoint for the worker; every failure becomes a message, never a throw.
#include "gui/compute/image_model_store.hpp"

#include <cstdio>
#include <filesystem>
#include <utility>

#include <torch/torch.h>

#include "diffusion/assets.hpp"
#include "diffusion/image_checkpoint.hpp"
#include "diffusion/image_model.hpp"

namespace diffuscope::gui {

std::string shipped_image_model_file() { return diffusion::shipped_image_model_path(); }

ImageModelStore::ImageModelStore(std::string device_name) : device_name_(std::move(device_name)) {}
ImageModelStore::~ImageModelStore() = default;

StoredImageModel ImageModelStore::get(const std::string& requested) {
  const std::string path = requested.empty() ? shipped_image_model_file() : requested;
  if (auto it = loaded_.find(path); it != loaded_.end()) return it->second;

  StoredImageModel result;
  result.path = path;
  const std::string train_hint =
      "train one with `diffuscope train --data fashion-mnist --out PATH` and pass --image-model PATH";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    result.error = "no image model: " + path + " not found; " + train_hint;
    return result;  // not cached: the file may appear later
  }
  try {
    diffusion::LoadedImageModel loaded = diffusion::load_image_model(path, torch::Device(device_name_));
    const diffusion::ImageCheckpointMetadata& m = loaded.metadata;
    if (m.image_height <= 0 || m.image_width <= 0 || m.image_height % 4 != 0 || m.image_width % 4 != 0)
      throw std::runtime_error("image size " + std::to_string(m.image_height) + "x" +
                               std::to_string(m.image_width) + " is not a positive multiple of 4");
    result.model = std::make_shared<diffusion::ImageUNet>(loaded.model);
    (*result.model)->eval();
    result.target = m.target;
    result.channels = m.model.image_channels;
    result.height = m.image_height;
    result.width = m.image_width;
    char loss[32];
    std::snprintf(loss, sizeof loss, "%.3g", m.final_loss);
    result.description = std::filesystem::path(path).filename().string() + " · " +
                         std::string(diffusion::to_string(m.target)) + "-prediction · " +
                         std::to_string(m.steps) + " steps · loss " + loss;
  } catch (const std::exception& e) {
    result = StoredImageModel();
    result.path = path;
    result.error = "no usable image model in " + path + ": " + e.what();
    return result;
  }
  loaded_[path] = result;
  return result;
}

}  // namespace diffuscope::gui
