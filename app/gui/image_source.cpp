// Image files for the image view. Debian's libstb ships stb_image compiled into libstb.so, so we
// only include the declarations here. Everything the lecturer can drop is checked before decoding.
#include "gui/image_source.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <system_error>

#include <stb_image.h>

namespace diffuscope::gui {
namespace {

// Files larger than this are refused before reading (a compressed image this big would also
// decode beyond kMaxImageDecodedBytes).
constexpr std::uintmax_t kMaxImageFileBytes = std::uintmax_t(256) << 20;

std::string quoted(const std::string& path) { return "'" + path + "'"; }

// Input interval covered by each output sample along one axis, as (first index, weights).
struct AxisWeights {
  std::vector<int> first;
  std::vector<std::vector<float>> weights;
};

AxisWeights area_weights(int in_size, int out_size) {
  AxisWeights axis;
  axis.first.resize(out_size);
  axis.weights.resize(out_size);
  const double scale = static_cast<double>(in_size) / out_size;  // input pixels per output pixel
  for (int o = 0; o < out_size; ++o) {
    const double lo = o * scale;
    const double hi = std::min<double>((o + 1) * scale, in_size);
    const int i0 = static_cast<int>(std::floor(lo));
    const int i1 = std::min(in_size - 1, static_cast<int>(std::ceil(hi)) - 1);
    axis.first[o] = i0;
    double total = 0;
    std::vector<double> w;
    for (int i = i0; i <= i1; ++i) {
      // Overlap of input pixel [i, i + 1) with [lo, hi).
      const double overlap = std::min<double>(i + 1, hi) - std::max<double>(i, lo);
      w.push_back(std::max(0.0, overlap));
      total += w.back();
    }
    for (double v : w) axis.weights[o].push_back(static_cast<float>(v / total));
  }
  return axis;
}

// Width and height from a PNG's IHDR chunk, which must come first. stb_image refuses to even
// report the size of PNGs over 2^30 decoded bytes; this lets us say "too large" for those.
bool png_header_size(const std::vector<unsigned char>& bytes, int& width, int& height) {
  static const unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (bytes.size() < 24 || std::memcmp(bytes.data(), kSignature, 8) != 0 ||
      std::memcmp(bytes.data() + 12, "IHDR", 4) != 0)
    return false;
  auto u32 = [&](std::size_t at) {
    return (std::uint32_t(bytes[at]) << 24) | (std::uint32_t(bytes[at + 1]) << 16) |
           (std::uint32_t(bytes[at + 2]) << 8) | std::uint32_t(bytes[at + 3]);
  };
  const std::uint32_t w = u32(16), h = u32(20);
  if (w > 0x7FFFFFFFu || h > 0x7FFFFFFFu) return false;
  width = static_cast<int>(w);
  height = static_cast<int>(h);
  return true;
}

bool is_png(const std::vector<unsigned char>& bytes) {
  static const unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  return bytes.size() >= 8 && std::memcmp(bytes.data(), kSignature, 8) == 0;
}

bool is_jpeg(const std::vector<unsigned char>& bytes) {
  return bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;  // SOI + a marker
}

// stb_image 2.27 (Debian 12's libstb) builds a JPEG Huffman table without checking that its 16
// code-length counts add up to at most 256, and then writes past the table (found by
// tests/fuzz/fuzz_image). So every DHT segment (ITU-T T.81 B.2.4.2) is checked before stb sees
// the file, wherever its marker appears, reading the tables as stb reads them: while the segment's
// length is not used up, a class/id byte, 16 counts, then as many symbol bytes as they add up to.
bool jpeg_huffman_tables_ok(const std::vector<unsigned char>& bytes) {
  const std::size_t size = bytes.size();
  for (std::size_t i = 0; i + 1 < size; ++i) {
    if (bytes[i] != 0xFF || bytes[i + 1] != 0xC4) continue;
    if (i + 4 > size) break;
    long remaining = static_cast<long>((bytes[i + 2] << 8) | bytes[i + 3]) - 2;
    std::size_t at = i + 4;
    while (remaining > 0 && at < size) {
      int count = 0;
      for (std::size_t k = 1; k <= 16 && at + k < size; ++k) count += bytes[at + k];
      if (count > 256) return false;
      at += 17 + static_cast<std::size_t>(count);
      remaining -= 17 + count;
    }
  }
  return true;
}

}  // namespace

Image resize_to_fit(const Image& image, int max_side) {
  if (max_side < 1)
    throw std::invalid_argument("resize: max_side = " + std::to_string(max_side) + " must be >= 1");
  if (image.width < 1 || image.height < 1 || image.channels < 1 ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * image.channels)
    throw std::invalid_argument("resize: malformed image");
  const int long_side = std::max(image.width, image.height);
  if (long_side <= max_side) return image;

  const double scale = static_cast<double>(max_side) / long_side;
  const int out_w = std::clamp(static_cast<int>(std::lround(image.width * scale)), 1, max_side);
  const int out_h = std::clamp(static_cast<int>(std::lround(image.height * scale)), 1, max_side);
  const int channels = image.channels;

  // Separable box filter: rows first (width -> out_w), then columns (height -> out_h).
  const AxisWeights wx = area_weights(image.width, out_w);
  const AxisWeights wy = area_weights(image.height, out_h);
  std::vector<float> rows(static_cast<std::size_t>(out_w) * image.height * channels, 0.0f);
  for (int y = 0; y < image.height; ++y)
    for (int ox = 0; ox < out_w; ++ox)
      for (int c = 0; c < channels; ++c) {
        float sum = 0;
        const auto& w = wx.weights[ox];
        for (std::size_t k = 0; k < w.size(); ++k) sum += w[k] * image.at(wx.first[ox] + int(k), y, c);
        rows[(static_cast<std::size_t>(y) * out_w + ox) * channels + c] = sum;
      }

  Image out;
  out.width = out_w;
  out.height = out_h;
  out.channels = channels;
  out.pixels.assign(static_cast<std::size_t>(out_w) * out_h * channels, 0.0f);
  for (int oy = 0; oy < out_h; ++oy) {
    const auto& w = wy.weights[oy];
    for (int x = 0; x < out_w; ++x)
      for (int c = 0; c < channels; ++c) {
        float sum = 0;
        for (std::size_t k = 0; k < w.size(); ++k)
          sum += w[k] * rows[(static_cast<std::size_t>(wy.first[oy] + int(k)) * out_w + x) * channels + c];
        out.pixels[(static_cast<std::size_t>(oy) * out_w + x) * channels + c] =
            std::clamp(sum, 0.0f, 1.0f);
      }
  }
  return out;
}

ImageLoadResult load_image_file(const std::string& path, int max_side) {
  ImageLoadResult result;
  auto fail = [&](std::string message) {
    result.image = Image();
    result.error = std::move(message);
    return result;
  };
  if (max_side < 1) return fail("image: max_side = " + std::to_string(max_side) + " must be >= 1");

  std::error_code ec;
  const std::filesystem::path fs_path(path);
  if (!std::filesystem::exists(fs_path, ec))
    return fail("cannot open image " + quoted(path) + ": no such file");
  if (!std::filesystem::is_regular_file(fs_path, ec))
    return fail("cannot open image " + quoted(path) + ": not a regular file");
  const std::uintmax_t file_bytes = std::filesystem::file_size(fs_path, ec);
  if (ec) return fail("cannot read image " + quoted(path) + ": " + ec.message());
  if (file_bytes == 0) return fail("image " + quoted(path) + " is empty");
  if (file_bytes > kMaxImageFileBytes)
    return fail("image " + quoted(path) + " is too large (" + std::to_string(file_bytes >> 20) +
                " MB file)");

  std::ifstream in(fs_path, std::ios::binary);
  if (!in) return fail("cannot open image " + quoted(path) + ": " + std::strerror(errno));
  std::vector<unsigned char> bytes(static_cast<std::size_t>(file_bytes));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(bytes.size()))
    return fail("cannot read image " + quoted(path) + ": short read");

