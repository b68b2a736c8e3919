#include "gui/views/forward/points_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "diffusion/schedule.hpp"
#include "gui/protocol/flow_path.hpp"
#include "gui/state/point_colors.hpp"
#include "gui/state/choice_tables.hpp"
#include "gui/state/schedule_labels.hpp"
#include "gui/widgets/ui_helpers.hpp"
#include "gui/state/warnings.hpp"
#include "renderer/plot_widget.hpp"

namespace diffuscope::gui {

void PointsView::release() {
  for (Side& s : sides_) {
    s.points.release();
    s.target.release();
  }
}

void PointsView::upload(const ForwardFrame& frame, bool light_theme, bool by_class) {
  by_class = (by_class || frame.drawn) && frame.classes.size() == frame.x0_xy.size() / 2;
  std::vector<std::uint32_t> colors;  // computed at most once per call, only when needed
  const ForwardSide* sides[2] = {&frame.a, frame.compare ? &frame.b : nullptr};
  for (int i = 0; i < 2; ++i) {
    if (!sides[i]) continue;
    Side& s = sides_[i];
    if (s.generation != frame.generation) {
      s.points.set_positions(sides[i]->xt_xy.data(), static_cast<int>(sides[i]->xt_xy.size() / 2));
      s.generation = frame.generation;
    }
    if (!s.has_colors || s.colors_revision != frame.x0_revision || s.colors_light != light_theme ||
        s.colors_by_class != by_class) {
      if (colors.empty()) {
        colors = by_class ? class_colors(frame.classes.data(), static_cast<int>(frame.classes.size()), 0.75f,
                                         light_theme)
                          : start_position_colors(frame.x0_xy.data(), static_cast<int>(frame.x0_xy.size() / 2),
                                                  0.75f, light_theme);
      }
      s.points.set_colors(colors.data(), static_cast<int>(colors.size()));
      s.colors_revision = frame.x0_revision;
      s.colors_light = light_theme;
      s.colors_by_class = by_class;
      s.has_colors = true;
    }
  }
}

void PointsView::draw_side(int index, const char* title, ImU32 title_color, const ForwardFrame& frame,
                           const ForwardSide& side, double half_range, ImVec2 size,
                           const renderer::Palette& palette, AppState* canvas) {
  const float font = ImGui::GetFontSize();
  ImGui::BeginGroup();
  char line[160];
  // The naive process keeps x_0 whole (ᾱ plays no role): its noise scale √(tβ) is what grows.
  // Read from the frame's own job: the slot's schedule may already be newer than the picture.
  const bool naive = frame.process == ForwardProcess::Naive;
  // Flow matching's path has its own time τ = t / T (x_0's coefficient is 1 − τ).
  const std::string scale_text = side.flow ? "τ = " + format_short(flow_tau(side.t, forward_T(side)))
                                 : naive   ? "√(tβ) = " + format_short(forward_noise_std(frame, side))
                                           : "ᾱ_t = " + format_short(forward_alpha_bar(frame, side));
  if (index == 0 && sides_shown_ == 1) {
    (void)title;  // the family is in the schedule panel; the title keeps what changes with t
    std::snprintf(line, sizeof line, "t = %d / %d   %s", side.t, forward_T(side), scale_text.c_str());
  } else {
    // Side by side the shared t is on the timeline; each title keeps what differs. Narrow views
    // drop the schedule's name (the curves' legend has it) before the number would be cut.
    const std::string title_text(title);
    const std::string shorter = first_fitting(
        {title_text + "   " + scale_text, title_text.substr(0, title_text.find(',')) + "   " + scale_text,
         title_text.substr(0, title_text.find(' ', title_text.find(": ") + 2)) + "   " + scale_text,   // "B: flow"
         title_text.substr(0, title_text.find(':')) + "  " + scale_text, scale_text},
        size.x);
    std::snprintf(line, sizeof line, "%s", shorter.c_str());
  }
  ImGui::PushStyleColor(ImGuiCol_Text, title_color);
  const ImVec2 title_pos = ImGui::GetCursorScreenPos();
  ImGui::PushClipRect(title_pos, ImVec2(title_pos.x + size.x, title_pos.y + ImGui::GetTextLineHeightWithSpacing()), true);
  // A title wider than its view (e.g. "B: cosine   √(tβ) = 1.41" at a large UI scale) shrinks a
  // little rather than being cut off; the clip rect still guards the neighbour.
  const float title_w = ImGui::CalcTextSize(line).x;
  const float title_scale = title_w > size.x && title_w > 0.0f ? std::max(0.75f, size.x / title_w) : 1.0f;
  ImGui::SetWindowFontScale(title_scale);
  ImGui::TextUnformatted(line);
  ImGui::SetWindowFontScale(1.0f);
  ImGui::PopClipRect();
  ImGui::PopStyleColor();

  // A square data area: the frame (tick labels) around it was measured on the previous frame.
  const float avail_w = size.x;
  const float avail_h = size.y - ImGui::GetTextLineHeightWithSpacing();
  if (margins_.x <= 0.0f) margins_ = ImVec2(3.0f * font, 1.6f * font);
  const float inner = std::max(2.0f * font, std::min(avail_w - margins_.x, avail_h - margins_.y));
  renderer::PlotOptions options;
  options.size = ImVec2(inner + margins_.x, inner + margins_.y);
  options.show_legend = false;
  options.grid_on_top = true;
  options.font_scale = 0.85f;
  const renderer::AxisRange range{-half_range, half_range};
  char id[32];
  std::snprintf(id, sizeof id, "##points%d", index);
  const renderer::PlotInteraction area = renderer::begin_plot_area(id, range, range, options);
  margins_ = ImVec2(options.size.x - (area.inner_max.x - area.inner_min.x),
                    options.size.y - (area.inner_max.y - area.inner_min.y));

  Side& s = sides_[index];
  const ImVec2 fb_scale = ImGui::GetIO().DisplayFramebufferScale;
  const int width_px = std::max(1, static_cast<int>(std::lround((area.inner_max.x - area.inner_min.x) * fb_scale.x)));
  const int height_px = std::max(1, static_cast<int>(std::lround((area.inner_max.y - area.inner_min.y) * fb_scale.y)));
  ImDrawList* draw_list = ImGui::GetWindowDrawList();
  std::string error;
  if (s.points.initialized() && s.target.resize(width_px, height_px, &error)) {
    const ImVec4 bg = palette.point_background;
    renderer::PointView view;
    view.x_min = view.y_min = -half_range;
    view.x_max = view.y_max = half_range;
    view.point_diameter_px = std::max(2.5f, static_cast<float>(width_px) / 110.0f);
    view.opacity = 0.85f;
    // Rasterised once per change of the points or the view, not once per frame.
    const std::uint64_t key = renderer::ContentKey{}.add(s.points.revision()).add(width_px).add(height_px)
                                  .add(half_range).add(view.point_diameter_px).add(view.opacity).add(bg).value();
    if (!s.target.shows(key)) {
      s.target.begin();
      s.target.clear(bg.x, bg.y, bg.z, 1.0f);
      s.points.draw(view);
      s.target.end();
      s.target.set_shown(key);
    }
    draw_list->AddImage(s.target.texture_id(), area.inner_min, area.inner_max,
                        renderer::RenderTarget::image_uv0(), renderer::RenderTarget::image_uv1());
  } else {
    const std::string message = !init_error_.empty() ? init_error_ : error;
    draw_list->AddText(ImVec2(area.inner_min.x + 0.5f * font, area.inner_min.y + 0.5f * font),
                       palette.error_text, message.c_str());
  }
  if (canvas) draw_with_mouse(*canvas, area);
  renderer::end_plot_area(area, options);
  ImGui::EndGroup();
}

void PointsView::draw_with_mouse(AppState& state, const renderer::PlotInteraction& area) {
  const Brush brush = clamped_brush(state.brush);
  // A drag dabs again once the mouse has moved this far from the last dab (data units).
  const double dab_spacing = std::max(brush.spread, 0.05);
  if (area.hovered && stroke_ == Stroke::None) {
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
      state.drawing.begin_stroke();
      state.drawing.dab(area.hover_x, area.hover_y, brush);
      last_dab_x_ = area.hover_x;
      last_dab_y_ = area.hover_y;
      stroke_ = Stroke::Brush;
    } else if (ImGui::IsMouseClicked(ImGuiMouseButton_Right)) {
      state.drawing.begin_stroke();
      stroke_ = Stroke::Erase;
    }
  }
  if (stroke_ == Stroke::Brush) {
    if (!ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
      stroke_ = Stroke::None;
    } else if (area.hovered && std::hypot(area.hover_x - last_dab_x_, area.hover_y - last_dab_y_) >= dab_spacing) {
      state.drawing.dab(area.hover_x, area.hover_y, brush);
      last_dab_x_ = area.hover_x;
      last_dab_y_ = area.hover_y;
    }
  } else if (stroke_ == Stroke::Erase) {
    if (!ImGui::IsMouseDown(ImGuiMouseButton_Right)) stroke_ = Stroke::None;
    else if (area.hovered) state.drawing.erase(area.hover_x, area.hover_y, erase_radius(brush));
  }

