#pragma once
// Internal to the checkpoint code (checkpoint.cpp, image_checkpoint.cpp, image_classifier.cpp):
// error helper, metadata field reader, architecture check and the parameter loader shared by every
// model kind. Not installed.
#include <cstdint>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "diffusion/checkpoint.hpp"
#include "diffusion/prediction_target.hpp"

namespace diffusion::checkpoint_detail {

using json = nlohmann::json;

[[noreturn]] inline void fail(const std::string& path, const std::string& problem) {
  throw CheckpointError(path + ": " + problem);
}

inline std::string shape_string(torch::IntArrayRef sizes) {
  std::ostringstream out;
  out << "[";
  for (std::size_t i = 0; i < sizes.size(); ++i) out << (i ? ", " : "") << sizes[i];
  out << "]";
  return out.str();
}

// Metadata field access: a missing field or one of the wrong type is named in the message.
class MetadataReader {
 public:
  MetadataReader(const std::string& path, const json& object) : path_(path), object_(object) {}
  const json& field(const char* name) const {
    const auto it = object_.find(name);
    if (it == object_.end()) fail(path_, std::string("metadata field '") + name + "' is missing");
    return *it;
  }
  [[noreturn]] void wrong_type(const char* name, const char* expected) const {
    fail(path_, std::string("metadata field '") + name + "' must be " + expected + ", found " +
                    field(name).type_name());
  }
  std::string text(const char* name) const {
    const auto& value = field(name);
    if (!value.is_string()) wrong_type(name, "a string");
    return value.get<std::string>();
  }
  double number(const char* name) const {
    const auto& value = field(name);
    if (!value.is_number()) wrong_type(name, "a number");
    return value.get<double>();
  }
  std::int64_t integer(const char* name, std::int64_t low, std::int64_t high) const {
    const auto& value = field(name);
    if (!value.is_number_integer()) wrong_type(name, "an integer");
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(high))
      out_of_range(name, low, high);
    const auto result = value.get<std::int64_t>();
    if (result < low || result > high) out_of_range(name, low, high);
    return result;
  }
  std::uint64_t unsigned_integer(const char* name) const {
    const auto& value = field(name);
    if (!value.is_number_integer() || (!value.is_number_unsigned() && value.get<std::int64_t>() < 0))
      wrong_type(name, "a non-negative integer");
    return value.get<std::uint64_t>();
  }
  const json& object(const char* name) const {
    const auto& value = field(name);
    if (!value.is_object()) wrong_type(name, "an object");
    return value;
  }

 private:
  [[noreturn]] void out_of_range(const char* name, std::int64_t low, std::int64_t high) const {
    fail(path_, std::string("metadata field '") + name + "' = " + field(name).dump() +
                    " is out of range " + std::to_string(low) + ".." + std::to_string(high));
  }
  const std::string& path_;
  const json& object_;
};

// A checkpoint's metadata text as a JSON object; invalid JSON or another type fails naming `path`.
json parse_metadata_object(const std::string& path, const std::string& text);

// A stored model config (point, image or classifier): its sizes must be valid (validate(config))
// and the stored "architecture" string must be the one this build derives from them, so that a
// file from another version of the network is refused by name. Throws CheckpointError naming `path`.
template <typename Config>
void check_stored_architecture(const std::string& path, const MetadataReader& top, const Config& config) {
  try {
    validate(config);
  } catch (const std::invalid_argument& e) {
    fail(path, e.what());
  }
  const std::string architecture = top.text("architecture");
  if (architecture != config.architecture())
    fail(path, "architecture '" + architecture + "' does not match this build's '" + config.architecture() +
                   "' for the same sizes");
}

// A model checkpoint's kind and prediction target: `kind` (e.g. "point-model") with a "target"
// field ("eps", "x0" or "v"), or `legacy_kind` (e.g. "point-eps-model", written before targets
// existed), which means eps. Any other kind fails with "holds a '<kind>', not <what>" plus `hint`
// when the kind is `hint_kind` or `hint_kind`'s legacy name.
struct ModelKind {
  const char* kind;
  const char* legacy_kind;
  const char* what;   // e.g. "a 2D point model"
};
PredictionTarget read_model_kind(const std::string& path, const MetadataReader& top, const ModelKind& expected,
                                 const ModelKind& other, const std::string& other_hint);

// Copies every parameter of `module` from `tensors` (checking presence, shape and finiteness) and
// refuses tensors that are not parameters of `architecture`. Throws CheckpointError naming `path`.
void load_parameters(const std::string& path, torch::nn::Module& module,
                     const std::map<std::string, torch::Tensor>& tensors, const std::string& architecture);

// The load every model checkpoint shares: the container (read_checkpoint), its metadata
// (read_metadata(path, text) -> Loaded::metadata, whose `model` is the module's config), the module
// built from that config with every parameter checked and copied, in eval mode on `device`.
template <typename Loaded, typename Module, typename ReadMetadata>
Loaded load_module_checkpoint(const std::string& path, const torch::Device& device, ReadMetadata read_metadata) {
  const CheckpointContents contents = read_checkpoint(path);
  Loaded loaded;
  loaded.metadata = read_metadata(path, contents.metadata_json);
  Module model(loaded.metadata.model);
  load_parameters(path, *model, contents.tensors, loaded.metadata.model.architecture());
  model->to(device);
  model->eval();
  loaded.model = model;
  return loaded;
}

// Every parameter by name, refusing NaN or infinite values (std::invalid_argument naming `caller`).
std::map<std::string, torch::Tensor> finite_parameters(torch::nn::Module& module, const std::string& caller);

}  // namespace diffusion::checkpoint_detail
