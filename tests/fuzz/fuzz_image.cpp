// Image files: load_image_file (header checks, stb_image decode, alpha, resize) on arbitrary
// bytes. Input byte 0 is max_side - 1 (1..256), so the resize path sees many shapes.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "fuzz_common.hpp"
#include "gui/sources/image_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static fuzz::TempFileCleanup cleanup{fuzz::temp_path(".img")};
  const int max_side = 1 + data[0];
  fuzz::write_file(cleanup.path, data + 1, size - 1);
  const diffuscope::gui::ImageLoadResult result = diffuscope::gui::load_image_file(cleanup.path, max_side);
  if (!result.ok()) {
    if (!result.image.empty()) std::abort();  // never both an image and an error
    return 0;
  }
  const auto& image = result.image;
  if (image.width < 1 || image.height < 1 || image.width > max_side || image.height > max_side ||
      (image.channels != 1 && image.channels != 3) ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * image.channels)
    std::abort();
  for (float v : image.pixels)
    if (!(v >= 0.0f && v <= 1.0f)) std::abort();
  return 0;
}
