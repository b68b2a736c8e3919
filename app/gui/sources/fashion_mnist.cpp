// The GUI's view of Fashion-MNIST: the validated IDX reader of diffusion/idx_file.hpp, with errors
// as values for the UI, and images as display Images.
#include "gui/sources/fashion_mnist.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "diffusion/idx_file.hpp"

namespace diffuscope::gui {
namespace {

std::string quoted(const std::string& path) { return "'" + path + "'"; }

}  // namespace

Image IdxImages::image(int k) const {
  if (k < 0 || k >= count)
    throw std::out_of_range("IDX image index " + std::to_string(k) + " is outside 0.." +
                            std::to_string(count - 1));
  Image out;
  out.width = cols;
  out.height = rows;
  out.channels = 1;
  const std::size_t size = static_cast<std::size_t>(rows) * cols;
  out.pixels.resize(size);
  const std::uint8_t* src = bytes.data() + static_cast<std::size_t>(k) * size;
  for (std::size_t i = 0; i < size; ++i) out.pixels[i] = src[i] / 255.0f;
  return out;
}

IdxImagesResult read_idx_images(const std::string& path, int max_count) {
  IdxImagesResult result;
  try {
    diffusion::IdxImages read = diffusion::read_idx_images(path, max_count);
    result.images.count = read.count;
    result.images.rows = read.rows;
    result.images.cols = read.cols;
    result.images.bytes = std::move(read.bytes);
  } catch (const diffusion::IdxError& e) {
    result.error = e.what();
  }
  return result;
}

IdxLabelsResult read_idx_labels(const std::string& path, int max_count) {
  IdxLabelsResult result;
  try {
    result.labels = diffusion::read_idx_labels(path, max_count);
  } catch (const diffusion::IdxError& e) {
    result.error = e.what();
  }
  return result;
}

std::string_view fashion_mnist_class_name(int label) { return diffusion::fashion_mnist_class_name(label); }

ImageLoadResult load_fashion_mnist_image(int index, const std::string& path) {
  ImageLoadResult result;
  if (index < 0) {
    result.error = "Fashion-MNIST image index " + std::to_string(index) + " must be >= 0";
    return result;
  }
  IdxImagesResult read = read_idx_images(path, index + 1);
  if (!read.ok()) {
    result.error = read.error;
    return result;
  }
  if (index >= read.images.count) {
    result.error = quoted(path) + " holds only " + std::to_string(read.images.count) +
                   " images; index " + std::to_string(index) + " is out of range";
    return result;
  }
  result.image = read.images.image(index);
  return result;
}

}  // namespace diffuscope::gui
