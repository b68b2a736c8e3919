// The GUI's --process, --sigma and --solver checks (see gui_sampler_flags.hpp).
#include "cli/gui_sampler_flags.hpp"

#include <string>

#include "cli/usage_error.hpp"
#include "diffusion/ode_solver_kind.hpp"
#include "diffusion/reverse_config.hpp"
#include "gui/state/choice_tables.hpp"

namespace diffuscope::cli {

void validate_gui_process_flags(const gui::GuiOptions& options) {
  const bool flow = options.process == "flow";
  const bool ode = options.sigma == "ode";
  if (!flow && !gui::parse_key<gui::ForwardProcess>(options.process))
    throw UsageError("unknown --process '" + options.process + "'; valid processes: " +
                     gui::key_list<gui::ForwardProcess>() + ", flow");
  if (!ode && !gui::parse_key<diffusion::SigmaKind>(options.sigma))
    throw UsageError("unknown --sigma '" + options.sigma + "'; valid choices: " + gui::key_list<diffusion::SigmaKind>() +
                     ", ode");
  if (flow && ode)
    throw UsageError("--process flow and --sigma ode both choose panel 0's sampler; give one of them");
  if (options.solver.empty()) return;
  const auto solver = diffusion::parse_ode_solver(options.solver);
  if (!solver) throw UsageError("unknown --solver '" + options.solver + "'; valid solvers: euler, heun, dpmpp2m");
  if (!flow && !ode) throw UsageError("--solver is for --sigma ode or --process flow");
  if (flow && *solver == diffusion::OdeSolver::DpmSolverPP2M)
    throw UsageError("--solver dpmpp2m is not a flow-matching solver; with --process flow use euler or heun");
}

}  // namespace diffuscope::cli
