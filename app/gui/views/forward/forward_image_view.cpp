#include "gui/views/forward/forward_image_view.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>

#include "gui/protocol/flow_path.hpp"
#include "gui/state/warnings.hpp"
#include "gui/views/forward/schedule_controls.hpp"
#include "gui/widgets/ui_helpers.hpp"

namespace diffuscope::gui {

namespace {
// Pixels are shown crisp when enlarged (nearest) unless the image is already large.
renderer::TextureFilter filter_for(const Image& image) {
  return std::max(image.width, image.height) <= 128 ? renderer::TextureFilter::Nearest
                                                    : renderer::TextureFilter::Linear;
}

void upload_image(renderer::ImageTexture& texture, const Image& image) {
  if (image.empty()) return;
  texture.set_filter(filter_for(image));
  texture.upload_float(image.pixels.data(), image.width, image.height, image.channels, 0.0f, 1.0f);
}

// Largest size with the image's aspect ratio inside (max_w, max_h).
ImVec2 fit(const renderer::ImageTexture& t, float max_w, float max_h) {
  if (t.width() <= 0 || t.height() <= 0 || max_w <= 0 || max_h <= 0) return ImVec2(0, 0);
  const float s = std::min(max_w / static_cast<float>(t.width()), max_h / static_cast<float>(t.height()));
  return ImVec2(std::floor(t.width() * s), std::floor(t.height() * s));
}

void image_with_border(const renderer::ImageTexture& t, ImVec2 size, ImU32 border) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::Image(t.texture_id(), size);
  ImGui::GetWindowDrawList()->AddRect(ImVec2(p.x - 1, p.y - 1), ImVec2(p.x + size.x + 1, p.y + size.y + 1),
                                      border, 0.0f, 0, std::max(1.0f, ImGui::GetFontSize() / 14.0f));
}
}  // namespace

void ForwardImageView::release() {
  for (Side& s : sides_) {
    s.current.release();
    s.x0_hat.release();
    s.strip.clear();
    s.strip_source.reset();
    s.generation = 0;
  }
}

void ForwardImageView::upload(Side& side, const ForwardSide& data, std::uint64_t generation) {
  if (side.generation != generation) upload_image(side.current, data.image);
  if (side.generation != generation || side.x0_pending != data.x0_hat_pending) {
    if (data.x0_hat.empty()) side.x0_hat.release(); else upload_image(side.x0_hat, data.x0_hat);
    side.x0_pending = data.x0_hat_pending;
  }
  side.generation = generation;
  if (data.strip != side.strip_source) {
    side.strip.clear();
    if (data.strip) {
      for (const Image& image : *data.strip) {
        auto texture = std::make_unique<renderer::ImageTexture>();
        upload_image(*texture, image);
        side.strip.push_back(std::move(texture));
      }
    }
    side.strip_source = data.strip;
  }
}

namespace {
// 8 thumbnails in one row when each is wide enough for its t label, else 4 per row.
int strip_columns(float width, float font) {
  const float gap = std::max(2.0f, font * 0.15f);
  return (width - 7.0f * gap) / 8.0f >= 1.1f * font ? 8 : 4;
}
// t labels ("1000") fit under their thumbnail: about 2.5 label heights wide.
float strip_label_size(float thumb, float font) {
  return std::clamp(thumb / 2.5f, 0.5f * font, 0.8f * font);
}
float strip_thumb(float width, float font, int columns) {
  const float gap = std::max(2.0f, font * 0.15f);
  return std::floor((width - gap * static_cast<float>(columns - 1)) / static_cast<float>(columns));
}
float strip_height(float width, float font, int count) {
  const int columns = strip_columns(width, font);
  const int rows = (count + columns - 1) / columns;
  const float thumb = strip_thumb(width, font, columns);
  return static_cast<float>(rows) * (thumb + strip_label_size(thumb, font) + 2.0f);
}
}  // namespace

