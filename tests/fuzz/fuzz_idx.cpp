// IDX files: read_idx_images / read_idx_labels on arbitrary bytes, raw or gzip'ed.
// Input byte 0 chooses: bit 0 images (else labels), bit 1 gzip the rest before writing it (so
// that mutations of the header reach the reader through zlib too), bits 2..7 max_count (0: all).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <zlib.h>

#include "diffusion/idx_file.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static fuzz::TempFileCleanup cleanup{fuzz::temp_path(".idx")};
  const std::string& path = cleanup.path;
  const std::uint8_t mode = data[0];
  const bool images = mode & 1;
  const bool gzip = mode & 2;
  const int max_count = mode >> 2;
  const std::uint8_t* payload = data + 1;
  const std::size_t payload_size = size - 1;
  if (gzip) {
    uLongf bound = compressBound(static_cast<uLong>(payload_size)) + 32;
    std::vector<std::uint8_t> out(bound);
    // A gzip stream (windowBits 15 + 16), what gzread expects of a .gz file.
    z_stream stream{};
    if (deflateInit2(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
    stream.next_in = const_cast<Bytef*>(payload);
    stream.avail_in = static_cast<uInt>(payload_size);
    stream.next_out = out.data();
    stream.avail_out = static_cast<uInt>(out.size());
    if (deflate(&stream, Z_FINISH) != Z_STREAM_END) std::abort();
    out.resize(stream.total_out);
    deflateEnd(&stream);
    fuzz::write_file(path, out.data(), out.size());
  } else {
    fuzz::write_file(path, payload, payload_size);
  }
  try {
    if (images) {
      const diffusion::IdxImages read = diffusion::read_idx_images(path, max_count);
      if (read.count < 1 || read.bytes.size() != static_cast<std::size_t>(read.count) * read.image_size())
        std::abort();
    } else {
      const std::vector<std::uint8_t> labels = diffusion::read_idx_labels(path, max_count);
      if (labels.empty()) std::abort();
    }
  } catch (const diffusion::IdxError&) {
    // The documented outcome for a bad file.
  }
  return 0;
}
