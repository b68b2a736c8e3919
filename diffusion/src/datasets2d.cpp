#include "diffusion/datasets2d.hpp"

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace diffusion {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kMaxPoints = 10'000'000;

// std::mt19937_64 is specified bit for bit by the standard; std::uniform_real_distribution and
// std::normal_distribution are not, so the transforms are written here to give the same points
// with every standard library.
class PortableRng {
 public:
  explicit PortableRng(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1), from the top 53 bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n) (n small, so the bias of the multiply is far below 1e-15).
  int index(int n) { return static_cast<int>(uniform() * n); }

  // Standard normal by Box-Muller; the second value of each pair is kept for the next call.
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = 1.0 - uniform();  // (0, 1]: log(u1) is finite
    const double u2 = uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    spare_ = radius * std::sin(2.0 * kPi * u2);
    has_spare_ = true;
    return radius * std::cos(2.0 * kPi * u2);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

struct Point {
  double x, y;
  int label;
};

// Each generator draws one raw point; standardise() maps it to roughly zero mean and unit
// variance per coordinate using the distribution's own moments (known constants, not sample
// statistics, so the first points do not depend on n).
struct Moments {
  double mean_x, mean_y, var_x, var_y;
};

// Two interleaving half circles (as scikit-learn's make_moons), uniform angle, noise sd 0.1.
constexpr double kMoonsNoise = 0.1;
Point moons(PortableRng& rng) {
  const int moon = rng.index(2);
  const double angle = rng.uniform(0.0, kPi);
  double x = std::cos(angle), y = std::sin(angle);
  if (moon == 1) {
    x = 1.0 - x;
    y = 0.5 - y;
  }
  x += kMoonsNoise * rng.normal();
  y += kMoonsNoise * rng.normal();
  return {x, y, moon};
}
// Outer moon: E[x] = 0, E[y] = 2/pi, E[x^2] = E[y^2] = 1/2. Inner: E[x] = 1, E[x^2] = 3/2,
// E[y] = 1/2 - 2/pi, E[y^2] = 3/4 - 2/pi. Equal weights.
Moments moons_moments() {
  const double noise = kMoonsNoise * kMoonsNoise;
  const double mean_y = 0.25;
  const double second_y = (0.5 + 0.75 - 2.0 / kPi) / 2.0;
  return {0.5, mean_y, 1.0 - 0.25 + noise, second_y - mean_y * mean_y + noise};
}

// Eight Gaussians, sd 0.25, centred on a circle of radius 2 at multiples of 45 degrees.
constexpr double kEightRadius = 2.0, kEightSd = 0.25;
Point eight_gaussians(PortableRng& rng) {
  const int centre = rng.index(8);
  const double angle = centre * kPi / 4.0;
  return {kEightRadius * std::cos(angle) + kEightSd * rng.normal(),
          kEightRadius * std::sin(angle) + kEightSd * rng.normal(), centre};
}
// The mean of cos^2 over the eight directions is 1/2.
Moments eight_gaussians_moments() {
  const double var = kEightRadius * kEightRadius / 2.0 + kEightSd * kEightSd;
  return {0.0, 0.0, var, var};
}

// 2D Swiss roll: (t cos t, t sin t), t uniform on [1.5 pi, 4.5 pi], noise sd 0.5.
// Label: which quarter of the roll (0 = innermost).
constexpr double kSwissNoise = 0.5;
Point swiss_roll(PortableRng& rng) {
  const double u = rng.uniform();
  const double t = 1.5 * kPi * (1.0 + 2.0 * u);
  const int quarter = static_cast<int>(u * 4.0);
  return {t * std::cos(t) + kSwissNoise * rng.normal(), t * std::sin(t) + kSwissNoise * rng.normal(), quarter};
}
// E[t cos t] = 2 and E[t sin t] = 2/(3 pi) in closed form; the variances by Simpson quadrature.
Moments swiss_roll_moments() {
  const double noise = kSwissNoise * kSwissNoise;
  return {2.0, 2.0 / (3.0 * kPi), 43.86432145531054 + noise, 48.3192898181364 + noise};
}

// 4 x 4 board of unit squares on [-2, 2]^2; the 8 squares with (column + row) even are filled
// uniformly. Label: the filled square's index 0..7 (row-major), so neighbours differ in colour.
Point checkerboard(PortableRng& rng) {
  const int square = rng.index(8);
  const int row = square / 2;
  const int column = 2 * (square % 2) + (row % 2);
  return {-2.0 + column + rng.uniform(), -2.0 + row + rng.uniform(), square};
}
// Every column and every row holds two filled squares, so each coordinate is uniform on [-2, 2].
Moments checkerboard_moments() { return {0.0, 0.0, 16.0 / 12.0, 16.0 / 12.0}; }

// Two concentric circles, radii 1 and 0.5, noise sd 0.05. Label: 0 outer, 1 inner.
constexpr double kCirclesNoise = 0.05, kInnerRadius = 0.5;
Point circles(PortableRng& rng) {
  const int circle = rng.index(2);
  const double radius = circle == 0 ? 1.0 : kInnerRadius;
  const double angle = rng.uniform(0.0, 2.0 * kPi);
  return {radius * std::cos(angle) + kCirclesNoise * rng.normal(),
          radius * std::sin(angle) + kCirclesNoise * rng.normal(), circle};
}
Moments circles_moments() {
  const double var = (1.0 + kInnerRadius * kInnerRadius) / 4.0 + kCirclesNoise * kCirclesNoise;
  return {0.0, 0.0, var, var};
}

// Two intertwined arms r = theta, theta = 3 pi sqrt(u) (uniform density along the area), the
// second arm rotated by 180 degrees; noise sd 0.3. Label: the arm.
constexpr double kSpiralNoise = 0.3;
Point spiral(PortableRng& rng) {
  const int arm = rng.index(2);
  const double theta = 3.0 * kPi * std::sqrt(rng.uniform());
  const double sign = arm == 0 ? 1.0 : -1.0;
  return {sign * theta * std::cos(theta) + kSpiralNoise * rng.normal(),
          sign * theta * std::sin(theta) + kSpiralNoise * rng.normal(), arm};
}
// Mean 0 by the arms' symmetry; E[theta^2 cos^2 theta], E[theta^2 sin^2 theta] by Simpson quadrature.
Moments spiral_moments() {
  const double noise = kSpiralNoise * kSpiralNoise;
  return {0.0, 0.0, 22.956609902451135 + noise, 21.456609902451245 + noise};
}

// An uneven mixture of three correlated Gaussians (weights 0.5, 0.3, 0.2): shows how a diffusion
// model must respect mode weights, not only mode positions.
struct Component {
  double weight, mean_x, mean_y, sd_x, sd_y, correlation;
};
constexpr Component kMixture[] = {
    {0.5, -1.2, -0.6, 0.35, 0.35, 0.0},
    {0.3, 1.1, -0.8, 0.50, 0.20, 0.3},
    {0.2, 0.3, 1.3, 0.25, 0.55, -0.6},
};
Point gaussian_mixture(PortableRng& rng) {
  const double u = rng.uniform();
  int c = 0;
  double cumulative = kMixture[0].weight;
  while (c < 2 && u >= cumulative) cumulative += kMixture[++c].weight;
  const Component& k = kMixture[c];
  const double z1 = rng.normal(), z2 = rng.normal();
  // Cholesky factor of [[sx^2, r sx sy], [r sx sy, sy^2]].
  return {k.mean_x + k.sd_x * z1,
          k.mean_y + k.sd_y * (k.correlation * z1 + std::sqrt(1.0 - k.correlation * k.correlation) * z2), c};
}
Moments gaussian_mixture_moments() {
  Moments m{0, 0, 0, 0};
  for (const Component& k : kMixture) {
    m.mean_x += k.weight * k.mean_x;
    m.mean_y += k.weight * k.mean_y;
    m.var_x += k.weight * (k.sd_x * k.sd_x + k.mean_x * k.mean_x);
    m.var_y += k.weight * (k.sd_y * k.sd_y + k.mean_y * k.mean_y);
  }
  m.var_x -= m.mean_x * m.mean_x;
  m.var_y -= m.mean_y * m.mean_y;
  return m;
}

}  // namespace

