// Test and benchmark helper: writes an image-model checkpoint with random weights, so that the
// image sampler can be run before (or without) a trained model.
// Usage: make_image_checkpoint OUT [tiny|default] [SEED]
//   tiny: base 8 channels, 4 groups (fast, for tests); default: ImageModelConfig{} (what
//   `diffuscope train --data fashion-mnist` trains, for speed measurements).
#include <cmath>
#include <cstdint>
#include <exception>
#include <iostream>
#include <string>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "diffusion/checkpoint.hpp"
#include "diffusion/image_checkpoint.hpp"
#include "diffusion/image_model.hpp"
#include "diffusion/log_snr.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::cerr << "usage: make_image_checkpoint OUT [tiny|default] [SEED]\n";
    return 2;
  }
  try {
    const std::string out = argv[1];
    const std::string size = argc > 2 ? argv[2] : "tiny";
    const std::uint64_t seed = argc > 3 ? std::stoull(argv[3]) : 1;
    diffusion::ImageModelConfig config;
    if (size == "tiny") {
      config.base_channels = 8;
      config.groups = 4;
      config.noise_features = 8;
    } else if (size != "default") {
      std::cerr << "make_image_checkpoint: size must be tiny or default, got '" << size << "'\n";
      return 2;
    }
    diffusion::ImageUNet model(config);
    // Every weight random, residual branches and output included (a fresh model starts those at
    // zero and would predict eps = 0): matrices N(0, 1 / fan_in), norm scales 1 + N(0, 0.1^2),
    // biases N(0, 0.1^2).
    auto generator = at::detail::createCPUGenerator(seed);
    {
      torch::NoGradGuard no_grad;
      for (auto& item : model->named_parameters()) {
        torch::Tensor& p = item.value();
        const torch::Tensor draw = torch::randn(p.sizes(), generator, torch::TensorOptions());
        const std::string& name = item.key();
        const bool norm_scale = name.find("norm") != std::string::npos && name.size() > 7 &&
                                name.compare(name.size() - 7, 7, ".weight") == 0;
        if (p.dim() >= 2) {
          p.copy_(draw / std::sqrt(static_cast<double>(p.numel() / p.size(0))));
        } else {
          p.copy_(draw * 0.1 + (norm_scale ? 1.0 : 0.0));
        }
      }
    }
    diffusion::ImageCheckpointMetadata metadata;
    metadata.model = config;
    metadata.dataset = "fashion-mnist";
    metadata.image_height = 28;
    metadata.image_width = 28;
    metadata.log_snr_min = diffusion::kModelLogSnrMin;
    metadata.log_snr_max = diffusion::kModelLogSnrMax;
    metadata.seed = seed;
    metadata.device = "none (random weights)";
    metadata.library_version = diffusion::checkpoint_library_version();
    metadata.command = "make_image_checkpoint " + out + " " + size + " " + std::to_string(seed);
    metadata.created_utc = diffusion::utc_timestamp();
    diffusion::save_image_model(out, model, metadata);
    std::cout << "wrote " << out << ": random weights, " << config.architecture() << ", "
              << model->parameter_count() << " parameters\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "make_image_checkpoint: " << e.what() << '\n';
    return 1;
  }
}
