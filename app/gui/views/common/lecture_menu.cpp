#include "gui/views/common/lecture_menu.hpp"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "gui/views/common/help_overlay.hpp"
#include "gui/lecture/scene_library.hpp"
#include "gui/state/layout.hpp"
#include "gui/state/limits.hpp"
#include "gui/widgets/ui_helpers.hpp"

namespace diffuscope::gui {

namespace {

constexpr ImGuiWindowFlags kDialogFlags = ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;

// Centres the next dialog and sizes it to a fraction of the display.
void place_dialog(float width_fraction, float height_fraction) {
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowSize(ImVec2(width_fraction * display.x, height_fraction * display.y), ImGuiCond_Appearing);
  ImGui::SetNextWindowPos(ImVec2(0.5f * display.x, 0.5f * display.y), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
}

std::string replace_extension(const std::string& path, const char* extension) {
  std::filesystem::path p(path.empty() ? "diffuscope" : path);
  p.replace_extension(extension);
  return p.string();
}

}  // namespace

float LectureMenu::draw_menu_bar(AppState& state, const SceneDeck& deck, bool fullscreen, LectureActions& actions) {
  if (!ImGui::BeginMainMenuBar()) return 0.0f;
  const float height = ImGui::GetWindowSize().y;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open scene…", "Ctrl+O")) open_ = true;
    if (ImGui::BeginMenu("Lecture scenes", !deck.scenes().empty())) {
      for (std::size_t i = 0; i < deck.scenes().size(); ++i) {
        const SceneEntry& entry = deck.scenes()[i];
        const std::string shortcut = i < 9 ? std::to_string(i + 1) : "";
        if (ImGui::MenuItem(entry.title.c_str(), shortcut.c_str(), static_cast<int>(i) == deck.current())) {
          actions.load_scene = entry.path;
        }
        item_tooltip(entry.path.c_str());
      }
      ImGui::EndMenu();
    }
    if (ImGui::MenuItem("Save scene…", "Ctrl+S")) show_save();
    ImGui::Separator();
    if (ImGui::MenuItem("Export PNG / GIF…", "Ctrl+E")) export_ = true;
    if (ImGui::MenuItem("Export drawing as CSV", nullptr, false, !state.drawing.empty())) actions.export_drawing = true;
    item_tooltip("Write the drawn points (x,y,class per line) to drawing.csv in the working folder; "
                 "drop a .csv file on the window to load one");
    ImGui::Separator();
    if (ImGui::MenuItem("Quit")) actions.quit = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    ImGui::MenuItem("Presenter mode (hide controls)", "P", &state.presenter);
    ImGui::MenuItem("Equation panel", "E", &state.show_equations);
    if (ImGui::MenuItem("Full screen", "F11", fullscreen)) actions.toggle_fullscreen = true;
    ImGui::Separator();
    draw_display_options(state);
    ImGui::Separator();
    ImGui::MenuItem("Keys", "F1", &state.show_help);
    ImGui::EndMenu();
  }
  // Where the lecture is, on the right: "3/9 · Linear vs cosine     F1: keys".
  std::string where;
  if (!state.scene_title.empty()) {
    if (deck.current() >= 0) {
      where = std::to_string(deck.current() + 1) + "/" + std::to_string(deck.scenes().size()) + " · ";
    }
    where += state.scene_title + "     ";
  }
  const float right_w = ImGui::CalcTextSize(where.c_str()).x + help_hint_width();
  const float x = ImGui::GetWindowWidth() - right_w - ImGui::GetStyle().ItemSpacing.x * 2.0f;
  if (x > ImGui::GetCursorPosX()) {
    ImGui::SetCursorPosX(x);
    if (!where.empty()) {
      ImGui::TextDisabled("%s", where.c_str());
      if (!state.scene_notes.empty()) item_tooltip(state.scene_notes.c_str());  // the lecturer's notes
      ImGui::SameLine(0.0f, 0.0f);
    }
    draw_help_hint(state);
  }
  ImGui::EndMainMenuBar();
  return height;
}

void LectureMenu::show_save() {
  namespace fs = std::filesystem;
  save_ = true;
  if (scene_path_.empty()) {
    save_path_ = "my-scene.json";
    return;
  }
  std::error_code error;
  const fs::path folder = fs::weakly_canonical(fs::path(scene_path_).parent_path(), error);
  const fs::path shipped = fs::weakly_canonical(shipped_scenes_dir(), error);
  save_path_ = folder == shipped ? fs::path(scene_path_).filename().string() : scene_path_;
}

void LectureMenu::draw_dialogs(AppState& state, const SceneDeck& deck, const ExportSession& export_session,
                               int window_w, int window_h, LectureActions& actions) {
  if (open_) draw_open(state, deck, actions);
  if (save_) draw_save(state, actions);
  if (export_ && !export_session.active()) draw_export(state, window_w, window_h, actions);
  if (export_session.active()) {
    // Progress and Cancel: the only control while frames are captured.
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(0.5f * display.x, 0.5f * display.y), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(0.4f * display.x, 0.0f), ImGuiCond_Always);
    if (ImGui::Begin("Exporting", nullptr, kDialogFlags | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove)) {
      ImGui::TextWrapped("%s", export_session.settings().path.c_str());
      ImGui::ProgressBar(export_session.fraction(), ImVec2(-1.0f, 0.0f), export_session.progress_text().c_str());
      if (ImGui::Button("Cancel")) actions.cancel_export = true;
      item_tooltip("Stop the export: a GIF is not written; the frames of a PNG sequence written so far stay.");
    }
    ImGui::End();
  }
}

