// Training the 2D model: Ho et al. (2020)'s simple loss |eps - eps_hat(x_t, lambda)|^2 (or the same
// squared error on x0 or v, Salimans & Ho 2022)
// with x_t = sqrt(ab) x0 + sqrt(1 - ab) eps and ab = sigmoid(lambda) (Kingma et al. 2021 write
// the same process in log-SNR), Adam, cosine learning-rate decay and an EMA of the weights.
#include "diffusion/point_training.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "diffusion/log_snr.hpp"
#include "diffusion/seeding.hpp"
#include "training_support.hpp"

namespace diffusion {
namespace {

using training_support::number;

// Independent streams derived from the one user seed (seeding.hpp).
constexpr std::uint64_t kPointWeightStream = 401;
constexpr std::uint64_t kDrawStream = 402;
// Points that share one log-SNR draw within a batch (at most; the largest divisor of the batch
// size up to this). The noise embedding is the costly part of a per-point forward (~2x the x
// path); computing it once per group of 8 makes a training step several times faster, and 128
// levels per 1024-point batch still cover the range densely.
constexpr std::int64_t kMaxPointsPerLogSnr = 8;
// Gradient-norm clip: rare extreme batches (lambda near the top of the range, where eps must be
// read from tiny offsets) cannot throw the weights far.
constexpr double kPointMaxGradNorm = 1.0;

torch::Tensor dataset_tensor(const PointTrainingConfig& config) {
  const Dataset2D data = make_dataset2d(config.dataset, config.data_pool, config.seed);
  return torch::from_blob(const_cast<float*>(data.xy.data()), {data.size(), 2}, torch::kFloat32).clone();
}

}  // namespace

void validate(const PointTrainingConfig& config) {
  auto bad = [](const std::string& what) { throw std::invalid_argument("training: " + what); };
  if (config.batch_size < 1 || config.batch_size > 1'000'000)
    bad("batch_size = " + std::to_string(config.batch_size) + " must be in 1..1000000");
  if (!(config.learning_rate > 0.0 && config.learning_rate <= 1.0))
    bad("learning_rate = " + number(config.learning_rate) + " must be in (0, 1]");
  if (config.planned_steps < 1)
    bad("planned_steps = " + std::to_string(config.planned_steps) + " must be >= 1");
  if (!(config.ema_decay >= 0.0 && config.ema_decay < 1.0))
    bad("ema_decay = " + number(config.ema_decay) + " must be in [0, 1)");
  if (config.data_pool < 1 || config.data_pool > 10'000'000)
    bad("data_pool = " + std::to_string(config.data_pool) + " must be in 1..10000000");
}

// How the training noise levels are drawn, and why:
// half of the draws are uniform in log-SNR over the whole range [kModelLogSnrMin, kModelLogSnrMax],
// so every level any slider schedule can visit (linear, cosine, sigmoid, any T, zero terminal SNR
// clamped to the bottom) is trained as well as any other and no schedule falls outside what the
// model has seen. The other half are the log-SNR of a uniformly drawn time of the cosine schedule,
// lambda = -2 log tan(pi u / 2) (Nichol & Dhariwal 2021's alpha_bar without the offset), which
// puts extra weight on the middle (|lambda| < 4 or so), where the denoiser decides the shape of the
// cloud; at the extremes eps_hat is either nearly x_t (low SNR) or multiplied by a tiny noise
// scale (high SNR), so errors there matter less. Draws beyond the range are clamped onto it.
torch::Tensor sample_training_log_snr(std::int64_t n, at::Generator& generator) {
  if (n < 0) throw std::invalid_argument("sample_training_log_snr: n must be >= 0");
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const auto choose = torch::rand({n}, generator, options);
  const auto u = torch::rand({n}, generator, options);
  const auto uniform = kModelLogSnrMin + (kModelLogSnrMax - kModelLogSnrMin) * u;
  const auto cosine = -2.0 * torch::log(torch::tan(u * (M_PI / 2)));
  return torch::where(choose < 0.5, uniform, cosine).clamp(kModelLogSnrMin, kModelLogSnrMax);
}

torch::Tensor training_target(PredictionTarget target, const torch::Tensor& x0, const torch::Tensor& eps,
                              const torch::Tensor& a, const torch::Tensor& s) {
  switch (target) {
    case PredictionTarget::Eps: return eps;
    case PredictionTarget::X0: return x0;
    case PredictionTarget::V: return eps * a - x0 * s;
  }
  throw std::invalid_argument("training_target: unknown target");
}

struct PointTrainer::State {
  PointModel model{nullptr};
  PointModel ema{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
  torch::Tensor pool;   // [P, 2] training points on the device
  at::Generator generator;
  torch::Device device{torch::kCPU};

  State(PointModel start, const PointTrainingConfig& config, const torch::Device& on)
      : model(std::move(start)), device(on) {
    model->to(device);
    model->train();
    ema = clone_point_model(model);
    ema->eval();
    optimizer = std::make_unique<torch::optim::Adam>(model->parameters(),
                                                     torch::optim::AdamOptions(config.learning_rate));
    pool = dataset_tensor(config).to(device);
    generator = at::detail::createCPUGenerator(derive_seed(config.seed, kDrawStream));
  }
};

namespace {
PointModel fresh_model(const PointModelConfig& model_config, std::uint64_t seed) {
  PointModel model(model_config);
  model->reset_parameters(derive_seed(seed, kPointWeightStream));
  return model;
}
}  // namespace

PointTrainer::PointTrainer(const PointModelConfig& model_config, const PointTrainingConfig& config,
                           const torch::Device& device)
    : model_config_(model_config), config_(config) {
  validate(config_);
  validate(model_config_);
  state_ = std::make_shared<State>(fresh_model(model_config_, config_.seed), config_, device);
}

PointTrainer::PointTrainer(const PointModel& start_from, const PointTrainingConfig& config,
                           const torch::Device& device)
    : config_(config) {
  if (!start_from) throw std::invalid_argument("PointTrainer: start_from is not set");
  validate(config_);
  model_config_ = start_from->config();
  state_ = std::make_shared<State>(clone_point_model(start_from), config_, device);
}

double PointTrainer::step() {
  State& s = *state_;
  const std::int64_t batch = config_.batch_size;
  std::int64_t per_group = kMaxPointsPerLogSnr;
  while (batch % per_group != 0) --per_group;
  const std::int64_t groups = batch / per_group;
  const auto on_device = torch::TensorOptions().device(s.device).dtype(torch::kFloat32);

  // All random draws on the CPU generator, then moved: the same seed trains the same way on
  // every device.
  const auto index = torch::randint(0, s.pool.size(0), {batch}, s.generator,
                                    torch::TensorOptions().dtype(torch::kInt64));
  const auto log_snr = sample_training_log_snr(groups, s.generator);
  const auto eps = torch::randn({batch, 2}, s.generator, torch::TensorOptions().dtype(torch::kFloat32))
                       .to(s.device);
  // sqrt(ab) and sqrt(1 - ab) from log_snr.hpp, each computed directly (1 - ab is accurate where
  // ab is close to 1).
  std::vector<float> coefficients(static_cast<std::size_t>(2 * groups));
  const auto lambda = log_snr.accessor<double, 1>();
  for (std::int64_t g = 0; g < groups; ++g) {
    coefficients[2 * g] = static_cast<float>(std::sqrt(alpha_bar_from_log_snr(lambda[g])));
    coefficients[2 * g + 1] = static_cast<float>(std::sqrt(one_minus_alpha_bar_from_log_snr(lambda[g])));
  }
  const auto coefficient = torch::from_blob(coefficients.data(), {groups, 2}, torch::kFloat32)
                               .to(on_device)
                               .repeat_interleave(per_group, 0);
  const auto x0 = s.pool.index_select(0, index.to(s.device));
  const auto a = coefficient.narrow(1, 0, 1);
  const auto s_t = coefficient.narrow(1, 1, 1);
  const auto x_t = x0 * a + eps * s_t;

  s.model->train();
  const auto embedding = s.model->noise_embedding(log_snr.to(on_device));   // [groups, E]
  const auto output = s.model->forward_from_embedding(x_t, embedding);
  const auto loss = torch::mse_loss(output, training_target(config_.target, x0, eps, a, s_t));
  const training_support::DenoiserStepRule rule{config_.learning_rate, config_.planned_steps, 100.0,
                                                config_.ema_decay,     kPointMaxGradNorm,          "training"};
  return training_support::finish_denoiser_step(loss, *s.optimizer, *s.model, *s.ema, rule, steps_done_,
                                                recent_losses_);
}

double PointTrainer::recent_loss() const { return training_support::mean_loss(recent_losses_); }

PointModel PointTrainer::ema_model() const {
  auto copy = clone_point_model(state_->ema);
  copy->eval();
  return copy;
}

}  // namespace diffusion
