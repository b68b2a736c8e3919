// The drawing's model (see drawn_model_slot.hpp).
#include "gui/compute/drawn_model_slot.hpp"

#include <utility>

#include <torch/torch.h>

#include "diffusion/point_model.hpp"
#include "gui/compute/loss_text.hpp"

namespace diffuscope::gui {

std::string drawn_model_description(int points, diffusion::PredictionTarget target, std::int64_t steps,
                                    double loss) {
  return "trained here on the drawing (" + std::to_string(points) + " points) · " +
         std::string(diffusion::to_string(target)) + "-prediction · " + std::to_string(steps) +
         " steps · loss " + loss_text(loss);
}

void DrawnModelSlot::store(DrawnPointsPtr drawing, StoredModel model) {
  drawing_ = std::move(drawing);
  model_ = std::move(model);
}

bool DrawnModelSlot::learnt(const DrawnPointsPtr& drawing) const {
  if (!model_.model || !drawing || !drawing_) return false;
  return drawing == drawing_ || (drawing->xy == drawing_->xy && drawing->class_id == drawing_->class_id);
}

StoredModel DrawnModelSlot::get(const DrawnPointsPtr& drawing) const {
  if (learnt(drawing)) return model_;
  StoredModel none;
  if (!model_.model) {
    none.error = "no model trained on the drawing yet · Model panels show the exact denoiser · press Train";
  } else {
    none.error = "the model trained here learnt an earlier drawing (" + std::to_string(trained_points()) +
                 " points), not this one · Model panels show the exact denoiser · press Train";
  }
  return none;
}

void DrawnModelSlot::move_to(const std::string& device_name) {
  if (model_.model) model_.model->ptr()->to(torch::Device(device_name));
}

}  // namespace diffuscope::gui
