#include "gui/views/reverse/reverse_clouds_view.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <cstdio>
#include <string>
#include <vector>

#include "diffusion/schedule.hpp"
#include "gui/state/caption_forms.hpp"
#include "gui/state/choice_tables.hpp"
#include "gui/state/layout.hpp"
#include "gui/widgets/ui_helpers.hpp"

namespace diffuscope::gui {

namespace {

ImU32 cloud_color(bool light) { return light ? IM_COL32(0, 90, 181, 220) : IM_COL32(86, 180, 233, 215); }
ImU32 data_color(bool light) { return light ? IM_COL32(120, 120, 120, 255) : IM_COL32(150, 155, 165, 255); }
ImU32 arrow_color(bool light) { return light ? IM_COL32(20, 20, 20, 210) : IM_COL32(240, 240, 245, 200); }
// Tracked points: Okabe-Ito-like hues without the clouds' sky blue and the posterior's magenta.
ImU32 tracked_color(int k) {
  static const ImU32 colors[] = {IM_COL32(230, 159, 0, 255),  IM_COL32(0, 190, 130, 255),
                                 IM_COL32(240, 228, 66, 255), IM_COL32(213, 94, 0, 255),
                                 IM_COL32(160, 120, 220, 255), IM_COL32(0, 114, 178, 255),
                                 IM_COL32(170, 110, 90, 255), IM_COL32(127, 127, 127, 255)};
  return colors[((k % 8) + 8) % 8];
}

void arrow(ImDrawList* dl, ImVec2 from, ImVec2 to, ImU32 color, float thickness, float head) {
  const float dx = to.x - from.x, dy = to.y - from.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (!(len > 0.5f)) {
    dl->AddCircleFilled(from, thickness, color);
    return;
  }
  dl->AddLine(from, to, color, thickness);
  const float h = std::min(head, 0.45f * len);
  const float ux = dx / len, uy = dy / len;
  // Two barbs at ±28° from the shaft.
  const float c = 0.883f, s = 0.469f;
  const ImVec2 b1(to.x - h * (c * ux - s * uy), to.y - h * (s * ux + c * uy));
  const ImVec2 b2(to.x - h * (c * ux + s * uy), to.y - h * (-s * ux + c * uy));
  dl->AddLine(to, b1, color, thickness);
  dl->AddLine(to, b2, color, thickness);
}

// A control on the same line if it fits, else on the next.
void same_line_if_fits(float next_width) {
  ImGui::SameLine(0.0f, 1.0f * ImGui::GetFontSize());
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetCursorScreenPos().x + next_width > right) ImGui::NewLine();
}

float checkbox_width(const char* label) {
  return ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
}

// A plot area without tick labels (several small clouds: every panel has the same ±4 axes, and the
// labels would take room from the clouds). Same contract as begin_plot_area / end_plot_area.
renderer::PlotInteraction begin_bare_area(const char* id, float side, double half_range) {
  renderer::PlotInteraction area;
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::InvisibleButton(id, ImVec2(side, side));
  area.inner_min = ImVec2(std::floor(p0.x), std::floor(p0.y));
  area.inner_max = ImVec2(std::floor(p0.x + side), std::floor(p0.y + side));
  area.x_map = renderer::AxisMapping{renderer::AxisScale::Linear, -half_range, half_range, area.inner_min.x, area.inner_max.x};
  area.y_map = renderer::AxisMapping{renderer::AxisScale::Linear, -half_range, half_range, area.inner_max.y, area.inner_min.y};
  area.hovered = ImGui::IsItemHovered();
  if (area.hovered) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    area.hover_x = area.x_map.to_data(m.x);
    area.hover_y = area.y_map.to_data(m.y);
  }
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(area.inner_min, area.inner_max, ImGui::GetColorU32(ImGuiCol_FrameBg));
  dl->PushClipRect(area.inner_min, area.inner_max, true);
  return area;
}

void end_bare_area(const renderer::PlotInteraction& area, double half_range) {
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 grid = ImGui::GetColorU32(ImGuiCol_Border, 0.45f);
  for (double v = -half_range + 2.0; v < half_range; v += 2.0) {  // lines at -2, 0, 2
    const float x = std::round(area.x_map.to_pixel(v)) + 0.5f;
    const float y = std::round(area.y_map.to_pixel(v)) + 0.5f;
    dl->AddLine(ImVec2(x, area.inner_min.y), ImVec2(x, area.inner_max.y), grid);
    dl->AddLine(ImVec2(area.inner_min.x, y), ImVec2(area.inner_max.x, y), grid);
  }
  dl->PopClipRect();
  dl->AddRect(area.inner_min, area.inner_max, ImGui::GetColorU32(ImGuiCol_Border), 0.0f, 0,
              std::max(1.0f, ImGui::GetFontSize() / 16.0f));
}

