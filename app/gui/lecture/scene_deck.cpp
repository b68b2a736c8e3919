#include "gui/lecture/scene_deck.hpp"

#include <filesystem>

namespace diffuscope::gui {

namespace fs = std::filesystem;

namespace {
std::string canonical_or_same(const std::string& path) {
  std::error_code error;
  const fs::path c = fs::weakly_canonical(path, error);
  return error ? path : c.string();
}
}  // namespace

void SceneDeck::set_folder(const std::string& folder) {
  folder_ = folder;
  scenes_ = list_scenes(folder);
  current_ = -1;
}

void SceneDeck::loaded(const std::string& path) {
  const std::string folder = fs::path(path).parent_path().string();
  if (canonical_or_same(folder.empty() ? "." : folder) != canonical_or_same(folder_)) set_folder(folder.empty() ? "." : folder);
  else scenes_ = list_scenes(folder_);   // a file may have been saved into it since
  current_ = -1;
  const std::string wanted = canonical_or_same(path);
  for (std::size_t i = 0; i < scenes_.size(); ++i) {
    if (canonical_or_same(scenes_[i].path) == wanted) current_ = static_cast<int>(i);
  }
}

std::optional<std::string> SceneDeck::next() const {
  const int i = current_ + 1;
  if (i < 0 || i >= static_cast<int>(scenes_.size())) return std::nullopt;
  return scenes_[static_cast<std::size_t>(i)].path;
}

std::optional<std::string> SceneDeck::previous() const {
  if (current_ <= 0) return std::nullopt;
  return scenes_[static_cast<std::size_t>(current_ - 1)].path;
}

std::optional<std::string> SceneDeck::number(int n) const {
  if (n < 1 || n > static_cast<int>(scenes_.size())) return std::nullopt;
  return scenes_[static_cast<std::size_t>(n - 1)].path;
}

}  // namespace diffuscope::gui
