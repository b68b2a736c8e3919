#include "cli/schedule_flags.hpp"

#include <cmath>
#include <optional>

#include <CLI/CLI.hpp>

#include "diffusion/schedule.hpp"
#include "cli/usage_error.hpp"
#include "gui/state/choice_tables.hpp"

namespace diffuscope::cli {

std::string schedule_kind_names() {
  std::string names;
  for (const auto& kind : gui::choices<diffusion::ScheduleKind>()) {
    if (!names.empty()) names += ", ";
    names += kind.key;
    if (kind.value == diffusion::ScheduleKind::ScaledLinear) names += " (or quadratic)";  // parse_schedule_kind's alias
  }
  return names;
}

void add_schedule_flags(CLI::App& command, ScheduleFlags& flags, bool kind_required) {
  const std::string group = "Schedule";
  diffusion::ScheduleParams& p = flags.params;
  CLI::Option* kind = command.add_option("--kind", flags.kind, "Schedule family: " + schedule_kind_names());
  kind->group(group);
  if (kind_required) {
    kind->required();
  } else {
    kind->capture_default_str();
  }
  command.add_option("--T", p.T, "Number of diffusion steps, 1.." + std::to_string(diffusion::kMaxTimesteps))
      ->capture_default_str()->group(group);
  command.add_option("--beta-start", p.beta_start, "beta_1 (linear, scaled_linear, sigmoid_beta)")
      ->capture_default_str()->group(group);
  command.add_option("--beta-end", p.beta_end, "beta_T (linear, scaled_linear, sigmoid_beta)")
      ->capture_default_str()->group(group);
  command.add_option("--beta", p.beta, "The one beta of the constant schedule")
      ->capture_default_str()->group(group);
  command.add_option("--cosine-s", p.cosine_s, "Cosine offset s (Nichol & Dhariwal 2021)")
      ->capture_default_str()->group(group);
  command.add_option("--sigmoid-start", p.sigmoid_start, "Sigmoid schedule start (Chen 2023)")
      ->capture_default_str()->group(group);
  command.add_option("--sigmoid-end", p.sigmoid_end, "Sigmoid schedule end")
      ->capture_default_str()->group(group);
  command.add_option("--sigmoid-tau", p.sigmoid_tau, "Sigmoid schedule temperature tau")
      ->capture_default_str()->group(group);
  command.add_flag("--scale-with-T", p.scale_with_T,
                   "linear/scaled_linear: multiply both beta ends by 1000/T (improved-diffusion)")
      ->group(group);
  command.add_flag("--zero-terminal-snr", p.zero_terminal_snr,
                   "Rescale so that alpha_bar_T = 0 (Lin et al. 2023)")
      ->group(group);
}

namespace {

void require_finite(double value, const char* flag) {
  if (!std::isfinite(value)) {
    throw UsageError(std::string(flag) + " must be a finite number");
  }
}

}  // namespace

diffusion::ScheduleParams to_schedule_params(const ScheduleFlags& flags) {
  diffusion::ScheduleParams params = flags.params;
  std::optional<diffusion::ScheduleKind> kind = diffusion::parse_schedule_kind(flags.kind);
  if (!kind) {
    throw UsageError("unknown --kind '" + flags.kind + "'; valid kinds: " + schedule_kind_names());
  }
  params.kind = *kind;
  // Checked here too so that the message names the flag as typed, whatever the family.
  require_finite(params.beta_start, "--beta-start");
  require_finite(params.beta_end, "--beta-end");
  require_finite(params.beta, "--beta");
  require_finite(params.cosine_s, "--cosine-s");
  require_finite(params.sigmoid_start, "--sigmoid-start");
  require_finite(params.sigmoid_end, "--sigmoid-end");
  require_finite(params.sigmoid_tau, "--sigmoid-tau");
  diffusion::validate(params);
  return params;
}

}  // namespace diffuscope::cli
