#pragma once
// How one --seed S drives a command. The data points are drawn with seed S itself; every Gaussian
// draw (forward noise, x_T, the reverse process's z) comes from one NoiseSource seeded with
// noise_seed(S). The two streams are thus independent, and the same S reproduces both exactly.
#include <cstdint>

#include "diffusion/seeding.hpp"

namespace diffuscope::cli {

// SplitMix64 of S (diffusion::derive_seed): distinct seeds give distinct noise seeds.
constexpr std::uint64_t noise_seed(std::uint64_t seed) { return diffusion::derive_seed(seed); }

}  // namespace diffuscope::cli
