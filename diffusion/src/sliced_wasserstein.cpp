// Sliced Wasserstein-2 distance between 2D point clouds (Rabin et al. 2011; Bonneel et al. 2015):
// SW_2^2 = mean over directions theta of W_2^2(P_theta a, P_theta b), and in 1D W_2^2 is the
// integral of the squared difference of the quantile functions.
#include "diffusion/sliced_wasserstein.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace diffusion {
namespace {

void check_cloud(const std::vector<float>& xy, const char* name) {
  if (xy.empty()) throw std::invalid_argument(std::string("sliced_wasserstein_2d: ") + name + " is empty");
  if (xy.size() % 2 != 0)
    throw std::invalid_argument(std::string("sliced_wasserstein_2d: ") + name +
                                " must hold interleaved x, y pairs (odd length " +
                                std::to_string(xy.size()) + ")");
  for (float v : xy)
    if (!std::isfinite(v))
      throw std::invalid_argument(std::string("sliced_wasserstein_2d: ") + name +
                                  " contains a non-finite coordinate");
}

// The empirical quantile function of sorted values (n of them, each carrying mass 1/n) at level
// u in (0, 1): the value whose mass interval contains u.
double quantile(const std::vector<double>& sorted, double u) {
  const std::size_t n = sorted.size();
  std::size_t index = static_cast<std::size_t>(u * static_cast<double>(n));
  if (index >= n) index = n - 1;
  return sorted[index];
}

}  // namespace

double sliced_wasserstein_2d(const std::vector<float>& xy_a, const std::vector<float>& xy_b,
                             int directions) {
  check_cloud(xy_a, "first cloud");
  check_cloud(xy_b, "second cloud");
  if (directions < 1) throw std::invalid_argument("sliced_wasserstein_2d: directions must be >= 1");
  const std::size_t n_a = xy_a.size() / 2;
  const std::size_t n_b = xy_b.size() / 2;
  std::vector<double> proj_a(n_a), proj_b(n_b);
  const double pi = std::acos(-1.0);
  double total = 0.0;
  for (int k = 0; k < directions; ++k) {
    // Evenly spaced angles in [0, pi): a direction and its opposite give the same distance.
    const double angle = pi * (static_cast<double>(k) + 0.5) / directions;
    const double c = std::cos(angle), s = std::sin(angle);
    for (std::size_t i = 0; i < n_a; ++i) proj_a[i] = c * xy_a[2 * i] + s * xy_a[2 * i + 1];
    for (std::size_t i = 0; i < n_b; ++i) proj_b[i] = c * xy_b[2 * i] + s * xy_b[2 * i + 1];
    std::sort(proj_a.begin(), proj_a.end());
    std::sort(proj_b.begin(), proj_b.end());
    double squared = 0.0;
    if (n_a == n_b) {
      for (std::size_t i = 0; i < n_a; ++i) squared += (proj_a[i] - proj_b[i]) * (proj_a[i] - proj_b[i]);
      squared /= static_cast<double>(n_a);
    } else {
      // Midpoint rule on a common grid of quantile levels, as fine as the larger cloud.
      const std::size_t levels = std::max(n_a, n_b);
      for (std::size_t j = 0; j < levels; ++j) {
        const double u = (static_cast<double>(j) + 0.5) / static_cast<double>(levels);
        const double d = quantile(proj_a, u) - quantile(proj_b, u);
        squared += d * d;
      }
      squared /= static_cast<double>(levels);
    }
    total += squared;
  }
  return std::sqrt(total / directions);
}

}  // namespace diffusion
