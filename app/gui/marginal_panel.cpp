#include "gui/marginal_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "gui/ui_helpers.hpp"
#include "renderer/histogram_plot.hpp"
#include "renderer/plot_widget.hpp"

namespace diffuscope::gui {

namespace {
constexpr int kBins = 40;

std::string moment_text(double v) { return renderer::format_value(v, 3); }

// B's histogram as a step outline over A's bars (same axes).
void draw_step_outline(const renderer::DensityHistogram& h, const renderer::PlotInteraction& area,
                       ImU32 color, float thickness) {
  if (h.density.empty()) return;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(area.inner_min, area.inner_max, true);
  const double w = h.bin_width();
  float prev_y = area.y_map.to_pixel(0.0);
  for (std::size_t i = 0; i < h.density.size(); ++i) {
    const float x0 = area.x_map.to_pixel(h.lo + w * static_cast<double>(i));
    const float x1 = area.x_map.to_pixel(h.lo + w * static_cast<double>(i + 1));
    const float y = area.y_map.to_pixel(h.density[i]);
    dl->AddLine(ImVec2(x0, prev_y), ImVec2(x0, y), color, thickness);
    dl->AddLine(ImVec2(x0, y), ImVec2(x1, y), color, thickness);
    prev_y = y;
  }
  dl->PopClipRect();
}
}  // namespace

void MarginalPanel::draw(const AppState& state, const ForwardFrame* frame,
                         const renderer::Palette& palette) {
  const float font = ImGui::GetFontSize();
  if (!frame) {
    ImGui::TextDisabled("computing x_t …");
    return;
  }
  const bool two = frame->compare && state.compare;
  const int T_shown = two ? std::max(frame->a.T, frame->b.T) : frame->a.T;
  const double half_range = points_axis_half_range(frame->process, T_shown, state.naive_beta);
  if (frame->generation != generation_ || half_range != half_range_) {
    hist_a_ = renderer::density_histogram(frame->a.xt_xy.data(), static_cast<int>(frame->a.xt_xy.size() / 2),
                                          2, -half_range, half_range, kBins);
    if (two) {
      hist_b_ = renderer::density_histogram(frame->b.xt_xy.data(),
                                            static_cast<int>(frame->b.xt_xy.size() / 2), 2,
                                            -half_range, half_range, kBins);
    }
    generation_ = frame->generation;
    half_range_ = half_range;
  }

  // Moments table below the plot. Side by side (A and B) each cell reads "sample (theory)" and
  // the table uses a slightly smaller font to fit beside the curves.
  const float table_scale = two ? 0.85f : 1.0f;
  const ImGuiStyle& style = ImGui::GetStyle();
  const float row_h = ImGui::GetTextLineHeight() * table_scale + 2.0f * style.CellPadding.y;
  const float table_h = (two ? 5.0f : 3.0f) * row_h + style.ItemSpacing.y;
  const ImVec2 avail = ImGui::GetContentRegionAvail();

  ImGui::TextUnformatted("x coordinate of x_t");
  renderer::HistogramPlotOptions options;
  options.plot.size = ImVec2(avail.x, std::max(3.0f * font, avail.y - table_h - ImGui::GetTextLineHeightWithSpacing() -
                                                               style.ItemSpacing.y));
  options.plot.font_scale = 0.8f;
  options.plot.show_legend = false;
  options.bar_color = two ? (palette.schedule_a & 0x00FFFFFFu) | (140u << 24) : palette.histogram_bar;
  options.density_color = palette.density_curve;
  const renderer::PlotInteraction area = renderer::draw_histogram_plot("##marginal", hist_a_, options);
  if (two) draw_step_outline(hist_b_, area, palette.schedule_b, std::max(2.0f, font / 9.0f));
  {
    std::vector<renderer::LegendEntry> entries;
    entries.push_back({two ? "A" : "x_t", two ? palette.schedule_a : palette.histogram_bar, false});
    if (two) entries.push_back({"B", palette.schedule_b, false});
    entries.push_back({"N(0, 1)", palette.density_curve, false});
    renderer::draw_legend(ImGui::GetWindowDrawList(), area.inner_min, area.inner_max, entries, 0.7f);
  }

  ImGui::SetWindowFontScale(table_scale);
  const ImGuiTableFlags flags = ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersInnerH;
  if (!two && ImGui::BeginTable("moments", 3, flags)) {
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("sample", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn("theory", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableHeadersRow();
    const Moments2D& m = frame->a.moments;
    auto row = [](const char* name, double sample, double theory) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(name);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(moment_text(sample).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(moment_text(theory).c_str());
    };
    row("mean", m.sample_mean[0], m.predicted_mean[0]);
    row("var", m.sample_variance[0], m.predicted_variance[0]);
    ImGui::EndTable();
  } else if (two && ImGui::BeginTable("moments", 3, flags)) {
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("A", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn("B", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableHeadersRow();
    const Moments2D& a = frame->a.moments;
    const Moments2D& b = frame->b.moments;
    auto row = [&](const char* name, double va, double vb, bool theory) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (theory) ImGui::TextDisabled("%s", name); else ImGui::TextUnformatted(name);
      ImGui::TableNextColumn();
      ImGui::TextColored(to_vec4(palette.schedule_a), "%s", moment_text(va).c_str());
      ImGui::TableNextColumn();
      ImGui::TextColored(to_vec4(palette.schedule_b), "%s", moment_text(vb).c_str());
    };
    row("mean", a.sample_mean[0], b.sample_mean[0], false);
    row("  theory", a.predicted_mean[0], b.predicted_mean[0], true);
    row("var", a.sample_variance[0], b.sample_variance[0], false);
    row("  theory", a.predicted_variance[0], b.predicted_variance[0], true);
    ImGui::EndTable();
  }
  ImGui::SetWindowFontScale(1.0f);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(frame->process == ForwardProcess::Naive
                          ? "predicted: E[x_t] = E[x_0], Var[x_t] = Var[x_0] + tβ"
                          : "predicted: E[x_t] = √ᾱ_t · E[x_0], Var[x_t] = ᾱ_t · Var[x_0] + 1 − ᾱ_t");
  }
}

}  // namespace diffuscope::gui