void ForwardImageView::draw_strip(Side& side, const ForwardSide& data, float width, ImU32 color, float thumb_size) {
  const int n = static_cast<int>(side.strip.size());
  if (n == 0) return;
  const float font_px = ImGui::GetFontSize();
  const float gap = std::max(2.0f, font_px * 0.15f);
  const int columns = thumb_size > 0.0f ? std::max(n, 1) : strip_columns(width, font_px);
  const float thumb = thumb_size > 0.0f ? thumb_size : strip_thumb(width, font_px, columns);
  if (thumb < 4.0f) return;
  const float label_size = strip_label_size(thumb, font_px);
  const float row_h = thumb + label_size + 2.0f;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImFont* font = ImGui::GetFont();
  // The strip image nearest the cursor is framed, so the audience sees where the big image sits.
  int nearest = 0;
  for (int k = 1; k < n && k < static_cast<int>(data.strip_t.size()); ++k) {
    if (std::abs(data.strip_t[static_cast<std::size_t>(k)] - data.t) <
        std::abs(data.strip_t[static_cast<std::size_t>(nearest)] - data.t)) {
      nearest = k;
    }
  }
  for (int k = 0; k < n; ++k) {
    const float x = origin.x + static_cast<float>(k % columns) * (thumb + gap);
    const float y = origin.y + static_cast<float>(k / columns) * row_h;
    const renderer::ImageTexture& t = *side.strip[static_cast<std::size_t>(k)];
    const ImVec2 size = fit(t, thumb, thumb);
    const ImVec2 p(x + 0.5f * (thumb - size.x), y + 0.5f * (thumb - size.y));
    if (t.valid()) dl->AddImage(t.texture_id(), p, ImVec2(p.x + size.x, p.y + size.y));
    const int tk = k < static_cast<int>(data.strip_t.size()) ? data.strip_t[static_cast<std::size_t>(k)] : 0;
    const std::string label = std::to_string(tk);
    const ImVec2 ls = font->CalcTextSizeA(label_size, 1e9f, 0.0f, label.c_str());
    dl->AddText(font, label_size, ImVec2(x + 0.5f * (thumb - ls.x), y + thumb + 1.0f),
                ImGui::GetColorU32(ImGuiCol_Text), label.c_str());
    if (k == nearest) {
      dl->AddRect(ImVec2(x - 1, y - 1), ImVec2(x + thumb + 1, y + thumb + 1), color, 0.0f, 0,
                  std::max(2.0f, font_px / 10.0f));
    }
  }
  const int rows = (n + columns - 1) / columns;
  ImGui::Dummy(ImVec2(width, static_cast<float>(rows) * row_h));
}

namespace {

// Header: where the image comes from; Fashion-MNIST can be browsed.
void draw_image_name(const AppState& state, ImageViewActions& actions) {
  if (state.image_is_fashion) {
    if (ImGui::ArrowButton("##prev_image", ImGuiDir_Left)) actions.fashion_step = -1;
    item_tooltip("x_0: the previous Fashion-MNIST test image");
    ImGui::SameLine();
    if (ImGui::ArrowButton("##next_image", ImGuiDir_Right)) actions.fashion_step = +1;
    item_tooltip("x_0: the next Fashion-MNIST test image");
    ImGui::SameLine();
  }
  ImGui::AlignTextToFramePadding();
  {
    // A long name shrinks (down to 80 %), else its short form is shown, rather than being cut off.
    const float room = ImGui::GetContentRegionAvail().x;
    const char* name = state.image_name.empty() ? "no image" : state.image_name.c_str();
    if (!state.image_short_name.empty() && 0.8f * ImGui::CalcTextSize(name).x > room) {
      name = state.image_short_name.c_str();
    }
    const float width = ImGui::CalcTextSize(name).x;
    const float scale = width > room && width > 0 ? std::max(0.8f, room / width) : 1.0f;
    ImGui::SetWindowFontScale(scale);
    ImGui::TextUnformatted(name);
    ImGui::SetWindowFontScale(1.0f);
  }
  item_tooltip("x_0: drop a PNG/JPEG on the window (or pass --image PATH) to use your own");
}

// The model's x̂_0 beside x_t (one schedule), or why there is none, in the space it would take.
void draw_x0_hat(const ForwardFrame& frame, const renderer::ImageTexture& texture, float big_w, float big_h, ImU32 border) {
  ImGui::BeginGroup();
  // The x_t it came from: while this t's x̂_0 is computed, the last one stays, with its own t.
  const std::string from = "x_" + std::to_string(frame.a.x0_hat_t >= 0 ? frame.a.x0_hat_t : frame.a.t);
  ImGui::TextUnformatted(first_fitting({"x̂_0 by the model from " + from, "x̂_0 from " + from, "x̂_0"}, big_w, 1.0f).c_str());
  item_tooltip("x̂_0 = (x_t − √(1 − ᾱ_t) · ε̂) / √ᾱ_t: the U-Net's estimate of the clean image");
  const ImVec2 size = fit(texture, big_w, big_h);
  if (texture.valid() && size.x > 0 && !frame.a.x0_hat.empty()) {
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.0f, 0.5f * (big_w - size.x)));
    image_with_border(texture, size, border);
  } else {
    // Why there is no prediction, in the space the image would take: at 80 %, or smaller (to 60 %)
    // where its longest word would not fit the column (ImGui would break the word).
    float longest_word = 0.0f;
    const std::string& note = frame.a.x0_hat_note;
    for (std::size_t from = 0; from < note.size();) {
      const std::size_t end = std::min(note.find(' ', from), note.size());
      longest_word = std::max(longest_word, ImGui::CalcTextSize(note.c_str() + from, note.c_str() + end).x);
      from = end + 1;
    }
    const float note_scale = longest_word > 0.0f ? std::clamp(big_w / longest_word, 0.6f, 0.8f) : 0.8f;
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + big_w);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetColorU32(ImGuiCol_TextDisabled));
    ImGui::SetWindowFontScale(note_scale);
    ImGui::TextUnformatted(frame.a.x0_hat_note.c_str());
    ImGui::SetWindowFontScale(1.0f);
    ImGui::PopStyleColor();
    ImGui::PopTextWrapPos();
  }
  ImGui::EndGroup();
}

}  // namespace

