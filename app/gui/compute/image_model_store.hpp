#pragma once
// The worker's image U-Net: loaded once per checkpoint path onto the worker's device and shared by
// the Images view and the forward view's x0_hat. Lives on the worker thread only (not
// thread-safe). Torch-free header: the model is only forward-declared.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "diffusion/prediction_target.hpp"

namespace diffusion {
class ImageUNet;
}

namespace diffuscope::gui {

// assets_dir()/models/fashion-mnist.ckpt: the checkpoint the app ships.
std::string shipped_image_model_file();

struct StoredImageModel {
  // Null when there is no usable model (then `error` says why, naming the file). Never modified
  // after it was stored, so a run may keep using the one it started with.
  std::shared_ptr<diffusion::ImageUNet> model;
  diffusion::PredictionTarget target = diffusion::PredictionTarget::Eps;  // what the U-Net predicts
  int channels = 1, height = 0, width = 0;   // the image size it was trained on
  std::string path;
  std::string description;   // "fashion-mnist.ckpt · 30000 steps · loss 0.031"
  std::string error;         // "no image model: /…/fashion-mnist.ckpt not found; …"
};

class ImageModelStore {
 public:
  explicit ImageModelStore(std::string device_name);
  ~ImageModelStore();
  ImageModelStore(const ImageModelStore&) = delete;
  ImageModelStore& operator=(const ImageModelStore&) = delete;

  // The model of this checkpoint ("" = shipped_image_model_file()). Loaded once and kept; a
  // missing or broken file is tried again on the next call (it may be written later), never
  // thrown: the result's error says what is wrong.
  StoredImageModel get(const std::string& path);
  const std::string& device_name() const { return device_name_; }

 private:
  std::string device_name_;
  std::map<std::string, StoredImageModel> loaded_;
};

}  // namespace diffuscope::gui#include "diffusion/prediction_target.hpp"

