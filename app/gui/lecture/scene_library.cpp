#include "gui/lecture/scene_library.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "diffusion/assets.hpp"

namespace diffuscope::gui {
namespace {

namespace fs = std::filesystem;

// Files larger than this are not scenes; their title is not looked for.
constexpr std::uintmax_t kMaxTitleScanBytes = 4u * 1024 * 1024;

bool has_json_extension(const fs::path& p) {
  std::string ext = p.extension().u8string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".json";
}

// The "title" of a scene file; "" (with *readable false) when the file cannot be read or parsed.
std::string read_title(const fs::path& file, bool* readable) {
  *readable = false;
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(file, ec);
  if (ec || size > kMaxTitleScanBytes) return "";
  std::ifstream in(file, std::ios::binary);
  if (!in) return "";
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const nlohmann::json root = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) return "";
  *readable = true;
  const auto title = root.find("title");
  return title != root.end() && title->is_string() ? title->get<std::string>() : "";
}

}  // namespace

std::vector<SceneEntry> list_scenes(const std::string& folder) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(fs::u8path(folder), ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec) && has_json_extension(it->path())) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end(),
            [](const fs::path& x, const fs::path& y) { return x.filename().u8string() < y.filename().u8string(); });
  std::vector<SceneEntry> scenes;
  for (const fs::path& file : files) {
    bool readable = false;
    std::string title = read_title(file, &readable);
    if (!readable) title = file.filename().u8string();
    else if (title.empty()) title = file.stem().u8string();
    scenes.push_back({file.u8string(), std::move(title)});
  }
  return scenes;
}

std::string shipped_scenes_dir() { return diffusion::assets_dir() + "/scenes"; }

}  // namespace diffuscope::gui
