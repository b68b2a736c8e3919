#pragma once
// Training loss per noise level: per-example (or per-group) losses binned by their log-SNR into
// equal-width bands over a fixed range, so a progress line can show which noise levels are hard
// and how each band falls as training goes on. Equal width, not equal count: the bands then mean the same log-SNR interval in every
// run and for every way of drawing training levels, which is what a reader compares across lines.
// Values outside the range count in the first or last band. Torch-free (the CLI and the in-app
// Train panel share it).
#include <cstdint>
#include <string>
#include <vector>

namespace diffusion {

inline constexpr int kDefaultLossBands = 8;

class LogSnrLossBands {
 public:
  // Throws std::invalid_argument unless log_snr_min < log_snr_max (finite) and bands in 1..64.
  LogSnrLossBands(double log_snr_min, double log_snr_max, int bands = kDefaultLossBands);

  // Adds one loss at one log-SNR (NaN log-SNR or loss: ignored, counted in skipped()).
  void add(double log_snr, double loss);
  // Adds pairs; throws std::invalid_argument if the sizes differ.
  void add(const std::vector<double>& log_snr, const std::vector<double>& loss);
  void clear();

  int bands() const { return static_cast<int>(sums_.size()); }
  // The band holding log_snr: floor((log_snr - min) / width), clamped to 0..bands-1.
  int band_of(double log_snr) const;
  double band_lower(int band) const;
  double band_upper(int band) const;
  double mean(int band) const;            // NaN when the band holds nothing
  std::int64_t count(int band) const;
  double total_mean() const;              // over every added loss (NaN when none)
  std::int64_t skipped() const { return skipped_; }
  // "[-20,-15.75) 0.98 | ... | [9.75,14] 0.05" ("-" for an empty band), the last band closed.
  std::string summary(int precision = 3) const;

 private:
  double min_;
  double width_;
  std::vector<double> sums_;
  std::vector<std::int64_t> counts_;
  std::int64_t skipped_ = 0;
};

}  // namespace diffusion
