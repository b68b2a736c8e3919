// For CheckpointKill (test_checkpoint_kill.cpp): rewrites one checkpoint forever, version 1, 2,
// ..., each an 8 MiB tensor filled with its version number and metadata {"version": N}, until
// the test kills it with SIGKILL. Usage: checkpoint_write_victim PATH
#include <cstdio>
#include <string>

#include <torch/torch.h>

#include "diffusion/checkpoint.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: checkpoint_write_victim PATH\n");
    return 2;
  }
  for (long version = 1;; ++version) {
    const torch::Tensor values = torch::full({1 << 21}, static_cast<float>(version));
    diffusion::write_checkpoint(argv[1], "{\"version\": " + std::to_string(version) + "}",
                                {{"values", values}});
  }
}
