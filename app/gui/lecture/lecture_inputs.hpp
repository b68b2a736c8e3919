#pragma once
// What the lecture shows that comes from files: the Fashion-MNIST test images the lecturer steps
// through, a user's image (--image or a dropped file) and scene files. Problems are posted as
// notifications in the window; the current image and state stay as they were. UI thread.
#include <cstdint>
#include <string>
#include <vector>

#include "gui/state/app_state.hpp"
#include "gui/sources/fashion_mnist.hpp"

namespace diffuscope::gui {

// Fashion-MNIST test images for browsing. Start-up reads image 0 alone (fast); the first step to
// another image reads the whole set once (~8 MB of gzip), so later steps cost nothing on the UI thread.
struct FashionMnistSet {
  IdxImages images;
  std::vector<std::uint8_t> labels;
  bool whole_set = false;  // all images read, not just image 0
};

// Loads Fashion-MNIST test image `index` (clamped to the set) into the state, or reports why not.
void load_fashion(AppState& state, FashionMnistSet& set, int index);

// Loads a user image (--image or a dropped file); on failure keeps the current image.
bool load_user_image(AppState& state, const std::string& path);

// Loads a scene into the state: its image (Fashion-MNIST or a file), its messages in the banner
// (and on stderr when asked, for the command line). Returns false when nothing could be applied.
bool load_scene(AppState& state, FashionMnistSet& fashion_set, const std::string& path, bool to_stderr);

// A dropped file that is a scene (.json, any case) rather than an image.
bool is_scene_file(const std::string& path);

// A dropped file that is a point CSV (.csv, any case): x,y[,class] per line (diffusion/point_csv.hpp).
bool is_point_csv_file(const std::string& path);
// Reads a point CSV into the drawing (Undo goes back) and makes the drawing the data. A bad file
// posts the reader's message ("FILE: line N, column C (name): what") and the current data stay.
bool load_drawing_csv(AppState& state, const std::string& path);
// Writes the drawing to the first free file of drawing.csv, drawing-2.csv, ... in the working
// directory and posts its path (or why it could not). Returns the path written ("" on failure).
std::string export_drawing_csv(AppState& state);

}  // namespace diffuscope::gui
