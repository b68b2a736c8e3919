// The Fréchet distance of two Gaussians (Heusel et al. 2017; closed form of Dowson & Landau 1982).
#include "diffusion/frechet_distance.hpp"

#include <stdexcept>
#include <string>

#include <torch/torch.h>

namespace diffusion {
namespace {

torch::Tensor symmetric(const torch::Tensor& m) { return 0.5 * (m + m.transpose(0, 1)); }

// Eigenvalues and vectors of a symmetric matrix (torch::linalg_eigh: LibTorch 1.13 and 2.x alike),
// eigenvalues clamped at 0: the matrices here are positive semi-definite up to round-off.
std::tuple<torch::Tensor, torch::Tensor> psd_eigh(const torch::Tensor& m) {
  auto [values, vectors] = torch::linalg_eigh(symmetric(m), "L");
  return {values.clamp_min(0.0), vectors};
}

// S^{1/2} = V diag(sqrt(l)) V^T.
torch::Tensor psd_sqrt(const torch::Tensor& m) {
  const auto [values, vectors] = psd_eigh(m);
  return torch::matmul(vectors * values.sqrt().unsqueeze(0), vectors.transpose(0, 1));
}

void check_statistics(const torch::Tensor& mean, const torch::Tensor& covariance, const char* which) {
  if (!mean.defined() || !covariance.defined() || mean.dim() != 1 || covariance.dim() != 2 ||
      covariance.size(0) != mean.size(0) || covariance.size(1) != mean.size(0) || mean.size(0) < 1)
    throw std::invalid_argument(std::string("frechet_distance: ") + which +
                                " must be a mean [D] and a covariance [D, D] with D >= 1");
  if (!torch::isfinite(mean).all().item<bool>() || !torch::isfinite(covariance).all().item<bool>())
    throw std::invalid_argument(std::string("frechet_distance: ") + which + " contains NaN or infinite values");
}

}  // namespace

GaussianStatistics gaussian_statistics(const torch::Tensor& features) {
  if (!features.defined() || features.dim() != 2 || features.size(0) < 2 || features.size(1) < 1 ||
      !features.is_floating_point())
    throw std::invalid_argument("gaussian_statistics: features must be a floating-point [N, D] tensor with N >= 2");
  const auto x = features.detach().to(torch::kCPU, torch::kFloat64);
  if (!torch::isfinite(x).all().item<bool>())
    throw std::invalid_argument("gaussian_statistics: the features contain NaN or infinite values");
  GaussianStatistics s;
  s.count = x.size(0);
  s.mean = x.mean(0);
  const auto centred = x - s.mean.unsqueeze(0);
  s.covariance = symmetric(torch::matmul(centred.transpose(0, 1), centred) / static_cast<double>(s.count - 1));
  return s;
}

double frechet_distance(const torch::Tensor& mean_1, const torch::Tensor& covariance_1,
                        const torch::Tensor& mean_2, const torch::Tensor& covariance_2) {
  check_statistics(mean_1, covariance_1, "the first Gaussian");
  check_statistics(mean_2, covariance_2, "the second Gaussian");
  if (mean_1.size(0) != mean_2.size(0))
    throw std::invalid_argument("frechet_distance: the dimensions differ (" + std::to_string(mean_1.size(0)) +
                                " and " + std::to_string(mean_2.size(0)) + ")");
  torch::NoGradGuard no_grad;
  const auto f64 = [](const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kFloat64); };
  const auto m1 = f64(mean_1), m2 = f64(mean_2);
  const auto s1 = symmetric(f64(covariance_1)), s2 = symmetric(f64(covariance_2));
  // tr (S1^{1/2} S2 S1^{1/2})^{1/2}: the inner matrix is symmetric PSD, so its square root's trace
  // is the sum of the square roots of its eigenvalues. It equals tr (S1 S2)^{1/2}, the form usually
  // written, without taking the square root of a non-symmetric matrix.
  const auto root_1 = psd_sqrt(s1);
  const auto inner = torch::matmul(torch::matmul(root_1, s2), root_1);
  const auto inner_values = std::get<0>(psd_eigh(inner));
  const double trace_root = inner_values.sqrt().sum().item<double>();
  const double mean_term = (m1 - m2).pow(2).sum().item<double>();
  const double distance = mean_term + s1.trace().item<double>() + s2.trace().item<double>() - 2.0 * trace_root;
  return distance > 0.0 ? distance : 0.0;
}

double frechet_distance(const GaussianStatistics& a, const GaussianStatistics& b) {
  return frechet_distance(a.mean, a.covariance, b.mean, b.covariance);
}

}  // namespace diffusion