  ImDrawList* draw_list = ImGui::GetWindowDrawList();
  const float font = ImGui::GetFontSize();
  const std::string klass = std::to_string(brush.class_id);
  const std::string hint = first_fitting({"Draw: left drag adds class " + klass + " · right drag erases",
                                          "left: add class " + klass + " · right: erase", "Draw mode"},
                                         area.inner_max.x - area.inner_min.x - 1.2f * font, 1.0f);
  const ImVec2 hint_pos(area.inner_min.x + 0.4f * font, area.inner_min.y + 0.3f * font);
  const ImVec2 hint_size = ImGui::CalcTextSize(hint.c_str());
  draw_list->AddRectFilled(ImVec2(hint_pos.x - 0.2f * font, hint_pos.y - 0.1f * font),
                           ImVec2(hint_pos.x + hint_size.x + 0.2f * font, hint_pos.y + hint_size.y + 0.1f * font),
                           ImGui::GetColorU32(ImGuiCol_WindowBg, 0.8f));
  draw_list->AddText(hint_pos, ImGui::GetColorU32(ImGuiCol_Text), hint.c_str());
  if (!area.hovered) return;
  // The brush under the mouse: the circle holding ~86% of a dab (2σ), or the eraser's reach.
  const bool erasing = stroke_ == Stroke::Erase || ImGui::IsMouseDown(ImGuiMouseButton_Right);
  const double radius = erasing ? erase_radius(brush) : std::max(2.0 * brush.spread, 0.02);
  const ImVec2 centre(area.x_map.to_pixel(area.hover_x), area.y_map.to_pixel(area.hover_y));
  const float radius_px = std::abs(area.x_map.to_pixel(area.hover_x + radius) - centre.x);
  const ImU32 outline = erasing ? ImGui::GetColorU32(ImGuiCol_Text) : class_color(brush.class_id, 1.0f, state.light_theme);
  draw_list->AddCircle(centre, radius_px, outline, 0, erasing ? 1.5f : 2.0f);
}