// The overlays' legend; and what the meter counts when the captions had no room to say it
// (an entry without a line sample).
std::vector<LegendItem> overlay_legend(const AppState& state, bool meter_radius_shown) {
  const ReverseState& r = state.reverse;
  std::vector<LegendItem> legend;
  if (!meter_radius_shown) {
    char text[96];
    std::snprintf(text, sizeof text, "copies: samples ≤ %g from a training point", kCopyRadius);
    legend.push_back({text, 0u, false});
  }
  // Flow-matching panels draw their velocity as the field and have no posterior.
  int flow_panels = 0;
  for (int i = 0; i < r.panel_count; ++i)
    flow_panels += r.panels[static_cast<std::size_t>(i)].process == diffusion::ProcessFamily::Flow;
  const bool all_flow = flow_panels == r.panel_count;
  // A guided panel's distance is to its class's points (the short captions say only "SWD").
  bool any_guided = false;
  for (int i = 0; i < r.panel_count; ++i) {
    const ReversePanelSettings& p = r.panels[static_cast<std::size_t>(i)];
    any_guided |= is_guided(p.class_id, p.process);
  }
  if (any_guided) legend.push_back({"SWD of a class panel: to that class's points", 0u, false});
  if (r.field != VectorField::None) {
    const std::string diffusion_field = r.field == VectorField::Score ? "score −ε̂/√(1−ᾱ_t)" : "ε̂";
    const std::string field = all_flow ? "velocity v̂(x, τ), scaled"
                              : flow_panels > 0 ? diffusion_field + " (flow panels: velocity v̂), scaled"
                                                : diffusion_field + ", scaled";
    legend.push_back({field, arrow_color(state.light_theme), false});
  }
  if (r.posterior && r.picked >= 0 && !all_flow) {
    legend.push_back({std::string("posterior q(x_s | x_t, x̂_0) of the next step t → s: mean μ̃, radius √β̃") +
                          (flow_panels > 0 ? " (none for flow panels)" : ""),
                      posterior_color(state.light_theme), false});
  }
  const ImU32 neutral = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  if (!r.tracked.empty() && r.predicted_x0) legend.push_back({"× x̂_0 of tracked points", neutral, false});
  if (!r.tracked.empty() && r.trajectories) legend.push_back({"path x_T → x_t (faint: → x_0)", neutral, false});
  if (!r.tracked.empty() && r.trajectories)
    legend.push_back({"len/dist: tracked paths' length / distance of their ends (1 = straight)", 0u, false});
  return legend;
}


// Lines legend_row needs for these items in `room` pixels (it shrinks text to 60 % before wrapping).
int legend_lines(const std::vector<LegendItem>& items, float room) {
  if (items.empty()) return 0;
  const float font = ImGui::GetFontSize();
  float full = -1.2f * font;
  for (const LegendItem& item : items) full += 3.1f * font + ImGui::CalcTextSize(item.label.c_str()).x;
  if (full <= room || room <= 0.0f) return 1;
  return static_cast<int>(std::ceil(0.6f * full / room + 0.05f));
}

}  // namespace

ImU32 posterior_color(bool light) { return light ? IM_COL32(200, 0, 160, 255) : IM_COL32(255, 60, 210, 255); }

void ReverseCloudsView::release() {
  for (Slot& s : slots_) {
    s.points.release();
    s.target.release();
    s.uploaded = nullptr;
    s.colored_count = -1;
  }
  data_points_.release();
  frame_.reset();
}

void ReverseCloudsView::upload(const ReverseFrame& frame, bool light) {
  const std::uint32_t color = cloud_color(light);
  for (std::size_t i = 0; i < slots_.size() && i < frame.panels.size(); ++i) {
    Slot& s = slots_[i];
    if (s.uploaded == &frame && s.color == color) continue;
    const std::vector<float>& xy = frame.panels[i].xt_xy;
    const int n = static_cast<int>(xy.size() / 2);
    s.points.set_positions(xy.data(), n);
    // Every streamed frame moves the points; the colour changes only with the theme or the count.
    if (n != s.colored_count || color != s.color) {
      const std::vector<std::uint32_t> colors(static_cast<std::size_t>(n), color);
      s.points.set_colors(colors.data(), n);
      s.colored_count = n;
    }
    s.uploaded = &frame;
    s.color = color;
  }
  if (frame.data_xy != data_uploaded_ || data_light_ != light) {
    const int n = static_cast<int>(frame.data_xy.size() / 2);
    data_points_.set_positions(frame.data_xy.data(), n);
    const std::vector<std::uint32_t> colors(static_cast<std::size_t>(n), data_color(light));
    data_points_.set_colors(colors.data(), n);
    data_uploaded_ = frame.data_xy;
    data_light_ = light;
  }
}

