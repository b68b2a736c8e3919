#include "renderer/plot_widget.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "renderer/polyline_downsample.hpp"

namespace renderer {
namespace {

// Reference font size the default thicknesses are designed for.
constexpr float kReferenceFontSize = 16.0f;

ImU32 with_alpha(ImU32 color, float alpha_scale) {
  ImVec4 c = ImGui::ColorConvertU32ToFloat4(color);
  c.w *= alpha_scale;
  return ImGui::ColorConvertFloat4ToU32(c);
}

float label_font_size(const PlotOptions& options) {
  return ImGui::GetFontSize() * std::max(0.25f, options.font_scale);
}

std::vector<AxisTick> ticks_for(AxisScale scale, const AxisRange& range, float pixels,
                                float font_size, bool horizontal, bool ascii_powers) {
  // Labels need about 2.2 lines vertically and ~6 characters horizontally.
  float per_label = horizontal ? font_size * 5.0f : font_size * 2.2f;
  int fit = std::max(2, static_cast<int>(pixels / per_label));
  if (scale == AxisScale::Log10) {
    return log_ticks(range.min, range.max, std::min(fit, 12), 6, ascii_powers);
  }
  return linear_ticks(range.min, range.max, std::clamp(fit, 2, 8));
}

void draw_dashed_run(ImDrawList* draw_list, const std::vector<ImVec2>& run, ImU32 color,
                     float thickness, float dash, float gap) {
  // Explicit on/off state with the length left in it: always makes progress (a running phase
  // taken modulo the period stalls once float rounding swallows the remaining piece).
  bool on = true;
  float left = dash;
  for (std::size_t i = 1; i < run.size(); ++i) {
    ImVec2 a = run[i - 1], b = run[i];
    float dx = b.x - a.x, dy = b.y - a.y;
    float length = std::sqrt(dx * dx + dy * dy);
    if (!(length > 0.0f) || !std::isfinite(length)) continue;
    float done = 0.0f;
    while (done < length) {
      float piece = std::min(left, length - done);
      if (on) {
        float t0 = done / length, t1 = (done + piece) / length;
        draw_list->AddLine(ImVec2(a.x + dx * t0, a.y + dy * t0), ImVec2(a.x + dx * t1, a.y + dy * t1),
                           color, thickness);
      }
      done += piece;
      left -= piece;
      if (left <= 1e-3f) {
        on = !on;
        left = on ? dash : gap;
      }
    }
  }
}

}  // namespace

void draw_series(ImDrawList* draw_list, const PlotSeries& series, const AxisMapping& x_map,
                 const AxisMapping& y_map) {
  if (draw_list == nullptr || series.x == nullptr || series.y == nullptr || series.count <= 0) return;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<ScreenPoint> mapped;
  mapped.reserve(static_cast<std::size_t>(series.count));
  for (int i = 0; i < series.count; ++i) {
    double x = series.x[i], y = series.y[i];
    if (!x_map.representable(x) || !y_map.representable(y)) {
      mapped.push_back({nan, nan});
    } else {
      mapped.push_back({x_map.to_pixel(x), y_map.to_pixel(y)});
    }
  }
  float width = std::fabs(x_map.pixel_max - x_map.pixel_min);
  if (static_cast<float>(series.count) > 2.0f * std::max(width, 1.0f)) {
    mapped = downsample_columns(mapped);
  }

  float scale = ImGui::GetFontSize() / kReferenceFontSize;
  float thickness = std::max(1.0f, series.thickness * scale);
  std::vector<ImVec2> run;
  auto flush = [&]() {
    if (run.size() == 1) {
      draw_list->AddCircleFilled(run[0], thickness, series.color);
    } else if (run.size() > 1) {
      if (series.dashed) {
        draw_dashed_run(draw_list, run, series.color, thickness, 6.0f * thickness, 4.0f * thickness);
      } else {
        draw_list->AddPolyline(run.data(), static_cast<int>(run.size()), series.color, ImDrawFlags_None,
                               thickness);
      }
    }
    run.clear();
  };
  for (const ScreenPoint& p : mapped) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) {
      flush();
      continue;
    }
    run.push_back(ImVec2(p.x, p.y));
  }
  flush();
}

