#include "gui/views/images/image_grids_view.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "diffusion/schedule.hpp"
#include "gui/state/caption_forms.hpp"
#include "gui/state/layout.hpp"
#include "gui/widgets/ui_helpers.hpp"

namespace diffuscope::gui {

namespace {

constexpr int kAtlasGapPixels = 1;   // between samples, in image pixels (scales with the tiles)

void upload_bytes(renderer::ImageTexture& texture, const std::vector<std::uint8_t>& pixels, int w, int h, int c) {
  if (pixels.size() != static_cast<std::size_t>(w) * h * c || pixels.empty()) {
    texture.release();
    return;
  }
  texture.set_filter(renderer::TextureFilter::Nearest);
  texture.upload_u8(pixels.data(), w, h, c);
}

}  // namespace

void ImageGridsView::release() {
  for (Slot& s : slots_) {
    s.atlas.release();
    s.x_t.release();
    s.x0_hat.release();
    s.eps_hat.release();
    s.atlas_cols = 0;
  }
  uploaded_.reset();
  uploaded_selected_.reset();
}

void ImageGridsView::upload(const ImageReverseFrame& frame, int cols) {
  for (std::size_t i = 0; i < slots_.size() && i < frame.panels.size(); ++i) {
    Slot& s = slots_[i];
    const ImagePanelFrame& p = frame.panels[i];
    // Dark gaps between the samples (the garments are light on black).
    const Atlas atlas = compose_atlas(p.grid, frame.image_count, frame.height, frame.width, frame.channels, cols,
                                      kAtlasGapPixels, 64);
    upload_bytes(s.atlas, atlas.pixels, atlas.width, atlas.height, atlas.channels);
    s.atlas_cols = cols;
  }
}

void ImageGridsView::draw_panel(int index, AppState& state, const ImageReverseFrame* frame, ImVec2 cell,
                            const renderer::Palette& palette) {
  const ImagePanelFrame* panel =
      frame && index < static_cast<int>(frame->panels.size()) ? &frame->panels[static_cast<std::size_t>(index)] : nullptr;
  const float font = ImGui::GetFontSize();
  const float line = ImGui::GetTextLineHeightWithSpacing();
  ImGui::BeginGroup();
  const float start_x = ImGui::GetCursorPosX();
  // Over the grid: the panel's sampler and K.
  std::string label;
  if (panel && !panel->label.empty()) {
    label = panel->label;
  } else {
    const ImageReverseJob job = make_image_job(state.images, state.a.schedule(), 0);
    if (index < static_cast<int>(job.panels.size())) {
      label = image_panel_label(job.panels[static_cast<std::size_t>(index)], state.a.schedule()->T());
    }
  }
  if (state.images.sampling.panel_count > 1) label = "#" + std::to_string(index + 1) + "  " + label;
  fitted_text(first_fitting(panel_label_forms(label), cell.x), cell.x, index == 0 && state.images.sampling.panel_count > 1 ? palette.schedule_a
                                                                                  : ImGui::GetColorU32(ImGuiCol_Text));

  const float grid_h = cell.y - 2.0f * line;
  const Slot& s = slots_[static_cast<std::size_t>(index)];
  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (frame && frame->height > 0 && panel && panel->error.empty() && s.atlas.valid()) {
    const TileGrid grid = tile_grid(frame->image_count, static_cast<float>(frame->width),
                                    static_cast<float>(frame->height), static_cast<float>(kAtlasGapPixels), cell.x, grid_h);
    const ImVec2 size(std::floor(grid.width() * grid.scale), std::floor(grid.height() * grid.scale));
    ImGui::SetCursorPosX(start_x + std::max(0.0f, 0.5f * (cell.x - size.x)));
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImGui::PushID(index);
    ImGui::InvisibleButton("##tiles", ImVec2(std::max(1.0f, size.x), std::max(1.0f, size.y)));
    const bool hovered = ImGui::IsItemHovered();
    ImGui::PopID();
    dl->AddImage(s.atlas.texture_id(), p0, ImVec2(p0.x + size.x, p0.y + size.y));
    const float pitch_x = (grid.tile_w + grid.gap) * grid.scale, pitch_y = (grid.tile_h + grid.gap) * grid.scale;
    auto tile_rect = [&](int i, float grow, ImU32 color, float thickness) {
      const float x = p0.x + (i % grid.cols) * pitch_x, y = p0.y + (i / grid.cols) * pitch_y;
      dl->AddRect(ImVec2(x - grow, y - grow), ImVec2(x + grid.tile_w * grid.scale + grow, y + grid.tile_h * grid.scale + grow),
                  color, 0.0f, 0, thickness);
    };
    const float thickness = std::max(2.0f, font / 8.0f);
    if (hovered) {
      const ImVec2 m = ImGui::GetIO().MousePos;
      const int hit = tile_at(grid, (m.x - p0.x) / grid.scale, (m.y - p0.y) / grid.scale);
      if (hit >= 0) {
        tile_rect(hit, 0.5f * thickness, ImGui::GetColorU32(ImGuiCol_Text, 0.6f), 0.6f * thickness);
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) state.images.selected = hit;
        ImGui::SetTooltip("sample #%d: click to show its x̂_0 and ε̂", hit);
      }
    }
    const int selected = state.images.selected;
    if (selected >= 0 && selected < frame->image_count) tile_rect(selected, 0.5f * thickness, palette.cursor, thickness);
    ImGui::SetCursorPosX(start_x);
    ImGui::Dummy(ImVec2(cell.x, std::max(0.0f, grid_h - size.y)));
  } else {
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(cell.x, grid_h));
    dl->AddRectFilled(p0, ImVec2(p0.x + cell.x, p0.y + grid_h), palette.plot_background);
    std::string message;
    ImU32 color = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    if (frame && !frame->model_error.empty()) {
      message = frame->model_error;
      color = palette.error_text;
    } else if (panel && !panel->error.empty()) {
      message = panel->error;
      color = palette.error_text;
    } else {
      message = "starting …";
    }
    dl->AddText(ImGui::GetFont(), font, ImVec2(p0.x + 0.5f * font, p0.y + 0.4f * font), color, message.c_str(),
                nullptr, cell.x - font);
  }
  // Under the grid: where the panel is.
  ImGui::SetCursorPosX(start_x);
  std::string second;
  // The worker keeps every stride-th state of a long run: a scrubbed cursor may then show a state a
  // few steps noisier than it asks for, and the caption names both.
  const int requested = panel ? requested_timestep(panel->visited_t, state.t) : 0;
  const bool thinned = frame && frame->state_stride > 1 && !state.images.sampling.cursor.follow && panel &&
                       panel->shown_t != requested;
  if (panel && panel->error.empty() && panel->states_done > 0 && thinned) {
    char text[128];
    std::snprintf(text, sizeof text, "t = %d: the kept state nearest t = %d (every %d%s state kept)", panel->shown_t,
                  requested, frame->state_stride, frame->state_stride == 2 ? "nd" : frame->state_stride == 3 ? "rd" : "th");
    second = text;
  } else if (panel && panel->error.empty() && panel->states_done > 0) {
    // Shorter forms for narrow panels: the step count goes first, then the spaces.
    const int steps = static_cast<int>(panel->visited_t.size());
    char full[96], tight[64], bare[48];
    if (panel->shown_state >= steps) {
      std::snprintf(full, sizeof full, "t = 0: x_0 (step %d of %d)", panel->shown_state, steps);
      std::snprintf(tight, sizeof tight, "t = 0: x_0");
      std::snprintf(bare, sizeof bare, "t=0: x_0");
    } else {
      const double alpha_bar = shown_alpha_bar(*panel);
      std::snprintf(full, sizeof full, "t = %d   ᾱ_t = %.3g   step %d of %d", panel->shown_t, alpha_bar,
                    panel->shown_state, steps);
      std::snprintf(tight, sizeof tight, "t = %d   ᾱ_t = %.3g", panel->shown_t, alpha_bar);
      std::snprintf(bare, sizeof bare, "t=%d ᾱ_t=%.2g", panel->shown_t, alpha_bar);
    }
    second = first_fitting({full, tight, bare}, cell.x);
  }
  fitted_text(second, cell.x, ImGui::GetColorU32(ImGuiCol_TextDisabled));
  ImGui::EndGroup();
}

