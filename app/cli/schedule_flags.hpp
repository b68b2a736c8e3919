#pragma once
// The schedule flags shared by `schedule`, `forward` and `sample`, turned into
// diffusion::ScheduleParams. Defaults are ScheduleParams' own (T = 1000, beta 1e-4 .. 0.02).
#include <string>

#include "diffusion/schedule_params.hpp"

namespace CLI {
class App;
}

namespace diffuscope::cli {

struct ScheduleFlags {
  std::string kind = "linear";
  diffusion::ScheduleParams params;  // every field but `kind` is bound to a flag
};

// Adds --kind, --T, --beta-start, --beta-end, --beta, --cosine-s, --sigmoid-start, --sigmoid-end,
// --sigmoid-tau, --scale-with-T and --zero-terminal-snr to `command`, grouped under "Schedule".
void add_schedule_flags(CLI::App& command, ScheduleFlags& flags, bool kind_required);

// Resolves the kind name and checks the numbers. Throws UsageError naming the flag for an unknown
// kind (listing the valid ones) or a non-finite number; diffusion::validate then checks ranges
// and throws ScheduleError naming the parameter.
diffusion::ScheduleParams to_schedule_params(const ScheduleFlags& flags);

// "linear, scaled_linear (or quadratic), cosine, ..." for messages and --help.
std::string schedule_kind_names();

}  // namespace diffuscope::cli
