#include "cli/csv.hpp"

#include <cmath>
#include <iomanip>
#include <limits>
#include <stdexcept>

namespace diffuscope::cli {

void use_csv_number_format(std::ostream& out) {
  out << std::defaultfloat << std::setprecision(std::numeric_limits<double>::max_digits10);
}

void require_not_nan(double value, const char* what, std::int64_t row) {
  if (std::isnan(value)) {
    throw std::runtime_error(std::string("internal error: ") + what + " is NaN in row " +
                             std::to_string(row) + "; nothing was written");
  }
}

void write_xy_csv(std::ostream& out, const float* xy, std::int64_t n_points) {
  // Points must be finite: an infinite coordinate is as wrong as a NaN here.
  for (std::int64_t i = 0; i < 2 * n_points; ++i) {
    if (!std::isfinite(xy[i])) {
      throw std::runtime_error("internal error: point " + std::to_string(i / 2 + 1) +
                               " is not finite; nothing was written");
    }
  }
  use_csv_number_format(out);
  out << "x,y\n";
  for (std::int64_t i = 0; i < n_points; ++i) {
    out << static_cast<double>(xy[2 * i]) << ',' << static_cast<double>(xy[2 * i + 1]) << '\n';
  }
}

}  // namespace diffuscope::cli
