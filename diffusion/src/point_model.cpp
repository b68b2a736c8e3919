// The 2D epsilon-prediction MLP with FiLM conditioning on log-SNR (FiLM: Perez et al. 2018;
// Fourier features of the input: Tancik et al. 2020).
#include "diffusion/point_model.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "diffusion/datasets2d.hpp"
#include "diffusion/log_snr.hpp"
#include "model_support.hpp"

namespace diffusion {
namespace {

using model_support::check_range;
using model_support::fill_uniform;
using model_support::scaled_log_snr;

// Width of the noise MLP's hidden layer. Its cost does not grow with the cloud in sampling.
constexpr int kNoiseWidth = 128;
// The lowest x frequency (radians per unit of x); the others double from it. The data have
// roughly unit variance, so 0.5 .. 64 spans "whole cloud" down to fine detail such as the
// checkerboard's edges.
constexpr double kLowestFrequency = 0.5;
// Initial class vectors are uniform in +-this: the same order as the noise layer's pre-activations
// (whose inputs lie in [-1, 1]), so a class moves the FiLM parameters from the first step on.
constexpr double kClassEmbeddingInitBound = 0.5;

}  // namespace

std::string PointModelConfig::architecture() const {
  std::ostringstream out;
  out << "point-mlp-film/v1 f=" << frequencies << " nf=" << noise_features << " h=" << hidden
      << " b=" << blocks;
  if (num_classes > 0) out << " c=" << num_classes;
  return out.str();
}

int64_t PointModelConfig::parameter_count() const {
  const int64_t f = frequencies, nf = noise_features, h = hidden, b = blocks, w = kNoiseWidth;
  const int64_t input = (2 + 4 * f) * h + h;
  const int64_t noise = (2 * nf + 1) * w + w + w * (2 * h * b) + 2 * h * b;
  const int64_t residual = b * (h * h + h) + b * (h * h);
  const int64_t output = h * 2 + 2;
  const int64_t classes = num_classes > 0 ? (num_classes + 1) * w : 0;
  return input + noise + residual + output + classes;
}

bool operator==(const PointModelConfig& a, const PointModelConfig& b) {
  return a.frequencies == b.frequencies && a.noise_features == b.noise_features &&
         a.hidden == b.hidden && a.blocks == b.blocks && a.num_classes == b.num_classes;
}

void validate(const PointModelConfig& config) {
  check_range("PointModelConfig", "frequencies", config.frequencies, 16);
  check_range("PointModelConfig", "noise_features", config.noise_features, 64);
  check_range("PointModelConfig", "hidden", config.hidden, 1024);
  check_range("PointModelConfig", "blocks", config.blocks, 16);
  if (config.num_classes < 0 || config.num_classes > 1024)
    throw std::invalid_argument("PointModelConfig: num_classes = " + std::to_string(config.num_classes) +
                                " must be in 0..1024 (0: unconditional)");
}

PointModelImpl::PointModelImpl(PointModelConfig config) : config_(config) {
  validate(config_);
  const int f = config_.frequencies, h = config_.hidden, b = config_.blocks;
  input_ = register_module("input", torch::nn::Linear(2 + 4 * f, h));
  noise_hidden_ =
      register_module("noise_hidden", torch::nn::Linear(2 * config_.noise_features + 1, kNoiseWidth));
  noise_film_ = register_module("noise_film", torch::nn::Linear(kNoiseWidth, 2 * h * b));
  block_first_ = register_module("block_first", torch::nn::ModuleList());
  block_second_ = register_module("block_second", torch::nn::ModuleList());
  for (int i = 0; i < b; ++i) {
    block_first_->push_back(torch::nn::Linear(h, h));
    // No bias: a constant added to the residual stream is absorbed by the next layers' biases.
    block_second_->push_back(torch::nn::Linear(torch::nn::LinearOptions(h, h).bias(false)));
  }
  output_ = register_module("output", torch::nn::Linear(h, 2));
  // Registered last: the other parameters keep their names, order and initial draws.
  if (config_.num_classes > 0)
    class_embedding_ = register_parameter("class_embedding", torch::zeros({config_.num_classes + 1, kNoiseWidth}));

  // x @ feature_matrix + phase = [f_k x, f_k y, f_k x + pi/2, f_k y + pi/2]: one sin gives both
  // the sines and the cosines.
  auto matrix = torch::zeros({2, 4 * f});
  auto phase = torch::zeros({4 * f});
  for (int k = 0; k < f; ++k) {
    const double frequency = kLowestFrequency * std::ldexp(1.0, k);
    for (int c = 0; c < 2; ++c) {
      matrix[c][c * f + k] = frequency;
      matrix[c][2 * f + c * f + k] = frequency;
    }
  }
  phase.narrow(0, 2 * f, 2 * f).fill_(M_PI / 2);
  feature_matrix_ = register_buffer("feature_matrix", matrix);
  feature_phase_ = register_buffer("feature_phase", phase);
  // Multiples of pi/2 on the scaled lambda in [-1, 1]: the lowest spans the range once, the
  // highest resolves about 34 / noise_features log-SNR units.
  noise_frequencies_ = register_buffer(
      "noise_frequencies",
      torch::arange(1, config_.noise_features + 1, torch::kFloat32) * (M_PI / 2));
  reset_parameters(0);
}

void PointModelImpl::reset_parameters(std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto generator = at::detail::createCPUGenerator(seed);
  const auto parameters = named_parameters();
  for (auto& item : parameters) {
    auto& tensor = item.value();
    const std::string& name = item.key();
    auto cpu = torch::empty(tensor.sizes(), torch::kFloat32);
    // The FiLM output and the second layer of each block start at zero: every block begins as
    // the identity with scale 1 and shift 0, which keeps early training stable.
    const bool zero = name.rfind("noise_film.", 0) == 0 || name.rfind("block_second.", 0) == 0;
    if (zero) {
      cpu.zero_();
    } else if (name == "class_embedding") {
      fill_uniform(cpu, kClassEmbeddingInitBound, generator);
    } else {
      model_support::fill_default_uniform(cpu, name, parameters, generator);
    }
    tensor.copy_(cpu);
  }
}

torch::Tensor PointModelImpl::features(const torch::Tensor& x) const {
  const auto waves = torch::addmm(feature_phase_, x, feature_matrix_).sin();
  return torch::cat({x, waves}, 1);
}

std::int64_t PointModelImpl::class_row(int class_id) const {
  if (config_.num_classes == 0)
    throw std::invalid_argument("PointModel: a class was given to an unconditional model (trained without "
                                "classes); sample it without a class");
  if (class_id == kNullClass) return config_.num_classes;
  if (class_id < 0 || class_id >= config_.num_classes)
    throw std::invalid_argument("PointModel: class " + std::to_string(class_id) + " is outside 0.." +
                                std::to_string(config_.num_classes - 1) + " (or " + std::to_string(kNullClass) +
                                " for the null class)");
  return class_id;
}

torch::Tensor PointModelImpl::noise_embedding(const torch::Tensor& log_snr) {
  return noise_embedding(log_snr, torch::Tensor());
}

torch::Tensor PointModelImpl::noise_embedding(const torch::Tensor& log_snr, const torch::Tensor& class_rows) {
  if (class_rows.defined() && config_.num_classes == 0)
    throw std::invalid_argument("PointModel: class rows were given to an unconditional model");
  if (!log_snr.defined() || log_snr.dim() != 1 || log_snr.size(0) < 1)
    throw std::invalid_argument("PointModel: log_snr must be a [M] tensor with M >= 1");
  if (torch::isnan(log_snr).any().item<bool>())
    throw std::invalid_argument("PointModel: log_snr contains NaN");
  const auto u = scaled_log_snr(log_snr.to(torch::kFloat32)).unsqueeze(1);  // [M, 1]
  const auto angles = u * noise_frequencies_;                               // [M, nf]
  const auto embedded = torch::cat({u, angles.sin(), angles.cos()}, 1);
  if (config_.num_classes == 0) return noise_film_(torch::silu(noise_hidden_(embedded)));
  torch::Tensor rows = class_rows;
  if (!rows.defined()) rows = torch::full({1}, config_.num_classes, torch::TensorOptions().dtype(torch::kInt64));
  if (rows.dim() != 1 || (rows.size(0) != 1 && rows.size(0) != log_snr.size(0)))
    throw std::invalid_argument("PointModel: class rows must be [1] or [M] for M = " +
                                std::to_string(log_snr.size(0)) + " noise levels");
  rows = rows.to(class_embedding_.device(), torch::kInt64);
  if (rows.numel() > 0 && (rows.min().item<std::int64_t>() < 0 || rows.max().item<std::int64_t>() > config_.num_classes))
    throw std::invalid_argument("PointModel: class rows must lie in 0.." + std::to_string(config_.num_classes));
  // [M or 1, width]: broadcasting adds one class vector to every level when a single row is given.
  const auto with_class = noise_hidden_(embedded) + class_embedding_.index_select(0, rows);
  return noise_film_(torch::silu(with_class));
}

torch::Tensor PointModelImpl::forward_from_embedding(const torch::Tensor& x,
                                                     const torch::Tensor& embedding) {
  if (!x.defined() || x.dim() != 2 || x.size(1) != 2 || !x.is_floating_point())
    throw std::invalid_argument("PointModel: x must be a floating-point [N, 2] tensor");
  const int64_t n = x.size(0);
  const int64_t h = config_.hidden;
  if (!embedding.defined() || embedding.dim() != 2 || embedding.size(1) != 2 * h * config_.blocks ||
      embedding.size(0) < 1 || n % embedding.size(0) != 0)
    throw std::invalid_argument(
        "PointModel: the noise embedding must be [G, 2 * hidden * blocks] with G dividing N = " +
        std::to_string(n));
  const int64_t groups = embedding.size(0);
  const auto input = x.to(torch::kFloat32);
  // In-place activations only where no gradient is recorded (sampling, overlays).
  const bool in_place = !torch::GradMode::is_enabled();
  auto hidden = input_(features(input));
  // [G, blocks, 2, h]: per group and block, a scale (applied as 1 + scale) and a shift.
  const auto film = embedding.view({groups, config_.blocks, 2, h});

  for (int64_t b = 0; b < config_.blocks; ++b) {
    const auto* first = block_first_[b]->as<torch::nn::LinearImpl>();
    const auto* second = block_second_[b]->as<torch::nn::LinearImpl>();
    const auto scale = film.select(1, b).select(1, 0) + 1.0;   // [G, h]
    const auto shift = film.select(1, b).select(1, 1);
    torch::Tensor u;
    if (groups == 1) {
      // One noise level for the whole cloud: (h W^T + c) * s + t = h (s * W)^T + (c * s + t),
      // so scale and shift fold into the layer and each point pays for one matrix product.
      const auto weight = first->weight * scale.reshape({h, 1});
      const auto bias = first->bias * scale.reshape({h}) + shift.reshape({h});
      u = torch::addmm(bias, hidden, weight.t());
    } else {
      // Groups of N / G consecutive points share a row: broadcasting over [G, N / G, h] keeps the
      // backward pass a cheap reduction over the group (indexing per point was ~10x slower).
      // (contiguous: LibTorch's broadcast kernels are several times slower on strided operands.)
      const auto linear = torch::addmm(first->bias, hidden, first->weight.t());
      u = torch::addcmul(shift.contiguous().unsqueeze(1), linear.view({groups, n / groups, h}),
                         scale.contiguous().unsqueeze(1))
              .view({n, h});
    }
    u = in_place ? torch::silu_(u) : torch::silu(u);
    hidden = torch::addmm(hidden, u, second->weight.t());   // hidden + u W2^T
  }
  return output_(hidden).to(x.scalar_type());
}

torch::Tensor PointModelImpl::checked_log_snr(const torch::Tensor& x, const torch::Tensor& log_snr) const {
  if (!log_snr.defined())
    throw std::invalid_argument("PointModel: log_snr must be a defined [1] or [N] tensor");
  const auto lambda = log_snr.dim() == 0 ? log_snr.reshape({1}) : log_snr;
  if (x.defined() && x.dim() == 2 && lambda.dim() == 1 && lambda.size(0) != 1 &&
      lambda.size(0) != x.size(0))
    throw std::invalid_argument("PointModel: log_snr must have 1 or N = " +
                                std::to_string(x.size(0)) + " entries, got " +
                                std::to_string(lambda.size(0)));
  return lambda;
}

torch::Tensor PointModelImpl::forward(const torch::Tensor& x, const torch::Tensor& log_snr) {
  return forward_from_embedding(x, noise_embedding(checked_log_snr(x, log_snr)));
}

torch::Tensor PointModelImpl::forward(const torch::Tensor& x, const torch::Tensor& log_snr, int class_id) {
  const auto row = torch::full({1}, class_row(class_id), torch::TensorOptions().dtype(torch::kInt64));
  return forward_from_embedding(x, noise_embedding(checked_log_snr(x, log_snr), row));
}

PointModel clone_point_model(const PointModel& model) {
  PointModel copy(model->config());
  torch::NoGradGuard no_grad;
  const auto source = model->named_parameters();
  if (!source.is_empty()) copy->to(source[0].value().device());
  for (auto& item : copy->named_parameters()) item.value().copy_(source[item.key()]);
  copy->train(model->is_training());
  return copy;
}

}  // namespace diffusion
