// Image files for the image view. Everything the lecturer can drop is checked before decoding, and
// a bad file costs bounded memory:
//
// - stb_image (the header from Debian's libstb-dev, 2.27) is compiled into THIS file, private to it
//   (STB_IMAGE_STATIC), PNG and JPEG only, with its allocator hooked (STBI_MALLOC/REALLOC/FREE). It
//   is the only stb_image this unit uses; libstb.so stays linked for stb_image_write and never
//   clashes with these internal-linkage copies. The fuzz build compiles this same file.
// - Before stb allocates, the file's header sets a budget (decode_budget_*): what decoding an image
//   of that size can need (PNG: 1 MiB + 3 x (IDAT bytes + scanline bytes + w*h*4 samples); JPEG:
//   1 MiB + 12 (w+32)(h+32) + 4wh bytes). The hooks refuse any request that would take what stb holds at once
//   past it (a reallocation counts old and new block, as both exist while it copies), so stb fails
//   with "outofmem" and we report a corrupt file. Hooking the allocator, not predicting stb's
//   code paths, is what bounds every path, found or not yet found: e.g. stb gathers the IDAT
//   chunks into one buffer that it doubles up to a chunk's *declared* length, so a 100-byte 3x2
//   PNG asked for 2 GiB (tests/fuzz/regressions/fuzz_image/oom-png-idat-length*).
// - A PNG's chunks are walked first (png_chunks): every chunk must fit in the file, the IDAT data
//   may not exceed what a deflate stream of the image's scanlines can take, and empty IDAT chunks
//   are dropped (stb 2.27 memcpy's 0 bytes to a null buffer for a leading one: undefined
//   behaviour). That gives clear messages for truncated files; the budget is the guarantee.
// - stb's blocks are zeroed (a JPEG may use Huffman tables it never defines) and this file is
//   compiled with -fwrapv (stb multiplies a corrupt JPEG's DC value in int): both found by fuzzing.
#include "gui/sources/image_source.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <system_error>

namespace diffuscope::gui {
namespace {
// stb_image's allocator (defined below); only calls made under a DecodeBudgetScope get memory.
void* stb_allocate(std::size_t size);
void* stb_reallocate(void* block, std::size_t size);
void stb_release(void* block);
}  // namespace
}  // namespace diffuscope::gui

#define STBI_MALLOC(size) ::diffuscope::gui::stb_allocate(size)
#define STBI_REALLOC(block, size) ::diffuscope::gui::stb_reallocate(block, size)
#define STBI_FREE(block) ::diffuscope::gui::stb_release(block)
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"  // the API functions this file does not call
#include <stb_image.h>
#pragma GCC diagnostic pop

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

// ---- the decode budget ----

// Bytes stb_image may hold at once beyond what the image's size accounts for: its fixed-size state
// (the JPEG decoder's ~20 KB struct, line buffers, the 4 KB first IDAT buffer).
constexpr std::uint64_t kDecodeSlackBytes = std::uint64_t(1) << 20;

// What stb may hold at once, and what it did, for the calls on this thread under one scope.
struct DecodeBudget {
  std::size_t limit = 0;
  std::size_t held = 0;
  std::size_t peak = 0;
  std::size_t refused = 0;  // the largest request refused (0: none)
};
thread_local DecodeBudget* t_budget = nullptr;
thread_local ImageDecodeMemory t_last_decode;

// Lets the stb calls in its lifetime allocate up to `limit` bytes at once; records what they did in
// t_last_decode (the caller must free what stb returned before the scope ends).
class DecodeBudgetScope {
 public:
  explicit DecodeBudgetScope(std::uint64_t limit) {
    budget_.limit = static_cast<std::size_t>(std::min<std::uint64_t>(limit, SIZE_MAX / 2));
    t_budget = &budget_;
  }
  ~DecodeBudgetScope() {
    t_budget = nullptr;
    t_last_decode.budget_bytes = std::max(t_last_decode.budget_bytes, budget_.limit);
    t_last_decode.peak_bytes = std::max(t_last_decode.peak_bytes, budget_.peak);
    t_last_decode.refused_bytes = std::max(t_last_decode.refused_bytes, budget_.refused);
  }
  DecodeBudgetScope(const DecodeBudgetScope&) = delete;
  DecodeBudgetScope& operator=(const DecodeBudgetScope&) = delete;
  const DecodeBudget& budget() const { return budget_; }

