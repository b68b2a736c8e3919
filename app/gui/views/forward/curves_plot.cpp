#include "gui/views/forward/curves_plot.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "diffusion/schedule.hpp"
#include "gui/state/choice_tables.hpp"
#include "gui/state/schedule_labels.hpp"
#include "gui/state/shown_moment.hpp"
#include "gui/widgets/ui_helpers.hpp"
#include "renderer/colormap.hpp"
#include "renderer/plot_widget.hpp"

namespace diffuscope::gui {

namespace {

// Quantity colours (A and B share them; B is dashed).
enum Quantity { kAlphaBar, kSqrtAlphaBar, kSqrtOneMinus, kBeta, kBetaTilde, kSnr, kLogSnr };
ImU32 quantity_color(Quantity q) {
  switch (q) {
    case kAlphaBar: return renderer::categorical_color(0);
    case kSqrtAlphaBar: return renderer::categorical_color(1);
    case kSqrtOneMinus: return renderer::categorical_color(2);
    case kBeta: return renderer::categorical_color(3);
    case kBetaTilde: return renderer::categorical_color(4);
    case kSnr: return renderer::categorical_color(0);
    case kLogSnr: return renderer::categorical_color(1);
  }
  return IM_COL32_WHITE;
}

const char* quantity_label(Quantity q) {
  switch (q) {
    case kAlphaBar: return "ᾱ_t";
    case kSqrtAlphaBar: return "√ᾱ_t";
    case kSqrtOneMinus: return "√(1−ᾱ_t)";
    case kBeta: return "β_t";
    case kBetaTilde: return "β̃_t";
    case kSnr: return "SNR_t";
    case kLogSnr: return "log-SNR_t";
  }
  return "";
}

const std::vector<double>& quantity_values(const ScheduleCurves& c, Quantity q) {
  switch (q) {
    case kAlphaBar: return c.alpha_bar;
    case kSqrtAlphaBar: return c.sqrt_alpha_bar;
    case kSqrtOneMinus: return c.sqrt_one_minus_alpha_bar;
    case kBeta: return c.beta;
    case kBetaTilde: return c.posterior_variance;
    case kSnr: return c.snr;
    case kLogSnr: return c.log_snr;
  }
  return c.alpha_bar;
}

void add_series(std::vector<renderer::PlotSeries>& out, const ScheduleCurves& c, Quantity q,
                bool dashed) {
  renderer::PlotSeries s;
  s.label = dashed ? "" : quantity_label(q);
  s.x = c.x.data();
  s.y = quantity_values(c, q).data();
  s.count = static_cast<int>(c.x.size());
  s.color = quantity_color(q);
  s.thickness = dashed ? 2.0f : 2.5f;
  // β̃_t ≈ β_t for most t: β is drawn first and wider so that it shows around β̃.
  if (q == kBeta) s.thickness *= 2.0f;
  s.dashed = dashed;
  out.push_back(s);
}

// With B as flow matching's path a colour means the same role on both sides (x_0's coefficient,
// ε's coefficient, their square): the legend names A's quantity and B's. SNR and log-SNR keep
// their names (B's is the path's SNR at τ = t/T).
std::string flow_quantity_label(Quantity q) {
  switch (q) {
    case kAlphaBar: return "ᾱ_t | (1−τ)²";
    case kSqrtAlphaBar: return "√ᾱ_t | 1−τ";
    case kSqrtOneMinus: return "√(1−ᾱ_t) | τ";
    default: return quantity_label(q);
  }
}

std::string value_text(double v) { return renderer::format_value(v, 4); }

// Hover readout: every quantity at the hovered t, for A (and B).
void draw_readout(const AppState& state, double hover_x) {
  const bool fraction = state.x_axis_fraction;
  auto t_for = [&](const diffusion::Schedule& s) {
    const double t = fraction ? hover_x * s.T() : hover_x;
    return static_cast<int>(std::lround(std::clamp(t, 0.0, static_cast<double>(s.T()))));
  };
  const CurveValues a = curve_values(*state.a.schedule(), t_for(*state.a.schedule()));
  CurveValues b;
  const bool flow = state.b_flow_shown();
  if (flow) b = flow_curve_values(state.b.schedule()->T(), t_for(*state.b.schedule()));
  else if (state.compare) b = curve_values(*state.b.schedule(), t_for(*state.b.schedule()));

  ImGui::BeginTooltip();
  const int columns = state.compare ? 3 : 2;
  if (ImGui::BeginTable("readout", columns, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg)) {
    ImGui::TableSetupColumn("");
    ImGui::TableSetupColumn("A");
    if (state.compare) ImGui::TableSetupColumn(flow ? "B: flow" : "B");
    ImGui::TableHeadersRow();
    auto row = [&](const char* name, double va, double vb, bool integer = false) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(name);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(integer ? std::to_string(static_cast<int>(va)).c_str() : value_text(va).c_str());
      if (state.compare) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(integer ? std::to_string(static_cast<int>(vb)).c_str() : value_text(vb).c_str());
      }
    };
    row("t", a.t, b.t, true);
    // With B on flow matching's path, B's column holds its own quantities: τ, (1 − τ)², the
    // coefficients of x_0 and ε, and no β.
    if (flow) row("t/T (B: τ)", static_cast<double>(a.t) / std::max(1, state.a.schedule()->T()), b.tau);
    row(flow ? "ᾱ_t | (1−τ)²" : "ᾱ_t", a.alpha_bar, b.alpha_bar);
    row(flow ? "√ᾱ_t | 1−τ" : "√ᾱ_t", a.sqrt_alpha_bar, b.sqrt_alpha_bar);
    row(flow ? "√(1−ᾱ_t) | τ" : "√(1−ᾱ_t)", a.sqrt_one_minus_alpha_bar, b.sqrt_one_minus_alpha_bar);
    row(flow ? "β_t (flow: none)" : "β_t", a.beta, b.beta);
    row(flow ? "β̃_t (flow: none)" : "β̃_t", a.posterior_variance, b.posterior_variance);
    row(flow ? "SNR" : "SNR_t", a.snr, b.snr);
    row(flow ? "log-SNR" : "log-SNR_t", a.log_snr, b.log_snr);
    ImGui::EndTable();
  }
  ImGui::EndTooltip();
}

}  // namespace