void ReverseCloudsView::draw_toolbar(AppState& state) {
  ReverseState& r = state.reverse;
  const float font = ImGui::GetFontSize();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("arrows");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::CalcTextSize("score").x + ImGui::GetFrameHeight() + 2.0f * ImGui::GetStyle().FramePadding.x + 0.3f * font);
  if (ImGui::BeginCombo("##field", label_of(r.field))) {
    for (const auto& field : choices<VectorField>()) {
      if (ImGui::Selectable(field.label, field.value == r.field)) r.field = field.value;
    }
    ImGui::EndCombo();
  }
  item_tooltip("arrows at t: the score ≈ −ε̂ / √(1 − ᾱ_t) points to the data; ε̂ points away");
  same_line_if_fits(checkbox_width("x̂_0"));
  ImGui::Checkbox("x̂_0", &r.predicted_x0);
  item_tooltip("x̂_0 = (x_t − √(1 − ᾱ_t) · ε̂) / √ᾱ_t of each tracked point, drawn as a cross");
  same_line_if_fits(checkbox_width("paths"));
  ImGui::Checkbox("paths", &r.trajectories);
  item_tooltip("paths: the tracked points' trajectories over all computed t (click to track)");
  same_line_if_fits(checkbox_width("posterior"));
  ImGui::Checkbox("posterior", &r.posterior);
  item_tooltip("The true posterior q(x_s | x_t, x̂_0) of the last clicked point, for the sampler's next step "
               "t → s (s = t − 1 when K = T): its mean μ̃ and a circle of radius √β̃. The sampler draws "
               "from it only with σ² = β̃; σ² = β draws wider, DDIM steps to its own mean.");
  if (!r.tracked.empty()) {
    same_line_if_fits(ImGui::CalcTextSize("clear points").x + 2.0f * ImGui::GetStyle().FramePadding.x);
    if (ImGui::Button("clear points")) clear_tracked(r);
    item_tooltip("Stop tracking the clicked points (right-clicking a cloud does the same)");
  }
}

