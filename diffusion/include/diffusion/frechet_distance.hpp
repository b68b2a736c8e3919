#pragma once
// The Fréchet distance between two Gaussians fitted to feature vectors (Heusel et al. 2017, "GANs
// Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium", the "FID"):
//
//   d² = ||mu_1 - mu_2||² + tr(S_1 + S_2 - 2 (S_1^{1/2} S_2 S_1^{1/2})^{1/2})
//
// (Dowson & Landau 1982 for the closed form). Everything is computed in float64 on the CPU; the
// matrix square roots come from symmetric eigendecompositions, with eigenvalues below zero (round-
// off of positive semi-definite matrices) taken as zero, so rank-deficient covariances are fine.
#include <cstdint>

#include <torch/types.h>

namespace diffusion {

// Mean and covariance of a set of feature vectors, float64 on the CPU.
struct GaussianStatistics {
  torch::Tensor mean;        // [D]
  torch::Tensor covariance;  // [D, D], unbiased (divided by N - 1), exactly symmetric
  std::int64_t count = 0;    // N
};

// features: [N, D] with N >= 2, finite (any device, any floating dtype). Throws
// std::invalid_argument otherwise.
GaussianStatistics gaussian_statistics(const torch::Tensor& features);

// The squared Fréchet distance above (>= 0; round-off below zero is returned as 0). The two must
// have the same dimension D; covariances must be symmetric positive semi-definite.
// Throws std::invalid_argument on mismatched or non-finite inputs.
double frechet_distance(const GaussianStatistics& a, const GaussianStatistics& b);
double frechet_distance(const torch::Tensor& mean_1, const torch::Tensor& covariance_1,
                        const torch::Tensor& mean_2, const torch::Tensor& covariance_2);

}  // namespace diffusion
