// Forward (noising) processes. Coefficients are computed in double by the schedule and applied
// as scalars, so tensors keep their own dtype and device.
#include "diffusion/forward_process.hpp"
#include "diffusion/schedule.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <torch/torch.h>

namespace diffusion {
namespace {

void check_same_shape(const torch::Tensor& x, const torch::Tensor& eps, const char* where) {
  if (!x.defined() || !eps.defined())
    throw std::invalid_argument(std::string(where) + ": x and eps must be defined tensors");
  if (x.sizes() != eps.sizes())
    throw std::invalid_argument(std::string(where) + ": eps must have the shape of x");
}

void check_t(const Schedule& schedule, int t, int first, const char* where) {
  if (t < first || t > schedule.T())
    throw std::invalid_argument(std::string(where) + ": t = " + std::to_string(t) +
                                " is outside " + std::to_string(first) + ".." +
                                std::to_string(schedule.T()));
}

}  // namespace

torch::Tensor q_sample(const Schedule& schedule, const torch::Tensor& x0, int t,
                       const torch::Tensor& eps) {
  check_same_shape(x0, eps, "q_sample");
  check_t(schedule, t, 0, "q_sample");
  if (t == 0) return x0.clone();
  return x0 * schedule.sqrt_alpha_bar(t) + eps.to(x0.options()) * schedule.sqrt_one_minus_alpha_bar(t);
}

torch::Tensor q_sample(const Schedule& schedule, const torch::Tensor& x0, const torch::Tensor& t,
                       const torch::Tensor& eps) {
  check_same_shape(x0, eps, "q_sample");
  if (x0.dim() < 1) throw std::invalid_argument("q_sample: x0 must have a batch dimension [N, ...]");
  if (t.dim() != 1 || t.size(0) != x0.size(0))
    throw std::invalid_argument("q_sample: t must be a 1-D tensor with one timestep per sample");
  if (t.numel() == 0) return x0.clone();
  const auto t_long = t.to(torch::kLong);
  const std::int64_t t_min = t_long.min().item<std::int64_t>();
  const std::int64_t t_max = t_long.max().item<std::int64_t>();
  if (t_min < 0 || t_max > schedule.T())
    throw std::invalid_argument("q_sample: t values must lie in 0.." + std::to_string(schedule.T()) +
                                ", got " + std::to_string(t_min) + ".." + std::to_string(t_max));

  // Tables index 0..T, in double, gathered per sample then cast to x0's dtype.
  const int T = schedule.T();
  std::vector<double> sqrt_ab(T + 1), sqrt_omab(T + 1);
  for (int s = 0; s <= T; ++s) {
    sqrt_ab[s] = schedule.sqrt_alpha_bar(s);
    sqrt_omab[s] = schedule.sqrt_one_minus_alpha_bar(s);
  }
  const auto table_options = torch::TensorOptions().dtype(torch::kFloat64);
  const auto idx = t_long.to(torch::kCPU);
  std::vector<std::int64_t> view_shape(x0.dim(), 1);
  view_shape[0] = x0.size(0);
  const auto a = torch::tensor(sqrt_ab, table_options).index_select(0, idx)
                     .to(x0.options()).view(view_shape);
  const auto b = torch::tensor(sqrt_omab, table_options).index_select(0, idx)
                     .to(x0.options()).view(view_shape);
  return a * x0 + b * eps.to(x0.options());
}

torch::Tensor q_step(const Schedule& schedule, const torch::Tensor& x_prev, int t,
                     const torch::Tensor& eps) {
  check_same_shape(x_prev, eps, "q_step");
  check_t(schedule, t, 1, "q_step");
  return x_prev * std::sqrt(schedule.alpha(t)) + eps.to(x_prev.options()) * std::sqrt(schedule.beta(t));
}

torch::Tensor naive_sample(const torch::Tensor& x0, int t, double beta, const torch::Tensor& eps) {
  check_same_shape(x0, eps, "naive_sample");
  if (t < 0) throw std::invalid_argument("naive_sample: t = " + std::to_string(t) + " must be >= 0");
  if (!(beta >= 0.0) || !std::isfinite(beta))
    throw std::invalid_argument("naive_sample: beta = " + std::to_string(beta) +
                                " must be finite and >= 0");
  // Variance exploding: the signal is kept, the noise variance grows like t * beta.
  return x0 + eps.to(x0.options()) * std::sqrt(static_cast<double>(t) * beta);
}

}  // namespace diffusion
