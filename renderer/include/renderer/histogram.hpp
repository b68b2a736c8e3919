#pragma once
// Density histograms of one coordinate of a sample, for the marginal panel. Pure, no ImGui.
#include <vector>

namespace renderer {

struct DensityHistogram {
  double lo = -4.0;              // left edge of the first bin
  double hi = 4.0;               // right edge of the last bin
  std::vector<double> density;   // per bin: count / (n_finite * bin_width), integrates to the
                                 // fraction of finite samples inside [lo, hi]
  int finite_count = 0;          // finite samples seen (inside or outside [lo, hi])
  int outside_count = 0;         // finite samples outside [lo, hi]
  double mean = 0.0;             // of all finite samples (0 when none)
  double variance = 0.0;         // population variance (divide by n) of all finite samples
  double bin_width() const {
    return density.empty() ? 0.0 : (hi - lo) / static_cast<double>(density.size());
  }
};

// values[i * stride] for i in [0, count): stride 2 picks one coordinate of interleaved xy data.
// Non-finite samples are ignored. bins >= 1 and lo < hi, otherwise an empty histogram is returned.
DensityHistogram density_histogram(const float* values, int count, int stride, double lo,
                                   double hi, int bins);

// Normal density N(mean, stddev^2) at x (stddev > 0).
double normal_pdf(double x, double mean = 0.0, double stddev = 1.0);

}  // namespace renderer
