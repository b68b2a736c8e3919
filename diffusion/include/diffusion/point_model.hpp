#pragma once
// The learned epsilon-prediction network for 2D points, conditioned on log-SNR (log_snr.hpp).
//
// Input features: x itself plus sin/cos of x at `frequencies` octave-spaced frequencies per
// coordinate; the noise level enters as sinusoidal features of the (scaled) log-SNR mapped by a
// small MLP to a per-block scale and shift (FiLM). The noise embedding depends on lambda only, so
// in sampling, where the whole cloud shares one lambda, it is computed once per step for a [1]
// lambda and folded into the blocks' weights: per point only a plain MLP runs.
//
// Conditional models (num_classes > 0; classifier-free guidance, Ho & Salimans 2022): a learned
// table of num_classes + 1 vectors, the last one the null class (no class), is added to the noise
// MLP's hidden layer before its activation, so the class acts through the same per-block FiLM
// scale and shift as the noise level (adding, not concatenating, keeps the FiLM layers' shapes
// and the per-step folding: a whole cloud of one class still costs one plain MLP per point).
// Unconditional models (num_classes = 0) have no table: their parameters, checkpoints and
// outputs are exactly those of the models before classes existed.
#include <cstdint>
#include <string>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace diffusion {

// The defaults are the shipped models' sizes (56k parameters). At 2000 points on one CPU thread
// a sampling forward costs ~1.2 ms, against ~4.8 ms for the plain peer MLP (384 -> 128, three
// 128-wide residual blocks) without its embeddings; with b=3 or h=128 samples of moons,
// checkerboard and spiral were no closer to the data (sliced Wasserstein) after 6-8k steps.
struct PointModelConfig {
  int frequencies = 8;        // sin/cos frequencies per coordinate of x
  int noise_features = 16;    // sin/cos frequencies of the scaled log-SNR
  int hidden = 64;            // width of the residual blocks
  int blocks = 2;             // residual blocks
  int num_classes = 0;        // 0: unconditional; else classes 0..num_classes-1 plus the null class
  // "point-mlp-film/v1 f=8 nf=16 h=64 b=2" (" c=8" appended for 8 classes): stored in checkpoints
  // and compared on load.
  std::string architecture() const;
  int64_t parameter_count() const;  // computed from the sizes, without building the module
};
bool operator==(const PointModelConfig& a, const PointModelConfig& b);
inline bool operator!=(const PointModelConfig& a, const PointModelConfig& b) { return !(a == b); }
// Throws std::invalid_argument naming the field (each must be in 1..limit: frequencies <= 16,
// noise_features <= 64, hidden <= 1024, blocks <= 16, 0 <= num_classes <= 1024).
void validate(const PointModelConfig& config);

class PointModelImpl : public torch::nn::Module {
 public:
  explicit PointModelImpl(PointModelConfig config = {});
  // x: [N, 2] float; log_snr: [N] or [1] (broadcast over the batch), on x's device.
  // Returns eps_hat [N, 2]. log_snr values are clamped with model_log_snr's bounds.
  // A conditional model sees the null class here (its unconditional prediction).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& log_snr);
  // The same for class class_id (0..num_classes-1, or kNullClass = -1 for the null class) of a
  // conditional model. Throws std::invalid_argument for an unconditional model or a class out of range.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& log_snr, int class_id);

  // The two halves of forward, for callers that share one noise level among many points
  // (training draws one lambda per group of points): noise_embedding(lambda [G]) -> [G, E];
  // forward_from_embedding(x [N, 2], embedding [G, E]) -> eps_hat [N, 2], where G divides N
  // and row g serves the N / G consecutive points g * N / G, ... (G = 1: the whole cloud).
  torch::Tensor noise_embedding(const torch::Tensor& log_snr);
  // class_rows: int64 [G] (or [1], shared), rows of the class table: 0..num_classes-1 a class,
  // num_classes the null class (class_row). Undefined: the null class. Defined for an
  // unconditional model, or a row out of range: std::invalid_argument.
  torch::Tensor noise_embedding(const torch::Tensor& log_snr, const torch::Tensor& class_rows);
  // The class table's row of class_id (kNullClass -> num_classes); throws std::invalid_argument
  // naming the range for an unconditional model or a class outside [-1, num_classes).
  std::int64_t class_row(int class_id) const;
  bool is_conditional() const { return config_.num_classes > 0; }
  torch::Tensor forward_from_embedding(const torch::Tensor& x, const torch::Tensor& embedding);

  // Re-draws every weight from a CPU generator seeded with `seed` (the constructor uses seed 0),
  // so a model's initial weights never depend on LibTorch's global random state.
  void reset_parameters(std::uint64_t seed);
  const PointModelConfig& config() const { return config_; }

 private:
  torch::Tensor features(const torch::Tensor& x) const;
  // log_snr as [1] or [N] for x [N, 2] (a 0-d tensor becomes [1]); throws on other shapes.
  torch::Tensor checked_log_snr(const torch::Tensor& x, const torch::Tensor& log_snr) const;

  PointModelConfig config_;
  torch::nn::Linear input_{nullptr};          // [x, sin, cos] -> hidden
  torch::nn::Linear noise_hidden_{nullptr};   // lambda features -> noise width
  torch::nn::Linear noise_film_{nullptr};     // -> 2 * hidden * blocks (scale, shift per block)
  torch::nn::ModuleList block_first_{nullptr};   // Linear(hidden, hidden) with bias
  torch::nn::ModuleList block_second_{nullptr};  // Linear(hidden, hidden) without bias
  torch::nn::Linear output_{nullptr};
  torch::Tensor class_embedding_;  // [num_classes + 1, noise width], conditional models only
  torch::Tensor feature_matrix_;   // buffer [2, 4F]: x @ it + phase gives sin and cos arguments
  torch::Tensor feature_phase_;    // buffer [4F]: 0 for the sin half, pi/2 for the cos half
  torch::Tensor noise_frequencies_;  // buffer [noise_features]
};
TORCH_MODULE(PointModel);

// An independent copy (same config, weights copied, same device, same train/eval mode).
PointModel clone_point_model(const PointModel& model);

}  // namespace diffusion