void PointsView::draw(AppState& state, const ForwardFrame* frame, const renderer::Palette& palette) {
  if (!init_tried_) {
    init_tried_ = true;
    for (Side& s : sides_) {
      std::string error;
      if (!s.points.init(&error)) init_error_ = "point shaders failed: " + error;
    }
  }
  if (!frame) {
    ImGui::TextDisabled("computing x_t …");
    return;
  }
  upload(*frame, state.light_theme, state.color_by_class);

  const bool two = frame->compare && state.compare;
  const int T_shown = two ? std::max(forward_T(frame->a), forward_T(frame->b)) : forward_T(frame->a);
  const double half_range = points_axis_half_range(frame->process, T_shown, state.naive_beta);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const ImVec2 size(two ? std::floor((avail.x - spacing) * 0.5f) : avail.x, avail.y);

  const ScheduleLabelPair names =
      forward_side_labels(frame->a.schedule->params(),
                          frame->b.schedule ? frame->b.schedule->params() : frame->a.schedule->params(),
                          two && frame->b.flow);
  std::string title_a = std::string(two ? "A: " : "") + names.a;
  sides_shown_ = two ? 2 : 1;
  const float start_x = ImGui::GetCursorPosX();
  draw_side(0, title_a.c_str(), two ? palette.schedule_a : ImGui::GetColorU32(ImGuiCol_Text), *frame,
            frame->a, half_range, size, palette, state.draw_mode ? &state : nullptr);
  if (two) {
    ImGui::SameLine(start_x + size.x + spacing);
    std::string title_b = "B: " + names.b;
    draw_side(1, title_b.c_str(), palette.schedule_b, *frame, frame->b, half_range, size, palette, nullptr);
  }
}

}  // namespace diffuscope::gui