void ImageGridsView::draw(AppState& state, const std::shared_ptr<const ImageReverseFrame>& frame,
                      const renderer::Palette& palette) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const int n = std::clamp(state.images.sampling.panel_count, 1, kMaxReversePanels);
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float status_lines = static_cast<float>(std::max<std::size_t>(
      2, wrap_parts(status_parts(frame.get()), avail.x, " · ").size()));
  const float status_h = status_lines * line + style.ItemSpacing.y;
  const ImVec2 area(avail.x, std::max(4.0f * ImGui::GetFontSize(), avail.y - status_h));
  const int h = frame && frame->height > 0 ? frame->height : 28;
  const int w = frame && frame->width > 0 ? frame->width : 28;
  const int count = frame && frame->image_count > 0 ? frame->image_count : state.images.image_count;
  // "#1  σ² = β̃ · K = 100" and "t = 300   ᾱ_t = 0.3" fit in about 11 font sizes.
  const ImagePanelTiling a = tile_image_panels(n, count, static_cast<float>(w), static_cast<float>(h),
                                               static_cast<float>(kAtlasGapPixels), area.x, area.y, 2.0f * line,
                                               style.ItemSpacing.x, style.ItemSpacing.y, 11.0f * ImGui::GetFontSize());
  const ImVec2 cell(a.panels.cell_w, a.panels.cell_h);

  if (frame && (frame != uploaded_ || a.tiles.cols != uploaded_cols_)) {
    upload(*frame, a.tiles.cols);
    uploaded_ = frame;
    uploaded_cols_ = a.tiles.cols;
  }

  const ImVec2 origin = ImGui::GetCursorPos();
  for (int i = 0; i < n; ++i) {
    const int row = i / a.panels.cols, col = i % a.panels.cols;
    ImGui::SetCursorPos(ImVec2(origin.x + col * (cell.x + style.ItemSpacing.x), origin.y + row * (cell.y + style.ItemSpacing.y)));
    draw_panel(i, state, frame.get(), cell, palette);
  }
  ImGui::SetCursorPos(ImVec2(origin.x, origin.y + area.y + style.ItemSpacing.y));

  wrapped_parts(status_parts(frame.get()), ImGui::GetColorU32(ImGuiCol_TextDisabled), " · ");
}

