#pragma once
// Named choices typed on the command line (datasets, spacings, devices). An unknown name is a
// UsageError whose message names the flag and lists the valid names.
#include <string>

#include "diffusion/datasets2d.hpp"
#include "diffusion/prediction_target.hpp"
#include "diffusion/sampling_steps.hpp"

namespace diffuscope::cli {

std::string dataset_names();  // "moons, 8gaussians, swiss_roll, ..."
diffusion::Dataset2DKind parse_dataset_flag(const std::string& name);     // --name

std::string spacing_names();  // "leading, trailing, linspace"
diffusion::Spacing parse_spacing_flag(const std::string& name);           // --spacing

std::string target_names();  // "eps, x0, v"
diffusion::PredictionTarget parse_target_flag(const std::string& name);  // --target

// --data for images: the image datasets there are (only "fashion-mnist" so far).
std::string image_dataset_names();
// Throws a UsageError naming --data and listing the valid names.
void check_image_dataset_flag(const std::string& name);

// --device for the sampler and the GUI worker: auto, cpu or cuda. Checked by name only here;
// whether CUDA is present is found out when the device is picked.
void check_device_flag(const std::string& name);

}  // namespace diffuscope::cli
