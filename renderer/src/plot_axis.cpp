#include "renderer/plot_axis.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace renderer {
namespace {

// Removes trailing zeros (and a trailing '.') from the fractional part of a fixed-point number.
std::string strip_fraction_zeros(std::string text) {
  if (text.find('.') == std::string::npos) return text;
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

// Decimal exponent of |value| (value != 0, finite), robust to log10 rounding at powers of ten.
int decimal_exponent(double value) {
  double magnitude = std::fabs(value);
  int e = static_cast<int>(std::floor(std::log10(magnitude)));
  if (std::pow(10.0, e + 1) <= magnitude) ++e;
  if (std::pow(10.0, e) > magnitude) --e;
  return e;
}

// "2.5e-5", "1e6", "-3e-12": mantissa with `decimals` digits (zeros stripped), compact exponent.
std::string format_scientific(double value, int decimals) {
  int e = decimal_exponent(value);
  double mantissa = value / std::pow(10.0, e);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, mantissa);
  // Rounding may carry the mantissa to 10 ("9.99" -> "10.0").
  if (std::fabs(std::atof(buffer)) >= 10.0) {
    ++e;
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value / std::pow(10.0, e));
  }
  std::string text = strip_fraction_zeros(buffer);
  if (e == 0) return text;
  return text + "e" + std::to_string(e);
}

// Decimals needed to write multiples of step exactly (step = m x 10^k, m in {1, 2, 2.5, 5}).
int decimals_for_step(double step) {
  for (int d = 0; d <= 15; ++d) {
    double scaled = step * std::pow(10.0, d);
    if (std::fabs(scaled - std::round(scaled)) <= 1e-6 * scaled) return d;
  }
  return 15;
}

double safe_log10(double value) {
  return std::log10(std::max(value, DBL_MIN));
}

}  // namespace

double nice_step(double raw_step) {
  if (!(raw_step > 0.0) || !std::isfinite(raw_step)) return 1.0;
  int e = decimal_exponent(raw_step);
  double base = std::pow(10.0, e);
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * base >= raw_step * (1.0 - 1e-12)) return m * base;
  }
  return 10.0 * base;
}

std::vector<AxisTick> linear_ticks(double lo, double hi, int target_count) {
  std::vector<AxisTick> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi)) return ticks;
  if (lo > hi) std::swap(lo, hi);
  double span = hi - lo;
  if (!(span > 0.0) || !std::isfinite(span)) return ticks;
  target_count = std::max(2, target_count);

  // Among the 1-2-5 steps near span/target, take the one whose tick count is closest to the
  // target (ties: the larger step, fewer labels).
  double raw = span / target_count;
  int e = decimal_exponent(raw);
  double best_step = 0.0;
  long best_count = 0;
  for (int k = e - 1; k <= e + 1; ++k) {
    for (double m : {1.0, 2.0, 5.0}) {
      double step = m * std::pow(10.0, k);
      long count = static_cast<long>(std::floor(hi / step + 1e-9)) -
                   static_cast<long>(std::ceil(lo / step - 1e-9)) + 1;
      if (count < 2) continue;
      long distance = std::labs(count - target_count);
      long best_distance = std::labs(best_count - target_count);
      if (best_step == 0.0 || distance < best_distance ||
          (distance == best_distance && step > best_step)) {
        best_step = step;
        best_count = count;
      }
    }
  }
  if (best_step == 0.0) best_step = nice_step(span);

  double first = std::ceil(lo / best_step - 1e-9);
  double last = std::floor(hi / best_step + 1e-9);
  for (double i = first; i <= last && ticks.size() < 1000; i += 1.0) {
    double value = i * best_step;
    if (std::fabs(value) < best_step * 1e-9) value = 0.0;
    ticks.push_back({value, format_tick(value, best_step), true});
  }
  return ticks;
}

