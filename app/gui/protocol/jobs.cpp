// The forward frame's coefficients, read from the schedule it was computed with.
#include "gui/protocol/jobs.hpp"
#include "diffusion/schedule.hpp"
#include "gui/protocol/flow_path.hpp"

#include <cmath>

namespace diffuscope::gui {

double forward_alpha_bar(const ForwardFrame& frame, const ForwardSide& side) {
  if (side.flow) return flow_alpha_bar(flow_tau(side.t, forward_T(side)));
  if (frame.process == ForwardProcess::Naive || !side.schedule) return 1.0;
  return side.schedule->alpha_bar(side.t);
}

double forward_noise_std(const ForwardFrame& frame, const ForwardSide& side) {
  if (side.flow) return flow_noise_coefficient(flow_tau(side.t, forward_T(side)));
  if (frame.process == ForwardProcess::Naive) return std::sqrt(side.t * frame.naive_beta);
  return side.schedule ? side.schedule->sqrt_one_minus_alpha_bar(side.t) : 0.0;
}

int forward_T(const ForwardSide& side) { return side.schedule ? side.schedule->T() : 0; }

}  // namespace diffuscope::gui