namespace {

struct LegendMetrics {
  float font_size, pad, sample, row;
};

LegendMetrics legend_metrics(float font_scale) {
  float fs = ImGui::GetFontSize() * std::max(0.25f, font_scale);
  return {fs, fs * 0.4f, fs * 1.6f, fs * 1.15f};
}

// Top-left corner of the legend box of `size` placed in `corner` of the inner area.
ImVec2 legend_origin(ImVec2 inner_min, ImVec2 inner_max, ImVec2 size, float pad, LegendCorner corner) {
  bool left = corner == LegendCorner::TopLeft || corner == LegendCorner::BottomLeft;
  bool bottom = corner == LegendCorner::BottomRight || corner == LegendCorner::BottomLeft;
  float x = left ? inner_min.x + pad : inner_max.x - pad - size.x;
  float y = bottom ? inner_max.y - pad - size.y : inner_min.y + pad;
  return ImVec2(std::max(x, inner_min.x), std::max(y, inner_min.y));
}

}  // namespace

ImVec2 legend_size(const std::vector<LegendEntry>& entries, float font_scale) {
  LegendMetrics m = legend_metrics(font_scale);
  ImFont* font = ImGui::GetFont();
  float text_width = 0.0f;
  int rows = 0;
  for (const LegendEntry& e : entries) {
    if (e.label.empty()) continue;
    text_width = std::max(text_width, font->CalcTextSizeA(m.font_size, FLT_MAX, 0.0f, e.label.c_str()).x);
    ++rows;
  }
  if (rows == 0) return ImVec2(0, 0);
  return ImVec2(m.pad * 3 + m.sample + text_width, m.pad * 2 + m.row * static_cast<float>(rows));
}

void draw_legend(ImDrawList* draw_list, ImVec2 inner_min, ImVec2 inner_max,
                 const std::vector<LegendEntry>& entries, float font_scale, LegendCorner corner) {
  ImVec2 size = legend_size(entries, font_scale);
  if (size.x <= 0.0f || draw_list == nullptr) return;
  LegendMetrics m = legend_metrics(font_scale);
  ImFont* font = ImGui::GetFont();
  ImVec2 box_min = legend_origin(inner_min, inner_max, size, m.pad, corner);
  ImVec2 box_max(box_min.x + size.x, box_min.y + size.y);
  float rounding = ImGui::GetStyle().FrameRounding;
  draw_list->AddRectFilled(box_min, box_max, with_alpha(ImGui::GetColorU32(ImGuiCol_WindowBg), 0.85f),
                           rounding);
  draw_list->AddRect(box_min, box_max, ImGui::GetColorU32(ImGuiCol_Border), rounding);
  float scale = ImGui::GetFontSize() / kReferenceFontSize;
  float y = box_min.y + m.pad;
  for (const LegendEntry& e : entries) {
    if (e.label.empty()) continue;
    float mid = y + m.row * 0.5f;
    ImVec2 a(box_min.x + m.pad, mid), b(box_min.x + m.pad + m.sample, mid);
    float thickness = std::max(1.0f, 2.5f * scale);
    if (e.dashed) {
      draw_dashed_run(draw_list, {a, b}, e.color, thickness, m.sample * 0.35f, m.sample * 0.15f);
    } else {
      draw_list->AddLine(a, b, e.color, thickness);
    }
    draw_list->AddText(font, m.font_size, ImVec2(b.x + m.pad, mid - m.font_size * 0.5f),
                       ImGui::GetColorU32(ImGuiCol_Text), e.label.c_str());
    y += m.row;
  }
}

LegendCorner choose_legend_corner(const std::vector<PlotSeries>& series, const AxisMapping& x_map,
                                  const AxisMapping& y_map, ImVec2 inner_min, ImVec2 inner_max,
                                  ImVec2 size, float pad) {
  const LegendCorner corners[] = {LegendCorner::TopRight, LegendCorner::TopLeft, LegendCorner::BottomRight,
                                  LegendCorner::BottomLeft};
  long covered[4] = {0, 0, 0, 0};
  ImVec2 origin[4];
  for (int c = 0; c < 4; ++c) origin[c] = legend_origin(inner_min, inner_max, size, pad, corners[c]);
  for (const PlotSeries& s : series) {
    if (s.x == nullptr || s.y == nullptr) continue;
    // A few hundred samples per series are plenty to judge the overlap.
    int stride = std::max(1, s.count / 512);
    for (int i = 0; i < s.count; i += stride) {
      if (!x_map.representable(s.x[i]) || !y_map.representable(s.y[i])) continue;
      float px = x_map.to_pixel(s.x[i]), py = y_map.to_pixel(s.y[i]);
      for (int c = 0; c < 4; ++c) {
        if (px >= origin[c].x - pad && px <= origin[c].x + size.x + pad && py >= origin[c].y - pad &&
            py <= origin[c].y + size.y + pad) {
          ++covered[c];
        }
      }
    }
  }
  int best = 0;  // ties keep the conventional top-right
  for (int c = 1; c < 4; ++c) {
    if (covered[c] < covered[best]) best = c;
  }
  return corners[best];
}

