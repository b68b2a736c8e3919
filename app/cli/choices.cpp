#include "cli/choices.hpp"

#include "cli/usage_error.hpp"

namespace diffuscope::cli {

std::string dataset_names() {
  std::string names;
  for (diffusion::Dataset2DKind kind : diffusion::all_dataset2d_kinds()) {
    if (!names.empty()) names += ", ";
    names += diffusion::to_string(kind);
  }
  return names;
}

diffusion::Dataset2DKind parse_dataset_flag(const std::string& name) {
  std::optional<diffusion::Dataset2DKind> kind = diffusion::parse_dataset2d_kind(name);
  if (!kind) throw UsageError("unknown --name '" + name + "'; valid datasets: " + dataset_names());
  return *kind;
}

std::string spacing_names() {
  std::string names;
  for (diffusion::Spacing spacing :
       {diffusion::Spacing::Leading, diffusion::Spacing::Trailing, diffusion::Spacing::Linspace}) {
    if (!names.empty()) names += ", ";
    names += diffusion::to_string(spacing);
  }
  return names;
}

diffusion::Spacing parse_spacing_flag(const std::string& name) {
  std::optional<diffusion::Spacing> spacing = diffusion::parse_spacing(name);
  if (!spacing) throw UsageError("unknown --spacing '" + name + "'; valid spacings: " + spacing_names());
  return *spacing;
}

std::string image_dataset_names() { return "fashion-mnist"; }

void check_image_dataset_flag(const std::string& name) {
  if (name != "fashion-mnist") {
    throw UsageError("unknown --data '" + name + "'; valid image datasets: " + image_dataset_names() +
                     " (2D point datasets go with --name)");
  }
}

void check_device_flag(const std::string& name) {
  if (name != "auto" && name != "cpu" && name != "cuda") {
    throw UsageError("unknown --device '" + name + "'; valid devices: auto, cpu, cuda");
  }
}

std::string target_names() {
  std::string names;
  for (const auto target : diffusion::all_prediction_targets())
    names += (names.empty() ? "" : ", ") + std::string(diffusion::to_string(target));
  return names;
}

diffusion::PredictionTarget parse_target_flag(const std::string& name) {
  const auto target = diffusion::parse_prediction_target(name);
  if (!target) throw UsageError("unknown --target '" + name + "'; valid prediction targets: " + target_names());
  return *target;
}

}  // namespace diffuscope::cli
