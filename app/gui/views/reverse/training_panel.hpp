#pragma once
// In-app training of the current dataset's model (or, while the drawing is the data, of a model
// of the drawing: "Train on the drawing (N points)"): Train / Stop, planned steps, progress, steps/s,
// the loss curve on a log axis and a small sample preview. Draws from the worker's newest
// TrainingFrame and returns what the lecturer asked for; the caller talks to the worker.
#include <cstdint>
#include <memory>
#include <vector>

#include "gui/state/app_state.hpp"
#include "gui/protocol/reverse_jobs.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

struct TrainingActions {
  bool start = false;   // start_training(make_training_job(state.reverse, state.dataset))
  bool stop = false;    // stop_training()
};

class TrainingPanel {
 public:
  // Draws into the current ImGui window from the cursor down, filling the remaining height.
  TrainingActions draw(AppState& state, const std::shared_ptr<const TrainingFrame>& frame,
                       const renderer::Palette& palette);

 private:
  std::shared_ptr<const TrainingFrame> converted_;  // frame whose loss arrays are below
  // Bars of the loss per log-SNR band: which noise levels the network still finds hard.
  static void draw_loss_bands(const std::vector<TrainingFrame::LossBand>& bands, ImVec2 size,
                              const renderer::Palette& palette);
  std::vector<double> loss_x_, loss_y_;
};

}  // namespace diffuscope::gui
