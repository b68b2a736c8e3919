#pragma once
// Which 2D training set a cache entry holds: the dataset, its size and its seed.
#include <cstdint>
#include <tuple>

#include "diffusion/datasets2d.hpp"

namespace diffuscope::gui {

struct DataKey {
  diffusion::Dataset2DKind kind = diffusion::Dataset2DKind::Moons;
  int n = 0;
  std::uint64_t seed = 0;
  bool operator==(const DataKey& o) const { return kind == o.kind && n == o.n && seed == o.seed; }
  bool operator<(const DataKey& o) const { return std::tie(kind, n, seed) < std::tie(o.kind, o.n, o.seed); }
};

}  // namespace diffuscope::gui
