#pragma once
// CPU resampling of top-down RGBA8 images for export: area-average downscaling (smaller GIFs)
// and cropping (one view out of a full-window frame). No GL.
#include <cstdint>
#include <vector>

namespace renderer {

// Area-average downscale of a width x height RGBA8 image to new_width x new_height (each 1..the
// old size). Every destination pixel is the mean of the source area it covers, partial source
// pixels weighted by their covered fraction; all four channels alike; rounded to nearest.
// Returns an empty vector when the arguments are invalid (null pixels, sizes <= 0, upscaling).
std::vector<std::uint8_t> downscale_rgba(const std::uint8_t* rgba, int width, int height, int new_width,
                                         int new_height);

// Copies the rectangle whose top-left pixel is (x, y) (x to the right, y downwards, as the rows
// are stored) and whose size is crop_width x crop_height. Returns an empty vector when the
// rectangle is empty or not fully inside the image.
std::vector<std::uint8_t> crop_rgba(const std::uint8_t* rgba, int width, int height, int x, int y, int crop_width,
                                    int crop_height);

struct ImageSize {
  int width = 0;
  int height = 0;
};

// The size of a width x height image scaled by `scale` (clamped to (0, 1]; NaN counts as 1),
// rounded to nearest and at least 1 x 1: the target size for downscale_rgba.
ImageSize scaled_size(int width, int height, float scale);

}  // namespace renderer