std::vector<AxisTick> log_ticks(double lo, double hi, int max_labels, int max_decades_for_minor,
                                bool ascii_labels) {
  std::vector<AxisTick> ticks;
  if (!std::isfinite(hi) || !(hi > 0.0) || std::isnan(lo)) return ticks;
  lo = std::max(lo, DBL_MIN);
  if (!(lo < hi)) return ticks;
  max_labels = std::max(1, max_labels);

  double log_lo = std::log10(lo);
  double log_hi = std::log10(hi);
  int k_first = static_cast<int>(std::ceil(log_lo - 1e-9));
  int k_last = static_cast<int>(std::floor(log_hi + 1e-9));
  int decades = k_last - k_first + 1;
  int stride = decades > max_labels ? (decades + max_labels - 1) / max_labels : 1;
  bool minor = (log_hi - log_lo) <= max_decades_for_minor;

  auto label_of = [&](int k) {
    return ascii_labels ? format_power_of_ten_ascii(k) : format_power_of_ten(k);
  };
  for (int k = static_cast<int>(std::floor(log_lo)); k <= k_last; ++k) {
    double decade = std::pow(10.0, k);
    if (k >= k_first) {
      bool labelled = ((k % stride) + stride) % stride == 0;
      ticks.push_back({decade, labelled ? label_of(k) : std::string(), labelled});
    }
    if (minor) {
      for (int m = 2; m <= 9; ++m) {
        double value = m * decade;
        if (value >= lo * (1 - 1e-12) && value <= hi * (1 + 1e-12)) {
          ticks.push_back({value, std::string(), false});
        }
      }
    }
  }
  bool any_major = std::any_of(ticks.begin(), ticks.end(), [](const AxisTick& t) { return t.major; });
  if (!any_major) {
    // Less than a decade without a power of ten inside: label the mantissa ticks.
    ticks.clear();
    for (int k = static_cast<int>(std::floor(log_lo)); k <= static_cast<int>(std::floor(log_hi)); ++k) {
      double decade = std::pow(10.0, k);
      for (int m = 1; m <= 9; ++m) {
        double value = m * decade;
        if (value >= lo * (1 - 1e-12) && value <= hi * (1 + 1e-12)) {
          ticks.push_back({value, format_value(value, 3), true});
        }
      }
    }
    if (ticks.empty()) return linear_ticks(lo, hi);
  }
  std::sort(ticks.begin(), ticks.end(),
            [](const AxisTick& a, const AxisTick& b) { return a.value < b.value; });
  return ticks;
}

std::string format_tick(double value, double step) {
  if (!std::isfinite(value)) return format_value(value);
  if (!(step > 0.0) || !std::isfinite(step)) return format_value(value);
  if (std::fabs(value) < step * 1e-9) return "0";
  double magnitude = std::fabs(value);
  // Fixed point unless the numbers are tiny (1e-5 ranges) or huge, or need many decimals.
  if ((step >= 1e-3 || magnitude >= 1e-3) && magnitude < 1e6 && decimals_for_step(step) <= 6) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals_for_step(step), value);
    return strip_fraction_zeros(buffer);
  }
  // Scientific: enough mantissa digits to tell neighbouring ticks apart.
  int decimals = std::max(0, decimal_exponent(value) - decimal_exponent(step) +
                                 (decimals_for_step(step / std::pow(10.0, decimal_exponent(step)))));
  return format_scientific(value, std::min(decimals, 12));
}

std::string format_value(double value, int significant) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0.0) return "0";
  significant = std::clamp(significant, 1, 17);
  int e = decimal_exponent(value);
  if (e < -3 || e >= 6) return format_scientific(value, significant - 1);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", std::max(0, significant - 1 - e), value);
  return strip_fraction_zeros(buffer);
}

std::string format_power_of_ten(int exponent) {
  static const char* const digits[10] = {"\u2070", "\u00B9", "\u00B2", "\u00B3", "\u2074",
                                         "\u2075", "\u2076", "\u2077", "\u2078", "\u2079"};
  std::string text = "10";
  if (exponent < 0) text += "\u207B";  // superscript minus
  std::string decimal = std::to_string(exponent < 0 ? -static_cast<long>(exponent) : exponent);
  for (char c : decimal) text += digits[c - '0'];
  return text;
}

