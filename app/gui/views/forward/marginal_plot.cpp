#include "gui/views/forward/marginal_plot.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "gui/widgets/ui_helpers.hpp"
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
// A compact legend as one line of coloured swatches and labels, drawn as ImGui items so it sits
// outside the plot and never covers the bars. A bar is a filled square; a curve a short line.
struct InlineLegendEntry {
  const char* label;
  ImU32 color;
  bool line;
};

float inline_legend_width(const std::vector<InlineLegendEntry>& entries, float scale) {
  const float font = ImGui::GetFontSize() * scale;
  float w = 0.0f;
  for (const InlineLegendEntry& e : entries) {
    w += 1.1f * font + 0.3f * font + ImGui::CalcTextSize(e.label).x * scale + 0.8f * font;
  }
  return w > 0.0f ? w - 0.8f * font : 0.0f;
}

void draw_inline_legend(const std::vector<InlineLegendEntry>& entries, float scale, float line_h) {
  const float font = ImGui::GetFontSize() * scale;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 start = ImGui::GetCursorScreenPos();
  const float mid_y = start.y + 0.5f * line_h;
  float x = start.x;
  for (const InlineLegendEntry& e : entries) {
    const float sw = 1.1f * font;
    if (e.line) {
      dl->AddLine(ImVec2(x, mid_y), ImVec2(x + sw, mid_y), e.color, std::max(2.0f, font / 7.0f));
    } else {
      const float h = 0.7f * font;
      dl->AddRectFilled(ImVec2(x + 0.5f * (sw - h), mid_y - 0.5f * h), ImVec2(x + 0.5f * (sw + h), mid_y + 0.5f * h),
                        e.color);
    }
    x += sw + 0.3f * font;
    ImFont* f = ImGui::GetFont();
    dl->AddText(f, font, ImVec2(x, mid_y - 0.5f * font), ImGui::GetColorU32(ImGuiCol_Text), e.label);
    x += f->CalcTextSizeA(font, 1e9f, 0.0f, e.label).x + 0.8f * font;
  }
  ImGui::Dummy(ImVec2(std::max(1.0f, x - start.x), line_h));
}
// The widest "sample (theory)" cell of A's and B's moments, at font scale 1 without cell padding.
float inline_cell_width(const ForwardFrame& frame) {
  float width = 0.0f;
  for (const Moments2D* m : {&frame.a.moments, &frame.b.moments}) {
    for (const auto& [sample, theory] : {std::make_pair(m->sample_mean[0], m->predicted_mean[0]),
                                         std::make_pair(m->sample_variance[0], m->predicted_variance[0])}) {
      const std::string text = moment_text(sample) + " (" + moment_text(theory) + ")";
      width = std::max(width, ImGui::CalcTextSize(text.c_str()).x + ImGui::GetStyle().ItemSpacing.x);
    }
  }
  return width;
}

}  // namespace

