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

#include "diffusion/flow_matching.hpp"
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
  if (!config.data_points.empty()) {
    return torch::tensor(config.data_points, torch::TensorOptions().dtype(torch::kFloat32))
        .reshape({static_cast<std::int64_t>(config.data_points.size() / 2), 2});
  }
  const Dataset2D data = make_dataset2d(config.dataset, config.data_pool, config.seed);
  return torch::from_blob(const_cast<float*>(data.xy.data()), {data.size(), 2}, torch::kFloat32).clone();
}

// A conditional model's training points, sorted by class so that a class's points are one range
// of rows: class c is rows offset[c] .. offset[c] + count[c] - 1.
struct ClassSortedPool {
  torch::Tensor points;  // [P, 2]
  torch::Tensor class_of_row;  // [P] int64
  torch::Tensor offset;  // [C] int64
  torch::Tensor count;   // [C] int64
  int num_classes = 0;
};

ClassSortedPool class_sorted_pool(const PointTrainingConfig& config) {
  LabelledPoints2D labelled;
  if (config.data_points.empty()) {
    labelled = make_labelled_dataset2d(config.dataset, config.data_pool, config.seed);
  } else {
    labelled.xy = config.data_points;
    labelled.class_id = config.data_classes;
    labelled.num_classes = config.data_num_classes;
  }
  ClassSortedPool pool;
  pool.num_classes = labelled.num_classes;
  const auto points = torch::tensor(labelled.xy, torch::TensorOptions().dtype(torch::kFloat32)).reshape({labelled.size(), 2});
  const auto classes = torch::tensor(std::vector<std::int64_t>(labelled.class_id.begin(), labelled.class_id.end()),
                                     torch::TensorOptions().dtype(torch::kInt64));
  const auto order = std::get<1>(torch::sort(classes, /*stable=*/true, 0, false));
  pool.points = points.index_select(0, order);
  pool.class_of_row = classes.index_select(0, order);
  pool.count = torch::bincount(classes, {}, labelled.num_classes).to(torch::kInt64);
  pool.offset = pool.count.cumsum(0) - pool.count;
  if ((pool.count == 0).any().item<bool>())
    throw std::invalid_argument("training: conditional training needs points of every class; class " +
                                std::to_string((pool.count == 0).nonzero()[0].item<std::int64_t>()) + " has none");
  return pool;
}

// One noise level per group of points: the log-SNR the network is conditioned on ([groups],
// double, within the model's range) and the path's coefficients a (on x0) and s (on eps), so that
// x = a x0 + s eps. DDPM: a = sqrt(alpha_bar), s = sqrt(1 - alpha_bar), each computed directly from
// lambda (1 - alpha_bar is accurate where alpha_bar is close to 1). Flow: tau ~ U(0, 1), a = 1 - tau,
// s = tau, lambda = flow_log_snr(tau).
struct PointGroupLevels {
  torch::Tensor log_snr;
  std::vector<float> coefficients;  // a_0, s_0, a_1, s_1, ...
};

PointGroupLevels draw_point_group_levels(ProcessFamily process, std::int64_t groups, at::Generator& generator) {
  PointGroupLevels levels;
  levels.coefficients.resize(static_cast<std::size_t>(2 * groups));
  if (process == ProcessFamily::Flow) {
    const auto tau = torch::rand({groups}, generator, torch::TensorOptions().dtype(torch::kFloat64));
    levels.log_snr = torch::empty({groups}, tau.options());
    const auto tau_values = tau.accessor<double, 1>();
    auto lambda = levels.log_snr.accessor<double, 1>();
    for (std::int64_t g = 0; g < groups; ++g) {
      lambda[g] = model_log_snr(flow_log_snr(tau_values[g]));
      levels.coefficients[2 * g] = static_cast<float>(1.0 - tau_values[g]);
      levels.coefficients[2 * g + 1] = static_cast<float>(tau_values[g]);
    }
    return levels;
  }
  levels.log_snr = sample_training_log_snr(groups, generator);
  const auto lambda = levels.log_snr.accessor<double, 1>();
  for (std::int64_t g = 0; g < groups; ++g) {
    levels.coefficients[2 * g] = static_cast<float>(std::sqrt(alpha_bar_from_log_snr(lambda[g])));
    levels.coefficients[2 * g + 1] = static_cast<float>(std::sqrt(one_minus_alpha_bar_from_log_snr(lambda[g])));
  }
  return levels;
}