PlotInteraction begin_plot_area(const char* id, const AxisRange& x_range_in,
                                const AxisRange& y_range_in, const PlotOptions& options) {
  PlotInteraction area;
  AxisRange x_range = x_range_in.empty() || x_range_in.span() == 0.0
                          ? padded_range(x_range_in, options.x_scale, 0.0)
                          : x_range_in;
  AxisRange y_range = y_range_in.empty() || y_range_in.span() == 0.0
                          ? padded_range(y_range_in, options.y_scale, 0.0)
                          : y_range_in;

  ImFont* font = ImGui::GetFont();
  const float base = ImGui::GetFontSize();
  const float fs = label_font_size(options);

  ImVec2 size = options.size;
  ImVec2 available = ImGui::GetContentRegionAvail();
  if (size.x <= 0.0f) size.x = std::max(available.x, base * 10.0f);
  if (size.y <= 0.0f) size.y = base * 16.0f;
  size.x = std::max(size.x, base * 6.0f);
  size.y = std::max(size.y, base * 5.0f);

  ImVec2 frame_min = ImGui::GetCursorScreenPos();
  ImVec2 frame_max(frame_min.x + size.x, frame_min.y + size.y);
  ImGui::InvisibleButton(id, size);
  bool item_hovered = ImGui::IsItemHovered();
  bool item_active = ImGui::IsItemActive();
  ImDrawList* draw_list = ImGui::GetWindowDrawList();

  const float pad = base * 0.35f;
  bool top_row = !options.title.empty() || !options.y_label.empty();
  float top = frame_min.y + pad + (top_row ? base * 1.25f : fs * 0.5f);
  float bottom = frame_max.y - pad - fs * 1.3f - (options.x_label.empty() ? 0.0f : base * 1.2f);

  // Y ticks first: their widest label sets the left margin.
  std::vector<AxisTick> y_ticks =
      ticks_for(options.y_scale, y_range, bottom - top, fs, false, options.y_ascii_powers);
  float y_label_width = 0.0f;
  for (const AxisTick& t : y_ticks) {
    if (!t.label.empty()) {
      y_label_width = std::max(y_label_width, font->CalcTextSizeA(fs, FLT_MAX, 0.0f, t.label.c_str()).x);
    }
  }
  float left = frame_min.x + pad + y_label_width + fs * 0.4f;
  float right = frame_max.x - std::max(pad, fs * 1.2f);
  if (right - left < base * 2.0f) right = left + base * 2.0f;
  if (bottom - top < base * 2.0f) bottom = top + base * 2.0f;

  area.inner_min = ImVec2(std::floor(left), std::floor(top));
  area.inner_max = ImVec2(std::floor(right), std::floor(bottom));
  area.x_map = AxisMapping{options.x_scale, x_range.min, x_range.max, area.inner_min.x, area.inner_max.x};
  area.y_map = AxisMapping{options.y_scale, y_range.min, y_range.max, area.inner_max.y, area.inner_min.y};
  std::vector<AxisTick> x_ticks =
      ticks_for(options.x_scale, x_range, area.inner_max.x - area.inner_min.x, fs, true, options.y_ascii_powers);

  const ImU32 text_color = ImGui::GetColorU32(ImGuiCol_Text);
  const ImU32 muted_text = ImGui::GetColorU32(ImGuiCol_Text, 0.85f);

  draw_list->AddRectFilled(area.inner_min, area.inner_max, ImGui::GetColorU32(ImGuiCol_FrameBg),
                           0.0f);

  // Titles.
  if (!options.y_label.empty()) {
    draw_list->AddText(font, base, ImVec2(frame_min.x + pad, frame_min.y + pad * 0.5f), muted_text,
                       options.y_label.c_str());
  }
  if (!options.title.empty()) {
    float w = font->CalcTextSizeA(base, FLT_MAX, 0.0f, options.title.c_str()).x;
    float y_label_end = options.y_label.empty()
                            ? frame_min.x
                            : frame_min.x + pad + font->CalcTextSizeA(base, FLT_MAX, 0.0f, options.y_label.c_str()).x + base;
    float x = std::max((area.inner_min.x + area.inner_max.x - w) * 0.5f, y_label_end);
    draw_list->AddText(font, base, ImVec2(x, frame_min.y + pad * 0.5f), text_color, options.title.c_str());
  }
  if (!options.x_label.empty()) {
    float w = font->CalcTextSizeA(base, FLT_MAX, 0.0f, options.x_label.c_str()).x;
    draw_list->AddText(font, base,
                       ImVec2((area.inner_min.x + area.inner_max.x - w) * 0.5f, frame_max.y - pad - base * 1.1f),
                       muted_text, options.x_label.c_str());
  }

  // Tick labels: y right-aligned left of the area, x centred below (overlapping ones skipped).
  for (const AxisTick& t : y_ticks) {
    if (t.label.empty() || !area.y_map.representable(t.value)) continue;
    float y = area.y_map.to_pixel(t.value);
    if (y < area.inner_min.y - 1.0f || y > area.inner_max.y + 1.0f) continue;
    ImVec2 ts = font->CalcTextSizeA(fs, FLT_MAX, 0.0f, t.label.c_str());
    float ty = std::clamp(y - ts.y * 0.5f, frame_min.y, frame_max.y - ts.y);
    draw_list->AddText(font, fs, ImVec2(area.inner_min.x - fs * 0.3f - ts.x, ty), text_color, t.label.c_str());
  }
  float previous_right = -FLT_MAX;
  for (const AxisTick& t : x_ticks) {
    if (t.label.empty() || !area.x_map.representable(t.value)) continue;
    float x = area.x_map.to_pixel(t.value);
    if (x < area.inner_min.x - 1.0f || x > area.inner_max.x + 1.0f) continue;
    ImVec2 ts = font->CalcTextSizeA(fs, FLT_MAX, 0.0f, t.label.c_str());
    float tx = std::clamp(x - ts.x * 0.5f, frame_min.x, frame_max.x - ts.x);
    if (tx < previous_right + fs * 0.5f) continue;
    draw_list->AddText(font, fs, ImVec2(tx, area.inner_max.y + fs * 0.2f), text_color, t.label.c_str());
    previous_right = tx + ts.x;
  }

  // Grid (below the content unless asked otherwise); the tick marks double as grid lines.
  auto draw_grid = [&]() {
    if (!options.show_grid) return;
    ImU32 major = ImGui::GetColorU32(ImGuiCol_Border, 0.55f);
    ImU32 minor = ImGui::GetColorU32(ImGuiCol_Border, 0.25f);
    for (const AxisTick& t : x_ticks) {
      if (!area.x_map.representable(t.value)) continue;
      float x = std::round(area.x_map.to_pixel(t.value)) + 0.5f;
      if (x < area.inner_min.x || x > area.inner_max.x) continue;
      draw_list->AddLine(ImVec2(x, area.inner_min.y), ImVec2(x, area.inner_max.y), t.major ? major : minor);
    }
    for (const AxisTick& t : y_ticks) {
      if (!area.y_map.representable(t.value)) continue;
      float y = std::round(area.y_map.to_pixel(t.value)) + 0.5f;
      if (y < area.inner_min.y || y > area.inner_max.y) continue;
      draw_list->AddLine(ImVec2(area.inner_min.x, y), ImVec2(area.inner_max.x, y), t.major ? major : minor);
    }
  };
  if (!options.grid_on_top) draw_grid();

  // Interaction: the whole widget is one button, the data area is where hover counts.
  ImVec2 mouse = ImGui::GetIO().MousePos;
  bool inside = mouse.x >= area.inner_min.x && mouse.x <= area.inner_max.x &&
                mouse.y >= area.inner_min.y && mouse.y <= area.inner_max.y;
  if ((item_hovered && inside) || item_active) {
    float mx = std::clamp(mouse.x, area.inner_min.x, area.inner_max.x);
    float my = std::clamp(mouse.y, area.inner_min.y, area.inner_max.y);
    area.hovered = item_hovered && inside;
    area.hover_x = area.x_map.to_data(mx);
    area.hover_y = area.y_map.to_data(my);
    area.clicked = item_active && ImGui::IsMouseDown(ImGuiMouseButton_Left);
  }

  draw_list->PushClipRect(area.inner_min, area.inner_max, true);
  return area;
}

