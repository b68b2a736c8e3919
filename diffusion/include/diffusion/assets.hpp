#pragma once
// Where the shipped assets (trained checkpoints, scenes) live. Torch-free.
#include <string>

#include "diffusion/datasets2d.hpp"
#include "diffusion/prediction_target.hpp"

namespace diffusion {

// The assets folder: $DIFFUSCOPE_ASSETS if set, else the source tree's assets/ (compiled in as
// DIFFUSCOPE_ASSETS_DIR by CMake).
std::string assets_dir();
// assets_dir()/models/<to_string(kind)>.ckpt, e.g. ".../assets/models/moons.ckpt": the dataset's
// default model (its target is kDefaultPointTarget).
std::string shipped_point_model_path(Dataset2DKind kind);
// The shipped model of `kind` that predicts `target`: the default model for kDefaultPointTarget,
// else assets_dir()/models/<kind>-<target>.ckpt (e.g. "moons-eps.ckpt"; shipped for some datasets).
std::string shipped_point_model_path(Dataset2DKind kind, PredictionTarget target);
// assets_dir()/models/<kind>-flow.ckpt (e.g. "moons-flow.ckpt"): the shipped flow-matching
// velocity model of `kind` (flow_matching.hpp; shipped for some datasets).
std::string shipped_flow_model_path(Dataset2DKind kind);
// assets_dir()/models/<kind>-cond.ckpt (e.g. "8gaussians-cond.ckpt"): the shipped class-conditional
// model of `kind` (classifier-free guidance; shipped for some datasets).
std::string shipped_conditional_model_path(Dataset2DKind kind);
// assets_dir()/models/fashion-mnist.ckpt: the shipped image model.
std::string shipped_image_model_path();

}  // namespace diffusion