void ReverseCloudsView::draw_overlays(const AppState& state, const ReversePanelFrame& panel,
                                const renderer::PlotInteraction& area,
                                const renderer::Palette& palette) const {
  const ReverseState& r = state.reverse;
  const bool light = state.light_theme;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  auto to_screen = [&](float x, float y) { return ImVec2(area.x_map.to_pixel(x), area.y_map.to_pixel(y)); };
  const float px_per_unit = (area.inner_max.x - area.inner_min.x) / static_cast<float>(2.0 * kReverseHalfRange);
  const float thickness = std::max(1.5f, font / 14.0f);

  // Arrows of the score or ε̂ field.
  if (r.field != VectorField::None && panel.field_xy.size() == panel.field_vectors.size()) {
    // The grid spacing, from the number of arrows the worker computed (a square grid).
    const double per_side = std::max(1.0, std::round(std::sqrt(static_cast<double>(panel.field_xy.size() / 2))));
    const double cell = 2.0 * kReverseHalfRange / std::max(1.0, per_side - 1.0);
    const double scale = arrow_scale(panel.field_vectors, cell);
    const double cap = kMaxArrowCells * cell;
    for (std::size_t i = 0; i + 1 < panel.field_xy.size(); i += 2) {
      double vx = panel.field_vectors[i] * scale, vy = panel.field_vectors[i + 1] * scale;
      const double len = std::hypot(vx, vy);
      if (!std::isfinite(len)) continue;  // a NaN vector draws nothing rather than a wild line
      if (len > cap) {
        vx *= cap / len;
        vy *= cap / len;
      }
      const float x = panel.field_xy[i], y = panel.field_xy[i + 1];
      arrow(dl, to_screen(x, y), to_screen(static_cast<float>(x + vx), static_cast<float>(y + vy)),
            arrow_color(light), thickness, 0.45f * font);
    }
  }

  const std::vector<int>& tracked = r.tracked;
  const std::size_t n_tracked = tracked.size();
  const std::size_t n_points = panel.xt_xy.size() / 2;
  // Trajectories: per tracked point, states 0..states_done-1.
  if (r.trajectories && n_tracked > 0 && !panel.trajectories_xy.empty() &&
      panel.trajectories_xy.size() % (2 * n_tracked) == 0) {
    const std::size_t per = panel.trajectories_xy.size() / (2 * n_tracked);
    std::vector<ImVec2> path;
    for (std::size_t k = 0; k < n_tracked; ++k) {
      path.clear();
      for (std::size_t s = 0; s < per; ++s) {
        const float x = panel.trajectories_xy[2 * (k * per + s)];
        const float y = panel.trajectories_xy[2 * (k * per + s) + 1];
        if (std::isfinite(x) && std::isfinite(y)) path.push_back(to_screen(x, y));
      }
      // Solid from x_T to the shown state, faint on towards x_0 (where the point is going).
      // The worker keeps every stride-th state (and the newest): place the shown state by fraction.
      const double fraction = panel.states_done > 1
                                  ? std::clamp(static_cast<double>(panel.shown_state) / (panel.states_done - 1), 0.0, 1.0)
                                  : 1.0;
      const std::size_t shown =
          std::min(path.size(), static_cast<std::size_t>(std::lround(fraction * static_cast<double>(path.size() - 1))) + 1);
      const ImU32 col = tracked_color(static_cast<int>(k));
      // Translucent: a 1000-step DDPM path is a jittery walk that would otherwise hide the cloud.
      if (path.size() > shown && shown >= 1) {
        dl->AddPolyline(path.data() + (shown - 1), static_cast<int>(path.size() - shown + 1),
                        (col & 0x00FFFFFFu) | 0x38000000u, ImDrawFlags_None, 0.6f * thickness);
      }
      if (shown >= 2) {
        dl->AddPolyline(path.data(), static_cast<int>(shown), (col & 0x00FFFFFFu) | 0xA0000000u, ImDrawFlags_None,
                        0.6f * thickness);
      }
      if (!path.empty()) dl->AddCircle(path.front(), 0.25f * font, tracked_color(static_cast<int>(k)), 12, thickness);
    }
  }
  // x̂_0 of the tracked points: a cross joined to x_t.
  if (r.predicted_x0 && panel.tracked_x0_xy.size() == 2 * n_tracked) {
    const float arm = 0.35f * font;
    for (std::size_t k = 0; k < n_tracked; ++k) {
      const ImVec2 c = to_screen(panel.tracked_x0_xy[2 * k], panel.tracked_x0_xy[2 * k + 1]);
      const ImU32 col = tracked_color(static_cast<int>(k));
      const std::size_t i = static_cast<std::size_t>(tracked[k]);
      if (i < n_points) dl->AddLine(to_screen(panel.xt_xy[2 * i], panel.xt_xy[2 * i + 1]), c, col, 0.8f * thickness);
      dl->AddLine(ImVec2(c.x - arm, c.y - arm), ImVec2(c.x + arm, c.y + arm), col, 1.5f * thickness);
      dl->AddLine(ImVec2(c.x - arm, c.y + arm), ImVec2(c.x + arm, c.y - arm), col, 1.5f * thickness);
    }
  }
  // The tracked points themselves, ringed.
  for (std::size_t k = 0; k < n_tracked; ++k) {
    const std::size_t i = static_cast<std::size_t>(tracked[k]);
    if (i >= n_points) continue;
    const ImVec2 p = to_screen(panel.xt_xy[2 * i], panel.xt_xy[2 * i + 1]);
    dl->AddCircleFilled(p, 0.22f * font, tracked_color(static_cast<int>(k)));
    dl->AddCircle(p, 0.3f * font, ImGui::GetColorU32(ImGuiCol_Text), 16, 0.7f * thickness);
  }
  // The posterior q(x_s | x_t, x̂_0) of the picked point: mean and a circle of radius √β̃.
  if (r.posterior && panel.has_posterior) {
    const ImU32 col = posterior_color(light);
    const ImVec2 from = to_screen(panel.picked_xy[0], panel.picked_xy[1]);
    const ImVec2 mean = to_screen(panel.posterior_mean_xy[0], panel.posterior_mean_xy[1]);
    const float radius = static_cast<float>(panel.posterior_sigma) * px_per_unit;
    dl->AddLine(from, mean, col, thickness);
    dl->AddCircleFilled(mean, 0.14f * font, col);
    if (std::isfinite(radius) && radius > 0.5f) dl->AddCircle(mean, radius, col, 48, 1.3f * thickness);
    // Which posterior, and √β̃ in numbers too (at small t the circle is only a few pixels wide), in
    // two lines of 0.8 font sizes beside the mean, kept inside the cloud's square: on the left when
    // the right has no room; a line that is wider than the square is left out.
    char sigma[48];
    std::snprintf(sigma, sizeof sigma, "√β̃ = %.2g", panel.posterior_sigma);
    const std::string name = posterior_label(panel.posterior_t, panel.posterior_t_prev);
    ImFont* label_font = ImGui::GetFont();
    const float size = 0.8f * font;
    const float room = area.inner_max.x - area.inner_min.x - 0.6f * font;
    const float name_w = label_font->CalcTextSizeA(size, FLT_MAX, 0.0f, name.c_str()).x;
    std::vector<std::string> lines;
    if (name_w <= room) lines.push_back(name);
    if (label_font->CalcTextSizeA(size, FLT_MAX, 0.0f, sigma).x <= room) lines.push_back(sigma);
    float text_w = 0.0f;
    for (const std::string& l : lines) text_w = std::max(text_w, label_font->CalcTextSizeA(size, FLT_MAX, 0.0f, l.c_str()).x);
    const float text_h = size * static_cast<float>(lines.size());
    const float offset = std::max(radius, 0.4f * font) + 0.3f * font;
    ImVec2 text_pos(mean.x + offset, mean.y - text_h - 0.2f * font);
    if (text_pos.x + text_w > area.inner_max.x - 0.3f * font) text_pos.x = mean.x - offset - text_w;
    text_pos.x = std::clamp(text_pos.x, area.inner_min.x + 0.3f * font, std::max(area.inner_min.x, area.inner_max.x - 0.3f * font - text_w));
    text_pos.y = std::clamp(text_pos.y, area.inner_min.y + 0.2f * font, std::max(area.inner_min.y, area.inner_max.y - text_h - 0.2f * font));
    if (!lines.empty()) {
      dl->AddRectFilled(ImVec2(text_pos.x - 0.15f * font, text_pos.y),
                        ImVec2(text_pos.x + text_w + 0.15f * font, text_pos.y + text_h),
                        (palette.plot_background & 0x00FFFFFFu) | 0xC0000000u, 0.2f * font);
    }
    for (std::size_t i = 0; i < lines.size(); ++i)
      dl->AddText(label_font, size, ImVec2(text_pos.x, text_pos.y + size * static_cast<float>(i)), col, lines[i].c_str());
  }
}

