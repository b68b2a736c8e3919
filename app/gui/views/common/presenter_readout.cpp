#include "gui/views/common/presenter_readout.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "gui/state/equations.hpp"

namespace diffuscope::gui {
namespace {

// The numbers' row: the large font (1.5 × the regular size) scaled up once more.
constexpr float kNumbersScale = 1.4f;
// When the numbers do not fit the width they shrink, at most to this share of their size.
constexpr float kMinNumbersShrink = 0.5f;

struct ReadoutItem {
  std::string name;    // "ᾱₜ = "
  std::string value;   // "0.079"
};

std::vector<ReadoutItem> readout_items(const Readout& r) {
  std::vector<ReadoutItem> items;
  std::string t_value = std::to_string(r.t) + " / " + std::to_string(r.T);
  if (r.t_prev >= 0) t_value = std::to_string(r.t) + " → " + std::to_string(r.t_prev);
  items.push_back({"t = ", t_value});
  items.push_back({"ᾱₜ = ", format_coefficient(r.alpha_bar)});
  items.push_back({"SNRₜ = ", format_coefficient(r.snr)});
  items.push_back({"log-SNR = ", format_coefficient(r.log_snr)});
  items.push_back({"σₜ = ", format_coefficient(r.sigma)});
  return items;
}

ImFont* large_font(const renderer::FontSet& fonts) {
  return fonts.large != nullptr ? fonts.large : ImGui::GetFont();
}

}  // namespace

void draw_presenter_readout(const AppState& state, const renderer::FontSet& fonts,
                            const renderer::Palette& palette) {
  const Readout r = current_readout(state);
  const ImU32 dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
  ImFont* font = large_font(fonts);
  const float width = ImGui::GetContentRegionAvail().x;
  const float x0 = ImGui::GetCursorPosX();
  ImGui::SetWindowFontScale(1.0f);
  ImGui::PushFont(font);

  // Title row: the scene's title on the left, what σₜ is on the right (both shrink to fit).
  {
    const std::string& caption = r.sigma_caption;
    const float title_w = state.scene_title.empty() ? 0.0f : ImGui::CalcTextSize(state.scene_title.c_str()).x;
    const float caption_w = ImGui::CalcTextSize(caption.c_str()).x;
    const float gap = 2.0f * font->FontSize;
    const float needed = title_w + gap + caption_w;
    const float scale = needed > width && needed > 0.0f ? std::max(kMinNumbersShrink, width / needed) : 1.0f;
    ImGui::SetWindowFontScale(scale);
    if (!state.scene_title.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, palette.schedule_a);
      ImGui::TextUnformatted(state.scene_title.c_str());
      ImGui::PopStyleColor();
      ImGui::SameLine(x0 + std::max(title_w * scale + gap * scale, width - caption_w * scale));
    } else {
      ImGui::SetCursorPosX(x0 + std::max(0.0f, width - caption_w * scale));
    }
    ImGui::PushStyleColor(ImGuiCol_Text, dim);
    ImGui::TextUnformatted(caption.c_str());
    ImGui::PopStyleColor();
  }

  // Numbers row, spread over the width.
  const std::vector<ReadoutItem> items = readout_items(r);
  ImGui::SetWindowFontScale(1.0f);
  float natural = 0.0f;  // at kNumbersScale
  for (const ReadoutItem& item : items)
    natural += ImGui::CalcTextSize((item.name + item.value).c_str()).x * kNumbersScale;
  const float min_gap = 1.5f * font->FontSize * kNumbersScale;
  const float needed = natural + min_gap * static_cast<float>(items.size() - 1);
  const float shrink = needed > width && needed > 0.0f ? std::max(kMinNumbersShrink, width / needed) : 1.0f;
  const float scale = kNumbersScale * shrink;
  ImGui::SetWindowFontScale(scale);
  const float spare = std::max(0.0f, width - natural * shrink);
  const float gap = items.size() > 1 ? spare / static_cast<float>(items.size() - 1) : 0.0f;
  float x = x0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) ImGui::SameLine(x);
    else ImGui::SetCursorPosX(x);
    ImGui::PushStyleColor(ImGuiCol_Text, dim);
    ImGui::TextUnformatted(items[i].name.c_str());
    ImGui::PopStyleColor();
    ImGui::SameLine(0.0f, 0.0f);
    ImGui::TextUnformatted(items[i].value.c_str());
    x += ImGui::CalcTextSize((items[i].name + items[i].value).c_str()).x + gap;
  }
  ImGui::SetWindowFontScale(1.0f);
  ImGui::PopFont();
}

float presenter_readout_height() {
  const ImGuiStyle& style = ImGui::GetStyle();
  // The large font is the regular one at 1.5 × (renderer/fonts.hpp), rounded to whole pixels.
  const ImGuiIO& io = ImGui::GetIO();
  const float regular = io.FontDefault != nullptr ? io.FontDefault->FontSize : ImGui::GetFont()->FontSize;
  const float large = std::round(regular * 1.5f);
  return large + style.ItemSpacing.y + large * kNumbersScale + 2.0f * style.WindowPadding.y;
}

}  // namespace diffuscope::gui
