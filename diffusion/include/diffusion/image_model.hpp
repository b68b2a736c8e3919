#pragma once
// The learned epsilon-prediction network for images: a small U-Net (Ronneberger et al. 2015, as
// used for diffusion by Ho et al. 2020) conditioned on log-SNR exactly like the 2D model
// (log_snr.hpp), so that one model serves every schedule, T and respacing the sliders make.
//
// Shape: input [N, C, H, W] (H and W multiples of 4), output eps_hat of the same shape.
// Levels at full, 1/2 and 1/4 resolution with base * multiplier channels, one residual block per
// level on the way down and up (group norm, SiLU, 3x3 convolutions, a FiLM scale and shift from the
// noise embedding after the second norm), a self-attention block at the lowest resolution between
// two residual blocks, strided convolutions down, nearest-neighbour upsampling plus a convolution up.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace diffusion {

struct ImageModelConfig {
  int image_channels = 1;     // 1 for Fashion-MNIST
  int base_channels = 32;     // channels at full resolution
  int multiplier_1 = 2;       // channels at 1/2 resolution = base * multiplier_1
  int multiplier_2 = 2;       // channels at 1/4 resolution = base * multiplier_2
  int groups = 8;             // group-norm groups (must divide every channel count)
  int noise_features = 16;    // sin/cos frequencies of the scaled log-SNR
  bool attention = true;      // self-attention at 1/4 resolution
  // "image-unet/v1 c=1 b=32 m=1,2,2 g=8 nf=16 attn=1": stored in checkpoints, compared on load.
  std::string architecture() const;
};
bool operator==(const ImageModelConfig& a, const ImageModelConfig& b);
inline bool operator!=(const ImageModelConfig& a, const ImageModelConfig& b) { return !(a == b); }
// Throws std::invalid_argument naming the field.
void validate(const ImageModelConfig& config);

class ImageUNetImpl : public torch::nn::Module {
 public:
  explicit ImageUNetImpl(ImageModelConfig config = {});
  // x: [N, image_channels, H, W] float with H, W multiples of 4 (std::invalid_argument otherwise);
  // log_snr: [N] or [1] (broadcast), on x's device. Returns eps_hat with x's shape and dtype.
  // log_snr is clamped with model_log_snr's bounds; NaN throws std::invalid_argument.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& log_snr);
  // Re-draws every weight from a CPU generator seeded with `seed` (the constructor uses seed 0).
  void reset_parameters(std::uint64_t seed);
  const ImageModelConfig& config() const { return config_; }
  std::int64_t parameter_count() const;

 private:
  ImageModelConfig config_;
  // Submodules are registered by name in the constructor (see image_model.cpp).
  torch::nn::Linear noise_hidden_{nullptr};
  torch::nn::Linear noise_out_{nullptr};
  torch::nn::Conv2d input_{nullptr};
  torch::nn::ModuleList blocks_{nullptr};   // residual blocks, in forward order
  torch::nn::Conv2d down_1_{nullptr}, down_2_{nullptr};
  torch::nn::Conv2d up_1_{nullptr}, up_0_{nullptr};
  torch::nn::GroupNorm attention_norm_{nullptr};
  torch::nn::Conv2d attention_qkv_{nullptr}, attention_out_{nullptr};
  torch::nn::GroupNorm output_norm_{nullptr};
  torch::nn::Conv2d output_{nullptr};
  torch::Tensor noise_frequencies_;   // buffer [noise_features]
};
TORCH_MODULE(ImageUNet);

// An independent copy (same config, weights copied, same device, same train/eval mode).
ImageUNet clone_image_model(const ImageUNet& model);

}  // namespace diffusion
