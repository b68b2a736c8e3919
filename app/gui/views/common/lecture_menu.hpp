#pragma once
// The menu bar (File, View), the Open scene, Save scene and Export dialogs, and the export's
// progress with Cancel. Draws only; what the lecturer asked for comes back as LectureActions, which
// the frame loop carries out (loading, saving, starting an export).
#include <string>

#include "gui/state/app_state.hpp"
#include "gui/state/choice_tables.hpp"  // one_view_index, view_name (the frame loop uses them)
#include "gui/lecture/export_plan.hpp"
#include "gui/shell/export_session.hpp"
#include "gui/lecture/scene_deck.hpp"

namespace diffuscope::gui {

struct LectureActions {
  std::string load_scene;              // a scene file to load
  std::string save_scene;              // a path to save the current state to
  bool start_export = false;           // export_settings / export_content are set
  ExportSettings export_settings;
  ExportContent export_content = ExportContent::Window;
  bool cancel_export = false;
  bool export_drawing = false;          // write the drawing as CSV (export_drawing_csv)
  bool toggle_fullscreen = false;
  bool quit = false;
};

class LectureMenu {
 public:
  // The main menu bar; returns its height (0 when not drawn).
  float draw_menu_bar(AppState& state, const SceneDeck& deck, bool fullscreen, LectureActions& actions);
  // Open / Save / Export dialogs and the export progress window. window_w/h: default export size.
  void draw_dialogs(AppState& state, const SceneDeck& deck, const ExportSession& export_session,
                    int window_w, int window_h, LectureActions& actions);

  void show_open() { open_ = true; }
  // Default file: the scene last loaded or saved; for a shipped scene, its file name in the
  // current folder (the shipped ones stay as they are).
  void show_save();
  void show_export() { export_ = true; }
  bool any_open() const { return open_ || save_ || export_; }
  void close_all() { open_ = save_ = export_ = false; }
  // The path last loaded or saved, the Save dialog's default.
  void set_scene_path(const std::string& path) { scene_path_ = path; }

 private:
  void draw_open(AppState& state, const SceneDeck& deck, LectureActions& actions);
  void draw_save(AppState& state, LectureActions& actions);
  void draw_export(const AppState& state, int window_w, int window_h, LectureActions& actions);
  // The View menu's display options: light theme, curves over t/T, the UI scale (committed to
  // state.ui_scale on release: the font atlas is rebuilt between frames).
  void draw_display_options(AppState& state);

  bool open_ = false, save_ = false, export_ = false;
  std::string open_path_;
  std::string save_path_;
  std::string scene_path_;
  // Export dialog fields.
  int export_kind_ = 2;   // ExportKind order: window PNG, view PNG, GIF, PNG sequence
  std::string export_path_ = "diffuscope.gif";
  int export_w_ = 0, export_h_ = 0;
  int export_frames_ = 60;
  float export_seconds_ = 4.0f;
  int export_direction_ = 0;
  int export_content_ = 0;   // window | views
  int export_view_ = 0;
  float gif_scale_ = 1.0f;
  std::string export_error_;
  float ui_scale_edit_ = 0.0f;  // the UI-scale slider's value while dragging
  bool editing_scale_ = false;
};

}  // namespace diffuscope::gui
