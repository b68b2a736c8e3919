#include "cli/evaluation.hpp"

#include <algorithm>

#include "diffusion/nearest_distance.hpp"
#include "diffusion/seeding.hpp"
#include "diffusion/sliced_wasserstein.hpp"

namespace diffuscope::cli {

namespace {
// derive_seed's stream for fresh evaluation data; the noise stream uses stream 0 (seeds.hpp).
constexpr std::uint64_t kFreshDataStream = 0xE7A1;
}  // namespace

std::uint64_t fresh_data_seed(std::uint64_t seed, int draw) {
  return diffusion::derive_seed(seed, kFreshDataStream, static_cast<std::uint64_t>(draw));
}

std::vector<float> fresh_data(diffusion::Dataset2DKind kind, int n, std::uint64_t seed, int draw) {
  return diffusion::make_dataset2d(kind, n, fresh_data_seed(seed, draw)).xy;
}

double sliced_wasserstein(const std::vector<float>& samples, const std::vector<float>& reference) {
  return diffusion::sliced_wasserstein_2d(samples, reference, kSwdDirections);
}

Stragglers stragglers(diffusion::Dataset2DKind kind, const std::vector<float>& samples, std::uint64_t seed) {
  // Draw number 2: independent of the reference (0) and the floor's second draw (1).
  return stragglers_from(fresh_data(kind, kStragglerReferencePoints, seed, 2), samples);
}

Stragglers stragglers_from(const std::vector<float>& reference, const std::vector<float>& samples) {
  const auto distances = diffusion::nearest_distances_2d(samples, reference);
  Stragglers out;
  out.share_beyond = diffusion::share_above(distances, kStragglerRadius);
  for (const double d : distances) out.max_distance = std::max(out.max_distance, d);
  return out;
}

}  // namespace diffuscope::cli
