#include "gui/views/forward/schedule_controls.hpp"

#include <imgui.h>

#include <cstdio>
#include <string>

#include "diffusion/schedule.hpp"
#include "gui/state/choice_tables.hpp"
#include "gui/state/limits.hpp"
#include "gui/widgets/ui_helpers.hpp"

namespace diffuscope::gui {

void ScheduleControls::draw_schedule_controls(ScheduleSlot& slot, const char* id,
                                           const renderer::Palette& palette, float label_width) {
  ImGui::PushID(id);
  diffusion::ScheduleParams& p = slot.params;

  row_label("family", label_width);
  if (ImGui::BeginCombo("##family", label_of(p.kind))) {
    for (const auto& kind : choices<diffusion::ScheduleKind>()) {
      if (ImGui::Selectable(kind.label, kind.value == p.kind)) p.kind = kind.value;
      item_tooltip(kind.tooltip);
    }
    ImGui::EndCombo();
  }
  item_tooltip("family: how the noise variance β_t grows from t = 1 to t = T");

  row_label("T", label_width);
  ImGui::SliderInt("##T", &p.T, 10, 4000, "%d", ImGuiSliderFlags_Logarithmic);
  item_tooltip("T: the number of diffusion steps (Ctrl+click to type a value)");

  switch (p.kind) {
    case diffusion::ScheduleKind::Linear:
    case diffusion::ScheduleKind::ScaledLinear:
    case diffusion::ScheduleKind::SigmoidBeta:
      slider_double("β_1", "##beta_start", &p.beta_start, 1e-5, 0.1, "%.3g", true, label_width,
                    "β_1: the noise variance added at the first step t = 1");
      slider_double("β_T", "##beta_end", &p.beta_end, 1e-4, 0.5, "%.3g", true, label_width,
                    "β_T: the noise variance added at the last step t = T");
      break;
    case diffusion::ScheduleKind::Cosine:
      slider_double("s", "##cosine_s", &p.cosine_s, 1e-4, 0.5, "%.3g", true, label_width,
                    "s: offset in f(t) = cos²(((t/T + s)/(1 + s)) · π/2), keeps β_1 from vanishing");
      break;
    case diffusion::ScheduleKind::Sigmoid:
      slider_double("start", "##sig_start", &p.sigmoid_start, -10.0, 10.0, "%.2f", false,
                    label_width,
                    "start: the sigmoid's input at t = 0 is start/τ. Chen 2023: ᾱ_t = (s(end/τ) − s(x_t)) / "
                    "(s(end/τ) − s(start/τ)), x_t = (start + (end − start)·t/T)/τ, s the sigmoid");
      slider_double("end", "##sig_end", &p.sigmoid_end, -10.0, 10.0, "%.2f", false, label_width,
                    "end: the sigmoid's input at t = T is end/τ");
      slider_double("τ", "##sig_tau", &p.sigmoid_tau, 0.05, 5.0, "%.3g", true, label_width,
                    "τ: the sigmoid's temperature; a smaller τ makes ᾱ_t fall more steeply");
      break;
    case diffusion::ScheduleKind::Constant:
      slider_double("β", "##beta", &p.beta, 1e-5, 0.5, "%.3g", true, label_width,
                    "β: the noise variance added at every step");
      break;
  }
  if (p.kind == diffusion::ScheduleKind::Linear || p.kind == diffusion::ScheduleKind::ScaledLinear) {
    ImGui::Checkbox("scale β with T", &p.scale_with_T);
    item_tooltip("Multiply β_1 and β_T by 1000/T, so that any T noises as much as T = 1000");
  }
  ImGui::Checkbox("zero terminal SNR", &p.zero_terminal_snr);
  item_tooltip("Rescale √ᾱ_t so that √ᾱ_T = 0 (SNR_T = 0), keeping √ᾱ_1 (Lin et al. 2023)");

  if (!slot.error().empty()) {
    colored_wrapped_text(palette.error_text, slot.error() + " (showing the last valid schedule)");
  }
  for (const ScheduleWarning& w : slot.warnings()) {
    colored_wrapped_text(w.level == WarningLevel::Warning ? palette.warning_text
                                                          : ImGui::GetColorU32(ImGuiCol_TextDisabled),
                         (w.level == WarningLevel::Warning ? "⚠ " : "• ") + w.text);
  }
  ImGui::PopID();
}

void ScheduleControls::draw(AppState& state, const renderer::Palette& palette) {
  const float font = ImGui::GetFontSize();
  const float label_width = ImGui::CalcTextSize("process").x + 0.8f * font;

  row_label("process", label_width);
  if (ImGui::BeginCombo("##process", label_of(state.process))) {
    for (const auto& process : choices<ForwardProcess>()) {
      if (ImGui::Selectable(process.label, process.value == state.process)) state.process = process.value;
      item_tooltip(process.tooltip);
    }
    ImGui::EndCombo();
  }
  item_tooltip(tooltip_of(state.process));
  if (state.process == ForwardProcess::Naive) {
    slider_double("β", "##naive_beta", &state.naive_beta, 1e-4, 0.2, "%.3g", true, label_width,
                  "β: the naive process' variance added per step, x_t = x_0 + √(tβ) · ε");
    if (!(state.naive_beta > 0.0)) state.naive_beta = 1e-4;  // the worker rejects β <= 0
  }

  row_label("data", label_width);
  if (ImGui::BeginCombo("##dataset", label_of(state.dataset))) {
    for (const auto& kind : choices<diffusion::Dataset2DKind>()) {
      if (ImGui::Selectable(kind.label, kind.value == state.dataset)) state.dataset = kind.value;
    }
    ImGui::EndCombo();
  }
  item_tooltip("data: the 2D distribution the points x_0 are drawn from");

  bool compare = state.compare;
  if (ImGui::Checkbox("Compare A / B", &compare)) state.set_compare(compare);
  item_tooltip("Show a second schedule B beside A, on the same x_0 and the same noise");
  ImGui::Separator();

  if (state.compare) {
    bool open_a = false, open_b = false;
    if (ImGui::BeginTabBar("schedules")) {
      ImGui::PushStyleColor(ImGuiCol_Text, palette.schedule_a);
      open_a = ImGui::BeginTabItem("Schedule A");
      ImGui::PopStyleColor();
      item_tooltip("Edit schedule A (solid curves)");
      if (open_a) {
        draw_schedule_controls(state.a, "A", palette, label_width);
        ImGui::EndTabItem();
      }
      ImGui::PushStyleColor(ImGuiCol_Text, palette.schedule_b);
      open_b = ImGui::BeginTabItem("Schedule B");
      ImGui::PopStyleColor();
      item_tooltip("Edit schedule B (dashed curves)");
      if (open_b) {
        draw_schedule_controls(state.b, "B", palette, label_width);
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
    // The hidden schedule's error stays visible while its tab is closed.
    if (open_a && !state.b.error().empty()) colored_wrapped_text(palette.error_text, "B: " + state.b.error());
    if (open_b && !state.a.error().empty()) colored_wrapped_text(palette.error_text, "A: " + state.a.error());
  } else {
    ImGui::TextUnformatted("Schedule");
    draw_schedule_controls(state.a, "A", palette, label_width);
  }

  if (state.process == ForwardProcess::Naive) {
    const ScheduleWarning w = naive_process_warning(state.a.schedule()->T(), state.naive_beta, 1.0);
    colored_wrapped_text(palette.warning_text, "⚠ " + w.text);
  }

  // View options at the bottom of the column (or after the controls when the column is short).
  const float view_height = 4.0f * ImGui::GetFrameHeightWithSpacing() + ImGui::GetStyle().ItemSpacing.y;
  const float space_left = ImGui::GetContentRegionAvail().y;
  if (space_left > view_height) ImGui::SetCursorPosY(ImGui::GetCursorPosY() + space_left - view_height);
  ImGui::Separator();
  bool light = state.light_theme;
  if (ImGui::Checkbox("light theme", &light)) state.light_theme = light;
  item_tooltip("High-contrast light theme for bright rooms and projectors");
  ImGui::Checkbox("curves over t/T", &state.x_axis_fraction);
  item_tooltip("x axis of the curves as t/T, to compare schedules with different T");
  if (!editing_scale_) ui_scale_edit_ = state.ui_scale;
  row_label("UI scale", ImGui::CalcTextSize("UI scale").x + 0.6f * font);
  ImGui::SliderFloat("##ui_scale", &ui_scale_edit_, kMinUiScale, kMaxUiScale, "%.2f");
  editing_scale_ = ImGui::IsItemActive();
  if (ImGui::IsItemDeactivatedAfterEdit()) {
    state.ui_scale = ui_scale_edit_;
    editing_scale_ = false;
  }
  item_tooltip("UI scale: the size of all text and controls (applied on release)");
}

}  // namespace diffuscope::gui