 private:
  DecodeBudget budget_;
};

// Each block carries its size in front (STBI_FREE is not told it), padded to keep malloc's alignment.
constexpr std::size_t kBlockHeader = alignof(std::max_align_t);
static_assert(kBlockHeader >= sizeof(std::size_t));

unsigned char* block_start(void* block) { return static_cast<unsigned char*>(block) - kBlockHeader; }
std::size_t block_size(void* block) {
  std::size_t size = 0;
  std::memcpy(&size, block_start(block), sizeof size);
  return size;
}

// May stb take a new block of `size` bytes beside what it holds?
bool admit(std::size_t size) {
  DecodeBudget* budget = t_budget;
  if (budget == nullptr) return false;  // stb is only ever called under a scope
  if (size > budget->limit - budget->held || size > SIZE_MAX - kBlockHeader) {
    budget->refused = std::max(budget->refused, size);
    return false;
  }
  budget->peak = std::max(budget->peak, budget->held + size);
  return true;
}

void* stb_allocate(std::size_t size) {
  if (!admit(size)) return nullptr;
  // Zeroed: stb 2.27 decodes with Huffman tables that a corrupt JPEG never defined (found by
  // tests/fuzz/fuzz_image: crash-jpeg-undefined-huffman-table). Zeroed tables match no code, so the
  // decoder fails instead of indexing with whatever the memory held.
  auto* start = static_cast<unsigned char*>(std::calloc(1, kBlockHeader + size));
  if (start == nullptr) return nullptr;
  std::memcpy(start, &size, sizeof size);
  t_budget->held += size;
  return start + kBlockHeader;
}

void* stb_reallocate(void* block, std::size_t size) {
  if (block == nullptr) return stb_allocate(size);
  const std::size_t old_size = block_size(block);
  // The old block is counted in held; while realloc copies, the new one exists beside it.
  if (!admit(size)) return nullptr;
  auto* start = static_cast<unsigned char*>(std::realloc(block_start(block), kBlockHeader + size));
  if (start == nullptr) return nullptr;  // the old block stays valid and counted
  std::memcpy(start, &size, sizeof size);
  t_budget->held = t_budget->held - old_size + size;
  return start + kBlockHeader;
}

void stb_release(void* block) {
  if (block == nullptr) return;
  if (DecodeBudget* budget = t_budget) budget->held -= std::min(budget->held, block_size(block));
  std::free(block_start(block));
}

std::string megabytes(std::uint64_t bytes) {
  const std::uint64_t mb = (bytes + (std::uint64_t(1) << 20) - 1) >> 20;  // rounded up
  return std::to_string(mb) + " MB";
}

// ---- PNG structure (ISO/IEC 15948), read before stb_image sees the file ----

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

std::uint32_t u32_be(const std::vector<unsigned char>& bytes, std::size_t at) {
  return (std::uint32_t(bytes[at]) << 24) | (std::uint32_t(bytes[at + 1]) << 16) |
         (std::uint32_t(bytes[at + 2]) << 8) | std::uint32_t(bytes[at + 3]);
}

// A chunk's type for a message: its four letters, or hex when they are not letters.
std::string chunk_name(const std::vector<unsigned char>& bytes, std::size_t at) {
  std::string name;
  for (std::size_t i = 0; i < 4; ++i) {
    const unsigned char c = bytes[at + i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08X", static_cast<unsigned>(u32_be(bytes, at)));
      return hex;
    }
    name.push_back(static_cast<char>(c));
  }
  return "'" + name + "'";
}