  // Only the formats the app promises go to stb_image: its other decoders (GIF, PSD, PIC, PNM,
  // HDR, TGA, BMP) are where its known memory-safety bugs are, and no lecturer needs them here.
  if (!is_png(bytes) && !is_jpeg(bytes))
    return fail(quoted(path) + " is not a PNG or JPEG image (unknown signature)");
  if (is_jpeg(bytes) && !jpeg_huffman_tables_ok(bytes))
    return fail("cannot decode image " + quoted(path) + ": corrupt JPEG (a Huffman table has more than 256 codes)");

  // Header first: refuse huge images before stb allocates for them.
  int width = 0, height = 0, file_channels = 0;
  if (!stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height,
                             &file_channels)) {
    int png_w = 0, png_h = 0;
    if (png_header_size(bytes, png_w, png_h) &&
        (png_w > kMaxImageFileSide || png_h > kMaxImageFileSide))
      return fail("image " + quoted(path) + " is too large: " + std::to_string(png_w) + "x" +
                  std::to_string(png_h) + " px (at most " + std::to_string(kMaxImageFileSide) +
                  " px per side)");
    const char* reason = stbi_failure_reason();
    return fail(quoted(path) + " is not a PNG or JPEG image" +
                (reason ? std::string(" (") + reason + ")" : std::string()));
  }
  if (width < 1 || height < 1)
    return fail("image " + quoted(path) + " has no pixels");
  if (width > kMaxImageFileSide || height > kMaxImageFileSide)
    return fail("image " + quoted(path) + " is too large: " + std::to_string(width) + "x" +
                std::to_string(height) + " px (at most " + std::to_string(kMaxImageFileSide) +
                " px per side)");
  const std::size_t decoded = static_cast<std::size_t>(width) * height * std::max(1, file_channels);
  if (decoded > kMaxImageDecodedBytes)
    return fail("image " + quoted(path) + " is too large: " + std::to_string(width) + "x" +
                std::to_string(height) + " px would need " + std::to_string(decoded >> 20) +
                " MB (at most " + std::to_string(kMaxImageDecodedBytes >> 20) + " MB)");

  int w = 0, h = 0, n = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> data(
      stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &n, 0),
      stbi_image_free);
  if (!data) {
    const char* reason = stbi_failure_reason();
    return fail("cannot decode image " + quoted(path) +
                (reason ? std::string(": ") + reason : std::string()));
  }
  if (w != width || h != height || n < 1 || n > 4)
    return fail("cannot decode image " + quoted(path) + ": unexpected layout");

  // Grey (+alpha) -> 1 channel, RGB(A) -> 3; alpha composited over black (the background of
  // Fashion-MNIST and, after scaling to [-1, 1], the value -1).
  const bool has_alpha = (n == 2 || n == 4);
  const int colour = (n <= 2) ? 1 : 3;
  Image image;
  image.width = w;
  image.height = h;
  image.channels = colour;
  image.pixels.resize(static_cast<std::size_t>(w) * h * colour);
  const unsigned char* src = data.get();
  for (std::size_t p = 0; p < static_cast<std::size_t>(w) * h; ++p) {
    const float alpha = has_alpha ? src[p * n + n - 1] / 255.0f : 1.0f;
    for (int c = 0; c < colour; ++c) image.pixels[p * colour + c] = src[p * n + c] / 255.0f * alpha;
  }
  data.reset();
  bytes.clear();

  result.image = resize_to_fit(image, max_side);
  return result;
}

}  // namespace diffuscope::gui
