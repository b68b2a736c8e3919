#pragma once
// Where the shipped assets (trained checkpoints, scenes) live. Torch-free.
#include <string>

#include "diffusion/datasets2d.hpp"

namespace diffusion {

// The assets folder: $DIFFUSCOPE_ASSETS if set, else the source tree's assets/ (compiled in as
// DIFFUSCOPE_ASSETS_DIR by CMake).
std::string assets_dir();
// assets_dir()/models/<to_string(kind)>.ckpt, e.g. ".../assets/models/moons.ckpt".
std::string shipped_point_model_path(Dataset2DKind kind);
// assets_dir()/models/fashion-mnist.ckpt: the shipped image model.
std::string shipped_image_model_path();

}  // namespace diffusion
