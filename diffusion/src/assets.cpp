// Locating the shipped assets: an environment override for installed or moved copies, else the
// source tree the binary was built from.
#include "diffusion/assets.hpp"

#include <cstdlib>

#ifndef DIFFUSCOPE_ASSETS_DIR
#define DIFFUSCOPE_ASSETS_DIR "assets"
#endif

namespace diffusion {

std::string assets_dir() {
  const char* from_environment = std::getenv("DIFFUSCOPE_ASSETS");
  if (from_environment != nullptr && *from_environment != '\0') return from_environment;
  return DIFFUSCOPE_ASSETS_DIR;
}

std::string shipped_point_model_path(Dataset2DKind kind) {
  return assets_dir() + "/models/" + std::string(to_string(kind)) + ".ckpt";
}

std::string shipped_point_model_path(Dataset2DKind kind, PredictionTarget target) {
  if (target == kDefaultPointTarget) return shipped_point_model_path(kind);
  return assets_dir() + "/models/" + std::string(to_string(kind)) + "-" + std::string(to_string(target)) + ".ckpt";
}

std::string shipped_conditional_model_path(Dataset2DKind kind) {
  return assets_dir() + "/models/" + std::string(to_string(kind)) + "-cond.ckpt";
}

std::string shipped_flow_model_path(Dataset2DKind kind) {
  return assets_dir() + "/models/" + std::string(to_string(kind)) + "-flow.ckpt";
}

std::string shipped_image_model_path() { return assets_dir() + "/models/fashion-mnist.ckpt"; }

}  // namespace diffusion
