// The image U-Net (Ronneberger et al. 2015; the diffusion variant of Ho et al. 2020 with group
// norm, residual blocks and attention at low resolution), conditioned on log-SNR through a FiLM
// scale and shift in every residual block (Perez et al. 2018; "scale-shift norm" of Nichol &
// Dhariwal 2021).
#include "diffusion/image_model.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "diffusion/log_snr.hpp"
#include "model_support.hpp"

namespace diffusion {
namespace {

using model_support::check_range;
using model_support::fill_uniform;
using model_support::scaled_log_snr;

// Width of the noise embedding shared by all blocks.
constexpr int kNoiseWidth = 128;

torch::nn::Conv2d conv3x3(int in, int out, int stride = 1) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

// Nearest-neighbour 2x upsampling as one broadcast copy (the same on every LibTorch version).
torch::Tensor upsample2x(const torch::Tensor& x) {
  const auto n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  return x.view({n, c, h, 1, w, 1}).expand({n, c, h, 2, w, 2}).reshape({n, c, 2 * h, 2 * w});
}

// GroupNorm -> SiLU -> conv -> GroupNorm -> (1 + scale), shift from the noise embedding -> SiLU
// -> conv, plus the input (through a 1x1 convolution when the channel count changes).
class ResidualBlockImpl : public torch::nn::Module {
 public:
  ResidualBlockImpl(int in, int out, int groups) {
    norm_1 = register_module("norm_1", torch::nn::GroupNorm(torch::nn::GroupNormOptions(groups, in)));
    conv_1 = register_module("conv_1", conv3x3(in, out));
    norm_2 = register_module("norm_2", torch::nn::GroupNorm(torch::nn::GroupNormOptions(groups, out)));
    film = register_module("film", torch::nn::Linear(kNoiseWidth, 2 * out));
    conv_2 = register_module("conv_2", conv3x3(out, out));
    if (in != out)
      skip = register_module("skip", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1)));
  }
  // embedding: [G, kNoiseWidth] with G = 1 or G = N.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& embedding) {
    auto h = conv_1(torch::silu(norm_1(x)));
    const auto scale_shift = film(embedding).unsqueeze(2).unsqueeze(3);   // [G, 2 out, 1, 1]
    const auto parts = scale_shift.chunk(2, 1);
    h = torch::addcmul(parts[1], norm_2(h), parts[0] + 1.0);
    h = conv_2(torch::silu(h));
    return h + (skip ? skip(x) : x);
  }
  torch::nn::GroupNorm norm_1{nullptr}, norm_2{nullptr};
  torch::nn::Conv2d conv_1{nullptr}, conv_2{nullptr}, skip{nullptr};
  torch::nn::Linear film{nullptr};
};

// Forward order of the residual blocks in blocks_.
enum Block { kDown0, kDown1, kDown2, kMiddle1, kMiddle2, kUp2, kUp1, kUp0, kBlockCount };

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string ImageModelConfig::architecture() const {
  std::ostringstream out;
  out << "image-unet/v1 c=" << image_channels << " b=" << base_channels << " m=1," << multiplier_1 << ','
      << multiplier_2 << " g=" << groups << " nf=" << noise_features << " attn=" << (attention ? 1 : 0);
  return out.str();
}

bool operator==(const ImageModelConfig& a, const ImageModelConfig& b) {
  return a.image_channels == b.image_channels && a.base_channels == b.base_channels &&
         a.multiplier_1 == b.multiplier_1 && a.multiplier_2 == b.multiplier_2 && a.groups == b.groups &&
         a.noise_features == b.noise_features && a.attention == b.attention;
}

