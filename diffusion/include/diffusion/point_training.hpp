#pragma once
// Training the 2D model (Ho et al. 2020's simple loss on the chosen prediction target, with the
// noise level drawn as a log-SNR rather than an integer t; see sample_training_log_snr for how and why).
#include <cstdint>
#include <deque>
#include <memory>

#include <torch/types.h>

#include "diffusion/datasets2d.hpp"
#include "diffusion/point_model.hpp"
#include "diffusion/prediction_target.hpp"

namespace diffusion {

// The regression target for a batch: eps, x0, or v = a eps - s x0, where a and s broadcast
// over x0 (e.g. [N, 1] against [N, 2], or [N, 1, 1, 1] against images).
torch::Tensor training_target(PredictionTarget target, const torch::Tensor& x0, const torch::Tensor& eps,
                              const torch::Tensor& a, const torch::Tensor& s);

struct PointTrainingConfig {
  Dataset2DKind dataset = Dataset2DKind::Moons;
  int batch_size = 1024;
  double learning_rate = 2e-3;   // Adam; the implementer may decay it over `planned_steps`
  std::int64_t planned_steps = 10000;  // for a learning-rate decay; step() keeps working past it
  double ema_decay = 0.995;      // exponential moving average of the weights (what is sampled)
  std::uint64_t seed = 0;        // weights, data pool, log-SNR and noise draws
  int data_pool = 100000;        // training points drawn once from make_dataset2d(dataset, pool, seed)
  PredictionTarget target = kDefaultPointTarget;  // what the network learns to predict
};
// Throws std::invalid_argument naming the field (batch_size < 1, learning_rate <= 0 or NaN, ...).
void validate(const PointTrainingConfig& config);

// Draws n training log-SNR values in [kModelLogSnrMin, kModelLogSnrMax] (see log_snr.hpp) on the
// CPU generator given. Documented in the implementation: how they are drawn and why.
torch::Tensor sample_training_log_snr(std::int64_t n, at::Generator& generator);

class PointTrainer {
 public:
  // A fresh model (weights seeded from config.seed) on `device`.
  PointTrainer(const PointModelConfig& model_config, const PointTrainingConfig& config,
               const torch::Device& device);
  // Continues from an existing model (its weights are copied; the EMA starts from them too).
  PointTrainer(const PointModel& start_from, const PointTrainingConfig& config,
               const torch::Device& device);

  // One optimisation step on one batch; returns that batch's mean squared error.
  // Throws std::runtime_error if the loss becomes non-finite (the weights are left as before).
  double step();
  std::int64_t steps_done() const { return steps_done_; }
  // Mean of the last (up to) 100 batch losses: what progress lines print (0 before any step).
  double recent_loss() const;
  // The EMA weights as an independent copy in eval mode (safe to use while training goes on
  // in the same thread; copy again to see newer weights). This is what is saved and sampled.
  PointModel ema_model() const;
  const PointTrainingConfig& config() const { return config_; }
  const PointModelConfig& model_config() const { return model_config_; }

 private:
  struct State;
  std::shared_ptr<State> state_;   // the model, its EMA, the optimizer, data pool, generator
  PointModelConfig model_config_;
  PointTrainingConfig config_;
  std::int64_t steps_done_ = 0;
  std::deque<double> recent_losses_;
};

}  // namespace diffusion
