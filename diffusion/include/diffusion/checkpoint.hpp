#pragma once
// Checkpoint files: a small self-describing container of named float32 tensors plus JSON
// metadata, validated on load (magic, sizes, checksum, metadata, tensor names and shapes), so a
// corrupt, truncated or mismatched file gives a clear message and never a crash. The layout does
// not depend on LibTorch's own serialisation, so 1.13 and 2.x read the same files.
//
// Layout (little-endian): "DIFFUSCOPE-CKPT\n" (16 bytes), u32 format version (1),
// u64 metadata length, metadata (UTF-8 JSON), u64 tensor count, then per tensor: u32 name length,
// name, u32 rank, rank x i64 dims, float32 data; finally u64 FNV-1a hash of every byte before it.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include <torch/types.h>

#include "diffusion/point_model.hpp"
#include "diffusion/prediction_target.hpp"
#include "diffusion/process_family.hpp"

namespace diffusion {

// Every load failure: the message names the file and what is wrong with it.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Generic container (also for later model kinds). Tensors are written from the CPU as float32.
// Written atomically (fileio::write_file_atomically: a temporary file beside PATH, synced, renamed).
// Throws CheckpointError (naming the file) when it cannot be written.
void write_checkpoint(const std::string& path, const std::string& metadata_json,
                      const std::map<std::string, torch::Tensor>& tensors);
struct CheckpointContents {
  std::string metadata_json;
  std::map<std::string, torch::Tensor> tensors;   // CPU float32
};
// Throws CheckpointError (missing file, bad magic, unsupported version, truncated, checksum
// mismatch, absurd sizes: never allocates more than the file could hold).
CheckpointContents read_checkpoint(const std::string& path);

// What a 2D point model's checkpoint says about itself.
struct PointCheckpointMetadata {
  std::string kind = "point-model";       // refused on load if different ("point-eps-model": legacy, eps)
  // ddpm: kind "point-model", the network predicts `target`. flow: kind "point-flow-model", the
  // network predicts the flow velocity eps - x0 (flow_matching.hpp); no target is stored and
  // `target` is unused. The kind is written from `process`, so builds that predate flow models
  // refuse them by kind.
  ProcessFamily process = ProcessFamily::Ddpm;
  PredictionTarget target = PredictionTarget::Eps;  // what a DDPM network predicts
  // model.num_classes > 0: a class-conditional model (classifier-free guidance), stored as
  // "classes" in the "model" object and in the architecture string (" c=8"); absent in
  // unconditional checkpoints. Callers that need one or the other check it (model_denoiser.hpp's
  // class denoisers refuse an unconditional model; an unconditional caller gets a conditional
  // model's null-class output from forward without a class).
  PointModelConfig model;                  // architecture string is model.architecture()
  std::string dataset;                     // to_string(Dataset2DKind)
  double log_snr_min = 0;                  // the training range
  double log_snr_max = 0;
  std::uint64_t seed = 0;
  std::int64_t steps = 0;
  double final_loss = 0;
  int batch_size = 0;
  double learning_rate = 0;
  std::string library_version;             // e.g. "diffuscope 0.1.0, LibTorch 1.13.1"
  std::string command;                     // the command line that made it ("" when in-app)
  std::string created_utc;                 // ISO 8601
};

// "diffuscope 0.1.0, LibTorch 1.13.0": what library_version is set to by the app.
std::string checkpoint_library_version();
// The current time as ISO 8601 UTC, e.g. "2024-05-01T12:34:56Z".
std::string utc_timestamp();
// Everything a trainer knows about its model: kind, target, config, dataset, log-SNR range, seed, steps,
// recent_loss() as final_loss, batch size, learning rate, library version, time now.
class PointTrainer;
PointCheckpointMetadata point_checkpoint_metadata(const PointTrainer& trainer,
                                                  const std::string& command = "");

// Writes the model's parameters (by name) and the metadata. metadata.model must equal the
// model's config (std::invalid_argument otherwise); write failures throw CheckpointError.
void save_point_model(const std::string& path, PointModel& model,
                      const PointCheckpointMetadata& metadata);
struct LoadedPointModel {
  PointModel model{nullptr};               // in eval mode, on the requested device
  PointCheckpointMetadata metadata;
};
// Validates the container, the metadata (kind, architecture string against the stored config,
// required fields and their types), every parameter's presence and shape, and finiteness.
// expected_dataset: if non-empty, a checkpoint for another dataset is refused with a message.
// expected_process: a flow-matching model loaded as a DDPM denoiser (or the reverse) is refused,
// naming what the file holds and the --process it serves.
LoadedPointModel load_point_model(const std::string& path, const torch::Device& device,
                                  const std::string& expected_dataset = "",
                                  ProcessFamily expected_process = ProcessFamily::Ddpm);

}  // namespace diffusion
