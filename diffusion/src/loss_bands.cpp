// Binning training losses by log-SNR (loss_bands.hpp).
#include "diffusion/loss_bands.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace diffusion {

LogSnrLossBands::LogSnrLossBands(double log_snr_min, double log_snr_max, int bands) {
  if (!(std::isfinite(log_snr_min) && std::isfinite(log_snr_max) && log_snr_min < log_snr_max))
    throw std::invalid_argument("LogSnrLossBands: the range must be finite with min < max");
  if (bands < 1 || bands > 64) throw std::invalid_argument("LogSnrLossBands: bands must be in 1..64");
  min_ = log_snr_min;
  width_ = (log_snr_max - log_snr_min) / bands;
  sums_.assign(static_cast<std::size_t>(bands), 0.0);
  counts_.assign(static_cast<std::size_t>(bands), 0);
}

int LogSnrLossBands::band_of(double log_snr) const {
  const double position = std::floor((log_snr - min_) / width_);
  if (!(position >= 0.0)) return 0;  // below the range (and -inf)
  return static_cast<int>(std::min<double>(position, bands() - 1));
}

double LogSnrLossBands::band_lower(int band) const { return min_ + band * width_; }
double LogSnrLossBands::band_upper(int band) const { return min_ + (band + 1) * width_; }

void LogSnrLossBands::add(double log_snr, double loss) {
  if (std::isnan(log_snr) || std::isnan(loss)) {
    ++skipped_;
    return;
  }
  const int band = band_of(log_snr);
  sums_[static_cast<std::size_t>(band)] += loss;
  ++counts_[static_cast<std::size_t>(band)];
}

void LogSnrLossBands::add(const std::vector<double>& log_snr, const std::vector<double>& loss) {
  if (log_snr.size() != loss.size())
    throw std::invalid_argument("LogSnrLossBands::add: " + std::to_string(log_snr.size()) + " log-SNR values for " +
                                std::to_string(loss.size()) + " losses");
  for (std::size_t i = 0; i < loss.size(); ++i) add(log_snr[i], loss[i]);
}

void LogSnrLossBands::clear() {
  std::fill(sums_.begin(), sums_.end(), 0.0);
  std::fill(counts_.begin(), counts_.end(), 0);
  skipped_ = 0;
}

double LogSnrLossBands::mean(int band) const {
  const auto b = static_cast<std::size_t>(band);
  if (b >= counts_.size()) throw std::out_of_range("LogSnrLossBands::mean: no band " + std::to_string(band));
  return counts_[b] == 0 ? std::numeric_limits<double>::quiet_NaN() : sums_[b] / static_cast<double>(counts_[b]);
}

std::int64_t LogSnrLossBands::count(int band) const {
  const auto b = static_cast<std::size_t>(band);
  if (b >= counts_.size()) throw std::out_of_range("LogSnrLossBands::count: no band " + std::to_string(band));
  return counts_[b];
}

double LogSnrLossBands::total_mean() const {
  double sum = 0;
  std::int64_t count = 0;
  for (std::size_t b = 0; b < sums_.size(); ++b) {
    sum += sums_[b];
    count += counts_[b];
  }
  return count == 0 ? std::numeric_limits<double>::quiet_NaN() : sum / static_cast<double>(count);
}

std::string LogSnrLossBands::summary(int precision) const {
  std::ostringstream out;
  for (int b = 0; b < bands(); ++b) {
    if (b > 0) out << " | ";
    out << '[' << band_lower(b) << ',' << band_upper(b) << (b + 1 == bands() ? "] " : ") ");
    if (counts_[static_cast<std::size_t>(b)] == 0) {
      out << '-';
    } else {
      std::ostringstream value;  // its own stream: the bounds keep the default format
      value << std::fixed << std::setprecision(precision) << mean(b);
      out << value.str();
    }
  }
  return out.str();
}

}  // namespace diffusion