void validate(const ImageModelConfig& config) {
  check_range("ImageModelConfig", "image_channels", config.image_channels, 4);
  check_range("ImageModelConfig", "base_channels", config.base_channels, 512);
  check_range("ImageModelConfig", "multiplier_1", config.multiplier_1, 8);
  check_range("ImageModelConfig", "multiplier_2", config.multiplier_2, 8);
  check_range("ImageModelConfig", "groups", config.groups, 64);
  check_range("ImageModelConfig", "noise_features", config.noise_features, 64);
  for (int channels : {config.base_channels, config.base_channels * config.multiplier_1,
                       config.base_channels * config.multiplier_2}) {
    if (channels % config.groups != 0)
      throw std::invalid_argument("ImageModelConfig: groups = " + std::to_string(config.groups) +
                                  " must divide every channel count (" + std::to_string(channels) + " does not)");
  }
}

ImageUNetImpl::ImageUNetImpl(ImageModelConfig config) : config_(config) {
  validate(config_);
  const int c0 = config_.base_channels;
  const int c1 = c0 * config_.multiplier_1;
  const int c2 = c0 * config_.multiplier_2;
  const int g = config_.groups;
  noise_hidden_ = register_module("noise_hidden", torch::nn::Linear(2 * config_.noise_features + 1, kNoiseWidth));
  noise_out_ = register_module("noise_out", torch::nn::Linear(kNoiseWidth, kNoiseWidth));
  input_ = register_module("input", conv3x3(config_.image_channels, c0));
  blocks_ = register_module("blocks", torch::nn::ModuleList());
  blocks_->push_back(std::make_shared<ResidualBlockImpl>(c0, c0, g));        // kDown0
  blocks_->push_back(std::make_shared<ResidualBlockImpl>(c0, c1, g));        // kDown1
  blocks_->push_back(std::make_shared<ResidualBlockImpl>(c1, c2, g));        // kDown2
  blocks_->push_back(std::make_shared<ResidualBlockImpl>(c2, c2, g));        // kMiddle1
  blocks_->push_back(std::make_shared<ResidualBlockImpl>(c2, c2, g));        // kMiddle2
  blocks_->push_back(std::make_shared<ResidualBlockImpl>(2 * c2, c2, g));    // kUp2
  blocks_->push_back(std::make_shared<ResidualBlockImpl>(2 * c1, c1, g));    // kUp1
  blocks_->push_back(std::make_shared<ResidualBlockImpl>(2 * c0, c0, g));    // kUp0
  down_1_ = register_module("down_1", conv3x3(c0, c0, 2));
  down_2_ = register_module("down_2", conv3x3(c1, c1, 2));
  up_1_ = register_module("up_1", conv3x3(c2, c1));
  up_0_ = register_module("up_0", conv3x3(c1, c0));
  if (config_.attention) {
    attention_norm_ = register_module("attention_norm", torch::nn::GroupNorm(torch::nn::GroupNormOptions(g, c2)));
    attention_qkv_ = register_module("attention_qkv", torch::nn::Conv2d(torch::nn::Conv2dOptions(c2, 3 * c2, 1)));
    attention_out_ = register_module("attention_out", torch::nn::Conv2d(torch::nn::Conv2dOptions(c2, c2, 1)));
  }
  output_norm_ = register_module("output_norm", torch::nn::GroupNorm(torch::nn::GroupNormOptions(g, c0)));
  output_ = register_module("output", conv3x3(c0, config_.image_channels));
  // Multiples of pi/2 on the scaled lambda in [-1, 1], as in the 2D model.
  noise_frequencies_ = register_buffer(
      "noise_frequencies", torch::arange(1, config_.noise_features + 1, torch::kFloat32) * (M_PI / 2));
  reset_parameters(0);
}

std::int64_t ImageUNetImpl::parameter_count() const { return model_support::count_parameters(*this); }

void ImageUNetImpl::reset_parameters(std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto generator = at::detail::createCPUGenerator(seed);
  const auto parameters = named_parameters();
  for (auto& item : parameters) {
    auto& tensor = item.value();
    const std::string& name = item.key();
    auto cpu = torch::empty(tensor.sizes(), torch::kFloat32);
    const std::string layer = name.substr(0, name.rfind('.'));
    if (name.find("norm") != std::string::npos) {
      // Group norms start as plain normalisation.
      cpu.fill_(ends_with(name, ".weight") ? 1.0 : 0.0);
    } else if (ends_with(layer, ".film") || ends_with(layer, ".conv_2") || layer == "attention_out" ||
               layer == "output") {
      // Every residual branch (and the output) starts at zero, so each block begins as the
      // identity and the untrained model predicts eps = 0: stable early training.
      cpu.zero_();
    } else {
      model_support::fill_default_uniform(cpu, name, parameters, generator);
    }
    tensor.copy_(cpu);
  }
}

