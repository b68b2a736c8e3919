#pragma once
// A sampler Denoiser (sampler.hpp) backed by a learned network: the network's output at the step's
// log-SNR, read as its prediction target (eps, x0 or v; prediction_target.hpp) and turned into
// x0_hat and eps_hat. Outside the trained log-SNR range (and at zero terminal SNR) the network is
// evaluated where model_evaluation (prediction_target.hpp) says, and the prediction it keeps there
// is converted at that level's own coefficients, so x0_hat stays consistent for any schedule.
#include <functional>

#include <torch/types.h>

#include "diffusion/point_model.hpp"
#include "diffusion/prediction_target.hpp"
#include "diffusion/reverse_process.hpp"
#include "diffusion/sampler.hpp"

namespace diffusion {

// The network's raw output for x_t at one log-SNR inside the trained range.
using ModelPredictor = std::function<torch::Tensor(const torch::Tensor& x_t, double log_snr)>;
// Any network as a Denoiser, for its prediction target. Shared by the 2D model and the image U-Net
// (image_denoiser.hpp).
Denoiser make_learned_denoiser(ModelPredictor predict, PredictionTarget target, const ReverseConfig& config);

// The prediction for x_t at `step` from the network's output `output`, which was computed at
// log-SNR `evaluated_log_snr` under `rule` (model_evaluation). What the denoiser returns; exposed
// for tests and overlays.
Prediction prediction_from_model_output(const torch::Tensor& x_t, const torch::Tensor& output,
                                        PredictionTarget target, const ModelEvaluation& evaluation,
                                        const SamplingStep& step, const ReverseConfig& config);

// Runs the model without gradient recording, with a [1] log-SNR broadcast over the cloud.
// Keeps `model` (a shared handle) alive inside the returned function. x_t of any floating type;
// the prediction has x_t's type and device (the model must be on that device).
Denoiser make_model_denoiser(PointModel model, PredictionTarget target, const ReverseConfig& config);

// A conditional model (num_classes > 0) as the Denoiser of class class_id (kNullClass: its
// unconditional output). Throws std::invalid_argument for an unconditional model or a class out
// of range, before any sampling.
Denoiser make_model_denoiser(PointModel model, PredictionTarget target, const ReverseConfig& config, int class_id);

// Classifier-free guidance with a conditional model (Ho & Salimans 2022): the shared combinator
// make_guided_denoiser (guidance.hpp) over the model's null-class and class_id denoisers, so w = 0
// is exactly the null-class denoiser and w = 1 exactly the class's. Two network evaluations a step
// (NFE counts 2 per step): each evaluation shares one class and level over the cloud, so the FiLM
// folding of PointModel keeps both at one plain MLP per point, as fast as one batched evaluation
// of 2N points with two groups would be. Throws std::invalid_argument for an unconditional model,
// a class out of range or w outside [0, kMaxGuidanceScale].
Denoiser make_guided_model_denoiser(PointModel model, PredictionTarget target, const ReverseConfig& config,
                                    int class_id, double w);

// The network's raw output for a cloud [N, 2] at one noise level (no gradient recording), log_snr
// clamped with model_log_snr (NaN throws std::domain_error).
torch::Tensor predict_output(PointModel& model, const torch::Tensor& x_t, double log_snr);
// The same for class class_id of a conditional model (kNullClass: the null class).
torch::Tensor predict_output(PointModel& model, const torch::Tensor& x_t, double log_snr, int class_id);

}  // namespace diffusion
