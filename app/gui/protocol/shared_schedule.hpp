#pragma once
// A schedule as jobs carry it from the UI to the worker: built once on the UI thread (ScheduleSlot
// in app_state.hpp, or a reverse panel's family), then shared, immutable, so the worker never
// rebuilds it and frames need not send back what it says (design.md, "Threads"). Torch-free.
#include <memory>
#include <string>

#include "diffusion/schedule_params.hpp"

namespace diffusion {
class Schedule;  // diffusion/schedule.hpp
}  // namespace diffusion

namespace diffuscope::gui {

using SharedSchedule = std::shared_ptr<const diffusion::Schedule>;

// Builds a schedule to share; throws diffusion::ScheduleError naming the bad parameter.
SharedSchedule share_schedule(const diffusion::ScheduleParams& params);
// The library's default (linear, T = 1000), built once: what a job holds until it is given one.
const SharedSchedule& default_schedule();

// True when both compute the same: the same object, or built from equal parameters. Identity
// alone would be too strict: a slot edited away and back builds a new object with the old
// parameters, and that must not restart a run.
bool same_schedule(const SharedSchedule& a, const SharedSchedule& b);

// A reverse panel's schedule (A's parameters with the panel's family), or why those parameters
// do not make one: the panel then shows the error, and its label still names K = T.
struct PanelSchedule {
  SharedSchedule built = default_schedule();   // null when the parameters did not validate
  std::string error;                           // why built is null ("" when built)
  int T = diffusion::ScheduleParams{}.T;       // the parameters' T (= built->T() when built)
};
PanelSchedule panel_schedule(const SharedSchedule& built);
PanelSchedule panel_schedule(const diffusion::ScheduleParams& params);   // never throws
bool operator==(const PanelSchedule& a, const PanelSchedule& b);
inline bool operator!=(const PanelSchedule& a, const PanelSchedule& b) { return !(a == b); }

}  // namespace diffuscope::gui