std::vector<std::string> ImageGridsView::status_parts(const ImageReverseFrame* frame) {
  // The model (or why there is none), then speed and the kept states' memory: parts that wrap
  // between them (wrapped_parts) rather than being cut.
  if (!frame) return {"starting the image sampler …"};
  if (!frame->model_error.empty()) return {"no image model (see the panel)"};
  std::vector<std::string> parts;
  const std::string& description = frame->model_description;
  for (std::size_t from = 0; from < description.size();) {
    const std::size_t at = description.find(" · ", from);
    parts.push_back(description.substr(from, at == std::string::npos ? std::string::npos : at - from));
    from = at == std::string::npos ? description.size() : at + std::string(" · ").size();
  }
  if (frame->running) parts.push_back("computing …");
  char text[96];
  std::snprintf(text, sizeof text, "%.0f image-steps/s", frame->image_steps_per_second);
  parts.push_back(text);
  parts.push_back("kept states " + memory_text(frame->state_bytes) +
                  (frame->state_stride > 1 ? " (every " + std::to_string(frame->state_stride) + "th)" : ""));
  return parts;
}

void ImageGridsView::draw_selected(const AppState& state, const std::shared_ptr<const ImageReverseFrame>& frame,
                               float max_height, const renderer::Palette& palette) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const int selected = state.images.selected;
  if (selected < 0) {
    ImGui::TextDisabled("click a sample");
    return;
  }
  ImGui::Text("Sample #%d", selected);
  ImGui::SameLine();
  ImGui::TextDisabled("(click a tile)");
  if (!frame || frame->height <= 0 || frame->panels.empty()) {
    ImGui::TextDisabled(frame && !frame->model_error.empty() ? "no image model" : "computing …");
    return;
  }
  if (frame != uploaded_selected_) {
    for (std::size_t i = 0; i < slots_.size() && i < frame->panels.size(); ++i) {
      const SampleImages& sample = frame->panels[i].selected;
      Slot& s = slots_[i];
      upload_bytes(s.x_t, sample.x_t, frame->width, frame->height, frame->channels);
      upload_bytes(s.x0_hat, sample.x0_hat, frame->width, frame->height, frame->channels);
      upload_bytes(s.eps_hat, sample.eps_hat, frame->width, frame->height, frame->channels);
    }
    uploaded_selected_ = frame;
  }
  const int n = std::min(static_cast<int>(frame->panels.size()), kMaxReversePanels);
  const bool labels = n > 1;
  // Panels at different t: each row's t under its number ("#2" over "t=40").
  bool rows_differ = false;
  for (int i = 1; i < n; ++i) rows_differ = rows_differ || frame->panels[static_cast<std::size_t>(i)].shown_t != frame->panels[0].shown_t;
  const float label_w =
      labels ? ImGui::CalcTextSize(rows_differ ? "t=1000" : "#4").x + style.ItemSpacing.x : 0.0f;
  const float avail_w = ImGui::GetContentRegionAvail().x - label_w;
  const float rows_h = max_height - 2.0f * line;   // "Sample #k" and the captions
  const float side = std::floor(std::max(8.0f, std::min((avail_w - 2.0f * style.ItemSpacing.x) / 3.0f,
                                                        rows_h / n - style.ItemSpacing.y)));
  // Captions over the three columns, naming the t of the pictures: in the captions when every
  // panel shows the same t (x_0 reached: no ε̂), else beside each row's number.
  const std::string x_t0 = "x_" + std::to_string(frame->panels[0].shown_t);
  std::string captions[3] = {"x_t", "x̂_0", "ε̂"};
  if (!rows_differ) {
    captions[0] = x_t0;
    const bool at_x0 = frame->panels[0].shown_t == 0;   // the sample itself: no step, no ε̂
    captions[1] = at_x0 ? "x̂_0 = x_0" : "x̂_0 from " + x_t0;
    captions[2] = at_x0 ? "ε̂" : "ε̂ at " + x_t0;
    for (std::string& c : captions) {
      if (ImGui::CalcTextSize(c.c_str()).x > side) c = c.substr(0, c.find(' '));
    }
  }
  const ImVec2 caption_origin = ImGui::GetCursorScreenPos();
  for (int c = 0; c < 3; ++c) {
    const float x = caption_origin.x + label_w + c * (side + style.ItemSpacing.x);
    const float tw = ImGui::CalcTextSize(captions[c].c_str()).x;
    ImGui::GetWindowDrawList()->AddText(ImVec2(x + 0.5f * (side - tw), caption_origin.y),
                                        ImGui::GetColorU32(ImGuiCol_Text), captions[c].c_str());
  }
  ImGui::Dummy(ImVec2(avail_w, line - style.ItemSpacing.y));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 border = ImGui::GetColorU32(ImGuiCol_Border);
  for (int i = 0; i < n; ++i) {
    const Slot& s = slots_[static_cast<std::size_t>(i)];
    const ImagePanelFrame& panel = frame->panels[static_cast<std::size_t>(i)];
    const ImVec2 p = ImGui::GetCursorScreenPos();
    if (labels) {
      const ImU32 color = i == 0 ? palette.schedule_a : ImGui::GetColorU32(ImGuiCol_Text);
      const float y = p.y + 0.5f * (side - (rows_differ ? 2.0f : 1.0f) * ImGui::GetFontSize());
      dl->AddText(ImVec2(p.x, y), color, ("#" + std::to_string(i + 1)).c_str());
      if (rows_differ) {
        dl->AddText(ImVec2(p.x, y + ImGui::GetFontSize()), ImGui::GetColorU32(ImGuiCol_TextDisabled),
                    ("t=" + std::to_string(panel.shown_t)).c_str());
      }
    }
    const renderer::ImageTexture* textures[3] = {&s.x_t, &s.x0_hat, &s.eps_hat};
    for (int c = 0; c < 3; ++c) {
      const ImVec2 q(p.x + label_w + c * (side + style.ItemSpacing.x), p.y);
      const ImVec2 r(q.x + side, q.y + side);
      if (textures[c]->valid() && panel.error.empty()) {
        dl->AddImage(textures[c]->texture_id(), q, r);
      } else {
        dl->AddRectFilled(q, r, palette.plot_background);
        if (c == 2 && panel.error.empty() && panel.shown_state >= static_cast<int>(panel.visited_t.size())) {
          const char* text = "t = 0";
          const ImVec2 ts = ImGui::CalcTextSize(text);
          dl->AddText(ImVec2(q.x + 0.5f * (side - ts.x), q.y + 0.5f * (side - ts.y)),
                      ImGui::GetColorU32(ImGuiCol_TextDisabled), text);
        }
      }
      dl->AddRect(ImVec2(q.x - 1, q.y - 1), ImVec2(r.x + 1, r.y + 1), border);
    }
    ImGui::Dummy(ImVec2(label_w + 3.0f * side + 2.0f * style.ItemSpacing.x, side));
  }
  ImGui::TextDisabled("ε̂: grey 0, black −%.0f, white +%.0f", kEpsDisplayRange, kEpsDisplayRange);
}

}  // namespace diffuscope::gui