torch::Tensor ImageUNetImpl::forward(const torch::Tensor& x, const torch::Tensor& log_snr) {
  if (!x.defined() || x.dim() != 4 || x.size(1) != config_.image_channels || !x.is_floating_point())
    throw std::invalid_argument("ImageUNet: x must be a floating-point [N, " +
                                std::to_string(config_.image_channels) + ", H, W] tensor");
  const auto n = x.size(0), height = x.size(2), width = x.size(3);
  if (n < 1 || height < 4 || width < 4 || height % 4 != 0 || width % 4 != 0)
    throw std::invalid_argument("ImageUNet: the image size " + std::to_string(height) + "x" +
                                std::to_string(width) + " must be a positive multiple of 4 in each direction");
  if (!log_snr.defined())
    throw std::invalid_argument("ImageUNet: log_snr must be a defined [1] or [N] tensor");
  const auto lambda = log_snr.reshape({-1}).to(torch::kFloat32);
  if (lambda.size(0) != 1 && lambda.size(0) != n)
    throw std::invalid_argument("ImageUNet: log_snr must have 1 or N = " + std::to_string(n) +
                                " entries, got " + std::to_string(lambda.size(0)));
  if (torch::isnan(lambda).any().item<bool>()) throw std::invalid_argument("ImageUNet: log_snr contains NaN");

  const auto u = scaled_log_snr(lambda).unsqueeze(1);
  const auto angles = u * noise_frequencies_;
  const auto embedding =
      torch::silu(noise_out_(torch::silu(noise_hidden_(torch::cat({u, angles.sin(), angles.cos()}, 1)))));
  auto block = [&](int index, const torch::Tensor& h) {
    return blocks_[index]->as<ResidualBlockImpl>()->forward(h, embedding);
  };

  const auto input = x.to(torch::kFloat32);
  const auto h0 = block(kDown0, input_(input));          // full resolution
  const auto h1 = block(kDown1, down_1_(h0));           // 1/2
  const auto h2 = block(kDown2, down_2_(h1));           // 1/4
  auto middle = block(kMiddle1, h2);
  if (config_.attention) {
    // Single-head self-attention over the H/4 x W/4 positions.
    const auto channels = middle.size(1);
    const auto positions = middle.size(2) * middle.size(3);
    const auto qkv = attention_qkv_(attention_norm_(middle)).view({n, 3, channels, positions});
    const auto q = qkv.select(1, 0), k = qkv.select(1, 1), v = qkv.select(1, 2);
    const auto weights = torch::softmax(torch::bmm(q.transpose(1, 2), k) / std::sqrt(double(channels)), -1);
    const auto attended = torch::bmm(v, weights.transpose(1, 2)).view_as(middle);
    middle = middle + attention_out_(attended);
  }
  middle = block(kMiddle2, middle);
  auto up = block(kUp2, torch::cat({middle, h2}, 1));
  up = block(kUp1, torch::cat({up_1_(upsample2x(up)), h1}, 1));
  up = block(kUp0, torch::cat({up_0_(upsample2x(up)), h0}, 1));
  return output_(torch::silu(output_norm_(up))).to(x.scalar_type());
}

ImageUNet clone_image_model(const ImageUNet& model) {
  ImageUNet copy(model->config());
  torch::NoGradGuard no_grad;
  const auto source = model->named_parameters();
  if (!source.is_empty()) copy->to(source[0].value().device());
  for (auto& item : copy->named_parameters()) item.value().copy_(source[item.key()]);
  copy->train(model->is_training());
  return copy;
}

}  // namespace diffusion
