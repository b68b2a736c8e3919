#pragma once
// 2D toy datasets, generated in plain C++ from a seed (same seed, same points on every machine),
// scaled to roughly unit variance per coordinate.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diffusion {

enum class Dataset2DKind { Moons, EightGaussians, SwissRoll, Checkerboard, Circles, Spiral, GaussianMixture };

const std::vector<Dataset2DKind>& all_dataset2d_kinds();
std::string_view to_string(Dataset2DKind kind);  // "moons", "8gaussians", "swiss_roll", ...
std::optional<Dataset2DKind> parse_dataset2d_kind(std::string_view name);

struct Dataset2D {
  Dataset2DKind kind = Dataset2DKind::Moons;
  std::vector<float> xy;      // interleaved x0, y0, x1, y1, ...
  std::vector<int> label;     // a component / class index per point, for colouring
  int size() const { return static_cast<int>(label.size()); }
};

// Throws std::invalid_argument if n < 1 or n > 10'000'000.
Dataset2D make_dataset2d(Dataset2DKind kind, int n, std::uint64_t seed);

}  // namespace diffusion
