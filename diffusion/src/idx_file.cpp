// IDX reader (LeCun's MNIST format, as shipped by dataset-fashion-mnist): a big-endian header
// (magic, then one uint32 per dimension) followed by unsigned bytes. Read through zlib's gzread,
// which also reads uncompressed files unchanged. Nothing in the file is trusted: dimensions are
// bounded before anything is allocated, and short or trailing data is an error. Memory: what is
// read is at most kMaxIdxBytes (the header's claim, checked first), and beyond kMaxUpfrontBytes the
// buffer grows only as decompressed data arrives (at most twice what the file really holds, plus
// one chunk), so neither a lying header nor a gzip bomb makes it allocate more than that.
#include "diffusion/idx_file.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include <zlib.h>

namespace diffusion {
namespace {

constexpr std::uint32_t kIdxImagesMagic = 0x00000803;  // unsigned byte, 3 dimensions
constexpr std::uint32_t kIdxLabelsMagic = 0x00000801;  // unsigned byte, 1 dimension
constexpr std::uint32_t kMaxIdxCount = 10'000'000;
constexpr std::uint32_t kMaxIdxSide = 4096;
// The most pixel bytes one read may return (Fashion-MNIST's training set is 47 MB): the product of
// the bounds above (167 TB) is no bound at all for a gzip'ed file, which may expand 1000-fold.
constexpr std::uint64_t kMaxIdxBytes = std::uint64_t(1) << 30;
// Allocated up front at most; beyond it the pixel buffer grows only as data arrives (the header's
// sizes alone may claim terabytes), in chunks of kReadChunkBytes.
constexpr std::size_t kMaxUpfrontBytes = std::size_t(8) << 20;
constexpr std::size_t kReadChunkBytes = std::size_t(1) << 20;

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

std::string quoted(const std::string& path) { return "'" + path + "'"; }

std::string missing_file_message(const std::string& path) {
  std::string message = "cannot open " + quoted(path) + ": no such file";
  if (path.rfind(kFashionMnistDir, 0) == 0)
    message += " (install the Debian package dataset-fashion-mnist)";
  return message;
}

// Reads exactly `size` bytes; returns an error message or "". A truncation is reported as at
// offset + bytes read of total (the whole read this is part of; 0: just this one).
std::string read_exact(gzFile file, void* out, std::size_t size, const std::string& path,
                       const char* what, std::size_t offset = 0, std::size_t total = 0) {
  auto* dst = static_cast<unsigned char*>(out);
  std::size_t done = 0;
  while (done < size) {
    const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(size - done, 1u << 30));
    const int got = gzread(file, dst + done, chunk);
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(file, &code);
      return quoted(path) + " is corrupt while reading " + what + " (" +
             (message ? message : "zlib error") + ")";
    }
    if (got == 0)
      return quoted(path) + " is truncated: " + what + " ends after " + std::to_string(offset + done) +
             " of " + std::to_string(total > 0 ? total : size) + " bytes";
    done += static_cast<std::size_t>(got);
  }
  return {};
}

// Reads exactly `size` bytes into `out` (replacing its contents), allocating as the data arrives
// rather than trusting `size`: a short file whose header claims a huge size fails as truncated, not
// out of memory. Returns an error message or "".
std::string read_growing(gzFile file, std::vector<std::uint8_t>& out, std::size_t size,
                         const std::string& path, const char* what) {
  out.clear();
  out.reserve(std::min(size, kMaxUpfrontBytes));
  while (out.size() < size) {
    const std::size_t done = out.size();
    const std::size_t chunk = std::min(size - done, kReadChunkBytes);
    out.resize(done + chunk);
    if (auto e = read_exact(file, out.data() + done, chunk, path, what, done, size); !e.empty()) return e;
  }
  return {};
}

std::string read_u32_be(gzFile file, std::uint32_t& value, const std::string& path,
                        const char* what) {
  std::array<unsigned char, 4> b{};
  if (auto e = read_exact(file, b.data(), 4, path, what); !e.empty()) return e;
  value = (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) |
          std::uint32_t(b[3]);
  return {};
}

std::string hex(std::uint32_t v) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08X", v);
  return buffer;
}