ImageViewActions ForwardImageView::draw(const AppState& state, const ForwardFrame* frame,
                                 const renderer::Palette& palette) {
  ImageViewActions actions;
  const float font = ImGui::GetFontSize();

  draw_image_name(state, actions);

  if (!frame || !state.image) {
    ImGui::TextDisabled(state.image ? "computing x_t …" : "drop a PNG/JPEG onto the window");
    return actions;
  }
  const bool two = frame->compare && state.compare;
  upload(sides_[0], frame->a, frame->generation);
  if (two) upload(sides_[1], frame->b, frame->generation);

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float spacing = ImGui::GetStyle().ItemSpacing.x;
  const int strips = two ? 2 : 1;
  const float spacing_y = ImGui::GetStyle().ItemSpacing.y;
  const float caption_h = ImGui::GetTextLineHeightWithSpacing();
  // One schedule and a model prediction (or why there is none): x_t and x̂_0 side by side.
  const bool with_x0 = !two && (!frame->a.x0_hat.empty() || !frame->a.x0_hat_note.empty());
  const float big_w = two || with_x0 ? std::floor((avail.x - spacing) * 0.5f) : avail.x;
  float big_h = 0.0f;
  // Compare: one strip caption, then one row of 8 thumbnails per side behind an "A"/"B" label.
  // The thumbnails shrink until the two x_t images are at least 2.5 thumbnails tall, so the
  // current images stay the largest things in the panel.
  const float row_label_w = ImGui::CalcTextSize("A").x + spacing;
  float compare_thumb = 0.0f;
  bool compare_strips = true;
  bool single_strip = true;
  if (two) {
    const float gap = std::max(2.0f, font * 0.15f);
    const float room = avail.y - 2.0f * caption_h - spacing_y;  // captions: "A: x_t", strip title
    float thumb = std::floor((avail.x - row_label_w - 7.0f * gap) / 8.0f);
    const float label_extra = strip_label_size(thumb, font) + 2.0f + spacing_y;
    const float rows_h = 2.0f * label_extra;
    if (room - rows_h - 2.0f * thumb < std::min(big_w, 2.5f * thumb)) {
      thumb = std::floor((room - rows_h) / 4.5f);
    }
    compare_thumb = std::max(8.0f, thumb);
    big_h = std::max(2.0f * font, room - rows_h - 2.0f * compare_thumb);
    // A short panel (presenter mode's readout and equations take height) would make the strips
    // too small to read and their t labels collide: the two x_t images take the room instead.
    compare_strips = compare_thumb >= 1.6f * font;
    if (!compare_strips) big_h = std::max(2.0f * font, avail.y - caption_h - spacing_y);
  } else {
    const float strip_h = strip_height(avail.x, font, 8) + spacing_y;
    big_h = avail.y - caption_h - static_cast<float>(strips) * (strip_h + caption_h) - spacing_y;
    // A short panel (1280x720 at a large UI scale) would cut the strip off below: x_t takes the
    // room instead, as in Compare.
    single_strip = big_h >= 3.0f * font;
    big_h = single_strip ? big_h : std::max(2.0f * font, avail.y - caption_h - spacing_y);
  }
  const ImU32 border = ImGui::GetColorU32(ImGuiCol_Border);

  // Columns start at fixed x positions, so a caption wider than its image cannot push the next
  // column out of the panel; such captions fall back to their short form.
  const float column_x = ImGui::GetCursorPosX();
  // The Markov process steps the 2D points only: its images are drawn with the closed form, which
  // has the same law as t Markov steps (forward_compute.cpp), and the captions say so.
  const bool closed_form_images = frame->process == ForwardProcess::Markov;
  for (int i = 0; i < (two ? 2 : 1); ++i) {
    const ForwardSide& data = i == 0 ? frame->a : frame->b;
    Side& side = sides_[static_cast<std::size_t>(i)];
    if (i == 1) ImGui::SameLine(column_x + big_w + spacing);
    ImGui::BeginGroup();
    // Each caption names the t of its picture (B's cursor is clamped to B's own T).
    // Flow matching's path is at τ = t / T (its x_0 coefficient is 1 − τ).
    const std::string x_t = data.flow ? "x_τ, τ = " + format_short(flow_tau(data.t, forward_T(data)))
                                      : "x_" + std::to_string(data.t);
    const std::string side_name = two ? std::string(i == 0 ? "A: " : "B: ") : "";
    const std::string caption =
        closed_form_images
            ? first_fitting({side_name + (two ? x_t : "x_t at t = " + std::to_string(data.t)) +
                                 ", closed form (the law of t Markov steps)",
                             side_name + x_t + ", closed form", side_name + x_t},
                            big_w, 1.0f)
            : first_fitting({side_name + (two ? x_t : "x_t at t = " + std::to_string(data.t)), side_name + x_t}, big_w, 1.0f);
    ImGui::PushStyleColor(ImGuiCol_Text, two ? (i == 0 ? palette.schedule_a : palette.schedule_b)
                                             : ImGui::GetColorU32(ImGuiCol_Text));
    ImGui::TextUnformatted(caption.c_str());
    ImGui::PopStyleColor();
    const ImVec2 size = fit(side.current, big_w, big_h);
    if (side.current.valid() && size.x > 0) {
      // Centre the image in its column.
      ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.0f, 0.5f * (big_w - size.x)));
      image_with_border(side.current, size, border);
    } else {
      ImGui::Dummy(ImVec2(big_w, big_h));
    }
    ImGui::EndGroup();
  }
  if (with_x0) {
    ImGui::SameLine(column_x + big_w + spacing);
    draw_x0_hat(*frame, sides_[0].x0_hat, big_w, big_h, border);
  }

  if ((two && !compare_strips) || (!two && !single_strip)) return actions;
  if (two) {
    ImGui::TextDisabled("%s", closed_form_images ? first_fitting({"x_t at 8 evenly spaced t, closed form", "x_t at 8 t, closed form"},
                                                                 avail.x, 1.0f).c_str()
                        : frame->b.flow ? first_fitting({"x_t at 8 evenly spaced t (B: x_τ at τ = t/T)", "x_t at 8 evenly spaced t"},
                                                        avail.x, 1.0f).c_str()
                                        : "x_t at 8 evenly spaced t");
    for (int i = 0; i < 2; ++i) {
      const ImU32 color = i == 0 ? palette.schedule_a : palette.schedule_b;
      ImGui::TextColored(to_vec4(color), "%s", i == 0 ? "A" : "B");
      ImGui::SameLine(0.0f, spacing);
      draw_strip(sides_[static_cast<std::size_t>(i)], i == 0 ? frame->a : frame->b, avail.x - row_label_w,
                 palette.cursor, compare_thumb);
    }
    return actions;
  }
  for (int i = 0; i < 1; ++i) {
    const ForwardSide& data = frame->a;
    const std::string side_name = two ? (i == 0 ? "A: " : "B: ") : "";
    const std::string caption =
        closed_form_images ? first_fitting({side_name + "x_t at 8 evenly spaced t, closed form (the law of t Markov steps)",
                                            side_name + "x_t at 8 evenly spaced t, closed form",
                                            side_name + "x_t at 8 t, closed form"},
                                           avail.x, 1.0f)
                           : side_name + "x_t at 8 evenly spaced t";
    ImGui::PushStyleColor(ImGuiCol_Text, two ? (i == 0 ? palette.schedule_a : palette.schedule_b)
                                             : ImGui::GetColorU32(ImGuiCol_TextDisabled));
    ImGui::TextUnformatted(caption.c_str());
    ImGui::PopStyleColor();
    draw_strip(sides_[static_cast<std::size_t>(i)], data, avail.x, palette.cursor);
  }
  return actions;
}

}  // namespace diffuscope::gui
