#pragma once
// The ideal denoiser of an empirical dataset {x0_i}: under q(x_t | x_0) with x_0 uniform on the
// training points, E[x_0 | x_t] = sum_i w_i x0_i with w = softmax(-|x_t - sqrt(ab) x0_i|^2 / (2 (1 - ab))).
#include <cstdint>
#include <memory>
#include <vector>

#include <torch/types.h>

#include "diffusion/datasets2d.hpp"
#include "diffusion/sampling_steps.hpp"

namespace diffusion {

class ExactDenoiser {
 public:
  // train: [M, D] float (or [M, ...], flattened per sample). Queries are processed in chunks so
  // that memory stays bounded (about chunk_rows * M floats at a time). Build it on the device the
  // queries will live on; otherwise the training set is copied over on every call.
  explicit ExactDenoiser(torch::Tensor train, std::int64_t chunk_rows = 1024);

  // E[x_0 | x_t] for x_t [N, D] at the given alpha_bar (in [0, 1)); log-sum-exp stable.
  torch::Tensor expected_x0(const torch::Tensor& x_t, double alpha_bar) const;
  // eps* = (x_t - sqrt(ab) E[x0|x_t]) / sqrt(1 - ab).
  torch::Tensor expected_eps(const torch::Tensor& x_t, double alpha_bar) const;

  const torch::Tensor& train() const { return train_; }

 private:
  torch::Tensor train_;
  torch::Tensor train_sq_norm_;  // [M], |x0_i|^2
  torch::Tensor train_with_ones_;  // [M, D + 1]: one matmul gives the weighted sum and its normaliser
  std::int64_t chunk_rows_;
};

// The exact denoiser of labelled training points, conditional on a class: E[x_0 | x_t, c] is the
// posterior mean over class c's points alone (x_0 uniform on them), and the null class
// (kNullClass) is the unconditional denoiser over every point. These are the two predictions
// classifier-free guidance combines (guidance.hpp).

class ConditionalExactDenoiser {
 public:
  // train: [M, ...] as for ExactDenoiser; class_id: M classes in [0, num_classes). A class without
  // points is allowed here; asking for it throws. Throws std::invalid_argument on bad input.
  ConditionalExactDenoiser(const torch::Tensor& train, const std::vector<int>& class_id, int num_classes,
                           std::int64_t chunk_rows = 1024);

  int num_classes() const { return static_cast<int>(per_class_.size()); }
  // Training points of class c (0 when c has none).
  std::int64_t class_size(int c) const;
  // The denoiser over class c's points, or over every point for kNullClass. Throws
  // std::invalid_argument naming c if it is out of range or has no points.
  const ExactDenoiser& denoiser(int c) const;
  // E[x_0 | x_t, c] (c = kNullClass: E[x_0 | x_t]).
  torch::Tensor expected_x0(const torch::Tensor& x_t, double alpha_bar, int c) const {
    return denoiser(c).expected_x0(x_t, alpha_bar);
  }

 private:
  ExactDenoiser unconditional_;
  std::vector<std::unique_ptr<ExactDenoiser>> per_class_;  // null where a class has no points
};

}  // namespace diffusion