const std::vector<Dataset2DKind>& all_dataset2d_kinds() {
  static const std::vector<Dataset2DKind> kinds = {
      Dataset2DKind::Moons,   Dataset2DKind::EightGaussians, Dataset2DKind::SwissRoll,      Dataset2DKind::Checkerboard,
      Dataset2DKind::Circles, Dataset2DKind::Spiral,         Dataset2DKind::GaussianMixture};
  return kinds;
}

std::string_view to_string(Dataset2DKind kind) {
  switch (kind) {
    case Dataset2DKind::Moons: return "moons";
    case Dataset2DKind::EightGaussians: return "8gaussians";
    case Dataset2DKind::SwissRoll: return "swiss_roll";
    case Dataset2DKind::Checkerboard: return "checkerboard";
    case Dataset2DKind::Circles: return "circles";
    case Dataset2DKind::Spiral: return "spiral";
    case Dataset2DKind::GaussianMixture: return "gaussian_mixture";
  }
  return "unknown";
}

std::optional<Dataset2DKind> parse_dataset2d_kind(std::string_view name) {
  for (Dataset2DKind kind : all_dataset2d_kinds())
    if (to_string(kind) == name) return kind;
  return std::nullopt;
}

Dataset2D make_dataset2d(Dataset2DKind kind, int n, std::uint64_t seed) {
  if (n < 1 || n > kMaxPoints)
    throw std::invalid_argument("n must be in [1, " + std::to_string(kMaxPoints) + "], got " + std::to_string(n));
  Point (*draw)(PortableRng&) = nullptr;
  Moments moments{};
  switch (kind) {
    case Dataset2DKind::Moons: draw = moons; moments = moons_moments(); break;
    case Dataset2DKind::EightGaussians: draw = eight_gaussians; moments = eight_gaussians_moments(); break;
    case Dataset2DKind::SwissRoll: draw = swiss_roll; moments = swiss_roll_moments(); break;
    case Dataset2DKind::Checkerboard: draw = checkerboard; moments = checkerboard_moments(); break;
    case Dataset2DKind::Circles: draw = circles; moments = circles_moments(); break;
    case Dataset2DKind::Spiral: draw = spiral; moments = spiral_moments(); break;
    case Dataset2DKind::GaussianMixture: draw = gaussian_mixture; moments = gaussian_mixture_moments(); break;
  }
  if (draw == nullptr) throw std::invalid_argument("unknown 2D dataset kind");

  const double scale_x = 1.0 / std::sqrt(moments.var_x), scale_y = 1.0 / std::sqrt(moments.var_y);
  Dataset2D data;
  data.kind = kind;
  data.xy.resize(2 * static_cast<std::size_t>(n));
  data.label.resize(static_cast<std::size_t>(n));
  PortableRng rng(seed);
  for (int i = 0; i < n; ++i) {
    const Point p = draw(rng);
    data.xy[2 * static_cast<std::size_t>(i)] = static_cast<float>((p.x - moments.mean_x) * scale_x);
    data.xy[2 * static_cast<std::size_t>(i) + 1] = static_cast<float>((p.y - moments.mean_y) * scale_y);
    data.label[i] = p.label;
  }
  return data;
}

