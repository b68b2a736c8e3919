#pragma once
// How one --seed S drives a command. The data points are drawn with seed S itself; every Gaussian
// draw (forward noise, x_T, the reverse process's z) comes from one NoiseSource seeded with
// noise_seed(S). The two streams are thus independent, and the same S reproduces both exactly.
#include <cstdint>

namespace diffuscope::cli {

// SplitMix64 (Steele, Lea & Flood 2014) applied to S: a fixed, documented bijection, so distinct
// seeds give distinct noise seeds and noise_seed(S) never equals S in practice.
constexpr std::uint64_t noise_seed(std::uint64_t seed) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace diffuscope::cli
