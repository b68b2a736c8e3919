#include "renderer/image_resample.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace renderer {
namespace {

// For one axis: destination pixel d covers source [d*old/new, (d+1)*old/new). Lists, for each d,
// the source pixels it touches with the covered length (in source pixels) as weight.
struct Tap {
  int source;
  double weight;
};

std::vector<std::vector<Tap>> area_taps(int old_size, int new_size) {
  std::vector<std::vector<Tap>> taps(static_cast<std::size_t>(new_size));
  const double ratio = static_cast<double>(old_size) / new_size;
  for (int d = 0; d < new_size; ++d) {
    const double start = d * ratio, end = (d + 1) * ratio;
    const int first = static_cast<int>(std::floor(start));
    const int last = std::min(old_size - 1, static_cast<int>(std::ceil(end)) - 1);
    for (int s = first; s <= last; ++s) {
      const double covered = std::min(end, s + 1.0) - std::max(start, static_cast<double>(s));
      if (covered > 1e-12) taps[static_cast<std::size_t>(d)].push_back({s, covered / ratio});
    }
  }
  return taps;
}

}  // namespace

std::vector<std::uint8_t> downscale_rgba(const std::uint8_t* rgba, int width, int height, int new_width,
                                         int new_height) {
  if (rgba == nullptr || width <= 0 || height <= 0 || new_width <= 0 || new_height <= 0 || new_width > width ||
      new_height > height) {
    return {};
  }
  const auto columns = area_taps(width, new_width);
  const auto rows = area_taps(height, new_height);
  // Separable: horizontal pass into doubles (no intermediate rounding), then vertical.
  std::vector<double> horizontal(static_cast<std::size_t>(new_width) * static_cast<std::size_t>(height) * 4, 0.0);
  for (int y = 0; y < height; ++y) {
    const std::uint8_t* source_row = rgba + static_cast<std::size_t>(y) * static_cast<std::size_t>(width) * 4;
    double* out_row = horizontal.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(new_width) * 4;
    for (int x = 0; x < new_width; ++x) {
      for (const Tap& tap : columns[static_cast<std::size_t>(x)]) {
        const std::uint8_t* pixel = source_row + static_cast<std::size_t>(tap.source) * 4;
        for (int c = 0; c < 4; ++c) out_row[x * 4 + c] += tap.weight * pixel[c];
      }
    }
  }
  std::vector<std::uint8_t> result(static_cast<std::size_t>(new_width) * static_cast<std::size_t>(new_height) * 4);
  std::vector<double> accumulator(static_cast<std::size_t>(new_width) * 4);
  for (int y = 0; y < new_height; ++y) {
    std::fill(accumulator.begin(), accumulator.end(), 0.0);
    for (const Tap& tap : rows[static_cast<std::size_t>(y)]) {
      const double* row = horizontal.data() + static_cast<std::size_t>(tap.source) * static_cast<std::size_t>(new_width) * 4;
      for (std::size_t i = 0; i < accumulator.size(); ++i) accumulator[i] += tap.weight * row[i];
    }
    std::uint8_t* out = result.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(new_width) * 4;
    for (std::size_t i = 0; i < accumulator.size(); ++i) {
      out[i] = static_cast<std::uint8_t>(std::clamp(std::floor(accumulator[i] + 0.5), 0.0, 255.0));
    }
  }
  return result;
}

std::vector<std::uint8_t> crop_rgba(const std::uint8_t* rgba, int width, int height, int x, int y, int crop_width,
                                    int crop_height) {
  if (rgba == nullptr || width <= 0 || height <= 0 || crop_width <= 0 || crop_height <= 0 || x < 0 || y < 0 ||
      x > width - crop_width || y > height - crop_height) {
    return {};
  }
  std::vector<std::uint8_t> result(static_cast<std::size_t>(crop_width) * static_cast<std::size_t>(crop_height) * 4);
  const std::size_t row_bytes = static_cast<std::size_t>(crop_width) * 4;
  for (int row = 0; row < crop_height; ++row) {
    const std::uint8_t* source =
        rgba + (static_cast<std::size_t>(y + row) * static_cast<std::size_t>(width) + static_cast<std::size_t>(x)) * 4;
    std::memcpy(result.data() + static_cast<std::size_t>(row) * row_bytes, source, row_bytes);
  }
  return result;
}

ImageSize scaled_size(int width, int height, float scale) {
  if (std::isnan(scale) || scale > 1.0f) scale = 1.0f;
  if (scale < 0.0f) scale = 0.0f;  // the result is still at least 1 x 1
  auto scale_one = [scale](int size) {
    if (size <= 0) return 0;
    const long scaled = std::lround(static_cast<double>(size) * scale);
    return static_cast<int>(std::clamp(scaled, 1L, static_cast<long>(size)));
  };
  return {scale_one(width), scale_one(height)};
}

}  // namespace renderer
