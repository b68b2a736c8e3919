// The ideal denoiser of an empirical dataset (e.g. Karras et al. 2022, appendix B.3): with x_0
// uniform on the training points, p(x0_i | x_t) is a softmax over the Gaussian log-likelihoods
// log N(x_t; sqrt(ab) x0_i, (1 - ab) I).
#include "diffusion/exact_denoiser.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

#include <torch/torch.h>

namespace diffusion {
namespace {

torch::ScalarType compute_dtype(const torch::Tensor& x) {
  // float64 inputs are computed in float64 (tests, reference runs); everything else in float32.
  return x.scalar_type() == torch::kFloat64 ? torch::kFloat64 : torch::kFloat32;
}

}  // namespace

ExactDenoiser::ExactDenoiser(torch::Tensor train, std::int64_t chunk_rows) : chunk_rows_(chunk_rows) {
  if (!train.defined() || train.dim() < 2 || train.size(0) < 1 || train.numel() == 0)
    throw std::invalid_argument("ExactDenoiser: train must be a non-empty tensor [M, D] (or [M, ...])");
  if (!train.is_floating_point())
    throw std::invalid_argument("ExactDenoiser: train must be a floating-point tensor");
  if (chunk_rows < 1)
    throw std::invalid_argument("ExactDenoiser: chunk_rows = " + std::to_string(chunk_rows) +
                                " must be >= 1");
  torch::NoGradGuard no_grad;
  if (!torch::isfinite(train).all().item<bool>())
    throw std::invalid_argument("ExactDenoiser: train contains NaN or infinite values");
  train_ = train.detach().to(compute_dtype(train)).contiguous();
  const auto flat = train_.reshape({train_.size(0), -1});
  train_sq_norm_ = flat.pow(2).sum(1);
  train_with_ones_ = torch::cat({flat, torch::ones({flat.size(0), 1}, flat.options())}, 1);
}

torch::Tensor ExactDenoiser::expected_x0(const torch::Tensor& x_t, double alpha_bar) const {
  if (!(alpha_bar >= 0.0 && alpha_bar < 1.0)) {
    std::ostringstream msg;
    msg.precision(17);
    msg << "ExactDenoiser: alpha_bar = " << alpha_bar << " must lie in [0, 1)";
    throw std::invalid_argument(msg.str());
  }
  const std::int64_t M = train_.size(0);
  const std::int64_t D = train_.numel() / M;
  if (!x_t.defined() || x_t.dim() < 1 || !x_t.is_floating_point() ||
      (x_t.size(0) > 0 && x_t.numel() / x_t.size(0) != D))
    throw std::invalid_argument("ExactDenoiser: x_t must be a floating-point [N, ...] tensor with " +
                                std::to_string(D) + " values per sample, like the training points");
  torch::NoGradGuard no_grad;

  const std::int64_t N = x_t.size(0);
  const auto dtype = compute_dtype(x_t);
  const auto options = torch::TensorOptions().device(x_t.device()).dtype(dtype);
  // No-ops when the denoiser was built on x_t's device and dtype.
  const auto train_t = train_.reshape({M, D}).to(options).t();
  const auto train_with_ones = train_with_ones_.to(options);
  const auto sq_norm = train_sq_norm_.to(options).unsqueeze(0);  // [1, M]

  // -|x - s y|^2 / (2 (1 - ab)) = (s x.y - ab |y|^2 / 2) / (1 - ab) - |x|^2 / (2 (1 - ab)).
  // The last term is the same for every training point of a row, so the softmax drops it.
  const double one_minus_ab = 1.0 - alpha_bar;
  const double cross_scale = std::sqrt(alpha_bar) / one_minus_ab;
  const auto bias = sq_norm * (-0.5 * alpha_bar / one_minus_ab);  // [1, M]

  const auto queries = x_t.reshape({N, D}).to(options);
  auto result = torch::empty({N, D}, options);
  for (std::int64_t start = 0; start < N; start += chunk_rows_) {
    const std::int64_t rows = std::min(chunk_rows_, N - start);
    const auto chunk = queries.narrow(0, start, rows);
    // logits [rows, M]; the only N x M-sized buffer, reused in place below.
    auto logits = torch::addmm(bias, chunk, train_t, /*beta=*/1.0, /*alpha=*/cross_scale);
    // Log-sum-exp stabilised softmax. The weights are normalised after the weighted sum: the
    // column of ones makes the same matmul return each row's normaliser, saving a pass.
    logits.sub_(std::get<0>(logits.max(1, /*keepdim=*/true))).exp_();
    const auto sums = logits.mm(train_with_ones);  // [rows, D + 1]
    result.narrow(0, start, rows).copy_(sums.narrow(1, 0, D).div(sums.narrow(1, D, 1)));
  }
  return result.reshape(x_t.sizes()).to(x_t.scalar_type());
}

torch::Tensor ExactDenoiser::expected_eps(const torch::Tensor& x_t, double alpha_bar) const {
  const auto x0 = expected_x0(x_t, alpha_bar);
  return (x_t - x0 * std::sqrt(alpha_bar)) / std::sqrt(1.0 - alpha_bar);
}

ConditionalExactDenoiser::ConditionalExactDenoiser(const torch::Tensor& train, const std::vector<int>& class_id,
                                                   int num_classes, std::int64_t chunk_rows)
    : unconditional_(train, chunk_rows) {
  const std::int64_t M = unconditional_.train().size(0);
  if (static_cast<std::int64_t>(class_id.size()) != M)
    throw std::invalid_argument("ConditionalExactDenoiser: " + std::to_string(class_id.size()) + " classes for " +
                                std::to_string(M) + " training points");
  if (num_classes < 1)
    throw std::invalid_argument("ConditionalExactDenoiser: num_classes = " + std::to_string(num_classes) +
                                " must be >= 1");
  std::vector<std::vector<std::int64_t>> members(static_cast<std::size_t>(num_classes));
  for (std::int64_t i = 0; i < M; ++i) {
    const int c = class_id[static_cast<std::size_t>(i)];
    if (c < 0 || c >= num_classes)
      throw std::invalid_argument("ConditionalExactDenoiser: training point " + std::to_string(i) + " has class " +
                                  std::to_string(c) + ", outside 0.." + std::to_string(num_classes - 1));
    members[static_cast<std::size_t>(c)].push_back(i);
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor& all = unconditional_.train();
  for (const std::vector<std::int64_t>& rows : members) {
    if (rows.empty()) {
      per_class_.push_back(nullptr);
      continue;
    }
    const torch::Tensor index =
        torch::tensor(rows, torch::TensorOptions().dtype(torch::kInt64)).to(all.device());
    per_class_.push_back(std::make_unique<ExactDenoiser>(all.index_select(0, index), chunk_rows));
  }
}

std::int64_t ConditionalExactDenoiser::class_size(int c) const {
  if (c < 0 || c >= num_classes() || !per_class_[static_cast<std::size_t>(c)]) return 0;
  return per_class_[static_cast<std::size_t>(c)]->train().size(0);
}

const ExactDenoiser& ConditionalExactDenoiser::denoiser(int c) const {
  if (c == kNullClass) return unconditional_;
  if (c < 0 || c >= num_classes())
    throw std::invalid_argument("class " + std::to_string(c) + " is out of range: the training points have " +
                                std::to_string(num_classes()) + (num_classes() == 1 ? " class (0)" : " classes (0.." +
                                std::to_string(num_classes() - 1) + ")"));
  if (!per_class_[static_cast<std::size_t>(c)])
    throw std::invalid_argument("class " + std::to_string(c) + " has no training points");
  return *per_class_[static_cast<std::size_t>(c)];
}

}  // namespace diffusion
