#pragma once
// Named choices typed on the command line (datasets, spacings, targets, devices, processes...).
// The words are the tables' of gui/choice_tables.hpp (header-only, so the command line reads them
// without the GUI): the same words as in scene files. An unknown word is a UsageError whose
// message names the flag and lists the valid words.
#include <string>

#include "cli/usage_error.hpp"
#include "diffusion/datasets2d.hpp"
#include "diffusion/prediction_target.hpp"
#include "diffusion/sampling_steps.hpp"
#include "gui/state/choice_tables.hpp"

namespace diffuscope::cli {

// The value of E named `word` for `flag`; else a UsageError "unknown --flag 'word'; valid
// <what>: a, b, c".
template <typename E>
E parse_choice_flag(const std::string& flag, const std::string& word, const std::string& what) {
  if (const std::optional<E> value = gui::parse_key<E>(word)) return *value;
  throw UsageError("unknown " + flag + " '" + word + "'; valid " + what + ": " + gui::key_list<E>());
}

std::string dataset_names();  // "moons, 8gaussians, swiss_roll, ..."
diffusion::Dataset2DKind parse_dataset_flag(const std::string& name);     // --name

std::string spacing_names();  // "leading, trailing, linspace"
diffusion::Spacing parse_spacing_flag(const std::string& name);           // --spacing

diffusion::PredictionTarget parse_target_flag(const std::string& name);  // --target

// --data for images: the image datasets there are (only "fashion-mnist" so far).
std::string image_dataset_names();
// Throws a UsageError naming --data and listing the valid names.
void check_image_dataset_flag(const std::string& name);

// --device for the sampler and the GUI worker: auto, cpu or cuda (gui::kDeviceChoices). Checked by
// name only here; whether CUDA is present is found out when the device is picked.
void check_device_flag(const std::string& name);

}  // namespace diffuscope::cli
