// Training the image epsilon model: Ho et al. (2020)'s simple loss with the noise level drawn as
// a log-SNR (sample_training_log_snr: the same mixture as the 2D model, one level per image),
// Adam with warm-up and cosine decay, gradient clipping and an EMA of the weights.
#include "diffusion/image_training.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "diffusion/log_snr.hpp"
#include "diffusion/point_training.hpp"
#include "diffusion/seeding.hpp"
#include "training_support.hpp"

namespace diffusion {
namespace {

using training_support::number;

constexpr std::uint64_t kImageWeightStream = 501;
constexpr std::uint64_t kDrawStream = 502;
constexpr double kImageMaxGradNorm = 1.0;

}  // namespace

torch::Tensor images_to_tensor(const IdxImages& images) {
  if (images.count < 1 || images.rows < 1 || images.cols < 1 ||
      images.bytes.size() != static_cast<std::size_t>(images.count) * images.image_size())
    throw std::invalid_argument("images_to_tensor: the IDX images are empty or inconsistent");
  const auto bytes = torch::from_blob(const_cast<std::uint8_t*>(images.bytes.data()),
                                      {images.count, 1, images.rows, images.cols}, torch::kUInt8);
  return bytes.to(torch::kFloat32) / 127.5 - 1.0;
}

torch::Tensor tensor_to_bytes(const torch::Tensor& images) {
  if (!images.defined() || images.dim() != 4)
    throw std::invalid_argument("tensor_to_bytes: expected an [N, C, H, W] tensor");
  const auto cpu = images.detach().to(torch::kCPU, torch::kFloat32);
  // NaN would become an arbitrary byte: show it as black rather than hide it in a valid grey.
  const auto finite = torch::nan_to_num(cpu, -1.0, 1.0, -1.0);
  return ((finite.clamp(-1.0, 1.0) + 1.0) * 127.5).round().to(torch::kUInt8);
}

void validate(const ImageTrainingConfig& config) {
  auto bad = [](const std::string& what) { throw std::invalid_argument("image training: " + what); };
  if (config.batch_size < 1 || config.batch_size > 65536)
    bad("batch_size = " + std::to_string(config.batch_size) + " must be in 1..65536");
  if (!(config.learning_rate > 0.0 && config.learning_rate <= 1.0))
    bad("learning_rate = " + number(config.learning_rate) + " must be in (0, 1]");
  if (config.planned_steps < 1) bad("planned_steps = " + std::to_string(config.planned_steps) + " must be >= 1");
  if (!(config.ema_decay >= 0.0 && config.ema_decay < 1.0))
    bad("ema_decay = " + number(config.ema_decay) + " must be in [0, 1)");
}

struct ImageTrainer::State {
  ImageUNet model{nullptr};
  ImageUNet ema{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
  torch::Tensor images;   // [P, C, H, W] on the device
  at::Generator generator;
  torch::Device device{torch::kCPU};

  State(ImageUNet start, const ImageTrainingConfig& config, const torch::Tensor& data, const torch::Device& on)
      : model(std::move(start)), device(on) {
    if (!data.defined() || data.dim() != 4 || data.size(0) < 1 ||
        data.size(1) != model->config().image_channels)
      throw std::invalid_argument("ImageTrainer: images must be [N, " +
                                  std::to_string(model->config().image_channels) + ", H, W] with N >= 1");
    if (data.size(2) % 4 != 0 || data.size(3) % 4 != 0)
      throw std::invalid_argument("ImageTrainer: image height and width must be multiples of 4");
    model->to(device);
    model->train();
    ema = clone_image_model(model);
    ema->eval();
    optimizer = std::make_unique<torch::optim::Adam>(model->parameters(),
                                                     torch::optim::AdamOptions(config.learning_rate));
    images = data.to(device, torch::kFloat32).contiguous();
    generator = at::detail::createCPUGenerator(derive_seed(config.seed, kDrawStream));
  }
};

ImageTrainer::ImageTrainer(const ImageModelConfig& model_config, const ImageTrainingConfig& config,
                           const torch::Tensor& images, const torch::Device& device)
    : model_config_(model_config), config_(config) {
  validate(config_);
  validate(model_config_);
  ImageUNet model(model_config_);
  model->reset_parameters(derive_seed(config_.seed, kImageWeightStream));
  state_ = std::make_shared<State>(model, config_, images, device);
}

ImageTrainer::ImageTrainer(const ImageUNet& start_from, const ImageTrainingConfig& config,
                           const torch::Tensor& images, const torch::Device& device)
    : config_(config) {
  if (!start_from) throw std::invalid_argument("ImageTrainer: start_from is not set");
  validate(config_);
  model_config_ = start_from->config();
  state_ = std::make_shared<State>(clone_image_model(start_from), config_, images, device);
}

const torch::Device& ImageTrainer::device() const { return state_->device; }

double ImageTrainer::step() {
  State& s = *state_;
  const std::int64_t batch = config_.batch_size;
  const auto cpu_float = torch::TensorOptions().dtype(torch::kFloat32);
  // Every draw on the CPU generator, then moved: one seed trains the same way on every device.
  const auto index = torch::randint(0, s.images.size(0), {batch}, s.generator,
                                    torch::TensorOptions().dtype(torch::kInt64));
  const auto log_snr = sample_training_log_snr(batch, s.generator);   // [B] float64
  const auto eps = torch::randn({batch, s.images.size(1), s.images.size(2), s.images.size(3)}, s.generator,
                                cpu_float)
                       .to(s.device);
  const auto flip = torch::rand({batch}, s.generator, cpu_float) < 0.5;
  // sqrt(ab) and sqrt(1 - ab), each computed directly from lambda (accurate at both ends).
  const auto signal = torch::sqrt(torch::sigmoid(log_snr)).to(s.device, torch::kFloat32).view({batch, 1, 1, 1});
  const auto noise = torch::sqrt(torch::sigmoid(-log_snr)).to(s.device, torch::kFloat32).view({batch, 1, 1, 1});
  auto x0 = s.images.index_select(0, index.to(s.device));
  if (config_.horizontal_flip)
    x0 = torch::where(flip.to(s.device).view({batch, 1, 1, 1}), x0.flip({3}), x0);
  const auto x_t = x0 * signal + eps * noise;

  s.model->train();
  const auto output = s.model->forward(x_t, log_snr.to(s.device, torch::kFloat32));
  const auto loss = torch::mse_loss(output, training_target(config_.target, x0, eps, signal, noise));
  const training_support::DenoiserStepRule rule{config_.learning_rate, config_.planned_steps, 200.0,
                                                config_.ema_decay,     kImageMaxGradNorm,          "image training"};
  return training_support::finish_denoiser_step(loss, *s.optimizer, *s.model, *s.ema, rule, steps_done_,
                                                recent_losses_);
}

double ImageTrainer::recent_loss() const { return training_support::mean_loss(recent_losses_); }

ImageUNet ImageTrainer::ema_model() const {
  auto copy = clone_image_model(state_->ema);
  copy->eval();
  return copy;
}

}  // namespace diffusion