const ScheduleCurves& CurvesPlot::curves_for(Cache& cache,
                                              const std::shared_ptr<const diffusion::Schedule>& s,
                                              bool over_fraction) {
  if (cache.schedule != s || cache.over_fraction != over_fraction || cache.flow_T != 0) {
    cache.curves = make_curves(*s, over_fraction);
    cache.flow_T = 0;
    cache.schedule = s;
    cache.over_fraction = over_fraction;
  }
  return cache.curves;
}

const ScheduleCurves& CurvesPlot::flow_curves_for(Cache& cache, int T, bool over_fraction) {
  if (cache.flow_T != T || cache.over_fraction != over_fraction) {
    cache.curves = make_flow_curves(T, over_fraction);
    cache.schedule.reset();   // curves_for recomputes a schedule's curves after these
    cache.flow_T = T;
    cache.over_fraction = over_fraction;
  }
  return cache.curves;
}

void CurvesPlot::draw(AppState& state, const renderer::Palette& palette) {
  const float font = ImGui::GetFontSize();
  const bool fraction = state.x_axis_fraction;
  const ScheduleCurves& ca = curves_for(cache_a_, state.a.schedule(), fraction);
  drawn_revision_ = state.a.revision();
  const bool flow = state.b_flow_shown();   // B is flow matching's path, not schedule B
  const ScheduleCurves* cb = flow            ? &flow_curves_for(cache_b_, state.b.schedule()->T(), fraction)
                             : state.compare ? &curves_for(cache_b_, state.b.schedule(), fraction)
                                             : nullptr;
  // B's own names beside A's where they fit one row; in a narrow panel A's names alone (the hover
  // readout and the equation panel give B's), rather than a legend covering the curves.
  bool flow_names = flow;
  auto legend_label = [&](Quantity q) { return flow_names ? flow_quantity_label(q) : std::string(quantity_label(q)); };
  const int T_max = state.max_T();

  // Which schedule is which (only when comparing): solid A, dashed B.
  if (cb) {
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    // Named by what sets them apart (family, T, zero terminal SNR, scale-with-T).
    const ScheduleLabelPair names =
        forward_side_labels(state.a.schedule()->params(), state.b.schedule()->params(), flow);
    std::vector<LegendItem> key = {{"A: " + names.a, text, false}, {"B: " + names.b, text, true}};
    (void)palette;
    legend_row(key);
  }

  const ImGuiStyle& style = ImGui::GetStyle();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float plot_w = std::floor((avail.x - style.ItemSpacing.x) * 0.5f);
  const float header_h = ImGui::GetFrameHeightWithSpacing();
  const float plot_h = std::max(4.0f * font, avail.y - header_h);
  // Room on the right for half of the last x tick label, which is centred on the plot's edge.
  const float right_margin = 1.2f * font;

  renderer::PlotOptions base;
  base.x_range = renderer::AxisRange{0.0, fraction ? 1.0 : static_cast<double>(T_max)};
  base.x_label = fraction ? "t / T" : "t";
  const int shown_t = shown_moment(state).t;  // the picture's t, as every label (shown_moment.hpp)
  base.cursor_x = fraction ? static_cast<double>(shown_t) / std::max(1, T_max) : static_cast<double>(shown_t);
  base.show_legend = false;
  base.font_scale = 0.85f;
  base.size = ImVec2(plot_w, plot_h);

  std::vector<renderer::PlotInteraction> interactions;

  // Left: the coefficients of x_0 and ε (and ᾱ itself).
  const float group_x = ImGui::GetCursorPosX();
  ImGui::BeginGroup();
  {
    ImGui::AlignTextToFramePadding();
    auto coefficient_legend = [&] {
      return std::vector<LegendItem>{{legend_label(kAlphaBar), quantity_color(kAlphaBar), false},
                                     {legend_label(kSqrtAlphaBar), quantity_color(kSqrtAlphaBar), false},
                                     {legend_label(kSqrtOneMinus), quantity_color(kSqrtOneMinus), false}};
    };
    std::vector<LegendItem> legend = coefficient_legend();
    if (flow_names && !legend_fits_one_row(legend, plot_w)) {
      flow_names = false;
      legend = coefficient_legend();
    }
    // Too narrow for the legend on one line (a projector at UI scale 1.5): it goes inside the plot
    // rather than taking a second line from the plot's height.
    const bool legend_above = legend_fits_one_row(legend, plot_w);
    if (legend_above) {
      legend_row(legend, plot_w);
    } else {
      ImGui::Dummy(ImVec2(plot_w, ImGui::GetFrameHeight()));   // the row the other plot's tabs take
    }
    std::vector<renderer::PlotSeries> series;
    for (Quantity q : {kAlphaBar, kSqrtAlphaBar, kSqrtOneMinus}) {
      add_series(series, ca, q, false);
      series.back().label = legend_label(q);   // the legend inside the plot (narrow panels)
      if (cb) add_series(series, *cb, q, true);
    }
    renderer::PlotOptions options = base;
    options.y_range = renderer::AxisRange{0.0, 1.0};
    options.show_legend = !legend_above;
    options.size.y = std::max(2.5f * font, ImGui::GetContentRegionAvail().y);   // fits its panel: never clipped
    interactions.push_back(renderer::draw_plot("##coefficients", series, options));
  }
  ImGui::EndGroup();
  ImGui::SameLine(group_x + plot_w + style.ItemSpacing.x);

  // Right: β and β̃, SNR on a log axis, or log-SNR.
  ImGui::BeginGroup();
  {
    static const char* kTabs[] = {"β", "SNR", "log-SNR"};
    ImGui::SetNextItemWidth(ImGui::CalcTextSize(kTabs[state.coefficient_tab]).x + ImGui::GetFrameHeight() +
                            2.0f * style.FramePadding.x);
    ImGui::Combo("##right_plot", &state.coefficient_tab, kTabs, 3);
    item_tooltip("right plot: β_t and β̃_t, SNR_t = ᾱ_t / (1 − ᾱ_t) (log axis), or log-SNR_t");
    ImGui::SameLine();
    std::vector<Quantity> quantities;
    if (state.coefficient_tab == 0) {
      quantities.push_back(kBeta);
      quantities.push_back(kBetaTilde);
    } else {
      quantities.push_back(state.coefficient_tab == 1 ? kSnr : kLogSnr);
    }
    std::vector<LegendItem> legend;
    for (Quantity q : quantities) legend.push_back({legend_label(q), quantity_color(q), false});
    // Flow matching has no per-step β: its dashed curves are absent from this tab, and it says so.
    if (flow && state.coefficient_tab == 0) legend.push_back({"B (flow): no β_t", ImGui::GetColorU32(ImGuiCol_TextDisabled), true});
    legend_row(legend, avail.x - plot_w - style.ItemSpacing.x - ImGui::GetItemRectSize().x);
    std::vector<renderer::PlotSeries> series;
    for (Quantity q : quantities) {
      add_series(series, ca, q, false);
      series.back().label = legend_label(q);   // the legend inside the plot (narrow panels)
      if (cb) add_series(series, *cb, q, true);
    }
    renderer::PlotOptions options = base;
    options.size.x = avail.x - plot_w - style.ItemSpacing.x - right_margin;
    options.size.y = std::max(2.5f * font, ImGui::GetContentRegionAvail().y);   // fits its panel: never clipped
    if (state.coefficient_tab == 1) options.y_scale = renderer::AxisScale::Log10;
    interactions.push_back(renderer::draw_plot("##right", series, options));
  }
  ImGui::EndGroup();

  for (const renderer::PlotInteraction& it : interactions) {
    if (it.clicked) {
      const double x = std::clamp(it.hover_x, base.x_range->min, base.x_range->max);
      state.set_cursor(static_cast<int>(std::lround(fraction ? x * T_max : x)));
    }
    if (it.hovered) draw_readout(state, it.hover_x);
  }
}

}  // namespace diffuscope::gui
