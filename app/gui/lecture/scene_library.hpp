#pragma once
// The scenes a folder holds, in lecture order (file names sort as 01-..., 02-...), for the File
// menu, keys 1-9 and PageUp/PageDown. GL-free, ImGui-free, torch-free.
#include <string>
#include <vector>

namespace diffuscope::gui {

struct SceneEntry {
  std::string path;
  std::string title;  // the scene's "title"; "" or absent: the file name without ".json"
};

// Every *.json file in `folder`, sorted by file name. A file that cannot be read or parsed keeps
// its file name as title (loading it then says what is wrong). A missing folder gives {}.
std::vector<SceneEntry> list_scenes(const std::string& folder);

// diffusion::assets_dir() + "/scenes": the lecture's scenes shipped with the app.
std::string shipped_scenes_dir();

}  // namespace diffuscope::gui