// A conditional batch: per group a class drawn with the classes' frequencies (the class of a
// uniformly drawn pool row), then per_group rows uniformly within that class, and the class row
// the network is given: the class, or the null row (num_classes) with probability label_dropout.
struct ClassGroupDraw {
  torch::Tensor index;      // [groups * per_group] pool rows
  torch::Tensor class_row;  // [groups] rows of the model's class table
};

ClassGroupDraw draw_class_groups(const ClassSortedPool& pool, std::int64_t groups, std::int64_t per_group,
                                 double label_dropout, at::Generator& generator) {
  const auto int64 = torch::TensorOptions().dtype(torch::kInt64);
  const auto anchor = torch::randint(0, pool.points.size(0), {groups}, generator, int64);
  const auto group_class = pool.class_of_row.index_select(0, anchor);
  const auto u = torch::rand({groups, per_group}, generator, torch::TensorOptions().dtype(torch::kFloat64));
  const auto count = pool.count.index_select(0, group_class).unsqueeze(1);
  const auto within = torch::minimum((u * count).to(torch::kInt64), count - 1);
  ClassGroupDraw draw;
  draw.index = (pool.offset.index_select(0, group_class).unsqueeze(1) + within).reshape({groups * per_group});
  const auto dropped = torch::rand({groups}, generator, torch::TensorOptions().dtype(torch::kFloat64)) < label_dropout;
  draw.class_row = torch::where(dropped, torch::full_like(group_class, pool.num_classes), group_class);
  return draw;
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
  if (!(config.label_dropout >= 0.0 && config.label_dropout < 1.0))
    bad("label_dropout = " + number(config.label_dropout) + " must be in [0, 1)");
  if (config.conditional && !config.data_points.empty()) {
    if (config.data_num_classes < 1 || config.data_num_classes > 1024)
      bad("data_num_classes = " + std::to_string(config.data_num_classes) + " must be in 1..1024 for conditional training");
    if (config.data_classes.size() != config.data_points.size() / 2)
      bad("data_classes holds " + std::to_string(config.data_classes.size()) + " classes for " +
          std::to_string(config.data_points.size() / 2) + " points");
    for (const int c : config.data_classes)
      if (c < 0 || c >= config.data_num_classes)
        bad("data_classes holds class " + std::to_string(c) + ", outside 0.." + std::to_string(config.data_num_classes - 1));
  }
  if (config.data_points.size() % 2 != 0)
    bad("data_points holds " + std::to_string(config.data_points.size()) + " values, not x, y pairs");
  for (const float v : config.data_points)
    if (!std::isfinite(v)) bad("data_points holds a value that is not finite");
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
  torch::Tensor pool;   // [P, 2] training points on the device (conditional: sorted by class)
  ClassSortedPool classes;  // conditional training only (CPU)
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
    if (config.conditional) {
      classes = class_sorted_pool(config);
      if (classes.num_classes != model->config().num_classes)
        throw std::invalid_argument("training: the data have " + std::to_string(classes.num_classes) +
                                    " classes, the model " + std::to_string(model->config().num_classes));
      pool = classes.points.to(device);
    } else {
      pool = dataset_tensor(config).to(device);
    }
    generator = at::detail::createCPUGenerator(derive_seed(config.seed, kDrawStream));
  }
};

namespace {
int conditional_class_count(const PointTrainingConfig& config) {
  return config.data_points.empty() ? dataset2d_class_count(config.dataset) : config.data_num_classes;
}

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
  model_config_.num_classes = config_.conditional ? conditional_class_count(config_) : 0;
  validate(model_config_);
  state_ = std::make_shared<State>(fresh_model(model_config_, config_.seed), config_, device);
}

