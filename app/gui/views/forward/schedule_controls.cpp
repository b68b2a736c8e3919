#include "gui/views/forward/schedule_controls.hpp"

#include <imgui.h>

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "diffusion/schedule.hpp"
#include "gui/protocol/flow_path.hpp"
#include "gui/state/choice_tables.hpp"
#include "gui/state/limits.hpp"
#include "gui/state/schedule_labels.hpp"
#include "gui/views/common/screen_parts.hpp"
#include "gui/views/forward/drawing_controls.hpp"
#include "gui/widgets/ui_helpers.hpp"

namespace diffuscope::gui {

namespace {

// B's switch to flow matching's path, and while it is shown, B's only parameter (T, τ = t / T).
// Returns true when B is drawn as the flow path (its schedule controls are then not shown).
bool draw_flow_path_switch(AppState& state, const renderer::Palette& palette, float label_width) {
  const bool closed_form = state.process == ForwardProcess::ClosedForm;
  ImGui::BeginDisabled(!closed_form);
  ImGui::Checkbox("B: flow matching path", &state.b_is_flow);
  ImGui::EndDisabled();
  item_tooltip(closed_form
                   ? "B becomes flow matching's linear path x_τ = (1 − τ)·x₀ + τ·ε with τ = t/T (rectified "
                     "flow, Liu et al. 2023; Lipman et al. 2023), on the same x₀ and the same ε as A"
                   : "Closed form only: flow matching's path is defined by x_τ = (1 − τ)·x₀ + τ·ε and has no "
                     "Markov chain or naive walk of its own. Set the process to closed form to use it");
  if (!closed_form) {
    if (state.b_is_flow)
      colored_wrapped_text(ImGui::GetColorU32(ImGuiCol_TextDisabled),
                           "B shows its schedule: the flow path is closed form only");
    return false;
  }
  if (!state.b_is_flow) return false;
  ScheduleSlot& slot = state.b;
  ImGui::PushID("B_flow");
  row_label("T", label_width);
  value_slider_int("##T", &slot.params.T, 10, 4000, "%d", ImGuiSliderFlags_Logarithmic);
  item_tooltip("T: the timeline's steps for B; the path's time is τ = t / T");
  colored_wrapped_text(ImGui::GetColorU32(ImGuiCol_TextDisabled),
                       "x_τ = (1 − τ)·x₀ + τ·ε, τ = t/T, on A's ε: each point moves on a straight line from x₀ to ε");
  if (!slot.error().empty()) colored_wrapped_text(palette.error_text, slot.error() + " (showing the last valid T)");
  ImGui::PopID();
  return true;
}

}  // namespace

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
  value_slider_int("##T", &p.T, 10, 4000, "%d", ImGuiSliderFlags_Logarithmic);
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
  const float label_width = ImGui::CalcTextSize("process").x + 0.8f * ImGui::GetFontSize();

  // With Compare on the schedules are the subject: the process and data start closed.
  if (section("Process and data", !state.compare, state.scene_title)) {
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
    dataset_combo(state, "Your own points: draw them (Draw your data) or drop a CSV file on the window");
    item_tooltip("data: the 2D distribution the points x_0 are drawn from");
    if (!state.use_drawing) {
      ImGui::Checkbox("colour by class", &state.color_by_class);
      item_tooltip("Colour the points by their class (the moon, the centre, the ring, ...) rather than by "
                   "where they started; a drawing is always coloured by class");
    }

    bool compare = state.compare;
    if (ImGui::Checkbox("Compare A / B", &compare)) state.set_compare(compare);
    item_tooltip("Show a second schedule B beside A, on the same x_0 and the same noise");
    if (state.process == ForwardProcess::Naive) {
      const ScheduleWarning w = naive_process_warning(state.a.schedule()->T(), state.naive_beta, 1.0);
      colored_wrapped_text(palette.warning_text, "⚠ " + w.text);
    }
  }

  draw_drawing_controls(state, palette, label_width);

  // The naive process has its own β (above), and a drawing lecture is about the brush: their
  // schedule section starts closed (one click opens it).
  const bool schedule_first = state.process != ForwardProcess::Naive && !state.draw_mode;
  if (state.compare) {
    if (section("Schedules A and B", schedule_first, state.scene_title)) draw_compared(state, palette, label_width);
  } else if (section("Schedule", schedule_first, state.scene_title)) {
    draw_schedule_controls(state.a, "A", palette, label_width);
  }

}

void ScheduleControls::draw_compared(AppState& state, const renderer::Palette& palette, float label_width) {
  // Tabs named by what sets A and B apart ("A: linear" / "B: linear, ZT-SNR") when both names fit
  // the column, else plain "Schedule A" / "Schedule B" (the curves' legend names them in full).
  const bool flow = state.b_flow_shown();
  const ScheduleLabelPair names = forward_side_labels(state.a.params, state.b.params, flow);
  // Longest first: "A: linear" / "B: linear, ZT-SNR"; without a shared family ("A" / "B: ZT-SNR");
  // the letters alone.
  std::vector<std::pair<std::string, std::string>> forms = {{"A: " + names.a, "B: " + names.b}};
  const std::string family = label_of(state.a.params.kind);
  if (flow) forms.push_back({"A: " + names.a, std::string("B: ") + kFlowPathShortLabel});
  if (state.a.params.kind == state.b.params.kind && !flow) {
    auto without_family = [&](const char* letter, const std::string& label) {
      return label.size() > family.size() ? letter + (": " + label.substr(family.size() + 2)) : std::string(letter);
    };
    forms.push_back({without_family("A", names.a), without_family("B", names.b)});
  }
  forms.push_back({"A", "B"});
  const float tab_pad = 2.0f * ImGui::GetStyle().FramePadding.x + ImGui::GetStyle().ItemInnerSpacing.x;
  std::string tab_a = forms.back().first, tab_b = forms.back().second;
  for (const auto& form : forms) {
    if (ImGui::CalcTextSize(form.first.c_str()).x + ImGui::CalcTextSize(form.second.c_str()).x + 2.0f * tab_pad <=
        ImGui::GetContentRegionAvail().x) {
      tab_a = form.first;
      tab_b = form.second;
      break;
    }
  }
  tab_a += "###schedule_a";
  tab_b += "###schedule_b";
  bool open_a = false, open_b = false;
  if (ImGui::BeginTabBar("schedules")) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette.schedule_a);
    open_a = ImGui::BeginTabItem(tab_a.c_str());
    ImGui::PopStyleColor();
    item_tooltip("Edit schedule A (solid curves)");
    if (open_a) {
      draw_schedule_controls(state.a, "A", palette, label_width);
      ImGui::EndTabItem();
    }
    ImGui::PushStyleColor(ImGuiCol_Text, palette.schedule_b);
    open_b = ImGui::BeginTabItem(tab_b.c_str());
    ImGui::PopStyleColor();
    item_tooltip("Edit schedule B (dashed curves)");
    if (open_b) {
      if (!draw_flow_path_switch(state, palette, label_width)) draw_schedule_controls(state.b, "B", palette, label_width);
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  // The hidden schedule's error stays visible while its tab is closed.
  if (open_a && !state.b.error().empty()) colored_wrapped_text(palette.error_text, "B: " + state.b.error());
  if (open_b && !state.a.error().empty()) colored_wrapped_text(palette.error_text, "A: " + state.a.error());
}

}  // namespace diffuscope::gui
