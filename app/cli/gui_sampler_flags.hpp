#pragma once
// The GUI's sampler-family flags: --process (closed | markov | naive: the forward process; flow:
// reverse panel 0 is a flow-matching panel), --sigma (small | large | interpolated | ddim, or ode:
// panel 0 solves the probability-flow ODE) and --solver (euler | heun | dpmpp2m for --sigma ode,
// default heun as `sample --sigma ode`; euler | heun for --process flow, default euler as
// `sample --process flow`). Throws UsageError (exit code 2) for a bad value or combination.
#include "gui/lecture/gui_options.hpp"

namespace diffuscope::cli {

void validate_gui_process_flags(const gui::GuiOptions& options);

}  // namespace diffuscope::cli
