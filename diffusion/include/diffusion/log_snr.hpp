#pragma once
// The noise level as log-SNR, lambda = log(alpha_bar / (1 - alpha_bar)): what the learned models
// are conditioned on instead of an integer t, so that one model serves every schedule and every T.
// Torch-free.
namespace diffusion {

// The range the models are trained on. It covers every schedule the sliders can make (linear with
// beta_1 = 1e-5 starts near lambda = 11.5, with "scale beta with T" at T = 4000 near 12.9; cosine
// with beta capped at 0.999 ends near -19.8). Beyond it the model is evaluated at the nearest
// bound: above 14 the noise std is below 1e-3 (invisible at lecture scale); below -20 x_t is pure
// noise to within e^-10, and zero terminal SNR (lambda = -inf) lands here too.
inline constexpr double kModelLogSnrMin = -20.0;
inline constexpr double kModelLogSnrMax = 14.0;

// lambda from alpha_bar and an accurately computed 1 - alpha_bar (use the schedule's own
// one_minus_alpha_bar near alpha_bar = 1). -inf at alpha_bar = 0, +inf at alpha_bar = 1.
double log_snr_from_alpha_bar(double alpha_bar, double one_minus_alpha_bar);
// Inverse: alpha_bar = sigmoid(lambda), computed without overflow for any finite lambda.
double alpha_bar_from_log_snr(double log_snr);
// 1 - alpha_bar = sigmoid(-lambda), accurate where alpha_bar is close to 1.
double one_minus_alpha_bar_from_log_snr(double log_snr);
// Clamps lambda into [kModelLogSnrMin, kModelLogSnrMax] (and -inf / +inf onto the bounds; NaN
// throws std::domain_error).
double model_log_snr(double log_snr);

}  // namespace diffusion
