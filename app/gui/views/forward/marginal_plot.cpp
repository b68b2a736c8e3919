#include "gui/views/forward/marginal_plot.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "gui/state/layout.hpp"
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

// The widest cell of the single-schedule table, at font scale 1 without cell padding.
float single_cell_width(const Moments2D& m) {
  float width = 0.0f;
  for (const double v : {m.sample_mean[0], m.sample_variance[0]}) {
    width = std::max(width, ImGui::CalcTextSize(moment_text(v).c_str()).x);
  }
  for (const double v : {m.predicted_mean[0], m.predicted_variance[0]}) {
    width = std::max(width, ImGui::CalcTextSize(("(" + moment_text(v) + ")").c_str()).x);
  }
  return width;
}

// Which rows of the moments table are shown (MarginalPlot::draw decides by the panel's room).
struct MomentsTableShape {
  bool two = false;            // A and B side by side
  bool inline_theory = false;  // side by side: cells read "sample (theory)"
  bool header = false;         // the header row
  bool theory_rows = false;    // side by side: theory rows under mean and var
  int value_rows = 0;          // mean (1) and var (2)
};

// Draws the moments table at the current font scale; returns the rows drawn.
int draw_moments_table(const ForwardFrame& frame, const MomentsTableShape& shape, const renderer::Palette& palette) {
  const Moments2D& a = frame.a.moments;
  const Moments2D& b = frame.b.moments;
  int rows_drawn = 0;
  const ImGuiTableFlags flags = ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg |
                                ImGuiTableFlags_BordersInnerH;
  if (!shape.two && ImGui::BeginTable("moments", 3, flags)) {
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("sample", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn("theory", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    if (shape.header) {
      ImGui::TableHeadersRow();
      ++rows_drawn;
    }
    auto row = [&](const char* name, double sample, double theory) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(name);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(moment_text(sample).c_str());
      ImGui::TableNextColumn();
      // Without the header row the theory reads as in the Compare table: in parentheses, muted.
      if (shape.header) ImGui::TextUnformatted(moment_text(theory).c_str());
      else ImGui::TextDisabled("(%s)", moment_text(theory).c_str());
      ++rows_drawn;
    };
    if (shape.value_rows >= 1) row("mean", a.sample_mean[0], a.predicted_mean[0]);
    if (shape.value_rows >= 2) row("var", a.sample_variance[0], a.predicted_variance[0]);
    ImGui::EndTable();
  } else if (shape.two && ImGui::BeginTable("moments", 3, flags)) {
    ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn(shape.inline_theory ? "A (theory)" : "A", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableSetupColumn(shape.inline_theory ? "B (theory)" : "B", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    // With theory rows the header row is left out for height: the values' colours (named in the
    // legend above the plot) already say which column is A and which is B.
    if (shape.header) {
      ImGui::TableHeadersRow();
      ++rows_drawn;
    }
    auto row = [&](const char* name, double va, double vb, bool theory) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (theory) ImGui::TextDisabled("%s", name); else ImGui::TextUnformatted(name);
      ImGui::TableNextColumn();
      ImGui::TextColored(to_vec4(palette.schedule_a), "%s", moment_text(va).c_str());
      ImGui::TableNextColumn();
      ImGui::TextColored(to_vec4(palette.schedule_b), "%s", moment_text(vb).c_str());
      ++rows_drawn;
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
      ++rows_drawn;
    };
    if (shape.inline_theory) {
      if (shape.value_rows >= 1) row_inline("mean", a.sample_mean[0], a.predicted_mean[0], b.sample_mean[0], b.predicted_mean[0]);
      if (shape.value_rows >= 2) row_inline("var", a.sample_variance[0], a.predicted_variance[0], b.sample_variance[0],
                                            b.predicted_variance[0]);
    } else {
      if (shape.value_rows >= 1) row("mean", a.sample_mean[0], b.sample_mean[0], false);
      if (shape.theory_rows) row("  theory", a.predicted_mean[0], b.predicted_mean[0], true);
      if (shape.value_rows >= 2) row("var", a.sample_variance[0], b.sample_variance[0], false);
      if (shape.theory_rows) row("  theory", a.predicted_variance[0], b.predicted_variance[0], true);
    }
    ImGui::EndTable();
  }
  return rows_drawn;
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

  // Moments table below the plot. Side by side, each cell reads "sample (theory)" when that fits
  // the column (at a font scale of 0.85, else 0.75), else the theory values get rows of their own.
  const ImGuiStyle& style = ImGui::GetStyle();
  // At font scale 1, without cell padding: side by side "sample (theory)"; alone the wider of the
  // sample and the theory cell (the theory may read "(0.00706)" when the header row gives way).
  const float cell_w = two ? inline_cell_width(*frame) : single_cell_width(frame->a.moments);
  const float name_w = ImGui::CalcTextSize("mean").x;
  auto fits = [&](float scale) {
    return (name_w + 2.0f * cell_w) * scale + 6.0f * style.CellPadding.x <= ImGui::GetContentRegionAvail().x;
  };
  const bool inline_theory = two && (fits(0.85f) || fits(0.75f));
  // Separate theory rows need the height: their table is smaller still.
  float table_scale = !two ? (fits(1.0f) ? 1.0f : fits(0.85f) ? 0.85f : 0.75f)
                            : inline_theory && fits(0.85f) ? 0.85f : 0.75f;
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

  // The plot keeps the height its axes need; the table's rows give way from the least needed
  // (fit_plot_over_table): theory rows first (their values move into the tooltip), then the
  // header, then var. The row height is last frame's measure when there is one.
  renderer::HistogramPlotOptions options;
  const float tick_scale = two ? 0.7f : 0.8f;   // tick labels, relative to the UI font
  // The plot widget is at least 5 of its font sizes high: a short panel draws the plot at a
  // smaller base font (down to kShortPlotScale; the tick labels keep their size), so that the
  // table keeps its rows.
  constexpr float kShortPlotScale = 0.75f;
  const float plot_min_h = std::max(5.0f * kShortPlotScale * font,
                                    plot_min_height(kShortPlotScale * font, tick_scale / kShortPlotScale, false, 2.0f));
  auto row_height = [&](float scale) {
    const float estimate = ImGui::GetTextLineHeight() * scale + 2.0f * style.CellPadding.y + 1.0f;
    return table_row_scale_ == scale ? std::max(estimate, table_row_h_) : estimate;
  };
  const float below_h = ImGui::GetContentRegionAvail().y;
  const int wanted = !two || inline_theory ? 3 : 4;   // header + mean + var, or mean, theory, var, theory
  PlotOverTable fit = fit_plot_over_table(below_h, plot_min_h, row_height(table_scale), style.ItemSpacing.y, wanted);
  // Short of rows: a smaller table font before rows give way.
  if (fit.rows < wanted && table_scale > 0.75f) {
    const PlotOverTable smaller = fit_plot_over_table(below_h, plot_min_h, row_height(0.75f), style.ItemSpacing.y, wanted);
    if (smaller.rows > fit.rows) {
      fit = smaller;
      table_scale = 0.75f;
    }
  }
  const float row_h = row_height(table_scale);
  // Theory rows that do not fit: two rows with the theory in the tooltip.
  const bool theory_rows = two && !inline_theory && fit.rows >= 4;
  if (two && !inline_theory && !theory_rows) fit = fit_plot_over_table(below_h, plot_min_h, row_h, style.ItemSpacing.y, 2);
  const bool header = (!two || inline_theory) && fit.rows >= 3;
  const int value_rows = std::min(2, fit.rows - (header ? 1 : 0) - (theory_rows ? 2 : 0));

  const float plot_scale = std::clamp(fit.plot_h / (5.0f * font), kShortPlotScale, 1.0f);
  options.plot.font_scale = tick_scale / plot_scale;
  options.plot.size = ImVec2(avail.x, fit.plot_h);
  options.plot.show_legend = false;
  options.bar_color = two ? (palette.schedule_a & 0x00FFFFFFu) | (140u << 24) : palette.histogram_bar;
  options.density_color = density_color;
  ImGui::SetWindowFontScale(plot_scale);
  const renderer::PlotInteraction area = renderer::draw_histogram_plot("##marginal", hist_a_, options);
  ImGui::SetWindowFontScale(1.0f);
  if (two) draw_step_outline(hist_b_, area, palette.schedule_b, std::max(2.0f, font / 9.0f));

  // What the table leaves out goes into its tooltip (or the plot's, when no row fits).
  const Moments2D& a = frame->a.moments;
  const Moments2D& b = frame->b.moments;
  std::string left_out;
  auto leave_out = [&](const char* name, const Moments2D& m, const char* side) {
    const bool mean = name[0] == 'm';
    left_out += std::string("\n") + side + name + " " + moment_text(mean ? m.sample_mean[0] : m.sample_variance[0]) +
                " (theory " + moment_text(mean ? m.predicted_mean[0] : m.predicted_variance[0]) + ")";
  };
  if (two && (!theory_rows || value_rows < 2)) {
    for (int r = value_rows; r < 2; ++r) {
      leave_out(r == 0 ? "mean" : "var", a, "A ");
      leave_out(r == 0 ? "mean" : "var", b, "B ");
    }
    // The rows shown without their theory rows: the theory values here.
    if (!inline_theory && value_rows > 0) {
      left_out += "\ntheory: A mean " + moment_text(a.predicted_mean[0]) + ", var " +
                  moment_text(a.predicted_variance[0]) + "; B mean " + moment_text(b.predicted_mean[0]) + ", var " +
                  moment_text(b.predicted_variance[0]);
    }
  } else if (!two) {
    for (int r = value_rows; r < 2; ++r) leave_out(r == 0 ? "mean" : "var", a, "");
  }

  const float table_top = ImGui::GetCursorPosY();
  ImGui::SetWindowFontScale(table_scale);
  const int rows_drawn =
      fit.rows > 0 ? draw_moments_table(*frame, {two, inline_theory, header, theory_rows, value_rows}, palette) : 0;
  if (rows_drawn > 0) {
    table_row_h_ = (ImGui::GetCursorPosY() - table_top - style.ItemSpacing.y) / static_cast<float>(rows_drawn);
    table_row_scale_ = table_scale;
  }
  ImGui::SetWindowFontScale(1.0f);
  if (ImGui::IsItemHovered()) {
    const std::string predicted =
        frame->process == ForwardProcess::Naive
            ? "predicted: E[x_t] = E[x_0], Var[x_t] = Var[x_0] + tβ"
        : two && frame->b.flow
            ? "predicted: A: E[x_t] = √ᾱ_t · E[x_0], Var[x_t] = ᾱ_t · Var[x_0] + 1 − ᾱ_t\n"
              "B (flow matching): E[x_τ] = (1 − τ) · E[x_0], Var[x_τ] = (1 − τ)² · Var[x_0] + τ²"
            : "predicted: E[x_t] = √ᾱ_t · E[x_0], Var[x_t] = ᾱ_t · Var[x_0] + 1 − ᾱ_t";
    const std::string text = left_out.empty() ? predicted : predicted + "\nnot shown (panel too short):" + left_out;
    ImGui::SetTooltip("%s", text.c_str());
  }
}

}  // namespace diffuscope::gui