void end_plot_area(const PlotInteraction& area, const PlotOptions& options) {
  ImDrawList* draw_list = ImGui::GetWindowDrawList();
  const float base = ImGui::GetFontSize();
  const float scale = base / kReferenceFontSize;
  if (options.grid_on_top && options.show_grid) {
    const float fs = label_font_size(options);
    ImU32 major = ImGui::GetColorU32(ImGuiCol_Border, 0.45f);
    ImU32 minor = ImGui::GetColorU32(ImGuiCol_Border, 0.2f);
    AxisRange xr{area.x_map.data_min, area.x_map.data_max};
    AxisRange yr{area.y_map.data_min, area.y_map.data_max};
    for (const AxisTick& t : ticks_for(options.x_scale, xr, area.inner_max.x - area.inner_min.x, fs, true,
                                       options.y_ascii_powers)) {
      float x = std::round(area.x_map.to_pixel(t.value)) + 0.5f;
      draw_list->AddLine(ImVec2(x, area.inner_min.y), ImVec2(x, area.inner_max.y), t.major ? major : minor);
    }
    for (const AxisTick& t : ticks_for(options.y_scale, yr, area.inner_max.y - area.inner_min.y, fs, false,
                                       options.y_ascii_powers)) {
      float y = std::round(area.y_map.to_pixel(t.value)) + 0.5f;
      draw_list->AddLine(ImVec2(area.inner_min.x, y), ImVec2(area.inner_max.x, y), t.major ? major : minor);
    }
  }
  if (area.hovered) {
    float x = area.x_map.to_pixel(area.hover_x);
    draw_list->AddLine(ImVec2(x, area.inner_min.y), ImVec2(x, area.inner_max.y),
                       ImGui::GetColorU32(ImGuiCol_Text, 0.35f), std::max(1.0f, scale));
  }
  if (options.cursor_x && area.x_map.representable(*options.cursor_x)) {
    float x = area.x_map.to_pixel(*options.cursor_x);
    if (x >= area.inner_min.x - 1.0f && x <= area.inner_max.x + 1.0f) {
      draw_list->AddLine(ImVec2(x, area.inner_min.y), ImVec2(x, area.inner_max.y),
                         ImGui::GetColorU32(ImGuiCol_PlotLinesHovered), std::max(1.5f, 2.0f * scale));
    }
  }
  draw_list->PopClipRect();
  draw_list->AddRect(area.inner_min, area.inner_max, ImGui::GetColorU32(ImGuiCol_Border), 0.0f, 0,
                     std::max(1.0f, scale));
}

