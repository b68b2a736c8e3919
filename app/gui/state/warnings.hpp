#pragma once
// Live warnings about a noise schedule, in words a lecturer can read out. Pure functions of the
// schedule (no GL, no ImGui) so they are unit-tested.
#include <string>
#include <vector>

#include "diffusion/schedule_params.hpp"

namespace diffusion {
class Schedule;  // diffusion/schedule.hpp
}  // namespace diffusion

namespace diffuscope::gui {

enum class WarningLevel { Info, Warning };

struct ScheduleWarning {
  WarningLevel level = WarningLevel::Warning;
  std::string text;  // UTF-8, uses ᾱ, β, √ as the curves do
};

// Thresholds, named so the tests and the panel agree on them.
inline constexpr double kNotPureNoiseAlphaBarT = 1e-2;    // ᾱ_T at or above: x_T keeps visible signal
inline constexpr double kSmallTerminalAlphaBarT = 1e-3;   // ᾱ_T at or above (and below the above): info
inline constexpr double kLargeBeta = 0.1;                 // β_t above this: coarse steps...
inline constexpr double kSignalLeftAlphaBar = 1e-2;       // ...while ᾱ_{t−1} is above this
inline constexpr double kSaturatedAlphaBar = 1e-3;        // ᾱ_t below this counts as pure noise
inline constexpr double kEarlySaturationFraction = 0.5;   // saturating before this fraction of T

// Warnings for the schedule, most important first. Empty when nothing is worth saying.
std::vector<ScheduleWarning> schedule_warnings(const diffusion::Schedule& schedule);

// The notes' naive variance-exploding process x_t = x_0 + √(tβ) ε never reaches N(0, I):
// warns with its terminal variance Var[x_0] + Tβ. data_variance is Var[x_0] per coordinate.
ScheduleWarning naive_process_warning(int T, double beta, double data_variance);

// Compact number formatting for warnings and readouts: 2 significant digits below 0.1,
// else 2 decimals below 10, else 3 significant digits ("0.0047", "0.60", "1.5e+03").
std::string format_short(double value);

}  // namespace diffuscope::gui