void ReverseCloudsView::draw_panel(int index, AppState& state, const ReverseFrame* frame, ImVec2 size,
                             const renderer::Palette& palette) {
  const float font = ImGui::GetFontSize();
  const ReversePanelFrame* panel =
      frame && index < static_cast<int>(frame->panels.size()) ? &frame->panels[static_cast<std::size_t>(index)] : nullptr;
  ImGui::BeginGroup();
  const float text_h = (meter_line_ ? 3.0f : 2.0f) * ImGui::GetTextLineHeightWithSpacing();  // label, t and SWD, meter
  // One cloud: axes with tick labels. Several: bare squares (same axes), so the clouds are larger.
  const bool ticks = state.reverse.panel_count == 1;
  if (margins_.x <= 0.0f) margins_ = ImVec2(2.6f * font, 1.5f * font);
  const ImVec2 margins = ticks ? margins_ : ImVec2(0.0f, 0.0f);
  const float inner = std::max(2.0f * font, std::min(size.x - margins.x, size.y - text_h - margins.y));
  renderer::PlotOptions options;
  options.size = ImVec2(inner + margins.x, inner + margins.y);
  options.show_legend = false;
  options.grid_on_top = true;
  options.font_scale = 0.8f;
  const renderer::AxisRange range{-kReverseHalfRange, kReverseHalfRange};
  // Centre the plot in its cell.
  const float start_x = ImGui::GetCursorPosX();
  ImGui::SetCursorPosX(start_x + std::max(0.0f, 0.5f * (size.x - options.size.x)));
  char id[32];
  std::snprintf(id, sizeof id, "##reverse%d", index);
  const renderer::PlotInteraction area = ticks ? renderer::begin_plot_area(id, range, range, options)
                                               : begin_bare_area(id, inner, kReverseHalfRange);
  if (ticks) {
    margins_ = ImVec2(options.size.x - (area.inner_max.x - area.inner_min.x),
                      options.size.y - (area.inner_max.y - area.inner_min.y));
  }
  // Arrows about 1.7 font sizes apart, whatever the cloud's size (odd: one sits on the origin).
  const int grid = std::clamp(static_cast<int>((area.inner_max.x - area.inner_min.x) / (1.7f * font)), 7, 25) | 1;
  if (index == 0) state.reverse.field_grid = grid;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  Slot& s = slots_[static_cast<std::size_t>(index)];
  const ImVec2 fb_scale = ImGui::GetIO().DisplayFramebufferScale;
  const int width_px = std::max(1, static_cast<int>(std::lround((area.inner_max.x - area.inner_min.x) * fb_scale.x)));
  const int height_px = std::max(1, static_cast<int>(std::lround((area.inner_max.y - area.inner_min.y) * fb_scale.y)));
  std::string gl_error;
  const bool has_cloud = panel && panel->error.empty() && !panel->xt_xy.empty();
  if (s.points.initialized() && s.target.resize(width_px, height_px, &gl_error)) {
    const ImVec4 bg = palette.point_background;
    renderer::PointView view;
    view.x_min = view.y_min = -kReverseHalfRange;
    view.x_max = view.y_max = kReverseHalfRange;
    view.point_diameter_px = std::max(2.5f, static_cast<float>(width_px) / 120.0f);
    const bool has_data = data_points_.initialized() && data_points_.point_count() > 0;
    // Rasterised once per change of the clouds or the view, not once per frame.
    const std::uint64_t key = renderer::ContentKey{}.add(s.points.revision()).add(data_points_.revision())
                                  .add(has_data).add(has_cloud).add(width_px).add(height_px)
                                  .add(view.point_diameter_px).add(bg).value();
    if (!s.target.shows(key)) {
      s.target.begin();
      s.target.clear(bg.x, bg.y, bg.z, 1.0f);
      view.opacity = 0.3f;
      if (has_data) data_points_.draw(view);
      view.opacity = 0.9f;
      if (has_cloud) s.points.draw(view);
      s.target.end();
      s.target.set_shown(key);
    }
    dl->AddImage(s.target.texture_id(), area.inner_min, area.inner_max, renderer::RenderTarget::image_uv0(),
                 renderer::RenderTarget::image_uv1());
  }
  const ImVec2 note_pos(area.inner_min.x + 0.5f * font, area.inner_min.y + 0.4f * font);
  const float wrap = area.inner_max.x - area.inner_min.x - font;
  if (!init_error_.empty() || !gl_error.empty()) {
    const std::string& message = !init_error_.empty() ? init_error_ : gl_error;
    dl->AddText(ImGui::GetFont(), font, note_pos, palette.error_text, message.c_str(), nullptr, wrap);
  } else if (panel && !panel->error.empty()) {
    std::string message = panel->error;
    if (message.find("Train") == std::string::npos && state.reverse.panels[static_cast<std::size_t>(index)].denoiser == DenoiserKind::Model) {
      message += "\n→ press Train (right), or choose the exact denoiser.";
    }
    dl->AddText(ImGui::GetFont(), font, note_pos, palette.error_text, message.c_str(), nullptr, wrap);
  } else if (!panel) {
    dl->AddText(ImGui::GetFont(), font, note_pos, ImGui::GetColorU32(ImGuiCol_TextDisabled), "starting …");
  } else {
    draw_overlays(state, *panel, area, palette);
    // How straight the tracked paths are, measured (1 = straight), in the cloud's top-left corner;
    // the short form where the long one would cover the cloud.
    std::string ratio = state.reverse.trajectories ? path_ratio_text(panel->path_length_ratio) : "";
    float ratio_size = font;
    auto ratio_width = [&] { return ImGui::GetFont()->CalcTextSizeA(ratio_size, FLT_MAX, 0.0f, ratio.c_str()).x; };
    if (!ratio.empty() && ratio_width() > wrap) ratio = path_ratio_text(panel->path_length_ratio, true);
    if (!ratio.empty() && ratio_width() > wrap) ratio_size = 0.75f * font;
    // The narrowest clouds (four panels at 1280x720): the number alone, which the caption's legend
    // names ("len/dist: ..."), rather than a cut label.
    if (!ratio.empty() && ratio_width() > wrap) {
      char number[16];
      std::snprintf(number, sizeof number, "%.2f", panel->path_length_ratio);
      ratio = number;
    }
    if (!ratio.empty()) {
      dl->AddText(ImGui::GetFont(), ratio_size, note_pos, ImGui::GetColorU32(ImGuiCol_Text), ratio.c_str());
    }
  }
  if (ticks) {
    renderer::end_plot_area(area, options);
  } else {
    end_bare_area(area, kReverseHalfRange);
  }

  // Clicks: left tracks the nearest point of this cloud, right clears.
  if (area.hovered && has_cloud) {
    const float px_per_unit = (area.inner_max.x - area.inner_min.x) / static_cast<float>(2.0 * kReverseHalfRange);
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
      track_point(state.reverse, nearest_point(panel->xt_xy, area.hover_x, area.hover_y, 1.2 * font / px_per_unit));
    }
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Right)) clear_tracked(state.reverse);
  }

  draw_panel_captions(index, state, panel, size, start_x, palette);
  ImGui::EndGroup();
}