struct PngHeader {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  int bit_depth = 0;
  int samples = 0;   // per pixel: grey 1, grey+alpha 2, RGB 3, RGBA 4, palette index 1
  int channels = 0;  // decoded (as stbi_info counts them): a palette index becomes RGB
  bool interlaced = false;
};

// The IHDR chunk, which must come first. Returns "" or what is wrong.
std::string png_header(const std::vector<unsigned char>& bytes, PngHeader& header) {
  if (bytes.size() < 8 + 8 + 13 || u32_be(bytes, 8) != 13 || std::memcmp(&bytes[12], "IHDR", 4) != 0)
    return "the first chunk is not a 13-byte IHDR";
  header.width = u32_be(bytes, 16);
  header.height = u32_be(bytes, 20);
  header.bit_depth = bytes[24];
  const int colour_type = bytes[25];
  const int depth = header.bit_depth;
  const bool depth_8_16 = depth == 8 || depth == 16;
  const bool depth_1_to_8 = depth == 1 || depth == 2 || depth == 4 || depth == 8;
  bool valid = false;
  switch (colour_type) {
    case 0: header.samples = header.channels = 1; valid = depth_1_to_8 || depth == 16; break;
    case 2: header.samples = header.channels = 3; valid = depth_8_16; break;
    case 3: header.samples = 1; header.channels = 3; valid = depth_1_to_8; break;
    case 4: header.samples = header.channels = 2; valid = depth_8_16; break;
    case 6: header.samples = header.channels = 4; valid = depth_8_16; break;
    default: break;
  }
  if (!valid)
    return "colour type " + std::to_string(colour_type) + " with bit depth " + std::to_string(depth) +
           " is not a PNG pixel format";
  if (bytes[26] != 0 || bytes[27] != 0 || bytes[28] > 1)
    return "unknown compression, filter or interlace method";
  header.interlaced = bytes[28] == 1;
  return {};
}

// The size of the zlib stream's decompressed data: each (Adam7 pass's) scanline is a filter byte
// and its packed samples.
std::uint64_t png_scanline_bytes(const PngHeader& header) {
  const std::uint64_t bits_per_pixel = std::uint64_t(header.samples) * header.bit_depth;
  auto pass = [&](std::uint64_t x0, std::uint64_t y0, std::uint64_t dx, std::uint64_t dy) -> std::uint64_t {
    if (header.width <= x0 || header.height <= y0) return 0;
    const std::uint64_t w = (header.width - x0 + dx - 1) / dx, h = (header.height - y0 + dy - 1) / dy;
    return h * (1 + (w * bits_per_pixel + 7) / 8);
  };
  if (!header.interlaced) return pass(0, 0, 1, 1);
  return pass(0, 0, 8, 8) + pass(4, 0, 8, 8) + pass(0, 4, 4, 8) + pass(2, 0, 4, 4) +
         pass(0, 2, 2, 4) + pass(1, 0, 2, 2) + pass(0, 1, 1, 2);
}

struct PngChunks {
  std::uint64_t idat_bytes = 0;       // the IDAT chunks' lengths added up
  std::size_t empty_idat_chunks = 0;
};

// Walks the chunks after the signature up to IEND: each must fit in the file (PNG limits a length
// to 2^31 - 1). Returns "" or what is wrong.
std::string png_chunks(const std::vector<unsigned char>& bytes, PngChunks& chunks) {
  const std::size_t size = bytes.size();
  for (std::size_t at = 8;;) {
    if (size - at < 12)
      return "truncated: the file ends at byte " + std::to_string(size) + " before its IEND chunk";
    const std::uint32_t length = u32_be(bytes, at);
    const std::string name = chunk_name(bytes, at + 4);
    if (length > 0x7FFFFFFFu)
      return "chunk " + name + " at byte " + std::to_string(at) + " declares " +
             std::to_string(length) + " bytes (at most 2^31 - 1)";
    if (length > size - at - 12)
      return "truncated: chunk " + name + " at byte " + std::to_string(at) + " declares " +
             std::to_string(length) + " bytes, but the file ends " + std::to_string(size - at - 8) +
             " bytes later";
    if (std::memcmp(&bytes[at + 4], "IDAT", 4) == 0) {
      chunks.idat_bytes += length;
      if (length == 0) ++chunks.empty_idat_chunks;
    }
    if (std::memcmp(&bytes[at + 4], "IEND", 4) == 0) return {};
    at += 12 + std::size_t(length);
  }
}

