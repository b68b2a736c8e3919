#pragma once
// Axis mathematics for the plot widget: "nice" tick placement, compact labels, data <-> pixel
// mapping for linear and log10 axes, automatic ranges. Pure: no GL, no ImGui.
#include <string>
#include <vector>

namespace renderer {

enum class AxisScale { Linear, Log10 };

// A closed data interval. Empty when min > max (e.g. no finite values were seen).
struct AxisRange {
  double min = 0.0;
  double max = 1.0;
  bool empty() const { return !(min <= max); }
  double span() const { return max - min; }
};

struct AxisTick {
  double value = 0.0;
  std::string label;   // empty for minor ticks
  bool major = true;
};

// Smallest step of the form {1, 2, 2.5, 5} x 10^k that is >= raw_step (raw_step > 0).
double nice_step(double raw_step);

// Ticks at multiples of a 1-2-5 step inside [lo, hi], the step whose tick count is closest to
// target_count. Labels are formatted for the chosen step ("0", "0.2", "1000", "2e-6").
// Returns an empty vector for a degenerate or non-finite range.
std::vector<AxisTick> linear_ticks(double lo, double hi, int target_count = 6);

// Log10 axis over [lo, hi] (both > 0): major ticks at 10^k with labels, minor ticks at
// 2..9 x 10^k (only when at most max_decades_for_minor decades are shown). When the range
// spans many decades, majors are thinned to every 2nd/3rd/... decade (about max_labels).
// Labels are "10⁻⁴" (UTF-8 superscripts) or, with ascii_labels, "1e-4" / "0.01" / "100".
// If no power of ten lies inside the range, the 1..9 x 10^k ticks are labelled instead.
// lo <= 0 is clamped to the smallest positive double; returns {} unless 0 < hi and lo < hi.
std::vector<AxisTick> log_ticks(double lo, double hi, int max_labels = 10,
                                int max_decades_for_minor = 6, bool ascii_labels = false);

// Compact label for a tick value at a given tick step: no trailing zeros, "0" for values
// within step*1e-9 of zero, compact scientific ("1e-5", "2.5e6") for tiny or huge magnitudes.
std::string format_tick(double value, double step);

// Readout of an arbitrary value with `significant` digits, no trailing zeros ("0.0123", "1.5e-5").
// "nan", "inf", "-inf" for non-finite values.
std::string format_value(double value, int significant = 4);

// "10⁻⁴", "10⁰", "10³" as UTF-8 with superscript digits (needs the U+2070..209F glyphs).
std::string format_power_of_ten(int exponent);
// ASCII alternative: "1e-4", "1", "1000" (values 10^-2..10^3 are written out in full).
std::string format_power_of_ten_ascii(int exponent);

// Maps data values to pixels along one axis. pixel_min corresponds to data_min; for a y axis
// pass pixel_min = bottom, pixel_max = top (pixels grow downwards).
// On a Log10 axis values <= 0 (and data_min/data_max <= 0) are clamped to the smallest
// positive double so that mapping never yields NaN; non-finite inputs map to the nearest end.
struct AxisMapping {
  AxisScale scale = AxisScale::Linear;
  double data_min = 0.0;
  double data_max = 1.0;
  float pixel_min = 0.0f;
  float pixel_max = 1.0f;

  float to_pixel(double value) const;
  double to_data(float pixel) const;
  // True when value can be shown on this axis (finite, and > 0 on a log axis).
  bool representable(double value) const;
};

// Range of the finite values among values[0..count) (positive values only for Log10).
// Empty (min > max) when there are none.
AxisRange data_range(const double* values, int count, AxisScale scale);
// Union of two ranges (empty ranges are ignored).
AxisRange merge_ranges(const AxisRange& a, const AxisRange& b);

// Adds padding_fraction of the span on both sides (in log space for Log10). A degenerate range
// (min == max) is widened around its value; an empty range becomes [0, 1] (or [0.1, 10] on log).
AxisRange padded_range(const AxisRange& range, AxisScale scale, double padding_fraction = 0.05);

}  // namespace renderer