int dataset2d_class_count(Dataset2DKind kind) {
  switch (kind) {
    case Dataset2DKind::Moons: return 2;
    case Dataset2DKind::EightGaussians: return 8;
    case Dataset2DKind::SwissRoll: return 1;
    case Dataset2DKind::Checkerboard: return 2;
    case Dataset2DKind::Circles: return 2;
    case Dataset2DKind::Spiral: return 2;
    case Dataset2DKind::GaussianMixture: return 3;
  }
  return 1;
}

int dataset2d_class_of_label(Dataset2DKind kind, int label) {
  switch (kind) {
    case Dataset2DKind::SwissRoll: return 0;
    // checkerboard(): label = 2 row + column / 2.
    case Dataset2DKind::Checkerboard: return (label / 2) % 2;
    default: return label;
  }
}

LabelledPoints2D labelled_points(const Dataset2D& data) {
  LabelledPoints2D points;
  points.xy = data.xy;
  points.num_classes = dataset2d_class_count(data.kind);
  points.class_id.reserve(data.label.size());
  for (int label : data.label) points.class_id.push_back(dataset2d_class_of_label(data.kind, label));
  return points;
}

LabelledPoints2D make_labelled_dataset2d(Dataset2DKind kind, int n, std::uint64_t seed) {
  return labelled_points(make_dataset2d(kind, n, seed));
}

}  // namespace diffusion
