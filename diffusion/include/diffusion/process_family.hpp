#pragma once
// Which generative process a 2D model or a sampler belongs to: DDPM (the variance-preserving
// diffusion of schedule.hpp, eps/x0/v prediction) or flow matching (the linear path of
// flow_matching.hpp, velocity prediction). Stored in point checkpoints and named by --process.
// Torch-free and header-only: the CLI's flag checks and the checkpoint code share the words.
#include <optional>
#include <string_view>

namespace diffusion {

enum class ProcessFamily { Ddpm, Flow };

// "ddpm", "flow": the words of --process and of checkpoint metadata.
inline std::string_view to_string(ProcessFamily process) {
  return process == ProcessFamily::Flow ? "flow" : "ddpm";
}

inline std::optional<ProcessFamily> parse_process_family(std::string_view name) {
  if (name == "ddpm") return ProcessFamily::Ddpm;
  if (name == "flow") return ProcessFamily::Flow;
  return std::nullopt;
}

}  // namespace diffusion
