#include "gui/views/reverse/training_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "gui/state/choice_tables.hpp"
#include "gui/widgets/ui_helpers.hpp"
#include "renderer/plot_widget.hpp"

namespace diffuscope::gui {

TrainingActions TrainingPanel::draw(AppState& state, const std::shared_ptr<const TrainingFrame>& frame,
                                    const renderer::Palette& palette) {
  TrainingActions actions;
  const float font = ImGui::GetFontSize();
  const ImGuiStyle& style = ImGui::GetStyle();
  ReverseState& r = state.reverse;
  const bool running = frame && frame->running;
  const DrawnPoints drawing = drawn_data(state);
  // The frame is about the data shown: the same drawing (by identity), or the same named dataset.
  const bool this_dataset =
      frame && (frame->drawn ? frame->drawn == drawing : !drawing && frame->dataset == state.dataset);

  if (drawing) {
    const std::string points = std::to_string(drawing->size()) + " points";
    std::string label = std::string(running ? "Restart on the drawing" : "Train on the drawing") + " (" + points + ")";
    // A narrow column gets the label on two lines rather than cut.
    if (ImGui::CalcTextSize(label.c_str()).x + 2.0f * style.FramePadding.x > ImGui::GetContentRegionAvail().x)
      label.replace(label.find(" ("), 1, "\n");
    ImGui::BeginDisabled(drawing->size() == 0);
    if (ImGui::Button((label + "###train").c_str())) actions.start = true;
    ImGui::EndDisabled();
    item_tooltip(("Train a network on the drawing's " + points +
                 " here (it predicts v; with 'continue', from the last model trained on a drawing). The reverse "
                 "view's Model panels switch to it as it improves (a new model every ~2 s); until then, and after "
                 "the drawing is edited, they show the exact denoiser")
                     .c_str());
  } else {
    if (ImGui::Button(running ? "Restart###train" : "Train###train")) actions.start = true;
    item_tooltip("Train this dataset's network here (it predicts v, or what the current model predicts with 'continue'); the reverse view follows it live");
  }
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize("Stop").x + 2.0f * style.FramePadding.x) ImGui::NewLine();
  ImGui::BeginDisabled(!running);
  if (ImGui::Button("Stop")) actions.stop = true;
  ImGui::EndDisabled();
  item_tooltip("Stop training and keep the model reached so far");
  ImGui::SameLine();
  const float continue_w = ImGui::GetFrameHeight() + style.ItemInnerSpacing.x + ImGui::CalcTextSize("continue").x;
  if (ImGui::GetContentRegionAvail().x < continue_w) ImGui::NewLine();
  ImGui::Checkbox("continue", &r.training_from_current);
  item_tooltip("continue: train on from the dataset's current model, not a fresh one");

  const float label_width = ImGui::CalcTextSize("steps").x + 0.8f * font;
  row_label("steps", label_width);
  int steps = static_cast<int>(std::clamp<std::int64_t>(r.training_steps, kMinTrainingSteps, kMaxTrainingSteps));
  if (value_slider_int("##train_steps", &steps, 1000, 200000, "%d", ImGuiSliderFlags_Logarithmic)) {
    r.training_steps = steps;
  }
  item_tooltip("steps: the planned number of training steps (Ctrl+click to type)");

  if (!frame) {
    ImGui::TextDisabled("not trained here yet");
    return actions;
  }

  // Progress and speed.
  char overlay[96];
  const std::string other_data = frame->drawn ? std::string("an earlier drawing: ") : std::string(label_of(frame->dataset)) + ": ";
  std::snprintf(overlay, sizeof overlay, "%s%lld / %lld", this_dataset ? "" : other_data.c_str(),
                static_cast<long long>(frame->step), static_cast<long long>(frame->planned_steps));
  const float fraction = frame->planned_steps > 0
                             ? static_cast<float>(static_cast<double>(frame->step) / static_cast<double>(frame->planned_steps))
                             : 0.0f;
  ImGui::ProgressBar(std::clamp(fraction, 0.0f, 1.0f), ImVec2(-1.0f, 0.0f), overlay);
  char speed[96];
  const double last_loss = frame->loss_history.empty() ? std::nan("") : frame->loss_history.back();
  std::snprintf(speed, sizeof speed, "%.0f steps/s   loss %s", frame->steps_per_second,
                std::isfinite(last_loss) ? renderer::format_value(last_loss, 3).c_str() : "…");
  ImGui::TextUnformatted(speed);
  // While training the message is progress news; once stopped it may be why (an error).
  if (!frame->message.empty()) {
    colored_wrapped_text(frame->running ? ImGui::GetColorU32(ImGuiCol_TextDisabled) : palette.warning_text,
                         frame->message);
  }

