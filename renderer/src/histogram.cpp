#include "renderer/histogram.hpp"

#include <cmath>

namespace renderer {

constexpr double kPi = 3.14159265358979323846;

DensityHistogram density_histogram(const float* values, int count, int stride, double lo, double hi,
                                   int bins) {
  DensityHistogram hist;
  if (!(bins >= 1) || !(lo < hi) || !std::isfinite(lo) || !std::isfinite(hi)) return hist;
  hist.lo = lo;
  hist.hi = hi;
  hist.density.assign(static_cast<std::size_t>(bins), 0.0);
  if (values == nullptr || count <= 0 || stride <= 0) return hist;

  const double width = (hi - lo) / bins;
  // Welford's running mean/variance: stable for large samples of float data.
  double mean = 0.0, m2 = 0.0;
  std::vector<long> counts(static_cast<std::size_t>(bins), 0);
  for (int i = 0; i < count; ++i) {
    double v = values[static_cast<std::size_t>(i) * static_cast<std::size_t>(stride)];
    if (!std::isfinite(v)) continue;
    ++hist.finite_count;
    double delta = v - mean;
    mean += delta / hist.finite_count;
    m2 += delta * (v - mean);
    if (v < lo || v > hi) {
      ++hist.outside_count;
      continue;
    }
    int bin = static_cast<int>((v - lo) / width);
    if (bin >= bins) bin = bins - 1;  // v == hi belongs to the last bin
    if (bin < 0) bin = 0;
    ++counts[static_cast<std::size_t>(bin)];
  }
  if (hist.finite_count == 0) return hist;
  hist.mean = mean;
  hist.variance = m2 / hist.finite_count;
  for (int b = 0; b < bins; ++b) {
    hist.density[static_cast<std::size_t>(b)] =
        static_cast<double>(counts[static_cast<std::size_t>(b)]) / (hist.finite_count * width);
  }
  return hist;
}

double normal_pdf(double x, double mean, double stddev) {
  if (!(stddev > 0.0)) return 0.0;
  const double z = (x - mean) / stddev;
  return std::exp(-0.5 * z * z) / (stddev * std::sqrt(2.0 * kPi));
}

}  // namespace renderer
