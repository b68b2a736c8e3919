#pragma once
// Fashion-MNIST from Debian's dataset-fashion-mnist package, read and validated by
// diffusion/idx_file.hpp; errors come back as values for the UI. The default picture of the image
// forward view.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "diffusion/idx_file.hpp"
#include "gui/sources/image_source.hpp"

namespace diffuscope::gui {

inline constexpr const char* kFashionMnistDir = diffusion::kFashionMnistDir;
inline constexpr const char* kFashionMnistTestImages = diffusion::kFashionMnistTestImages;
inline constexpr const char* kFashionMnistTestLabels = diffusion::kFashionMnistTestLabels;

// A set of 8-bit grey images from an IDX3 file (magic 0x00000803).
struct IdxImages {
  int count = 0;
  int rows = 0;
  int cols = 0;
  std::vector<std::uint8_t> bytes;  // count * rows * cols, image-major, row-major
  // Image k (0 <= k < count) as a 1-channel Image with values byte / 255.
  // Throws std::out_of_range for a bad k.
  Image image(int k) const;
};

struct IdxImagesResult {
  IdxImages images;
  std::string error;  // empty on success; names the file and what is wrong
  bool ok() const { return error.empty(); }
};

struct IdxLabelsResult {
  std::vector<std::uint8_t> labels;
  std::string error;
  bool ok() const { return error.empty(); }
};

// Reads a gzip'ed (or plain: gzread passes those through) IDX3 image file; reads at most
// max_count images (<= 0: all). Errors: missing file (with a hint to install
// dataset-fashion-mnist), wrong magic, bad dimensions, truncated or corrupt data.
IdxImagesResult read_idx_images(const std::string& path, int max_count = 0);
// Reads an IDX1 label file (magic 0x00000801).
IdxLabelsResult read_idx_labels(const std::string& path, int max_count = 0);

// "T-shirt/top", "Trouser", ... "Ankle boot" for 0..9; "?" otherwise.
std::string_view fashion_mnist_class_name(int label);

// Convenience for the default view: test-set image `index` (reads only the first index + 1).
ImageLoadResult load_fashion_mnist_image(int index = 0,
                                         const std::string& path = kFashionMnistTestImages);

}  // namespace diffuscope::gui
