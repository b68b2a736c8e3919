#pragma once
// Sampling images from the command line (`diffuscope sample --data fashion-mnist`): the learned
// image model (a checkpoint, or the shipped one), one timed reverse run over a batch, and the PNG
// grid of the results.
#include <cstdint>
#include <string>

#include <torch/types.h>

#include "cli/sampling.hpp"
#include "diffusion/image_checkpoint.hpp"

namespace diffuscope::cli {

inline constexpr int kMaxImageSamples = 4096;

// The checkpoint at `model_path`, or the shipped model of `data` when it is empty, on `device`.
// Throws diffusion::CheckpointError naming the file (missing, damaged, not an image model).
diffusion::LoadedImageModel load_image_model_choice(const std::string& data, const std::string& model_path,
                                                    const torch::Device& device);

// n images from x_T ~ N(0, I) of shape [n, C, H, W], x_T and every z drawn from
// NoiseSource(noise_seed(seed)) as for the 2D sampler (equal seeds: common random numbers).
struct TimedImages {
  torch::Tensor images;  // [n, C, H, W] float32 on the CPU, not clamped
  double seconds = 0;    // the reverse loop and the copy to the CPU (so all device work)
};
TimedImages run_timed_image_reverse(const diffusion::ImageUNet& model, diffusion::PredictionTarget target,
                                    const ReversePlan& plan, int n,
                                    int height, int width, std::uint64_t seed, const torch::Device& device);

// Refuses an output file that cannot be written (empty, a folder, a missing or read-only folder)
// before any sampling time is spent. `flag` names it in the message, e.g. "--out".
void check_output_file(const std::string& flag, const std::string& path);

struct ImageSampleRequest {
  std::string data;        // "fashion-mnist" (checked)
  std::string model_path;  // "": the shipped model
  std::string out;         // the PNG grid
  int n = 64;
  std::uint64_t seed = 0;
  bool clip_x0 = true;     // clamp x0_hat to [-1, 1] at every step (the data range)
};
// Loads, samples, writes the grid and prints the speed line to stdout:
// "sample: 64 images x 1000 steps in S s = R image-steps/s on cpu (2 threads), learned model PATH".
// Returns the exit code; throws for errors.
int run_image_sample(const ImageSampleRequest& request, ReversePlan plan, const torch::Device& device,
                     int threads);

}  // namespace diffuscope::cli
