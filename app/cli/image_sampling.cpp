#include "cli/image_sampling.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/choices.hpp"
#include "cli/image_grid.hpp"
#include "cli/seeds.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/assets.hpp"
#include "diffusion/image_denoiser.hpp"
#include "diffusion/noise.hpp"

namespace diffuscope::cli {

namespace {

// Fashion-MNIST's size, for a checkpoint that does not record what it was trained on.
constexpr int kDefaultImageSide = 28;

}  // namespace

diffusion::LoadedImageModel load_image_model_choice(const std::string& data, const std::string& model_path,
                                                    const torch::Device& device) {
  check_image_dataset_flag(data);
  if (model_path.empty()) {
    const std::string shipped = diffusion::shipped_image_model_path();
    std::error_code error;
    if (!std::filesystem::exists(shipped, error)) {
      throw diffusion::CheckpointError("no shipped image model for --data " + data + " at '" + shipped +
                                       "'; pass --model PATH (made by `diffuscope train --data " + data +
                                       "`)");
    }
    return diffusion::load_image_model(shipped, device);
  }
  return diffusion::load_image_model(model_path, device);
}

TimedImages run_timed_image_reverse(const diffusion::ImageUNet& model, diffusion::PredictionTarget target,
                                    const ReversePlan& plan, int n,
                                    int height, int width, std::uint64_t seed, const torch::Device& device) {
  torch::NoGradGuard no_grad;
  const int channels = model->config().image_channels;
  diffusion::NoiseSource noise(noise_seed(seed));
  const torch::Tensor x_T = noise.normal({n, channels, height, width}, device);
  const diffusion::Denoiser denoiser = diffusion::make_image_denoiser(model, target, plan.config);
  const auto start = std::chrono::steady_clock::now();
  // Copying to the CPU waits for the device, so the time covers all the work.
  TimedImages result;
  result.images = run_plan(x_T, plan, denoiser, noise).x.to(torch::kCPU, torch::kFloat32).contiguous();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

void check_output_file(const std::string& flag, const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path file(path);
  if (path.empty() || file.filename().empty()) throw UsageError(flag + " must name a file, got '" + path + "'");
  std::error_code error;
  if (fs::is_directory(file, error)) throw UsageError(flag + " '" + path + "' is a folder; name a file in it");
  const fs::path folder = file.has_parent_path() ? file.parent_path() : fs::path(".");
  if (!fs::is_directory(folder, error)) {
    throw UsageError(flag + " '" + path + "': folder '" + folder.string() + "' does not exist");
  }
  // The file is written next to PATH and renamed over it, so the folder must be writable.
  if (::access(folder.c_str(), W_OK) != 0) {
    throw UsageError(flag + " '" + path + "': folder '" + folder.string() + "' is not writable");
  }
}

int run_image_sample(const ImageSampleRequest& request, ReversePlan plan, const torch::Device& device,
                     int threads) {
  check_image_dataset_flag(request.data);
  if (request.n < 1 || request.n > kMaxImageSamples) {
    throw UsageError("--n must be in 1..." + std::to_string(kMaxImageSamples) + " with --data, got " +
                     std::to_string(request.n));
  }
  check_output_file("--out", request.out);
  plan.config.clip_x0 = request.clip_x0;
  plan.config.clip_min = -1.0;
  plan.config.clip_max = 1.0;

  TimedImages samples;
  std::string model_description;
  try {
    const diffusion::LoadedImageModel loaded = load_image_model_choice(request.data, request.model_path, device);
    model_description = "learned model " +
                        (request.model_path.empty() ? diffusion::shipped_image_model_path() : request.model_path);
    if (!loaded.metadata.dataset.empty() && loaded.metadata.dataset != request.data) {
      std::cerr << "sample: note: the model was trained on '" << loaded.metadata.dataset << "', not on --data "
                << request.data << '\n';
    }
    const int height = loaded.metadata.image_height > 0 ? loaded.metadata.image_height : kDefaultImageSide;
    const int width = loaded.metadata.image_width > 0 ? loaded.metadata.image_width : kDefaultImageSide;
    samples = run_timed_image_reverse(loaded.model, loaded.metadata.target, plan, request.n, height, width, request.seed, device);
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());  // LibTorch's backtrace helps nobody here
  }
  if (!torch::isfinite(samples.images).all().item<bool>()) {
    throw std::runtime_error("the sampled images contain NaN or infinite values (" + model_description +
                             "); no grid written");
  }
  write_image_grid_png(request.out, samples.images);

  const double image_steps = static_cast<double>(request.n) * static_cast<double>(plan.steps.size());
  std::ostringstream line;
  line << "sample: " << request.n << " images x " << plan.steps.size() << " steps in " << std::fixed
       << std::setprecision(3) << samples.seconds << " s = " << std::scientific << std::setprecision(3)
       << image_steps / std::max(samples.seconds, 1e-9) << " image-steps/s on " << device.str() << " ("
       << threads << (threads == 1 ? " thread" : " threads") << "), " << model_description << ", "
       << plan.schedule_name << ", " << plan.sampler_description()
       << (plan.ode_solver ? " (NFE " + std::to_string(plan.network_evaluations()) + ")" : "")
       << (request.clip_x0 ? ", x0_hat clipped to [-1, 1]" : "") << "; grid written to " << request.out
       << '\n';
  std::cout << line.str() << std::flush;
  return 0;
}

}  // namespace diffuscope::cli
