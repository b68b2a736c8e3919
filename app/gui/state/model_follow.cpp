// The model a reverse run follows during training (see model_follow.hpp).
#include "gui/state/model_follow.hpp"

namespace diffuscope::gui {

std::uint64_t followed_model_revision(std::uint64_t newest, std::uint64_t in_run, bool played_out,
                                      bool training_running) {
  if (newest == in_run || played_out || !training_running) return newest;
  return in_run;
}

}  // namespace diffuscope::gui
