#include "gui/harness/memory_usage.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace diffuscope::gui {

std::optional<std::size_t> parse_statm_resident_pages(const std::string& statm_line) {
  std::istringstream in(statm_line);
  unsigned long long size_pages = 0, resident_pages = 0;
  if (!(in >> size_pages >> resident_pages)) return std::nullopt;
  return static_cast<std::size_t>(resident_pages);
}

std::optional<std::size_t> resident_bytes() {
  std::ifstream in("/proc/self/statm");
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  const std::optional<std::size_t> pages = parse_statm_resident_pages(line);
  const long page_size = sysconf(_SC_PAGESIZE);
  if (!pages || page_size <= 0) return std::nullopt;
  return *pages * static_cast<std::size_t>(page_size);
}

MemoryGrowth::MemoryGrowth(double warmup_seconds, int baseline_samples)
    : warmup_seconds_(warmup_seconds), baseline_samples_(std::max(1, baseline_samples)) {}

void MemoryGrowth::add(double seconds, std::size_t bytes) {
  if (seconds < warmup_seconds_) return;
  samples_.push_back({seconds, bytes});
}

std::size_t MemoryGrowth::baseline_bytes() const {
  if (!has_baseline()) return 0;
  std::size_t baseline = 0;
  for (int i = 0; i < baseline_samples_; ++i) baseline = std::max(baseline, samples_[i].bytes);
  return baseline;
}

std::size_t MemoryGrowth::max_bytes() const {
  std::size_t largest = 0;
  for (const Sample& s : samples_) largest = std::max(largest, s.bytes);
  return largest;
}

double MemoryGrowth::growth_percent() const {
  const std::size_t baseline = baseline_bytes();
  if (baseline == 0) return 0.0;
  std::size_t later = 0;
  for (std::size_t i = static_cast<std::size_t>(baseline_samples_); i < samples_.size(); ++i) {
    later = std::max(later, samples_[i].bytes);
  }
  if (later <= baseline) return 0.0;
  return 100.0 * static_cast<double>(later - baseline) / static_cast<double>(baseline);
}

}  // namespace diffuscope::gui