// Removes the zero-length IDAT chunks (they carry no data) in one pass, keeping every other byte.
void drop_empty_idat_chunks(std::vector<unsigned char>& bytes) {
  std::size_t read = 8, write = 8;
  while (read + 12 <= bytes.size()) {
    const std::size_t chunk_bytes = 12 + std::size_t(u32_be(bytes, read));
    const bool empty_idat = chunk_bytes == 12 && std::memcmp(&bytes[read + 4], "IDAT", 4) == 0;
    const bool end = std::memcmp(&bytes[read + 4], "IEND", 4) == 0;
    if (!empty_idat) {
      std::memmove(&bytes[write], &bytes[read], chunk_bytes);
      write += chunk_bytes;
    }
    read += chunk_bytes;
    if (end) break;
  }
  bytes.resize(write);  // png_chunks checked that every chunk up to IEND fits; after it, nothing is read
}

// What stb_image may hold at once decoding a PNG (see stbi__parse_png_file): the IDAT data gathered
// into one buffer that doubles as it grows (< 2x, plus its copy while growing: 3x), then beside it
// the zlib output, which starts at its guess and doubles (3x the scanlines at most), then the
// image (at most 4 samples per pixel, 2 bytes each at 16 bits), with a second and third copy for
// Adam7's passes, the palette expansion or the 16-to-8-bit conversion.
std::uint64_t decode_budget_png(const PngHeader& header, std::uint64_t idat_bytes) {
  const std::uint64_t image = std::uint64_t(header.width) * header.height * 4 * (header.bit_depth == 16 ? 2 : 1);
  return kDecodeSlackBytes + 3 * idat_bytes + 3 * png_scanline_bytes(header) + 3 * image;
}

// What stb_image may hold at once decoding a JPEG (see stbi__decode_jpeg_image and
// stbi__load_jpeg_image): per component (at most 4), its samples padded to whole MCUs (at most 32
// px more per side) plus, when progressive, as many 2-byte coefficients; then line buffers and
// the output (at most 3 bytes per pixel) beside them.
std::uint64_t decode_budget_jpeg(std::uint64_t width, std::uint64_t height) {
  return kDecodeSlackBytes + 4 * 3 * (width + 32) * (height + 32) + 4 * width * height;
}

