#pragma once
// Internal to the trainers (point_training.cpp, image_training.cpp): the learning-rate schedule,
// the guarded optimiser step and the weight average they share. Not installed.
#include <cstdint>
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

}  // namespace diffusion::training_support
