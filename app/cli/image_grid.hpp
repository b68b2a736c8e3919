#pragma once
// A batch of images as one PNG: a grid of tiles with 1-pixel gutters, each tile upscaled by an
// integer factor (nearest neighbour, so every model pixel stays a crisp square on a projector).
#include <string>

#include <torch/types.h>

namespace diffuscope::cli {

// images: [N, C, H, W] (C = 1 grey or 3 RGB) in [-1, 1] (clamped), any device and floating type.
// columns <= 0: ceil(sqrt(N)). scale <= 0: the smallest factor that makes a tile at least
// kMinimumTilePixels on its shorter side. Grey gutters between and around the tiles.
// Written atomically (fileio::write_png).
// Throws std::runtime_error naming `path` (bad shape, non-finite values, cannot write).
void write_image_grid_png(const std::string& path, const torch::Tensor& images, int columns = 0,
                          int scale = 0);

inline constexpr int kMinimumTilePixels = 56;

}  // namespace diffuscope::cli
