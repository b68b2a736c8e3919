#pragma once
// What defines a noise schedule: its family and parameters, their names and their ranges.
// Separate from schedule.hpp (the computed Schedule) so that the many files that carry or edit
// parameters (jobs, UI state, scenes, flags) do not recompile when the Schedule class changes.
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace diffusion {

enum class ScheduleKind { Linear, ScaledLinear, Cosine, Sigmoid, SigmoidBeta, Constant };

// All families, in the order the UI lists them.
const std::vector<ScheduleKind>& all_schedule_kinds();
// "linear", "scaled_linear", "cosine", "sigmoid", "sigmoid_beta", "constant".
std::string_view to_string(ScheduleKind kind);
// Accepts the names above and "quadratic" for scaled_linear; nullopt otherwise.
std::optional<ScheduleKind> parse_schedule_kind(std::string_view name);

// Thrown for parameters out of range; what() names the parameter and its value.
class ScheduleError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct ScheduleParams {
  ScheduleKind kind = ScheduleKind::Linear;
  int T = 1000;                   // 1..10000
  double beta_start = 1e-4;       // linear, scaled_linear, sigmoid_beta: beta_1
  double beta_end = 0.02;         // linear, scaled_linear, sigmoid_beta: beta_T
  double beta = 0.01;             // constant
  double cosine_s = 0.008;        // cosine offset s (Nichol & Dhariwal 2021)
  double sigmoid_start = -3.0;    // sigmoid (Chen 2023)
  double sigmoid_end = 3.0;
  double sigmoid_tau = 1.0;
  bool scale_with_T = false;      // linear/scaled_linear: multiply both ends by 1000/T
  bool zero_terminal_snr = false; // Lin et al. 2023 rescale, after the family
};

// Field-by-field equality (every field, also those the family does not use): the UI and the
// worker use it to tell whether a schedule must be recomputed.
bool operator==(const ScheduleParams& a, const ScheduleParams& b);
inline bool operator!=(const ScheduleParams& a, const ScheduleParams& b) { return !(a == b); }

inline constexpr int kMaxTimesteps = 10000;
inline constexpr double kMaxBeta = 0.999;  // cap for cosine and sigmoid (improved-diffusion)

// Throws ScheduleError naming the first bad parameter. Every double field must be finite, even
// those the family does not use. Cosine and sigmoid cap beta at kMaxBeta (their last beta is
// always capped, since their alpha_bar reaches 0 at t = T); the other families cannot reach
// beta >= 1 because their betas lie between two endpoints that must be in (0, 1).
void validate(const ScheduleParams& params);

}  // namespace diffusion