void MarginalPlot::draw(const AppState& state, const ForwardFrame* frame,
                         const renderer::Palette& palette) {
  const float font = ImGui::GetFontSize();
  if (!frame) {
    ImGui::TextDisabled("computing x_t …");
    return;
  }
  const bool two = frame->compare && state.compare;
  const int T_shown = two ? std::max(forward_T(frame->a), forward_T(frame->b)) : forward_T(frame->a);
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
  const ImGuiStyle& style = ImGui::GetStyle();
  // Side by side, each cell reads "sample (theory)" when that fits the column (at a font scale of
  // 0.85, else 0.75), else the theory values get rows of their own.
  const float cell_w = two ? inline_cell_width(*frame) : 0.0f;  // at font scale 1, without cell padding
  const float name_w = ImGui::CalcTextSize("mean").x;
  auto fits = [&](float scale) {
    return (name_w + 2.0f * cell_w) * scale + 6.0f * style.CellPadding.x <= ImGui::GetContentRegionAvail().x;
  };
  const bool inline_theory = two && (fits(0.85f) || fits(0.75f));
  // Separate theory rows need the height: their table is smaller still.
  const float table_scale = !two ? 1.0f : inline_theory && fits(0.85f) ? 0.85f : 0.75f;
  const float row_h = ImGui::GetTextLineHeight() * table_scale + 2.0f * style.CellPadding.y;
  const float table_rows = !two || inline_theory ? 3.0f : 4.0f;
  const float table_h = table_h_ > 0.0f ? table_h_ : table_rows * row_h + style.ItemSpacing.y;
  const ImVec2 avail = ImGui::GetContentRegionAvail();

  // Title and legend share one line when they fit, else the legend goes on the next line.
  const float legend_scale = two ? 0.7f : 0.85f;
  std::vector<InlineLegendEntry> legend;
  legend.push_back({two ? "A" : "x_t", two ? palette.schedule_a : palette.histogram_bar, false});
  if (two) legend.push_back({"B", palette.schedule_b, true});
  // Side by side, B's outline takes the palette's orange, so the reference density is drawn in
  // the text colour (one colour per meaning).
  const ImU32 density_color = two ? ImGui::GetColorU32(ImGuiCol_Text) : palette.density_curve;
  legend.push_back({"N(0, 1)", density_color, true});
  // In a narrow panel a shorter title keeps the legend on the title line (height for the plot).
  const float legend_w = inline_legend_width(legend, legend_scale);
  auto fits_line = [&](const char* text) { return ImGui::CalcTextSize(text).x + 0.8f * font + legend_w <= avail.x; };
  const char* title = fits_line("x coordinate of x_t") || !fits_line("x of x_t") ? "x coordinate of x_t" : "x of x_t";
  const bool one_line = fits_line(title);
  const float line_start_x = ImGui::GetCursorPosX();
  ImGui::TextUnformatted(title);
  if (one_line) ImGui::SameLine(line_start_x + avail.x - legend_w);  // right-aligned
  // On the title's line the legend is centred on the title's text; alone, its line is compact.
  draw_inline_legend(legend, legend_scale, one_line ? ImGui::GetTextLineHeight() : legend_scale * font);
  const float header_h = ImGui::GetTextLineHeightWithSpacing() +
                         (one_line ? 0.0f : legend_scale * font + style.ItemSpacing.y);
  renderer::HistogramPlotOptions options;
  options.plot.size = ImVec2(avail.x, std::max(3.0f * font, avail.y - table_h - header_h - style.ItemSpacing.y));
  options.plot.font_scale = two ? 0.7f : 0.8f;
  options.plot.show_legend = false;
  options.bar_color = two ? (palette.schedule_a & 0x00FFFFFFu) | (140u << 24) : palette.histogram_bar;
  options.density_color = density_color;
  const renderer::PlotInteraction area = renderer::draw_histogram_plot("##marginal", hist_a_, options);
  if (two) draw_step_outline(hist_b_, area, palette.schedule_b, std::max(2.0f, font / 9.0f));

  const float table_top = ImGui::GetCursorPosY();
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
    ImGui::TableSetupColumn(inline_theory ? "A (theory)" : "A", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn(inline_theory ? "B (theory)" : "B", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    // With theory rows the header row is left out for height: the values' colours (named in the
    // legend above the plot) already say which column is A and which is B.
    if (inline_theory) ImGui::TableHeadersRow();
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
    auto row_inline = [&](const char* name, double va, double ta, double vb, double tb) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(name);
      ImGui::TableNextColumn();
      ImGui::TextColored(to_vec4(palette.schedule_a), "%s", moment_text(va).c_str());
      ImGui::SameLine();
      ImGui::TextDisabled("(%s)", moment_text(ta).c_str());
      ImGui::TableNextColumn();
      ImGui::TextColored(to_vec4(palette.schedule_b), "%s", moment_text(vb).c_str());
      ImGui::SameLine();
      ImGui::TextDisabled("(%s)", moment_text(tb).c_str());
    };
    if (inline_theory) {
      row_inline("mean", a.sample_mean[0], a.predicted_mean[0], b.sample_mean[0], b.predicted_mean[0]);
      row_inline("var", a.sample_variance[0], a.predicted_variance[0], b.sample_variance[0],
                 b.predicted_variance[0]);
    } else {
      row("mean", a.sample_mean[0], b.sample_mean[0], false);
      row("  theory", a.predicted_mean[0], b.predicted_mean[0], true);
      row("var", a.sample_variance[0], b.sample_variance[0], false);
      row("  theory", a.predicted_variance[0], b.predicted_variance[0], true);
    }
    ImGui::EndTable();
  }
  table_h_ = ImGui::GetCursorPosY() - table_top;
  ImGui::SetWindowFontScale(1.0f);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip(frame->process == ForwardProcess::Naive
                          ? "predicted: E[x_t] = E[x_0], Var[x_t] = Var[x_0] + tβ"
                          : "predicted: E[x_t] = √ᾱ_t · E[x_0], Var[x_t] = ᾱ_t · Var[x_0] + 1 − ᾱ_t");
  }
}

}  // namespace diffuscope::gui