// Under the cloud: its label; t and the sliced Wasserstein distance to the data; the share of
// copied training points (the memorisation meter); a failed step's message.
void ReverseCloudsView::draw_panel_captions(int index, const AppState& state, const ReversePanelFrame* panel,
                                            ImVec2 size, float start_x, const renderer::Palette& palette) {
  ImGui::SetCursorPosX(start_x);
  // The form draw() chose for every panel (the same one, so the labels read alike).
  const std::vector<std::string> forms = panel_label_forms(panel_caption(index, state, panel));
  fitted_text(forms[std::min(label_form_, forms.size() - 1)], size.x, ImGui::GetColorU32(ImGuiCol_Text));
  ImGui::SetCursorPosX(start_x);
  std::string second, third;
  if (panel && panel->error.empty()) {
    // Narrow panels: "t=0  SWD 0.056", then t alone (each caption names the t of its cloud); the
    // meter drops its radius.
    // Forms are chosen on sample values as wide as any ("0.0000", "99.9 %") and filled with this
    // panel's, so that every panel shows the same form. A distance not computed yet is left out
    // rather than promised ("SWD …").
    const bool swd_known = distance_is_current(*panel);   // not the last one, of another t
    // The meter is computed with the distance: until then it too would describe another state.
    const double copied_share = swd_known ? panel->copied_share : std::numeric_limits<double>::quiet_NaN();
    const std::string swd = swd_text(panel->sliced_wasserstein, panel->sliced_wasserstein_class);
    const std::string swd_wide_sample = swd_text(0.0123, panel->sliced_wasserstein_class);  // as wide as any
    const std::string value = swd.substr(std::min(swd.size(), swd.find("= ") == std::string::npos ? 0 : swd.find("= ") + 2));
    std::string t_text = std::to_string(panel->shown_t);
    // A flow panel's state at τ shows at t = τ·T (flow_panel_step.hpp): the long form names both,
    // the short one τ alone (the panel's own time).
    const int K = static_cast<int>(panel->visited_t.size());
    std::string t_short = "t=" + t_text;
    if (panel->label.rfind("flow", 0) == 0 && K > 0) {
      char tau[48];
      std::snprintf(tau, sizeof tau, "%.3g", static_cast<double>(K - panel->shown_state) / K);
      t_text += std::string(" (τ = ") + tau + ")";
      t_short = std::string("τ=") + tau;
    }
    auto pick = [&](const std::vector<std::string>& samples, const std::vector<std::string>& actual) {
      for (std::size_t i = 0; i < samples.size(); ++i) {
        if (0.75f * ImGui::CalcTextSize(samples[i].c_str()).x <= size.x) return actual[i];
      }
      return actual.back();
    };
    const std::string copies = copies_text(copied_share, CopyRadiusText::None);
    const std::string wide_copies = copies_text(0.999, CopyRadiusText::None);
    if (meter_line_) {
      second = swd_known ? pick({"t = " + t_text + "   " + swd_wide_sample, t_short + "  SWD 0.0000", t_short},
                                {"t = " + t_text + "   " + swd, t_short + "  SWD " + value, t_short})
                         : pick({"t = " + t_text, t_short}, {"t = " + t_text, t_short});
      // The short radius may be drawn at 75 % (fitted_text shrinks it) rather than left out.
      third = copies;
      if (ImGui::CalcTextSize(copies_text(0.999, CopyRadiusText::Long).c_str()).x <= size.x) {
        third = copies_text(copied_share, CopyRadiusText::Long);
      } else if (0.75f * ImGui::CalcTextSize(copies_text(0.999, CopyRadiusText::Short).c_str()).x <= size.x) {
        third = copies_text(copied_share, CopyRadiusText::Short);
      }
      if (index == 0) meter_radius_shown_ = third != copies;   // else the legend says it
      if (index == 0) copies_shown_ = true;
    } else {
      // No room for a third line: t, the distance and the meter share one, in shorter forms; the
      // t goes before the distance when the timeline already shows it (the cloud is at the cursor).
      const std::string swd_sample = swd_known ? "  SWD 0.0000" : "", swd_part = swd_known ? "  SWD " + value : "";
      std::vector<std::string> samples = {
          t_short + swd_sample + "  " + copies_text(0.999, CopyRadiusText::Short), t_short + swd_sample + "  " + wide_copies};
      std::vector<std::string> actual = {
          t_short + swd_part + "  " + copies_text(copied_share, CopyRadiusText::Short), t_short + swd_part + "  " + copies};
      if (swd_known) {
        samples.push_back(t_short + swd_sample);
        actual.push_back(t_short + swd_part);
        if (panel->shown_t == state.t) {
          samples.push_back("SWD 0.0000");
          actual.push_back("SWD " + value);
        }
      }
      samples.push_back(t_short);
      actual.push_back(t_short);
      second = pick(samples, actual);
      if (index == 0) {
        meter_radius_shown_ = second.find("≤") != std::string::npos;
        copies_shown_ = second.find("copies") != std::string::npos;
      }
    }
  }
  const ImVec2 second_pos = ImGui::GetCursorScreenPos();
  fitted_text(second, size.x, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  if (meter_line_) {
    ImGui::SetCursorPosX(start_x);
    fitted_text(third, size.x, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  }
  if (panel && !panel->error.empty()) {
    // The failed step's message under the cloud as well, wrapped to the panel: a small cloud
    // (a projector, four panels) cannot hold it.
    ImGui::SetCursorPosX(start_x);
    ImGui::PushStyleColor(ImGuiCol_Text, palette.error_text);
    ImGui::PushTextWrapPos(start_x + size.x);
    ImGui::TextUnformatted(panel->error.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
  }
  if (!second.empty() && ImGui::IsMouseHoveringRect(second_pos, ImVec2(second_pos.x + size.x,
                                                                        ImGui::GetCursorScreenPos().y))) {
    ImGui::SetTooltip("t: the timestep of the cloud above. SWD: sliced Wasserstein distance to fresh data.\n"
                      "copies: the share of these points within %g (data units) of one of the %d training points\n"
                      "of the exact denoiser (it memorises them; a learned model should copy none).",
                      kCopyRadius, state.reverse.n_points);
  }
}

std::string ReverseCloudsView::panel_caption(int index, const AppState& state, const ReversePanelFrame* panel) {
  std::string label;
  if (panel && !panel->label.empty()) {
    label = panel->label;
  } else {
    const ReverseJob job = make_reverse_job(state.reverse, state.a.schedule(), state.dataset, 0, 0);
    if (index < static_cast<int>(job.panels.size())) label = panel_label(job.panels[static_cast<std::size_t>(index)], state.a.schedule()->T());
  }
  if (state.reverse.panel_count > 1) label = "#" + std::to_string(index + 1) + "  " + label;
  return label;
}

void ReverseCloudsView::draw_status(const AppState& state, const ReverseFrame* frame, const renderer::Palette& palette) {
  const ReverseState& r = state.reverse;
  const std::vector<LegendItem> legend = overlay_legend(state, meter_radius_shown_ || !copies_shown_);
  if (!legend.empty()) legend_row(legend);

  // The model's description ("moons.ckpt · v-prediction · 20000 steps · loss 0.926"), the speed
  // and whether it computes, as parts that wrap between them rather than being cut.
  std::vector<std::string> parts;
  if (!frame) {
    parts.push_back("starting the reverse process …");
  } else {
    const std::string& description = frame->model_description;
    for (std::size_t from = 0; from < description.size();) {
      const std::size_t at = description.find(" · ", from);
      parts.push_back(description.substr(from, at == std::string::npos ? std::string::npos : at - from));
      from = at == std::string::npos ? description.size() : at + std::string(" · ").size();
    }
    if (frame->point_steps_per_second > 0.0) {
      char speed[64];
      std::snprintf(speed, sizeof speed, "%.0f point-steps/s", frame->point_steps_per_second);
      parts.push_back(speed);
    }
    if (frame->running) parts.push_back("computing …");
  }
  // A hint for the first click, when the whole status and it fit one line.
  float one_line = 0.0f;
  for (const std::string& part : parts) one_line += ImGui::CalcTextSize((part + " · ").c_str()).x;
  const char* hint = "click a point to track it";
  if (r.tracked.empty() && (r.trajectories || r.predicted_x0 || r.posterior) &&
      one_line + ImGui::CalcTextSize(hint).x <= ImGui::GetContentRegionAvail().x) {
    parts.push_back(hint);
  }
  (void)palette;
  wrapped_parts(parts, ImGui::GetColorU32(ImGuiCol_TextDisabled), " · ");
}

void ReverseCloudsView::draw(AppState& state, const std::shared_ptr<const ReverseFrame>& frame,
                       const renderer::Palette& palette) {
  if (!init_tried_) {
    init_tried_ = true;
    std::string error;
    for (Slot& s : slots_) {
      if (!s.points.init(&error)) init_error_ = "point shaders failed: " + error;
    }
    if (!data_points_.init(&error)) init_error_ = "point shaders failed: " + error;
  }
  if (frame && init_error_.empty()) {
    upload(*frame, state.light_theme);
    frame_ = frame;  // keeps the uploaded frame alive, so its address identifies it
  }

  draw_toolbar(state);

  const ImGuiStyle& style = ImGui::GetStyle();
  const int n = std::clamp(state.reverse.panel_count, 1, kMaxReversePanels);
  // Room for the status line under the clouds and the overlay legend (as many lines as it needs).
  // The estimate, or what the status really took last frame when that was more (legend wraps).
  const std::vector<LegendItem> legend = overlay_legend(state, meter_radius_shown_ || !copies_shown_);
  const float estimate = (1.0f + legend_lines(legend, ImGui::GetContentRegionAvail().x)) *
                             ImGui::GetTextLineHeightWithSpacing() + style.ItemSpacing.y;
  const float status_h = std::max(estimate, measured_status_h_ + style.ItemSpacing.y);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float area_h = std::max(4.0f * ImGui::GetFontSize(), avail.y - status_h);
  // Under each cloud its label, t and the distance, and the meter on a line of its own unless the
  // clouds would then be smaller than 6 font sizes (short windows, many panels, the legend).
  const float line_h = ImGui::GetTextLineHeightWithSpacing(), font = ImGui::GetFontSize();
  PanelTiling tiling = tile_square_panels(n, avail.x, area_h, 3.0f * line_h + 1.5f * font, style.ItemSpacing.x,
                                         style.ItemSpacing.y);
  meter_line_ = tiling.side >= 6.0f * font;
  if (!meter_line_) {
    tiling = tile_square_panels(n, avail.x, area_h, 2.0f * line_h + 1.5f * font, style.ItemSpacing.x, style.ItemSpacing.y);
  }
  const int cols = tiling.cols;
  const ImVec2 cell(tiling.cell_w, tiling.cell_h);
  // One label form for all panels: the longest that fits every one of them (at 75 %).
  label_form_ = 0;
  for (int i = 0; i < n; ++i) {
    const ReversePanelFrame* panel =
        frame && i < static_cast<int>(frame->panels.size()) ? &frame->panels[static_cast<std::size_t>(i)] : nullptr;
    const std::vector<std::string> forms = panel_label_forms(panel_caption(i, state, panel));
    std::size_t k = 0;
    while (k + 1 < forms.size() && 0.75f * ImGui::CalcTextSize(forms[k].c_str()).x > cell.x) ++k;
    label_form_ = std::max(label_form_, k);
  }
  const ImVec2 origin = ImGui::GetCursorPos();
  for (int i = 0; i < n; ++i) {
    const int row = i / cols, col = i % cols;
    ImGui::SetCursorPos(ImVec2(origin.x + col * (cell.x + style.ItemSpacing.x), origin.y + row * (cell.y + style.ItemSpacing.y)));
    ImGui::PushID(i);
    draw_panel(i, state, frame.get(), cell, palette);
    ImGui::PopID();
  }
  ImGui::SetCursorPos(ImVec2(origin.x, origin.y + area_h + style.ItemSpacing.y));
  const float status_top = ImGui::GetCursorPosY();
  draw_status(state, frame.get(), palette);
  measured_status_h_ = ImGui::GetCursorPosY() - status_top;
}

}  // namespace diffuscope::gui