std::string format_power_of_ten_ascii(int exponent) {
  if (exponent >= -2 && exponent <= 3) return format_value(std::pow(10.0, exponent), 1);
  return "1e" + std::to_string(exponent);
}

float AxisMapping::to_pixel(double value) const {
  double t;
  if (scale == AxisScale::Log10) {
    double a = safe_log10(data_min), b = safe_log10(data_max);
    double v = std::isnan(value) ? data_min : value;
    if (std::isinf(v)) v = v > 0 ? DBL_MAX : DBL_MIN;
    t = (b != a) ? (safe_log10(v) - a) / (b - a) : 0.5;
  } else {
    double v = value;
    if (std::isnan(v)) v = data_min;
    if (std::isinf(v)) v = v > 0 ? data_max : data_min;
    double span = data_max - data_min;
    t = (span != 0.0 && std::isfinite(span)) ? (v - data_min) / span : 0.5;
  }
  // Far-away points are pulled in so that float pixel coordinates keep their precision.
  if (!std::isfinite(t)) t = t > 0 ? 1.0 : 0.0;
  t = std::clamp(t, -1000.0, 1001.0);
  return static_cast<float>(pixel_min + t * (static_cast<double>(pixel_max) - pixel_min));
}

double AxisMapping::to_data(float pixel) const {
  double span = static_cast<double>(pixel_max) - pixel_min;
  double t = span != 0.0 ? (pixel - static_cast<double>(pixel_min)) / span : 0.0;
  if (scale == AxisScale::Log10) {
    double a = safe_log10(data_min), b = safe_log10(data_max);
    return std::pow(10.0, a + t * (b - a));
  }
  return data_min + t * (data_max - data_min);
}

bool AxisMapping::representable(double value) const {
  if (!std::isfinite(value)) return false;
  return scale == AxisScale::Linear || value > 0.0;
}

AxisRange data_range(const double* values, int count, AxisScale scale) {
  AxisRange range{std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
  if (values == nullptr) return range;
  for (int i = 0; i < count; ++i) {
    double v = values[i];
    if (!std::isfinite(v) || (scale == AxisScale::Log10 && !(v > 0.0))) continue;
    range.min = std::min(range.min, v);
    range.max = std::max(range.max, v);
  }
  return range;
}

AxisRange merge_ranges(const AxisRange& a, const AxisRange& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return {std::min(a.min, b.min), std::max(a.max, b.max)};
}

AxisRange padded_range(const AxisRange& range, AxisScale scale, double padding_fraction) {
  padding_fraction = std::isfinite(padding_fraction) ? std::max(0.0, padding_fraction) : 0.0;
  if (scale == AxisScale::Log10) {
    if (range.empty() || !(range.max > 0.0) || !std::isfinite(range.max)) return {0.1, 10.0};
    double a = safe_log10(range.min), b = safe_log10(range.max);
    if (b - a < 1e-12) {
      a -= 0.5;
      b += 0.5;
    } else {
      double pad = (b - a) * padding_fraction;
      a -= pad;
      b += pad;
    }
    return {std::pow(10.0, std::max(a, -307.0)), std::pow(10.0, std::min(b, 307.0))};
  }
  if (range.empty() || !std::isfinite(range.min) || !std::isfinite(range.max)) return {0.0, 1.0};
  double lo = range.min, hi = range.max;
  if (hi - lo <= 1e-12 * std::max(std::fabs(lo), std::fabs(hi))) {
    double half = lo == 0.0 ? 1.0 : std::fabs(lo) * 0.1;
    return {lo - half, hi + half};
  }
  double pad = (hi - lo) * padding_fraction;
  return {lo - pad, hi + pad};
}

}  // namespace renderer
