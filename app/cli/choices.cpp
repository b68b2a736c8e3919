#include "cli/choices.hpp"

namespace diffuscope::cli {

std::string dataset_names() { return gui::key_list<diffusion::Dataset2DKind>(); }

diffusion::Dataset2DKind parse_dataset_flag(const std::string& name) {
  return parse_choice_flag<diffusion::Dataset2DKind>("--name", name, "datasets");
}

std::string spacing_names() { return gui::key_list<diffusion::Spacing>(); }

diffusion::Spacing parse_spacing_flag(const std::string& name) {
  return parse_choice_flag<diffusion::Spacing>("--spacing", name, "spacings");
}

diffusion::PredictionTarget parse_target_flag(const std::string& name) {
  return parse_choice_flag<diffusion::PredictionTarget>("--target", name, "prediction targets");
}

std::string image_dataset_names() { return "fashion-mnist"; }

void check_image_dataset_flag(const std::string& name) {
  if (name != image_dataset_names()) {
    throw UsageError("unknown --data '" + name + "'; valid image datasets: " + image_dataset_names() +
                     " (2D point datasets go with --name)");
  }
}

void check_device_flag(const std::string& name) {
  std::string names;
  for (const gui::DeviceChoice& device : gui::kDeviceChoices) {
    if (device.key == name) return;
    names += (names.empty() ? "" : ", ") + std::string(device.key);
  }
  throw UsageError("unknown --device '" + name + "'; valid devices: " + names);
}

}  // namespace diffuscope::cli
