#include "gui/state/redraw_policy.hpp"

#include <algorithm>

namespace diffuscope::gui {

RedrawDecision decide_redraw(const RedrawInputs& in) {
  RedrawDecision d;
  if (in.headless || in.playing || in.worker_busy || in.run_streaming || in.work_pending ||
      in.frames_since_event < kSettleFrames) {
    return d;  // render now
  }
  d.render_now = false;
  d.wait_seconds = kMaxWaitSeconds;
  // A banner disappears on time: wake when the soonest one is due (a little after, so it has gone).
  if (in.next_notification_seconds >= 0.0) {
    d.wait_seconds = std::clamp(in.next_notification_seconds + 0.02, 0.0, kMaxWaitSeconds);
  }
  return d;
}

}  // namespace diffuscope::gui