void LectureMenu::draw_display_options(AppState& state) {
  bool light = state.light_theme;
  if (ImGui::MenuItem("Light theme", nullptr, &light)) state.light_theme = light;
  item_tooltip("High-contrast light theme for bright rooms and projectors");
  ImGui::MenuItem("Curves over t/T", nullptr, &state.x_axis_fraction);
  item_tooltip("x axis of the curves as t/T, to compare schedules with different T");
  if (!editing_scale_) ui_scale_edit_ = state.ui_scale;
  row_label("UI scale", ImGui::CalcTextSize("UI scale").x + 0.6f * ImGui::GetFontSize());
  ImGui::SetNextItemWidth(-1.0f);
  value_slider_float("##ui_scale", &ui_scale_edit_, kMinUiScale, kMaxUiScale, "%.2f");
  editing_scale_ = ImGui::IsItemActive();
  if (ImGui::IsItemDeactivatedAfterEdit()) {
    state.ui_scale = ui_scale_edit_;
    editing_scale_ = false;
  }
  item_tooltip("UI scale: the size of all text and controls (applied on release)");
  // The window draws at effective_ui_scale: say so when it is less than the scale asked for.
  const ImVec2 shown = ImGui::GetIO().DisplaySize;
  const float effective = effective_ui_scale(state.ui_scale, shown.x, shown.y);
  if (effective < state.ui_scale - 1e-3f) {
    char note[128];
    std::snprintf(note, sizeof note, "drawn at %.2f: a %.0fx%.0f window holds the views up to that", effective,
                  shown.x, shown.y);
    ImGui::TextDisabled("%s", note);
  }
}

void LectureMenu::draw_open(AppState& state, const SceneDeck& deck, LectureActions& actions) {
  (void)state;
  place_dialog(0.55f, 0.6f);
  if (ImGui::Begin("Open scene", &open_, kDialogFlags)) {
    ImGui::TextDisabled("%s", deck.folder().c_str());
    const float list_h = ImGui::GetContentRegionAvail().y - 3.0f * ImGui::GetFrameHeightWithSpacing();
    if (ImGui::BeginChild("##scenes", ImVec2(0.0f, std::max(list_h, ImGui::GetFrameHeight())), true)) {
      for (std::size_t i = 0; i < deck.scenes().size(); ++i) {
        const SceneEntry& entry = deck.scenes()[i];
        const std::string label = (i < 9 ? std::to_string(i + 1) + "  " : "    ") + entry.title;
        if (ImGui::Selectable(label.c_str(), static_cast<int>(i) == deck.current())) {
          actions.load_scene = entry.path;
          open_ = false;
        }
        item_tooltip(entry.path.c_str());
      }
      if (deck.scenes().empty()) ImGui::TextDisabled("No scenes in this folder.");
    }
    ImGui::EndChild();
    ImGui::TextUnformatted("Or a file:");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize("Open").x -
                            3.0f * ImGui::GetStyle().FramePadding.x - ImGui::GetStyle().ItemSpacing.x);
    const bool enter = ImGui::InputText("##path", &open_path_, ImGuiInputTextFlags_EnterReturnsTrue);
    item_tooltip("Path of a scene (.json) to open; a scene can also be dropped on the window.");
    ImGui::SameLine();
    if ((ImGui::Button("Open") || enter) && !open_path_.empty()) {
      actions.load_scene = open_path_;
      open_ = false;
    }
  }
  ImGui::End();
}

void LectureMenu::draw_save(AppState& state, LectureActions& actions) {
  place_dialog(0.55f, 0.45f);
  if (ImGui::Begin("Save scene", &save_, kDialogFlags)) {
    const float label_w = ImGui::CalcTextSize("Notes").x + ImGui::GetStyle().ItemSpacing.x * 2.0f;
    row_label("File", label_w);
    ImGui::SetNextItemWidth(-1.0f);
    ImGui::InputText("##file", &save_path_);
    item_tooltip("Where the scene is written (.json); an existing file is replaced only once the new one is complete.");
    row_label("Title", label_w);
    ImGui::SetNextItemWidth(-1.0f);
    ImGui::InputText("##title", &state.scene_title);
    item_tooltip("The scene's title, shown in the menu bar and the scene list.");
    row_label("Notes", label_w);
    ImGui::InputTextMultiline("##notes", &state.scene_notes,
                              ImVec2(-1.0f, std::max(ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing(),
                                                     2.0f * ImGui::GetFrameHeight())));
    item_tooltip("What to say and click in this scene: a reminder for the lecturer.");
    if (ImGui::Button("Save") && !save_path_.empty()) {
      actions.save_scene = save_path_;
      save_ = false;
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) save_ = false;
  }
  ImGui::End();
}