  // Loss on a log axis, then the preview cloud, sharing what height is left.
  if (converted_ != frame) {
    loss_x_.assign(frame->loss_steps.begin(), frame->loss_steps.end());
    loss_y_.assign(frame->loss_history.begin(), frame->loss_history.end());
    loss_x_.resize(std::min(loss_x_.size(), loss_y_.size()));
    loss_y_.resize(loss_x_.size());
    converted_ = frame;
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const bool preview = !frame->preview_xy.empty() && avail.y > 9.0f * font;
  const float preview_side = preview ? std::min(avail.x, 0.45f * avail.y) : 0.0f;
  // The loss by noise level under the loss curve (the column scrolls to it when short).
  const bool bands = !frame->loss_bands.empty();
  const float bands_h = bands ? 5.5f * font : 0.0f;
  const float plot_h = std::max(4.0f * font, avail.y - (preview ? preview_side + style.ItemSpacing.y : 0.0f) -
                                                 (bands ? bands_h + style.ItemSpacing.y : 0.0f));

  renderer::PlotOptions options;
  options.size = ImVec2(avail.x, plot_h);
  options.y_scale = renderer::AxisScale::Log10;
  options.x_label = "step";
  options.y_label = "loss";
  options.show_legend = false;
  options.font_scale = 0.8f;
  if (!loss_x_.empty()) {
    options.x_range = renderer::AxisRange{0.0, std::max(1.0, loss_x_.back())};
  }
  renderer::PlotSeries series;
  series.x = loss_x_.data();
  series.y = loss_y_.data();
  series.count = static_cast<int>(loss_x_.size());
  series.color = palette.schedule_a;
  series.thickness = 2.0f;
  renderer::draw_plot("##loss", {series}, options);
  if (bands) draw_loss_bands(frame->loss_bands, ImVec2(avail.x, bands_h), palette);

  if (preview) {
    // A small cloud of the latest preview, as draw-list dots (few points; no GL target needed).
    renderer::PlotOptions p;
    p.size = ImVec2(preview_side, preview_side);
    p.show_legend = false;
    p.font_scale = 0.7f;
    char title[64];
    std::snprintf(title, sizeof title, "preview at step %lld", static_cast<long long>(frame->preview_step));
    p.title = title;
    const renderer::AxisRange range{-kReverseHalfRange, kReverseHalfRange};
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + 0.5f * (avail.x - preview_side));
    const renderer::PlotInteraction area = renderer::begin_plot_area("##preview", range, range, p);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float half = std::max(1.0f, font / 12.0f);
    const ImU32 color = palette.schedule_a;
    for (std::size_t i = 0; i + 1 < frame->preview_xy.size(); i += 2) {
      const float x = area.x_map.to_pixel(frame->preview_xy[i]);
      const float y = area.y_map.to_pixel(frame->preview_xy[i + 1]);
      if (std::isfinite(x) && std::isfinite(y)) dl->AddRectFilled(ImVec2(x - half, y - half), ImVec2(x + half, y + half), color);
    }
    renderer::end_plot_area(area, p);
  }
  return actions;
}

void TrainingPanel::draw_loss_bands(const std::vector<TrainingFrame::LossBand>& bands, ImVec2 size,
                                    const renderer::Palette& palette) {
  double top = 0.0;
  for (const auto& band : bands) {
    if (std::isfinite(band.mean)) top = std::max(top, static_cast<double>(band.mean));
  }
  renderer::PlotOptions options;
  options.size = size;
  options.title = "loss by log-SNR band";
  options.x_label = "log-SNR λ";
  options.show_legend = false;
  options.font_scale = 0.8f;
  const renderer::AxisRange x_range{bands.front().log_snr_lower, bands.back().log_snr_upper};
  const renderer::AxisRange y_range{0.0, top > 0.0 ? 1.1 * top : 1.0};
  const renderer::PlotInteraction area = renderer::begin_plot_area("##loss_bands", x_range, y_range, options);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  for (const auto& band : bands) {
    if (!std::isfinite(band.mean)) continue;   // no group trained at that level this interval
    const float x0 = area.x_map.to_pixel(band.log_snr_lower) + 1.0f, x1 = area.x_map.to_pixel(band.log_snr_upper) - 1.0f;
    dl->AddRectFilled(ImVec2(x0, area.y_map.to_pixel(band.mean)), ImVec2(x1, area.y_map.to_pixel(0.0)), palette.schedule_a);
  }
  renderer::end_plot_area(area, options);
  if (area.hovered) {
    for (const auto& band : bands) {
      if (area.hover_x >= band.log_snr_lower && area.hover_x < band.log_snr_upper) {
        ImGui::SetTooltip("log-SNR in [%.2f, %.2f): mean loss %.4g", band.log_snr_lower, band.log_snr_upper, band.mean);
      }
    }
  }
}

}  // namespace diffuscope::gui
