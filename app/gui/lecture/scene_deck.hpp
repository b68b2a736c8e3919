#pragma once
// The scenes a lecture steps through with 1-9 and PageUp/PageDown (what clickers send): the *.json
// files of one folder in file-name order. The folder is the shipped scenes' until a scene from
// elsewhere is opened, so a lecturer's own folder of scenes works the same way. GL-free.
#include <optional>
#include <string>
#include <vector>

#include "gui/lecture/scene_library.hpp"

namespace diffuscope::gui {

class SceneDeck {
 public:
  // Lists the folder (a missing folder gives an empty deck). Keeps no current scene.
  void set_folder(const std::string& folder);
  // After a scene was loaded: its folder becomes the deck and it the current scene.
  void loaded(const std::string& path);

  const std::string& folder() const { return folder_; }
  const std::vector<SceneEntry>& scenes() const { return scenes_; }
  int current() const { return current_; }   // index into scenes(), -1 before any

  // The scene to load for "next", "previous" or number n (1-based); nullopt at the ends / absent.
  // Next with no current scene is the first; previous with none is nothing.
  std::optional<std::string> next() const;
  std::optional<std::string> previous() const;
  std::optional<std::string> number(int n) const;

 private:
  std::string folder_;
  std::vector<SceneEntry> scenes_;
  int current_ = -1;
};

}  // namespace diffuscope::gui
