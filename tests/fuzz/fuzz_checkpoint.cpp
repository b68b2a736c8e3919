// Checkpoints: read_checkpoint, then load_point_model / load_image_model, on arbitrary bytes.
// Input byte 0 chooses: bit 0 "fix the checksum" (the last 8 bytes of the rest are replaced by
// the FNV-1a hash of what comes before them, so that mutations reach the metadata and tensor
// checks instead of stopping at the checksum), bit 1 the image model loader (else the point one).
// Every outcome but a CheckpointError (or a loaded, finite model) is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include <torch/torch.h>

#include "diffusion/checkpoint.hpp"
#include "diffusion/image_checkpoint.hpp"
#include "fuzz_common.hpp"

namespace {

// FNV-1a 64 (Fowler, Noll & Vo), the container's checksum: offset basis and prime from the spec.
std::uint64_t fnv1a64(const std::uint8_t* bytes, std::size_t size) {
  std::uint64_t hash = 14695981039346656037ull;
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  torch::set_num_threads(1);  // the fuzzer runs one input at a time; LibTorch's pool only adds noise
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  static fuzz::TempFileCleanup cleanup{fuzz::temp_path(".ckpt")};
  const std::string& path = cleanup.path;
  const bool fix_checksum = data[0] & 1;
  const bool image_model = data[0] & 2;
  std::vector<std::uint8_t> bytes(data + 1, data + size);
  if (fix_checksum && bytes.size() >= 8) {
    const std::uint64_t hash = fnv1a64(bytes.data(), bytes.size() - 8);
    for (int i = 0; i < 8; ++i) bytes[bytes.size() - 8 + i] = static_cast<std::uint8_t>(hash >> (8 * i));
  }
  fuzz::write_file(path, bytes.data(), bytes.size());
  try {
    if (image_model) {
      const auto loaded = diffusion::load_image_model(path, torch::kCPU);
      if (!loaded.model) std::abort();
    } else {
      const auto loaded = diffusion::load_point_model(path, torch::kCPU);
      if (!loaded.model) std::abort();
    }
  } catch (const diffusion::CheckpointError&) {
    // The documented outcome for a bad file.
  }
  return 0;
}