// Opens `path` and checks its magic; returns an error message or "".
std::string open_idx(const std::string& path, std::uint32_t expected_magic, GzFile& file) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return missing_file_message(path);
  if (!std::filesystem::is_regular_file(path, ec)) return quoted(path) + " is not a regular file";
  file.reset(gzopen(path.c_str(), "rb"));
  if (!file) return "cannot open " + quoted(path) + ": " + std::strerror(errno);
  std::uint32_t magic = 0;
  if (auto e = read_u32_be(file.get(), magic, path, "the header"); !e.empty()) return e;
  if (magic != expected_magic)
    return quoted(path) + " is not an IDX " + (expected_magic == kIdxImagesMagic ? "image" : "label") +
           " file: magic " + hex(magic) + ", expected " + hex(expected_magic);
  return {};
}

// When every declared item was read, anything after the last one means the header lies.
std::string no_trailing_data(gzFile file, const std::string& path, const std::string& declared) {
  unsigned char extra = 0;
  const int got = gzread(file, &extra, 1);
  if (got < 0) return quoted(path) + " is corrupt after the last item";
  if (got > 0) return quoted(path) + " has data after the " + declared + " its header declares";
  return {};
}

}  // namespace

IdxImages read_idx_images(const std::string& path, int max_count) {
  auto check = [](const std::string& error) {
    if (!error.empty()) throw IdxError(error);
  };
  GzFile file;
  check(open_idx(path, kIdxImagesMagic, file));
  std::uint32_t count = 0, rows = 0, cols = 0;
  check(read_u32_be(file.get(), count, path, "the header"));
  check(read_u32_be(file.get(), rows, path, "the header"));
  check(read_u32_be(file.get(), cols, path, "the header"));
  if (count < 1 || count > kMaxIdxCount || rows < 1 || rows > kMaxIdxSide || cols < 1 || cols > kMaxIdxSide)
    throw IdxError(quoted(path) + " has implausible dimensions " + std::to_string(count) + " x " +
                   std::to_string(rows) + " x " + std::to_string(cols));
  const std::uint32_t wanted =
      max_count > 0 ? std::min<std::uint32_t>(count, static_cast<std::uint32_t>(max_count)) : count;
  const std::uint64_t wanted_bytes = std::uint64_t(wanted) * rows * cols;
  if (wanted_bytes > kMaxIdxBytes)
    throw IdxError(quoted(path) + " declares " + std::to_string(wanted) + " images of " +
                   std::to_string(rows) + " x " + std::to_string(cols) + " = " +
                   std::to_string(wanted_bytes >> 20) + " MB, more than the " +
                   std::to_string(kMaxIdxBytes >> 20) + " MB one read may hold");
  IdxImages images;
  images.count = static_cast<int>(wanted);
  images.rows = static_cast<int>(rows);
  images.cols = static_cast<int>(cols);
  check(read_growing(file.get(), images.bytes, static_cast<std::size_t>(wanted) * rows * cols, path,
                     "the pixels"));
  if (wanted == count) check(no_trailing_data(file.get(), path, std::to_string(count) + " images"));
  return images;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path, int max_count) {
  auto check = [](const std::string& error) {
    if (!error.empty()) throw IdxError(error);
  };
  GzFile file;
  check(open_idx(path, kIdxLabelsMagic, file));
  std::uint32_t count = 0;
  check(read_u32_be(file.get(), count, path, "the header"));
  if (count < 1 || count > kMaxIdxCount)
    throw IdxError(quoted(path) + " has an implausible label count " + std::to_string(count));
  const std::uint32_t wanted =
      max_count > 0 ? std::min<std::uint32_t>(count, static_cast<std::uint32_t>(max_count)) : count;
  // At most 10 MB, but still only as the labels arrive: a 12-byte file claiming 10 million fails as
  // truncated without allocating for them.
  std::vector<std::uint8_t> labels;
  check(read_growing(file.get(), labels, wanted, path, "the labels"));
  if (wanted == count) check(no_trailing_data(file.get(), path, std::to_string(count) + " labels"));
  return labels;
}

std::string_view fashion_mnist_class_name(int label) {
  static constexpr std::array<std::string_view, 10> kNames = {
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
      "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  if (label < 0 || label >= static_cast<int>(kNames.size())) return "?";
  return kNames[static_cast<std::size_t>(label)];
}

}  // namespace diffusion
