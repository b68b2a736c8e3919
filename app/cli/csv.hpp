#pragma once
// CSV output shared by the headless commands: 17 significant digits (enough to round-trip a
// double), "inf"/"-inf" where the quantity really is infinite, and never "nan".
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace diffuscope::cli {

// Sets the stream to print doubles with 17 significant digits.
void use_csv_number_format(std::ostream& out);

// Throws std::runtime_error naming `what` and the row if `value` is NaN.
void require_not_nan(double value, const char* what, std::int64_t row);

// Writes "x,y" and one row per point of interleaved x0, y0, x1, y1, ... Every value is checked
// before anything is printed, so a failure leaves stdout empty rather than half-written.
void write_xy_csv(std::ostream& out, const float* xy, std::int64_t n_points);
inline void write_xy_csv(std::ostream& out, const std::vector<float>& xy) {
  write_xy_csv(out, xy.data(), static_cast<std::int64_t>(xy.size() / 2));
}

}  // namespace diffuscope::cli