PlotInteraction draw_plot(const char* id, const std::vector<PlotSeries>& series,
                          const PlotOptions& options) {
  AxisRange x_range, y_range;
  if (options.x_range && !options.x_range->empty()) {
    x_range = *options.x_range;
  } else {
    AxisRange r{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    for (const PlotSeries& s : series) r = merge_ranges(r, data_range(s.x, s.count, options.x_scale));
    x_range = padded_range(r, options.x_scale, 0.0);
  }
  if (options.y_range && !options.y_range->empty()) {
    y_range = *options.y_range;
  } else {
    AxisRange r{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    for (const PlotSeries& s : series) r = merge_ranges(r, data_range(s.y, s.count, options.y_scale));
    y_range = padded_range(r, options.y_scale, 0.05);
  }

  PlotInteraction area = begin_plot_area(id, x_range, y_range, options);
  ImDrawList* draw_list = ImGui::GetWindowDrawList();
  for (const PlotSeries& s : series) draw_series(draw_list, s, area.x_map, area.y_map);
  end_plot_area(area, options);
  if (options.show_legend) {
    std::vector<LegendEntry> entries;
    for (const PlotSeries& s : series) entries.push_back({s.label, s.color, s.dashed});
    LegendCorner corner = options.legend_corner;
    if (corner == LegendCorner::Auto) {
      corner = choose_legend_corner(series, area.x_map, area.y_map, area.inner_min, area.inner_max,
                                    legend_size(entries, options.font_scale),
                                    legend_metrics(options.font_scale).pad);
    }
    draw_legend(draw_list, area.inner_min, area.inner_max, entries, options.font_scale, corner);
  }
  return area;
}

}  // namespace renderer