bool is_png(const std::vector<unsigned char>& bytes) {
  return bytes.size() >= 8 && std::memcmp(bytes.data(), kPngSignature, 8) == 0;
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

ImageDecodeMemory last_image_decode_memory() { return t_last_decode; }

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
  t_last_decode = ImageDecodeMemory();
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

  // Only the formats the app promises go to stb_image (the only decoders compiled in above): its
  // other decoders (GIF, PSD, PIC, PNM, HDR, TGA, BMP) are where its known memory-safety bugs are,
  // and no lecturer needs them here.
  const bool png = is_png(bytes);
  if (!png && !is_jpeg(bytes))
    return fail(quoted(path) + " is not a PNG or JPEG image (unknown signature)");
  auto too_large = [&](std::uint64_t w, std::uint64_t h) {
    return fail("image " + quoted(path) + " is too large: " + std::to_string(w) + "x" +
                std::to_string(h) + " px (at most " + std::to_string(kMaxImageFileSide) +
                " px per side)");
  };
  auto too_many_bytes = [&](std::uint64_t w, std::uint64_t h, std::uint64_t decoded) {
    return fail("image " + quoted(path) + " is too large: " + std::to_string(w) + "x" +
                std::to_string(h) + " px would need " + std::to_string(decoded >> 20) +
                " MB (at most " + std::to_string(kMaxImageDecodedBytes >> 20) + " MB)");
  };
  PngHeader png_ihdr;
  PngChunks png_layout;
  if (png) {
    if (auto e = png_header(bytes, png_ihdr); !e.empty())
      return fail("cannot decode image " + quoted(path) + ": corrupt PNG (" + e + ")");
    // The size first: a header alone (no pixel data) that claims a huge image says "too large".
    if (png_ihdr.width > std::uint32_t(kMaxImageFileSide) || png_ihdr.height > std::uint32_t(kMaxImageFileSide))
      return too_large(png_ihdr.width, png_ihdr.height);
    const std::uint64_t decoded = std::uint64_t(png_ihdr.width) * png_ihdr.height * png_ihdr.channels;
    if (decoded > kMaxImageDecodedBytes) return too_many_bytes(png_ihdr.width, png_ihdr.height, decoded);
    if (auto e = png_chunks(bytes, png_layout); !e.empty())
      return fail("cannot decode image " + quoted(path) + ": corrupt PNG (" + e + ")");
    // Deflate never needs much more than its input (stored blocks add 5 bytes per 64 KiB): twice the
    // scanlines plus 64 KiB is far more than any encoder writes.
    const std::uint64_t scanlines = png_scanline_bytes(png_ihdr);
    if (png_layout.idat_bytes > 2 * scanlines + 65536)
      return fail("cannot decode image " + quoted(path) + ": corrupt PNG (" +
                  std::to_string(png_layout.idat_bytes) + " bytes of compressed pixel data for a " +
                  std::to_string(png_ihdr.width) + "x" + std::to_string(png_ihdr.height) +
                  " px image, which needs " + std::to_string(scanlines) + ")");
    if (png_layout.empty_idat_chunks > 0) drop_empty_idat_chunks(bytes);
  }
  if (!png && !jpeg_huffman_tables_ok(bytes))
    return fail("cannot decode image " + quoted(path) + ": corrupt JPEG (a Huffman table has more than 256 codes)");

  // Header first: refuse huge images before stb allocates for them. Reading a header needs no
  // more than stb's fixed-size state.
  int width = 0, height = 0, file_channels = 0;
  int header_ok = 0;
  {
    DecodeBudgetScope scope(kDecodeSlackBytes);
    header_ok = stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height,
                                      &file_channels);
  }
  if (!header_ok) {
    const char* reason = stbi_failure_reason();
    return fail(quoted(path) + " is not a PNG or JPEG image" +
                (reason ? std::string(" (") + reason + ")" : std::string()));
  }
  if (width < 1 || height < 1)
    return fail("image " + quoted(path) + " has no pixels");
  if (width > kMaxImageFileSide || height > kMaxImageFileSide) return too_large(width, height);
  const std::size_t decoded = static_cast<std::size_t>(width) * height * std::max(1, file_channels);
  if (decoded > kMaxImageDecodedBytes) return too_many_bytes(width, height, decoded);

  // Decode within what the header justifies; stb's data is copied out and freed inside the scope.
  const std::uint64_t budget =
      png ? decode_budget_png(png_ihdr, png_layout.idat_bytes) : decode_budget_jpeg(width, height);
  DecodeBudgetScope scope(budget);
  int w = 0, h = 0, n = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> data(
      stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &n, 0),
      stbi_image_free);
  if (!data) {
    if (scope.budget().refused > 0)
      return fail("cannot decode image " + quoted(path) + ": corrupt " + (png ? "PNG" : "JPEG") +
                  " (decoding it would need more than the " + megabytes(budget) + " that a " +
                  std::to_string(width) + "x" + std::to_string(height) + " px image can)");
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
