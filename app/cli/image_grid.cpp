#include "cli/image_grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "fileio/png_file.hpp"

namespace diffuscope::cli {

namespace {

constexpr std::uint8_t kGutterGrey = 128;  // mid-grey: visible against black and white garments
constexpr std::int64_t kMaxGridPixels = std::int64_t{1} << 28;

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::runtime_error("cannot write image grid '" + path + "': " + why);
}

// [-1, 1] -> 0..255, the inverse of the loader's byte / 127.5 - 1.
std::uint8_t to_byte(float value) {
  const float clamped = std::min(1.0f, std::max(-1.0f, value));
  return static_cast<std::uint8_t>(std::lround((clamped + 1.0f) * 127.5f));
}

}  // namespace

void write_image_grid_png(const std::string& path, const torch::Tensor& images, int columns, int scale) {
  if (path.empty()) throw std::runtime_error("cannot write image grid: the output path is empty");
  if (!images.defined() || images.dim() != 4) {
    fail(path, "expected images of shape [N, C, H, W], got " +
                   (images.defined() ? std::to_string(images.dim()) + " dimensions" : std::string("none")));
  }
  const std::int64_t count = images.size(0), channels = images.size(1);
  const std::int64_t height = images.size(2), width = images.size(3);
  if (count < 1 || height < 1 || width < 1) fail(path, "no images (an empty batch or 0-pixel images)");
  if (channels != 1 && channels != 3) {
    fail(path, "images have " + std::to_string(channels) + " channels (expected 1 or 3)");
  }
  if (!images.is_floating_point()) fail(path, "expected floating-point images in [-1, 1]");

  const torch::Tensor cpu = images.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  if (!torch::isfinite(cpu).all().item<bool>()) fail(path, "the images contain NaN or infinite values");

  const std::int64_t grid_columns =
      columns > 0 ? std::min<std::int64_t>(columns, count)
                  : static_cast<std::int64_t>(std::ceil(std::sqrt(static_cast<double>(count)) - 1e-9));
  const std::int64_t grid_rows = (count + grid_columns - 1) / grid_columns;
  const std::int64_t shorter = std::min(height, width);
  const std::int64_t factor =
      scale > 0 ? scale : std::max<std::int64_t>(1, (kMinimumTilePixels + shorter - 1) / shorter);
  const std::int64_t tile_w = width * factor, tile_h = height * factor;
  // One gutter pixel between tiles and around the edge.
  const std::int64_t grid_w = grid_columns * (tile_w + 1) + 1;
  const std::int64_t grid_h = grid_rows * (tile_h + 1) + 1;
  if (grid_w * grid_h > kMaxGridPixels || grid_w > 65535 || grid_h > 65535) {
    fail(path, "the grid would be " + std::to_string(grid_w) + "x" + std::to_string(grid_h) +
                   " pixels; use fewer images or a smaller scale");
  }

  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(grid_w * grid_h * channels), kGutterGrey);
  const float* data = cpu.data_ptr<float>();
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t left = (i % grid_columns) * (tile_w + 1) + 1;
    const std::int64_t top = (i / grid_columns) * (tile_h + 1) + 1;
    for (std::int64_t y = 0; y < tile_h; ++y) {
      std::uint8_t* row = pixels.data() + ((top + y) * grid_w + left) * channels;
      for (std::int64_t x = 0; x < tile_w; ++x) {
        for (std::int64_t c = 0; c < channels; ++c) {
          const std::int64_t source = ((i * channels + c) * height + y / factor) * width + x / factor;
          row[x * channels + c] = to_byte(data[source]);
        }
      }
    }
  }

  const std::string error = fileio::write_png(path, pixels.data(), static_cast<int>(grid_w),
                                              static_cast<int>(grid_h), static_cast<int>(channels));
  if (!error.empty()) throw std::runtime_error(error);
}

}  // namespace diffuscope::cli
