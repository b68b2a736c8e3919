#include "gui/protocol/shared_schedule.hpp"
#include "diffusion/schedule.hpp"

namespace diffuscope::gui {

SharedSchedule share_schedule(const diffusion::ScheduleParams& params) {
  return std::make_shared<const diffusion::Schedule>(params);
}

const SharedSchedule& default_schedule() {
  static const SharedSchedule schedule = share_schedule(diffusion::ScheduleParams{});
  return schedule;
}

bool same_schedule(const SharedSchedule& a, const SharedSchedule& b) {
  if (a == b) return true;
  return a && b && a->params() == b->params();
}

PanelSchedule panel_schedule(const SharedSchedule& built) {
  PanelSchedule out;
  out.built = built;
  out.T = built ? built->T() : 0;
  return out;
}

PanelSchedule panel_schedule(const diffusion::ScheduleParams& params) {
  PanelSchedule out;
  out.T = params.T;
  try {
    out.built = share_schedule(params);
  } catch (const diffusion::ScheduleError& e) {
    out.built = nullptr;
    out.error = e.what();
  }
  return out;
}

bool operator==(const PanelSchedule& a, const PanelSchedule& b) {
  return same_schedule(a.built, b.built) && a.error == b.error && a.T == b.T;
}

}  // namespace diffuscope::gui
