#include "gui/widgets/device_selector.hpp"

#include <imgui.h>

#include "gui/state/choice_tables.hpp"
#include "gui/widgets/ui_helpers.hpp"

namespace diffuscope::gui {

std::string draw_device_selector(const DeviceStatus& status, float label_width) {
  std::string request;
  row_label("device", label_width);
  const std::string preview = status.description.empty() ? std::string("starting …") : status.description;
  if (ImGui::BeginCombo("##device", preview.c_str())) {
    for (const DeviceChoice& c : kDeviceChoices) {
      const bool disabled = c.key == "cuda" && !status.cuda_available;
      const ImGuiSelectableFlags flags = disabled ? ImGuiSelectableFlags_Disabled : 0;
      if (ImGui::Selectable(c.label, status.request == c.key, flags)) request = std::string(c.key);
      if (disabled && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
        ImGui::SetTooltip("%s", status.cuda_unavailable_reason.c_str());
      }
    }
    ImGui::EndCombo();
  }
  // Why CUDA is unavailable is the disabled CUDA entry's own tooltip.
  const std::string tip = "device: where the worker's tensors live (now: " + preview + ")";
  item_tooltip(tip.c_str());
  return request == status.request ? std::string() : request;
}

}  // namespace diffuscope::gui
