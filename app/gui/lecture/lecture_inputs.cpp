#include "gui/lecture/lecture_inputs.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>
#include <utility>

#include "diffusion/point_csv.hpp"
#include "gui/sources/image_source.hpp"
#include "gui/lecture/scene.hpp"

namespace diffuscope::gui {

namespace {

std::string file_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

void load_fashion(AppState& state, FashionMnistSet& set, int index) {
  if (index >= set.images.count && !set.whole_set) {
    const bool whole_set = index > 0;
    IdxImagesResult images = read_idx_images(kFashionMnistTestImages, whole_set ? 0 : 1);
    if (!images.ok()) {
      state.notify(WarningLevel::Warning, images.error, 30.0);
      return;
    }
    set.images = std::move(images.images);
    set.whole_set = whole_set;
    // Labels only name the class: without them the image still shows.
    IdxLabelsResult labels = read_idx_labels(kFashionMnistTestLabels, set.images.count);
    set.labels = labels.ok() ? std::move(labels.labels) : std::vector<std::uint8_t>{};
  }
  if (set.images.count == 0) return;
  index = std::clamp(index, 0, set.images.count - 1);
  std::string name = "Fashion-MNIST #" + std::to_string(index);
  std::string short_name = "#" + std::to_string(index);
  if (static_cast<std::size_t>(index) < set.labels.size()) {
    const std::string class_name(fashion_mnist_class_name(set.labels[static_cast<std::size_t>(index)]));
    name += " (" + class_name + ")";
    short_name += " " + class_name;
  }
  state.image_short_name = std::move(short_name);
  state.image = std::make_shared<const Image>(set.images.image(index));
  state.image_name = std::move(name);
  state.image_is_fashion = true;
  state.fashion_index = index;
  state.image_path.clear();
}

bool load_user_image(AppState& state, const std::string& path) {
  ImageLoadResult r = load_image_file(path);
  if (!r.ok()) {
    state.notify(WarningLevel::Warning, r.error);
    return false;
  }
  const Image& image = r.image;
  state.image_name = file_name(path) + " (" + std::to_string(image.width) + "×" +
                     std::to_string(image.height) + ")";
  state.image = std::make_shared<const Image>(std::move(r.image));
  state.image_short_name.clear();
  state.image_is_fashion = false;
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  state.image_path = error ? path : absolute.string();
  return true;
}

bool load_scene(AppState& state, FashionMnistSet& fashion_set, const std::string& path, bool to_stderr) {
  const SceneLoad loaded = load_scene_file(path, state);
  if (!loaded.ok) {
    state.notify(WarningLevel::Warning, loaded.error, 30.0);
    if (to_stderr) std::cerr << "diffuscope: " << loaded.error << "\n";
    return false;
  }
  if (loaded.image) {
    if (loaded.image->fashion) {
      load_fashion(state, fashion_set, loaded.image->fashion_index);
    } else if (!load_user_image(state, loaded.image->path)) {
      state.notify(WarningLevel::Warning, "the scene's image " + loaded.image->path +
                                              " could not be shown; showing Fashion-MNIST instead", 30.0);
      load_fashion(state, fashion_set, 0);
    }
  }
  for (const std::string& warning : loaded.warnings) {
    const std::string text = file_name(path) + ": " + warning;
    state.notify(WarningLevel::Warning, text, 30.0);
    if (to_stderr) std::cerr << "diffuscope: warning: " << text << "\n";
  }
  return true;
}

bool is_point_csv_file(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension == ".csv";
}

bool load_drawing_csv(AppState& state, const std::string& path) {
  diffusion::PointCsvResult read = diffusion::read_point_csv(path);
  if (read.ok() && read.points.size() > kMaxDrawnPoints)  // the reader's cap; checked again here
    read.error = path + ": " + std::to_string(read.points.size()) + " points, at most " +
                 std::to_string(kMaxDrawnPoints);
  if (!read.ok()) {
    state.notify(WarningLevel::Warning, read.error, 30.0);
    return false;
  }
  const int count = read.points.size();
  const int classes = read.points.num_classes;
  state.drawing.replace(std::move(read.points));
  state.use_drawing = true;
  state.notify(WarningLevel::Info,
               "data: " + std::to_string(count) + " points in " + std::to_string(classes) +
                   (classes == 1 ? " class" : " classes") + " from " + file_name(path) + " (Undo in Draw goes back)",
               8.0);
  return true;
}

std::string export_drawing_csv(AppState& state) {
  if (state.drawing.empty()) {
    state.notify(WarningLevel::Warning, "export drawing: nothing is drawn yet", 8.0);
    return "";
  }
  std::string path = "drawing.csv";
  std::error_code ec;
  for (int k = 2; std::filesystem::exists(path, ec) && k < 1000; ++k) path = "drawing-" + std::to_string(k) + ".csv";
  const std::string error = diffusion::write_point_csv(path, *state.drawing.points());
  if (!error.empty()) {
    state.notify(WarningLevel::Warning, "export drawing: " + error, 30.0);
    return "";
  }
  const std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  const std::string shown = ec ? path : absolute.string();
  state.notify(WarningLevel::Info,
               "exported the drawing (" + std::to_string(state.drawing.size()) + " points) to " + shown, 12.0);
  return shown;
}

bool is_scene_file(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension == ".json";
}

}  // namespace diffuscope::gui
