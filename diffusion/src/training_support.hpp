#pragma once
// Internal to the trainers (point_training.cpp, image_training.cpp, image_classifier.cpp): the
// learning-rate schedule, the guarded optimiser step, the weight average and the recent-loss window
// they share. Not installed.
#include <cstdint>
#include <deque>
#include <string>

#include <torch/torch.h>

namespace diffusion::training_support {

// Full precision for messages ("learning_rate = 0.002 must be ...").
std::string number(double value);

// Learning-rate factor: a short linear warm-up (at most max_warmup steps, a tenth of the run;
// Adam's first steps are large), then a cosine decay to 2% at planned_steps, held there after.
// Short runs end at a small rate, which is what lets the EMA settle onto a good point.
double learning_rate_factor(std::int64_t step, std::int64_t planned, double max_warmup);

// The rest of one step once the loss is computed: refuses a non-finite loss or gradient (the
// weights stay as they were; the message names `what` and the 1-based step), clips the gradient
// norm to max_grad_norm, sets the learning rate and steps the optimiser. Returns the loss value.
double optimise(const torch::Tensor& loss, torch::optim::Adam& optimizer, const std::vector<torch::Tensor>& parameters,
                double learning_rate, double max_grad_norm, std::int64_t step_index, const std::string& what);

// ema <- decay * ema + (1 - decay) * current, with decay min(ema_decay, (1 + n) / (10 + n)) after n
// steps, so a short run's average is not dominated by the random initial weights.
void update_ema(const std::vector<torch::Tensor>& ema, const std::vector<torch::Tensor>& current, double ema_decay,
                std::int64_t steps_done);

// How a denoiser trainer (2D or image) steps: its configuration's rate, decay and EMA, the warm-up
// cap of learning_rate_factor, the gradient clip, and its name in messages.
struct DenoiserStepRule {
  double learning_rate;
  std::int64_t planned_steps;
  double max_warmup;
  double ema_decay;
  double max_grad_norm;
  const char* what;
};

// The rest of a denoiser trainer's step once the loss is computed: optimise() at the scheduled
// rate, update_ema() of `ema` towards `model`, then the step is counted and its loss joins the
// window of the last 100. Returns the loss value; throws as optimise() does (nothing is counted).
double finish_denoiser_step(const torch::Tensor& loss, torch::optim::Adam& optimizer, torch::nn::Module& model,
                            torch::nn::Module& ema, const DenoiserStepRule& rule, std::int64_t& steps_done,
                            std::deque<double>& recent_losses);

// Mean of the recent-loss window (0 before any step).
double mean_loss(const std::deque<double>& recent_losses);

}  // namespace diffusion::training_support
