#pragma once
// Resident memory of this process (Linux /proc/self/statm) and the growth of a series of samples
// over a baseline: the soak's leak check. GL-free, ImGui-free, torch-free.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace diffuscope::gui {

// Resident set size in bytes; nullopt where /proc/self/statm cannot be read (not Linux).
std::optional<std::size_t> resident_bytes();

// The resident page count of a /proc/<pid>/statm line ("size resident shared text lib data dt",
// in pages): its second field. nullopt when the line has fewer than two numbers.
std::optional<std::size_t> parse_statm_resident_pages(const std::string& statm_line);

// Resident-memory samples of a long session. Samples before `warmup_seconds` are ignored (caches,
// models and textures fill up then). The baseline is the largest of the first `baseline_samples`
// samples after warm-up: one low sample while the allocator still holds little must not pass for
// growth. Growth is that of the largest later sample over the baseline, in percent (0 when no
// later sample exceeds it). A leak shows as a steady climb, well past allocator noise.
class MemoryGrowth {
 public:
  explicit MemoryGrowth(double warmup_seconds, int baseline_samples = 3);
  void add(double seconds, std::size_t bytes);

  int samples() const { return static_cast<int>(samples_.size()); }   // after warm-up
  bool has_baseline() const { return samples() >= baseline_samples_; }
  std::size_t baseline_bytes() const;   // 0 until has_baseline()
  std::size_t max_bytes() const;        // largest sample after warm-up (0: none)
  double growth_percent() const;        // 0 until a sample follows the baseline
  double warmup_seconds() const { return warmup_seconds_; }

  struct Sample {
    double seconds = 0;
    std::size_t bytes = 0;
  };
  const std::vector<Sample>& series() const { return samples_; }

 private:
  double warmup_seconds_;
  int baseline_samples_;
  std::vector<Sample> samples_;
};

}  // namespace diffuscope::gui
