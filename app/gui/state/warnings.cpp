#include "gui/state/warnings.hpp"
#include "diffusion/schedule.hpp"

#include <cmath>
#include <cstdio>

namespace diffuscope::gui {

std::string format_short(double value) {
  char buf[64];
  const double a = std::fabs(value);
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "∞" : "−∞";
  if (value == 0.0) return "0";
  if (a < 0.1) {
    std::snprintf(buf, sizeof buf, "%.2g", value);
  } else if (a < 10.0) {
    std::snprintf(buf, sizeof buf, "%.2f", value);
  } else if (a < 1000.0) {
    std::snprintf(buf, sizeof buf, "%.1f", value);
  } else {
    std::snprintf(buf, sizeof buf, "%.3g", value);
  }
  return buf;
}

std::vector<ScheduleWarning> schedule_warnings(const diffusion::Schedule& s) {
  std::vector<ScheduleWarning> out;
  const int T = s.T();
  const double ab_T = s.alpha_bar(T);

  // 1. Terminal signal: sampling starts from N(0, I), so x_T must be (nearly) pure noise.
  if (ab_T >= kNotPureNoiseAlphaBarT) {
    out.push_back({WarningLevel::Warning, "ᾱ_T = " + format_short(ab_T) +
                                              ": x_T is not pure noise (SNR_T = " +
                                              format_short(s.snr(T)) + ")"});
  } else if (ab_T >= kSmallTerminalAlphaBarT) {
    // Lin et al. 2023: a small non-zero terminal SNR leaks low frequencies into training.
    out.push_back({WarningLevel::Info, "ᾱ_T = " + format_short(ab_T) +
                                           ": small but non-zero terminal SNR; try \"zero terminal SNR\""});
  } else if (ab_T == 0.0) {
    out.push_back({WarningLevel::Info,
                   "ᾱ_T = 0 (zero terminal SNR): β_T = 1, log-SNR_T = −∞; "
                   "ε-prediction cannot recover x_0 at t = T (use v-prediction)"});
  }

  // 2. Betas at the cap (cosine's ᾱ(t) falls to 0 at t = T, so its last betas would reach 1).
  int capped = 0;
  int first_capped = 0;
  double max_beta = 0.0;
  int max_beta_t = 0;
  for (int t = 1; t <= T; ++t) {
    const double beta = s.beta(t);
    const bool is_cap = std::fabs(beta - diffusion::kMaxBeta) < 1e-12;
    // A large step only matters while there is signal left to destroy: near the end of cosine
    // and zero-terminal-SNR schedules β_t -> 1 by design, when ᾱ_{t−1} is already ~0.
    const bool signal_left = s.alpha_bar(t - 1) > kSignalLeftAlphaBar;
    if (is_cap) {
      if (capped == 0) first_capped = t;
      ++capped;
    } else if (signal_left && beta > max_beta) {
      max_beta = beta;
      max_beta_t = t;
    }
  }
  if (capped > 0) {
    char cap_text[32];
    std::snprintf(cap_text, sizeof cap_text, "%g", diffusion::kMaxBeta);
    out.push_back({WarningLevel::Info,
                   std::string("β_t capped at ") + cap_text + " for " +
                       std::to_string(capped) + (capped == 1 ? " step" : " steps") +
                       " from t = " + std::to_string(first_capped)});
  }

  // 3. Large single steps: the reverse step is modelled as a Gaussian, a good fit only for small β.
  if (max_beta > kLargeBeta) {
    out.push_back({WarningLevel::Warning, "β_t reaches " + format_short(max_beta) + " at t = " +
                                              std::to_string(max_beta_t) +
                                              ": coarse steps, a Gaussian reverse step fits poorly"});
  }

  // 4. Early saturation: once ᾱ_t is ~0 the remaining steps only add noise to noise.
  for (int t = 1; t <= T; ++t) {
    if (s.alpha_bar(t) < kSaturatedAlphaBar) {
      const double fraction = static_cast<double>(t) / T;
      if (fraction < kEarlySaturationFraction) {
        const int percent = static_cast<int>(std::lround(100.0 * fraction));
        out.push_back({WarningLevel::Warning,
                       "ᾱ_t < " + format_short(kSaturatedAlphaBar) + " from t = " + std::to_string(t) +
                           " (" + std::to_string(percent) +
                           "% of T): the later steps add noise to noise"});
      }
      break;
    }
  }
  return out;
}

ScheduleWarning naive_process_warning(int T, double beta, double data_variance) {
  const double terminal_variance = data_variance + static_cast<double>(T) * beta;
  return {WarningLevel::Warning, "naive process: Var[x_T] = Var[x_0] + Tβ = " +
                                     format_short(terminal_variance) +
                                     ", not 1: x_T never becomes N(0, I)"};
}

}  // namespace diffuscope::gui
