// Image model checkpoints: the shared container (checkpoint.cpp) with "image-eps-model" metadata.
#include "diffusion/image_checkpoint.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <torch/torch.h>

#include "checkpoint_detail.hpp"
#include "diffusion/image_training.hpp"
#include "diffusion/log_snr.hpp"

namespace diffusion {
namespace {

using checkpoint_detail::json;
using checkpoint_detail::MetadataReader;

constexpr checkpoint_detail::ModelKind kImageModelKind{"image-model", "image-eps-model", "an image model"};
constexpr checkpoint_detail::ModelKind kPointModelKind{"point-model", "point-eps-model", "a 2D point model"};

json metadata_to_json(const ImageCheckpointMetadata& m) {
  const json model = {{"image_channels", m.model.image_channels}, {"base_channels", m.model.base_channels},
                      {"multiplier_1", m.model.multiplier_1},     {"multiplier_2", m.model.multiplier_2},
                      {"groups", m.model.groups},                 {"noise_features", m.model.noise_features},
                      {"attention", m.model.attention}};
  return json{{"kind", m.kind},
              {"target", std::string(to_string(m.target))},
              {"architecture", m.model.architecture()},
              {"model", model},
              {"dataset", m.dataset},
              {"image_height", m.image_height},
              {"image_width", m.image_width},
              {"log_snr_min", m.log_snr_min},
              {"log_snr_max", m.log_snr_max},
              {"seed", m.seed},
              {"steps", m.steps},
              {"final_loss", m.final_loss},
              {"batch_size", m.batch_size},
              {"learning_rate", m.learning_rate},
              {"device", m.device},
              {"training_seconds", m.training_seconds},
              {"library_version", m.library_version},
              {"command", m.command},
              {"created_utc", m.created_utc}};
}

ImageCheckpointMetadata image_metadata_from_json(const std::string& path, const std::string& text) {
  const json root = checkpoint_detail::parse_metadata_object(path, text);
  const MetadataReader top(path, root);
  ImageCheckpointMetadata m;
  m.target = checkpoint_detail::read_model_kind(path, top, kImageModelKind, kPointModelKind,
                                                ": it is a 2D point model; use it with --name, not --data");
  m.kind = kImageModelKind.kind;
  const MetadataReader model(path, top.object("model"));
  m.model.image_channels = static_cast<int>(model.integer("image_channels", 1, 1 << 20));
  m.model.base_channels = static_cast<int>(model.integer("base_channels", 1, 1 << 20));
  m.model.multiplier_1 = static_cast<int>(model.integer("multiplier_1", 1, 1 << 20));
  m.model.multiplier_2 = static_cast<int>(model.integer("multiplier_2", 1, 1 << 20));
  m.model.groups = static_cast<int>(model.integer("groups", 1, 1 << 20));
  m.model.noise_features = static_cast<int>(model.integer("noise_features", 1, 1 << 20));
  const auto& attention = model.field("attention");
  if (!attention.is_boolean()) model.wrong_type("attention", "true or false");
  m.model.attention = attention.get<bool>();
  checkpoint_detail::check_stored_architecture(path, top, m.model);
  m.dataset = top.text("dataset");
  m.image_height = static_cast<int>(top.integer("image_height", 4, 4096));
  m.image_width = static_cast<int>(top.integer("image_width", 4, 4096));
  m.log_snr_min = top.number("log_snr_min");
  m.log_snr_max = top.number("log_snr_max");
  m.seed = top.unsigned_integer("seed");
  m.steps = top.integer("steps", 0, std::numeric_limits<std::int64_t>::max());
  m.final_loss = top.number("final_loss");
  m.batch_size = static_cast<int>(top.integer("batch_size", 0, 1 << 30));
  m.learning_rate = top.number("learning_rate");
  m.device = top.text("device");
  m.training_seconds = top.number("training_seconds");
  m.library_version = top.text("library_version");
  m.command = top.text("command");
  m.created_utc = top.text("created_utc");
  return m;
}

}  // namespace

ImageCheckpointMetadata image_checkpoint_metadata(const ImageTrainer& trainer, const std::string& dataset,
                                                  int image_height, int image_width,
                                                  const std::string& device_description,
                                                  double training_seconds, const std::string& command) {
  ImageCheckpointMetadata m;
  m.model = trainer.model_config();
  m.target = trainer.config().target;
  m.dataset = dataset;
  m.image_height = image_height;
  m.image_width = image_width;
  m.log_snr_min = kModelLogSnrMin;
  m.log_snr_max = kModelLogSnrMax;
  m.seed = trainer.config().seed;
  m.steps = trainer.steps_done();
  m.final_loss = trainer.recent_loss();
  m.batch_size = trainer.config().batch_size;
  m.learning_rate = trainer.config().learning_rate;
  m.device = device_description;
  m.training_seconds = training_seconds;
  m.library_version = checkpoint_library_version();
  m.command = command;
  m.created_utc = utc_timestamp();
  return m;
}

void save_image_model(const std::string& path, ImageUNet& model, const ImageCheckpointMetadata& metadata) {
  if (!model) throw std::invalid_argument("save_image_model: the model is not set");
  if (metadata.model != model->config())
    throw std::invalid_argument("save_image_model: metadata.model (" + metadata.model.architecture() +
                                ") differs from the model's config (" + model->config().architecture() + ")");
  if (!std::isfinite(metadata.final_loss) || !std::isfinite(metadata.training_seconds))
    throw std::invalid_argument("save_image_model: final_loss and training_seconds must be finite");
  const auto tensors = checkpoint_detail::finite_parameters(*model, "save_image_model");
  write_checkpoint(path, metadata_to_json(metadata).dump(2), tensors);
}

LoadedImageModel load_image_model(const std::string& path, const torch::Device& device) {
  return checkpoint_detail::load_module_checkpoint<LoadedImageModel, ImageUNet>(path, device, image_metadata_from_json);
}

}  // namespace diffusion
