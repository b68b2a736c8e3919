#pragma once
// Training the 2D model (Ho et al. 2020's simple loss on the chosen prediction target, with the
// noise level drawn as a log-SNR rather than an integer t; see sample_training_log_snr for how and why),
// or, with process = Flow, the same network as a flow-matching velocity model (flow_matching.hpp:
// tau ~ U(0, 1), loss |v_hat(x_tau, tau) - (eps - x0)|^2). Both share one training step, which
// with conditional = true also draws a class per group of points (label dropout to the null class).
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include <torch/types.h>

#include "diffusion/datasets2d.hpp"
#include "diffusion/point_model.hpp"
#include "diffusion/prediction_target.hpp"
#include "diffusion/process_family.hpp"

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
  // When not empty: the training points themselves (interleaved x, y: a drawing or a CSV file),
  // used instead of `dataset` and `data_pool`; checkpoints record the dataset as kDrawnDatasetName.
  std::vector<float> data_points;
  PredictionTarget target = kDefaultPointTarget;  // what a DDPM network learns to predict
  // Ddpm: the diffusion above. Flow: flow matching (target unused: the network learns eps - x0).
  ProcessFamily process = ProcessFamily::Ddpm;
  // A class-conditional model for classifier-free guidance (Ho & Salimans 2022): each group of
  // points that shares a noise level also shares a class, drawn with the classes' frequencies in
  // the data, and is given the null class instead with probability label_dropout, so one network
  // learns both eps(x_t, c) and the unconditional eps(x_t, null). 0.1 is the lower end of the
  // 0.1-0.2 Ho & Salimans found best; the 2D classes are few and well separated, so a 10 % share
  // of null-class groups trained the unconditional output as well as 20 % did in our runs while
  // leaving more steps to the classes. The classes come from make_labelled_dataset2d(dataset, ...),
  // or, with data_points, from data_classes (one per point, in 0..data_num_classes-1).
  bool conditional = false;
  double label_dropout = 0.1;
  std::vector<int> data_classes;
  int data_num_classes = 0;
};
// Throws std::invalid_argument naming the field (batch_size < 1, learning_rate <= 0 or NaN, ...).
void validate(const PointTrainingConfig& config);

// Draws n training log-SNR values in [kModelLogSnrMin, kModelLogSnrMax] (see log_snr.hpp) on the
// CPU generator given. Documented in the implementation: how they are drawn and why.
torch::Tensor sample_training_log_snr(std::int64_t n, at::Generator& generator);

// What the last training step drew per group of points (the points that share one noise level
// and, for a conditional model, one class): the per-band loss display (loss_bands.hpp) and tests.
struct PointBatchGroups {
  std::vector<double> log_snr;  // the level each group was trained at
  std::vector<double> loss;     // the group's mean squared error (over its points and coordinates)
  std::vector<int> class_id;    // conditional: the class given, kNullClass when dropped; else empty
};

class PointTrainer {
 public:
  // A fresh model (weights seeded from config.seed) on `device`. With config.conditional the
  // model's num_classes is set from the data (model_config.num_classes is overridden).
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
  const PointBatchGroups& last_batch_groups() const { return last_groups_; }
  // Classes of the model: 0 unconditional.
  int num_classes() const { return model_config_.num_classes; }
  // The EMA weights as an independent copy in eval mode (safe to use while training goes on
  // in the same thread; copy again to see newer weights). This is what is saved and sampled.
  PointModel ema_model() const;
  const PointTrainingConfig& config() const { return config_; }
  const PointModelConfig& model_config() const { return model_config_; }

 private:
  struct State;
  void record_groups(const torch::Tensor& log_snr, const torch::Tensor& group_loss, const torch::Tensor& class_row);
  std::shared_ptr<State> state_;   // the model, its EMA, the optimizer, data pool, generator
  PointModelConfig model_config_;
  PointTrainingConfig config_;
  std::int64_t steps_done_ = 0;
  std::deque<double> recent_losses_;
  PointBatchGroups last_groups_;
};

}  // namespace diffusion
