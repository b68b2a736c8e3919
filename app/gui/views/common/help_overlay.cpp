#include "gui/views/common/help_overlay.hpp"

#include <imgui.h>

#include <algorithm>
#include <vector>

#include "gui/lecture/key_bindings.hpp"
#include "gui/widgets/ui_helpers.hpp"

namespace diffuscope::gui {

namespace {

// The popup's name is also its title bar.
constexpr const char* kPopupName = "Keys";

void push_font(ImFont* font) { ImGui::PushFont(font ? font : ImGui::GetFont()); }

// One group: its name in the large font, then a two-column table of key and action.
void draw_group(const HelpGroup& group, float key_width, const renderer::Palette& palette,
                const renderer::FontSet* fonts) {
  push_font(fonts ? fonts->large : nullptr);
  ImGui::PushStyleColor(ImGuiCol_Text, palette.schedule_a);
  ImGui::TextUnformatted(group.name.c_str());
  ImGui::PopStyleColor();
  ImGui::PopFont();
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_PadOuterX;
  if (ImGui::BeginTable(group.name.c_str(), 2, flags)) {
    ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed, key_width);
    ImGui::TableSetupColumn("action", ImGuiTableColumnFlags_WidthStretch);
    for (const HelpRow& row : group.rows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      push_font(fonts ? fonts->bold : nullptr);
      ImGui::TextUnformatted(row.keys.c_str());
      ImGui::PopFont();
      ImGui::TableNextColumn();
      ImGui::PushTextWrapPos(0.0f);
      ImGui::TextUnformatted(row.description.c_str());
      ImGui::PopTextWrapPos();
    }
    ImGui::EndTable();
  }
  ImGui::Spacing();
}

// Height of the groups laid out in one column of `column_width`, as draw_group draws them.
float groups_height(const std::vector<HelpGroup>& groups, std::size_t begin, std::size_t end, float column_width,
                    float key_width, const renderer::FontSet* fonts) {
  const ImGuiStyle& style = ImGui::GetStyle();
  push_font(fonts ? fonts->large : nullptr);
  const float header_h = ImGui::GetTextLineHeightWithSpacing();
  ImGui::PopFont();
  const float description_w = std::max(1.0f, column_width - key_width - 4.0f * style.CellPadding.x);
  float h = 0.0f;
  for (std::size_t i = begin; i < end; ++i) {
    h += header_h + 2.0f * style.ItemSpacing.y;  // title, spacing after the table
    for (const HelpRow& row : groups[i].rows) {
      h += ImGui::CalcTextSize(row.description.c_str(), nullptr, false, description_w).y + 2.0f * style.CellPadding.y + 1.0f;
    }
  }
  return h;
}

}  // namespace

void draw_help_overlay(AppState& state, const renderer::Palette& palette, const renderer::FontSet* fonts) {
  const bool popup_open = ImGui::IsPopupOpen(kPopupName);
  if (!state.show_help && !popup_open) return;
  if (state.show_help && !popup_open) ImGui::OpenPopup(kPopupName);

  const std::vector<HelpGroup> groups = help_groups();
  const ImGuiStyle& style = ImGui::GetStyle();
  const float font = ImGui::GetFontSize();

  // The key column fits the widest key label (in bold, as drawn).
  push_font(fonts ? fonts->bold : nullptr);
  float key_width = 0.0f;
  for (const HelpGroup& g : groups)
    for (const HelpRow& row : g.rows) key_width = std::max(key_width, ImGui::CalcTextSize(row.keys.c_str()).x);
  ImGui::PopFont();
  key_width += font;

  // 70 % of the display's width. One column when it fits 70 % of the height; else two columns of
  // groups when the descriptions keep room to read (12 em), widening up to 90 % of the display
  // (small screens at a large UI scale). The height fits the list, up to 90 % of the display,
  // beyond which the list scrolls.
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float footer_h = ImGui::GetFrameHeightWithSpacing() + 2.0f * style.ItemSpacing.y;
  const float chrome_h = ImGui::GetFrameHeight() + 2.0f * style.WindowPadding.y + footer_h;
  const std::size_t half = (groups.size() + 1) / 2;
  float width = 0.0f, content_h = 0.0f;
  bool two_columns = false;
  for (const float fraction : {0.7f, 0.8f, 0.9f}) {
    width = std::max(1.0f, fraction * display.x);
    const float inner_w = width - 2.0f * style.WindowPadding.x - style.ScrollbarSize;
    content_h = groups_height(groups, 0, groups.size(), inner_w, key_width, fonts);
    two_columns = false;
    if (chrome_h + content_h <= 0.7f * display.y) break;
    const float column_w = 0.5f * (inner_w - style.ItemSpacing.x);
    if (column_w < key_width + 12.0f * font) continue;
    const float two_columns_h = std::max(groups_height(groups, 0, half, column_w, key_width, fonts),
                                         groups_height(groups, half, groups.size(), column_w, key_width, fonts));
    two_columns = two_columns_h < content_h;
    if (two_columns) content_h = two_columns_h;
    if (chrome_h + content_h <= 0.9f * display.y) break;
  }
  const float height = std::min(chrome_h + content_h, 0.9f * display.y);  // fits the list when it can
  ImGui::SetNextWindowPos(ImVec2(0.5f * display.x, 0.5f * display.y), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(width, std::max(1.0f, height)), ImGuiCond_Always);
  bool open = true;
  const ImGuiWindowFlags window_flags = ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
                                        ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;
  if (!ImGui::BeginPopupModal(kPopupName, &open, window_flags)) {
    state.show_help = false;  // closed by its × (or by ImGui)
    return;
  }
  if (!state.show_help) {  // F1 / Esc, dispatched by the caller
    ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
    return;
  }

  // The list scrolls (if it must) above a fixed footer (the Close button).
  if (ImGui::BeginChild("##key_list", ImVec2(0.0f, -footer_h), false)) {
    if (two_columns && ImGui::BeginTable("##key_groups", 2, ImGuiTableFlags_SizingStretchSame)) {
      ImGui::TableNextRow();
      for (std::size_t column = 0; column < 2; ++column) {
        ImGui::TableNextColumn();
        for (std::size_t i = column * half; i < std::min(groups.size(), (column + 1) * half); ++i) {
          draw_group(groups[i], key_width, palette, fonts);
        }
      }
      ImGui::EndTable();
    } else {
      for (const HelpGroup& g : groups) draw_group(g, key_width, palette, fonts);
    }
  }
  ImGui::EndChild();

  ImGui::Separator();
  const char* close_label = "Close";
  const float close_w = ImGui::CalcTextSize(close_label).x + 4.0f * style.FramePadding.x;
  ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(), 0.5f * (ImGui::GetWindowWidth() - close_w)));
  if (ImGui::Button(close_label, ImVec2(close_w, 0.0f))) {
    state.show_help = false;
    ImGui::CloseCurrentPopup();
  }
  item_tooltip("Close this list (F1 or Esc also close it)");
  ImGui::EndPopup();
}

float help_hint_width() { return ImGui::CalcTextSize(help_hint()).x; }

void draw_help_hint(AppState& state) {
  ImGui::TextDisabled("%s", help_hint());
  if (ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  if (ImGui::IsItemClicked()) state.show_help = true;
  item_tooltip("Show every key (F1)");
}

}  // namespace diffuscope::gui