PointTrainer::PointTrainer(const PointModel& start_from, const PointTrainingConfig& config,
                           const torch::Device& device)
    : config_(config) {
  if (!start_from) throw std::invalid_argument("PointTrainer: start_from is not set");
  validate(config_);
  model_config_ = start_from->config();
  if (config_.conditional != start_from->is_conditional())
    throw std::invalid_argument(std::string("PointTrainer: the model to continue is ") +
                                (start_from->is_conditional() ? "conditional" : "unconditional") +
                                " but the training config is not");
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
  ClassGroupDraw class_draw;
  if (config_.conditional) {
    class_draw = draw_class_groups(s.classes, groups, per_group, config_.label_dropout, s.generator);
  } else {
    class_draw.index = torch::randint(0, s.pool.size(0), {batch}, s.generator, torch::TensorOptions().dtype(torch::kInt64));
  }
  const auto& index = class_draw.index;
  PointGroupLevels levels = draw_point_group_levels(config_.process, groups, s.generator);
  const auto& log_snr = levels.log_snr;
  const auto eps = torch::randn({batch, 2}, s.generator, torch::TensorOptions().dtype(torch::kFloat32))
                       .to(s.device);
  const auto coefficient = torch::from_blob(levels.coefficients.data(), {groups, 2}, torch::kFloat32)
                               .to(on_device)
                               .repeat_interleave(per_group, 0);
  const auto x0 = s.pool.index_select(0, index.to(s.device));
  const auto a = coefficient.narrow(1, 0, 1);
  const auto s_t = coefficient.narrow(1, 1, 1);
  const auto x_t = x0 * a + eps * s_t;

  s.model->train();
  const auto embedding = config_.conditional
                             ? s.model->noise_embedding(log_snr.to(on_device), class_draw.class_row.to(s.device))
                             : s.model->noise_embedding(log_snr.to(on_device));   // [groups, E]
  const auto output = s.model->forward_from_embedding(x_t, embedding);
  const auto target = config_.process == ProcessFamily::Flow ? flow_target_velocity(x0, eps)
                                                              : training_target(config_.target, x0, eps, a, s_t);
  const auto loss = torch::mse_loss(output, target);
  record_groups(log_snr, (output.detach() - target).square().view({groups, per_group * 2}).mean(1),
                class_draw.class_row);
  const training_support::DenoiserStepRule rule{config_.learning_rate, config_.planned_steps, 100.0,
                                                config_.ema_decay,     kPointMaxGradNorm,          "training"};
  return training_support::finish_denoiser_step(loss, *s.optimizer, *s.model, *s.ema, rule, steps_done_,
                                                recent_losses_);
}

void PointTrainer::record_groups(const torch::Tensor& log_snr, const torch::Tensor& group_loss,
                                 const torch::Tensor& class_row) {
  const auto levels = log_snr.to(torch::kCPU, torch::kFloat64).contiguous();
  const auto losses = group_loss.to(torch::kCPU, torch::kFloat64).contiguous();
  last_groups_.log_snr.assign(levels.data_ptr<double>(), levels.data_ptr<double>() + levels.numel());
  last_groups_.loss.assign(losses.data_ptr<double>(), losses.data_ptr<double>() + losses.numel());
  last_groups_.class_id.clear();
  if (!class_row.defined()) return;
  const auto rows = class_row.to(torch::kCPU, torch::kInt64).contiguous();
  const int null_row = model_config_.num_classes;
  for (std::int64_t g = 0; g < rows.numel(); ++g) {
    const auto row = static_cast<int>(rows.data_ptr<std::int64_t>()[g]);
    last_groups_.class_id.push_back(row == null_row ? kNullClass : row);
  }
}

double PointTrainer::recent_loss() const { return training_support::mean_loss(recent_losses_); }

PointModel PointTrainer::ema_model() const {
  auto copy = clone_point_model(state_->ema);
  copy->eval();
  return copy;
}

}  // namespace diffusion
