#pragma once
// Independent random streams from one user seed. Torch-free so every layer can derive seeds alike.
#include <cstdint>

namespace diffusion {

// The SplitMix64 finaliser (Steele, Lea & Flood 2014) over seed + offsets for (stream, index):
// a fixed, documented mixing, so that e.g. x_0, eps and per-step noise never share random numbers
// by accident, and derive_seed(S) differs from S. derive_seed(S, 0, 0) is SplitMix64(S).
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream = 0, std::uint64_t index = 0) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (stream + 1) + 0xBF58476D1CE4E5B9ull * index;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace diffusion