void LectureMenu::draw_export(const AppState& state, int window_w, int window_h, LectureActions& actions) {
  if (export_w_ <= 0 || export_h_ <= 0) {
    export_w_ = window_w;
    export_h_ = window_h;
  }
  place_dialog(0.6f, 0.7f);
  if (ImGui::Begin("Export", &export_, kDialogFlags)) {
    const float label_w = ImGui::CalcTextSize("Direction").x + ImGui::GetStyle().ItemSpacing.x * 2.0f;
    const char* kinds[] = {"PNG of the window", "PNG of one view", "Animated GIF over t", "PNG sequence over t"};
    const char* extensions[] = {".png", ".png", ".gif", ".png"};
    row_label("What", label_w);
    ImGui::SetNextItemWidth(-1.0f);
    if (ImGui::Combo("##kind", &export_kind_, kinds, 4)) export_path_ = replace_extension(export_path_, extensions[export_kind_]);
    item_tooltip("A still picture of the window or of one view, or the views scrubbed over t as a GIF or numbered PNGs.");
    row_label("File", label_w);
    ImGui::SetNextItemWidth(-1.0f);
    ImGui::InputText("##file", &export_path_);
    item_tooltip("Output path; files are written to a temporary name and renamed when complete.");
    row_label("Size", label_w);
    ImGui::SetNextItemWidth(0.3f * ImGui::GetContentRegionAvail().x);
    ImGui::InputInt("##w", &export_w_, 0);
    item_tooltip("Width in pixels of the rendered picture (64 to 7680): the layout is redone at this size.");
    ImGui::SameLine();
    ImGui::TextUnformatted("×");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(0.3f * ImGui::GetContentRegionAvail().x);
    ImGui::InputInt("##h", &export_h_, 0);
    item_tooltip("Height in pixels (64 to 4320).");
    ImGui::SameLine();
    if (ImGui::SmallButton("window")) {
      export_w_ = window_w;
      export_h_ = window_h;
    }
    item_tooltip("Use the window's size.");
    const bool over_t = export_kind_ >= 2;
    if (export_kind_ == 1) {
      std::vector<const char*> names;
      for (const OneView& v : kOneViews)
        if (v.view == state.view) names.push_back(v.label);
      const int count = static_cast<int>(names.size());
      export_view_ = std::clamp(export_view_, 0, std::max(0, count - 1));
      row_label("View", label_w);
      ImGui::SetNextItemWidth(-1.0f);
      ImGui::Combo("##view", &export_view_, names.data(), count);
      item_tooltip("The view drawn alone, filling the picture.");
    } else {
      const char* contents[] = {"the window as shown", "the views only (presenter layout)"};
      row_label("Content", label_w);
      ImGui::SetNextItemWidth(-1.0f);
      ImGui::Combo("##content", &export_content_, contents, 2);
      item_tooltip("With or without the control columns; menu, dialogs and messages are never in the picture.");
    }
    if (over_t) {
      row_label("Frames", label_w);
      value_slider_int("##frames", &export_frames_, 2, 300);
      item_tooltip("How many timesteps are shown, evenly spaced over 0..T (both ends included).");
      const char* directions[] = {"t = T → 0 (denoising)", "t = 0 → T (noising)"};
      row_label("Direction", label_w);
      ImGui::SetNextItemWidth(-1.0f);
      ImGui::Combo("##direction", &export_direction_, directions, 2);
      item_tooltip("Which way t runs through the frames.");
      if (export_kind_ == 2) {
        row_label("Seconds", label_w);
        value_slider_float("##seconds", &export_seconds_, 0.5f, 30.0f, "%.1f s");
        item_tooltip("The GIF's duration (the frame delay is rounded to 1/100 s).");
        row_label("Scale", label_w);
        value_slider_float("##scale", &gif_scale_, 0.25f, 1.0f, "%.2f");
        item_tooltip("Scale of the GIF against the rendered size: smaller files for slides and the web.");
      }
    }
    if (!export_error_.empty()) colored_wrapped_text(IM_COL32(230, 80, 60, 255), export_error_);
    if (ImGui::Button("Export")) {
      ExportSettings s;
      s.kind = static_cast<ExportKind>(export_kind_);
      s.path = export_path_;
      s.width = export_w_;
      s.height = export_h_;
      s.direction = export_direction_ == 0 ? ExportDirection::Down : ExportDirection::Up;
      s.frames = export_frames_;
      s.seconds = export_seconds_;
      s.gif_scale = gif_scale_;
      s.view = export_view_;
      export_error_ = validate_export(s);
      if (export_error_.empty()) {
        actions.start_export = true;
        actions.export_settings = s;
        actions.export_content = export_kind_ == 1    ? ExportContent::OneView
                                 : export_content_ == 0 ? ExportContent::Window
                                                        : ExportContent::Views;
        export_ = false;
      }
    }
    ImGui::SameLine();
    if (ImGui::Button("Close")) export_ = false;
  }
  ImGui::End();
}

}  // namespace diffuscope::gui
