// What the 2D and image trainers share (see training_support.hpp).
#include "training_support.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace diffusion::training_support {

std::string number(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

double learning_rate_factor(std::int64_t step, std::int64_t planned, double max_warmup) {
  const double warmup = std::min<double>(max_warmup, std::max<double>(1.0, planned / 10.0));
  if (step < warmup) return 0.1 + 0.9 * step / warmup;
  const double progress = std::min(1.0, (step - warmup) / std::max(1.0, planned - warmup));
  constexpr double kFloor = 0.02;
  return kFloor + (1.0 - kFloor) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

double optimise(const torch::Tensor& loss, torch::optim::Adam& optimizer, const std::vector<torch::Tensor>& parameters,
                double learning_rate, double max_grad_norm, std::int64_t step_index, const std::string& what) {
  const double value = loss.item<double>();
  if (!std::isfinite(value))
    throw std::runtime_error(what + ": the loss became " + number(value) + " at step " +
                             std::to_string(step_index + 1) +
                             "; the weights were left as before (try a lower learning rate)");
  optimizer.zero_grad();
  loss.backward();
  const double grad_norm = torch::nn::utils::clip_grad_norm_(parameters, max_grad_norm);
  if (!std::isfinite(grad_norm)) {
    optimizer.zero_grad();
    throw std::runtime_error(what + ": the gradient became non-finite at step " + std::to_string(step_index + 1) +
                             "; the weights were left as before (try a lower learning rate)");
  }
  for (auto& group : optimizer.param_groups())
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(learning_rate);
  optimizer.step();
  return value;
}

void update_ema(const std::vector<torch::Tensor>& ema, const std::vector<torch::Tensor>& current, double ema_decay,
                std::int64_t steps_done) {
  torch::NoGradGuard no_grad;
  const double n = static_cast<double>(steps_done);
  const double decay = std::min(ema_decay, (1.0 + n) / (10.0 + n));
  for (std::size_t i = 0; i < ema.size(); ++i) {
    auto averaged = ema[i];
    averaged.mul_(decay).add_(current[i].detach(), 1.0 - decay);
  }
}

double finish_denoiser_step(const torch::Tensor& loss, torch::optim::Adam& optimizer, torch::nn::Module& model,
                            torch::nn::Module& ema, const DenoiserStepRule& rule, std::int64_t& steps_done,
                            std::deque<double>& recent_losses) {
  constexpr std::size_t kRecentLosses = 100;
  const double rate = rule.learning_rate * learning_rate_factor(steps_done, rule.planned_steps, rule.max_warmup);
  const double value = optimise(loss, optimizer, model.parameters(), rate, rule.max_grad_norm, steps_done, rule.what);
  update_ema(ema.parameters(), model.parameters(), rule.ema_decay, steps_done);
  ++steps_done;
  recent_losses.push_back(value);
  if (recent_losses.size() > kRecentLosses) recent_losses.pop_front();
  return value;
}

double mean_loss(const std::deque<double>& recent_losses) {
  if (recent_losses.empty()) return 0.0;
  return std::accumulate(recent_losses.begin(), recent_losses.end(), 0.0) / static_cast<double>(recent_losses.size());
}

}  // namespace diffusion::training_support
