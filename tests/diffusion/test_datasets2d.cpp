// 2D toy datasets: determinism, moments, labels and shapes. Statistical checks use fixed seeds
// and n = 20000 (standard error of a unit-variance mean: 0.007), with the tolerances stated.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "diffusion/datasets2d.hpp"

namespace diffusion {
namespace {

constexpr int kN = 20000;
constexpr double kPi = 3.14159265358979323846;

struct Expectation {
  Dataset2DKind kind;
  std::vector<double> label_weights;  // expected share of each label
};

const std::vector<Expectation>& Expectations() {
  static const std::vector<Expectation> table = {
      {Dataset2DKind::Moons, {0.5, 0.5}},
      {Dataset2DKind::EightGaussians, std::vector<double>(8, 0.125)},
      {Dataset2DKind::SwissRoll, std::vector<double>(4, 0.25)},
      {Dataset2DKind::Checkerboard, std::vector<double>(8, 0.125)},
      {Dataset2DKind::Circles, {0.5, 0.5}},
      {Dataset2DKind::Spiral, {0.5, 0.5}},
      {Dataset2DKind::GaussianMixture, {0.5, 0.3, 0.2}},
  };
  return table;
}

class EveryDataset : public ::testing::TestWithParam<Expectation> {};

TEST_P(EveryDataset, RoughlyStandardisedPerCoordinate) {
  const Dataset2D data = make_dataset2d(GetParam().kind, kN, 1);
  ASSERT_EQ(data.size(), kN);
  ASSERT_EQ(data.xy.size(), 2u * kN);
  EXPECT_EQ(data.kind, GetParam().kind);
  for (int c = 0; c < 2; ++c) {
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < kN; ++i) {
      const double v = data.xy[2 * i + c];
      ASSERT_TRUE(std::isfinite(v));
      sum += v;
      sum_sq += v * v;
    }
    const double mean = sum / kN, variance = sum_sq / kN - mean * mean;
    // Standardised by the distribution's exact moments: mean within ~5 standard errors,
    // variance within 10% (the sampling sd of the variance is ~0.01-0.02 here).
    EXPECT_NEAR(mean, 0.0, 0.04) << "coordinate " << c;
    EXPECT_GT(variance, 0.9) << "coordinate " << c;
    EXPECT_LT(variance, 1.1) << "coordinate " << c;
  }
}

TEST_P(EveryDataset, LabelsInRangeWithExpectedShares) {
  const Dataset2D data = make_dataset2d(GetParam().kind, kN, 2);
  const std::vector<double>& weights = GetParam().label_weights;
  std::vector<int> count(weights.size(), 0);
  for (int label : data.label) {
    ASSERT_GE(label, 0);
    ASSERT_LT(label, static_cast<int>(weights.size()));
    ++count[label];
  }
  // Binomial sd of a share is at most 0.0036 for n = 20000: 0.02 is > 5 sd.
  for (std::size_t k = 0; k < weights.size(); ++k)
    EXPECT_NEAR(static_cast<double>(count[k]) / kN, weights[k], 0.02) << "label " << k;
}

TEST_P(EveryDataset, SameSeedSamePointsOtherSeedOtherPoints) {
  const Dataset2D a = make_dataset2d(GetParam().kind, 1000, 123);
  const Dataset2D b = make_dataset2d(GetParam().kind, 1000, 123);
  const Dataset2D c = make_dataset2d(GetParam().kind, 1000, 124);
  EXPECT_EQ(a.xy, b.xy);
  EXPECT_EQ(a.label, b.label);
  int different = 0;
  for (std::size_t i = 0; i < a.xy.size(); ++i) different += a.xy[i] != c.xy[i];
  EXPECT_GT(different, 1900);  // essentially every coordinate differs
}

TEST_P(EveryDataset, MorePointsExtendFewerPoints) {
  // Points are drawn one after another, so changing n in the UI keeps the existing points.
  const Dataset2D small = make_dataset2d(GetParam().kind, 50, 9);
  const Dataset2D large = make_dataset2d(GetParam().kind, 500, 9);
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(small.xy[2 * i], large.xy[2 * i]);
    ASSERT_EQ(small.xy[2 * i + 1], large.xy[2 * i + 1]);
    ASSERT_EQ(small.label[i], large.label[i]);
  }
}

TEST_P(EveryDataset, SinglePoint) {
  const Dataset2D data = make_dataset2d(GetParam().kind, 1, 0);
  EXPECT_EQ(data.size(), 1);
  EXPECT_TRUE(std::isfinite(data.xy[0]) && std::isfinite(data.xy[1]));
}

INSTANTIATE_TEST_SUITE_P(Datasets, EveryDataset, ::testing::ValuesIn(Expectations()),
                         [](const ::testing::TestParamInfo<Expectation>& info) {
                           std::string name(to_string(info.param.kind));
                           return name == "8gaussians" ? std::string("eight_gaussians") : name;
                         });

// The first points, computed by an independent Python implementation of std::mt19937_64 (checked
// against the standard's 10000th value, 9981545732273789042), the same [0, 1) and Box-Muller
// transforms, and the documented shapes and standardisation constants. Float tolerance.
TEST(Dataset2D, MoonsFirstPointsMatchIndependentImplementation) {
  const Dataset2D data = make_dataset2d(Dataset2DKind::Moons, 4, 42);
  const double expected[4][3] = {{1.18433114, -1.05112777, 1},
                                 {-0.628440913, 0.103982008, 1},
                                 {-0.203806313, 1.36625027, 0},
                                 {1.25558187, -1.43004216, 1}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(data.xy[2 * i], expected[i][0], 1e-6) << "point " << i;
    EXPECT_NEAR(data.xy[2 * i + 1], expected[i][1], 1e-6) << "point " << i;
    EXPECT_EQ(data.label[i], static_cast<int>(expected[i][2])) << "point " << i;
  }
}

TEST(Dataset2D, EightGaussiansFirstPointsMatchIndependentImplementation) {
  const Dataset2D data = make_dataset2d(Dataset2DKind::EightGaussians, 4, 7);
  const double expected[4][3] = {{0.314578497, -1.1066864, 6},
                                 {1.07510824, -0.952134685, 7},
                                 {-0.0168215711, -1.01885692, 6},
                                 {-1.22523612, -1.15081794, 5}};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(data.xy[2 * i], expected[i][0], 1e-6) << "point " << i;
    EXPECT_NEAR(data.xy[2 * i + 1], expected[i][1], 1e-6) << "point " << i;
    EXPECT_EQ(data.label[i], static_cast<int>(expected[i][2])) << "point " << i;
  }
}

TEST(Dataset2D, EightGaussiansLabelIsTheNearestCentre) {
  // Centres at angle k pi/4 (any radius: nearest centre = nearest direction). With sd 0.25 at
  // radius 2 a point lands nearer another centre with probability ~0.3%; allow 1%.
  const Dataset2D data = make_dataset2d(Dataset2DKind::EightGaussians, kN, 3);
  int agree = 0;
  for (int i = 0; i < kN; ++i) {
    double angle = std::atan2(data.xy[2 * i + 1], data.xy[2 * i]);
    if (angle < 0) angle += 2 * kPi;
    const int nearest = static_cast<int>(std::lround(angle / (kPi / 4))) % 8;
    agree += nearest == data.label[i];
  }
  EXPECT_GT(agree, 0.99 * kN);
}

TEST(Dataset2D, CheckerboardPointsLieInTheirFilledSquare) {
  // Standardised by the uniform [-2, 2] sd, sqrt(4/3); undo it to find the unit square.
  const Dataset2D data = make_dataset2d(Dataset2DKind::Checkerboard, kN, 4);
  const double sd = std::sqrt(4.0 / 3.0);
  for (int i = 0; i < kN; ++i) {
    const double x = data.xy[2 * i] * sd + 2.0, y = data.xy[2 * i + 1] * sd + 2.0;
    const int column = static_cast<int>(std::floor(x)), row = static_cast<int>(std::floor(y));
    ASSERT_GE(column, 0);
    ASSERT_LT(column, 4);
    ASSERT_GE(row, 0);
    ASSERT_LT(row, 4);
    ASSERT_EQ((column + row) % 2, 0) << "point " << i << " in an empty square";
    ASSERT_EQ(data.label[i], 2 * row + column / 2) << "point " << i;
  }
}

TEST(Dataset2D, CirclesHaveRadiiOneAndAHalf) {
  const Dataset2D data = make_dataset2d(Dataset2DKind::Circles, kN, 5);
  const double sd = std::sqrt((1.0 + 0.25) / 4.0 + 0.05 * 0.05);
  double radius_sum[2] = {0, 0};
  int count[2] = {0, 0};
  for (int i = 0; i < kN; ++i) {
    radius_sum[data.label[i]] += std::hypot(data.xy[2 * i], data.xy[2 * i + 1]) * sd;
    ++count[data.label[i]];
  }
  // Noise sd 0.05 per coordinate: the mean radius is within ~0.002 of the circle's.
  EXPECT_NEAR(radius_sum[0] / count[0], 1.0, 0.01);
  EXPECT_NEAR(radius_sum[1] / count[1], 0.5, 0.01);
}

TEST(Dataset2D, MoonsComponentsSitWhereTheyShould) {
  // Raw outer moon mean (0, 2/pi), inner moon mean (1, 1/2 - 2/pi); after standardisation by
  // mean (0.5, 0.25) and the exact sds.
  const Dataset2D data = make_dataset2d(Dataset2DKind::Moons, kN, 6);
  const double sd_x = std::sqrt(0.76), sd_y = std::sqrt((1.25 - 2.0 / kPi) / 2.0 - 0.0625 + 0.01);
  double sum[2][2] = {{0, 0}, {0, 0}};
  int count[2] = {0, 0};
  for (int i = 0; i < kN; ++i) {
    sum[data.label[i]][0] += data.xy[2 * i] * sd_x + 0.5;
    sum[data.label[i]][1] += data.xy[2 * i + 1] * sd_y + 0.25;
    ++count[data.label[i]];
  }
  EXPECT_NEAR(sum[0][0] / count[0], 0.0, 0.02);
  EXPECT_NEAR(sum[0][1] / count[0], 2.0 / kPi, 0.02);
  EXPECT_NEAR(sum[1][0] / count[1], 1.0, 0.02);
  EXPECT_NEAR(sum[1][1] / count[1], 0.5 - 2.0 / kPi, 0.02);
}

TEST(Dataset2D, SpiralArmsArePointReflections) {
  // Arm 1 is arm 0 turned by 180 degrees: their means are opposite, and each is far from 0.
  const Dataset2D data = make_dataset2d(Dataset2DKind::Spiral, kN, 8);
  double sum[2][2] = {{0, 0}, {0, 0}};
  int count[2] = {0, 0};
  for (int i = 0; i < kN; ++i) {
    sum[data.label[i]][0] += data.xy[2 * i];
    sum[data.label[i]][1] += data.xy[2 * i + 1];
    ++count[data.label[i]];
  }
  for (int c = 0; c < 2; ++c)
    EXPECT_NEAR(sum[0][c] / count[0], -sum[1][c] / count[1], 0.05) << "coordinate " << c;
  EXPECT_GT(std::hypot(sum[0][0] / count[0], sum[0][1] / count[0]), 0.1);
}

TEST(Dataset2D, BadSizeNamesN) {
  for (int n : {0, -5, 10'000'001}) {
    try {
      make_dataset2d(Dataset2DKind::Moons, n, 0);
      ADD_FAILURE() << "no error for n = " << n;
    } catch (const std::invalid_argument& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("n must be in [1, 10000000], got " + std::to_string(n)), std::string::npos) << message;
    }
  }
}

TEST(Dataset2DNames, RoundTrip) {
  EXPECT_EQ(all_dataset2d_kinds().size(), 7u);
  for (Dataset2DKind kind : all_dataset2d_kinds()) EXPECT_EQ(parse_dataset2d_kind(to_string(kind)), kind);
  const std::vector<std::string> names = {"moons", "8gaussians", "swiss_roll", "checkerboard",
                                          "circles", "spiral", "gaussian_mixture"};
  for (std::size_t i = 0; i < names.size(); ++i) EXPECT_EQ(to_string(all_dataset2d_kinds()[i]), names[i]);
  EXPECT_EQ(parse_dataset2d_kind("Moons"), std::nullopt);
  EXPECT_EQ(parse_dataset2d_kind("two_moons"), std::nullopt);
}

// Classes: the counts the datasets document, with the shares their generators give each class.
TEST(Dataset2DClasses, CountsAndSharesPerDataset) {
  const std::map<Dataset2DKind, std::vector<double>> shares = {
      {Dataset2DKind::Moons, {0.5, 0.5}},
      {Dataset2DKind::EightGaussians, std::vector<double>(8, 0.125)},
      {Dataset2DKind::SwissRoll, {1.0}},
      {Dataset2DKind::Checkerboard, {0.5, 0.5}},
      {Dataset2DKind::Circles, {0.5, 0.5}},
      {Dataset2DKind::Spiral, {0.5, 0.5}},
      {Dataset2DKind::GaussianMixture, {0.5, 0.3, 0.2}},
  };
  ASSERT_EQ(shares.size(), all_dataset2d_kinds().size());
  for (const auto& [kind, expected] : shares) {
    const LabelledPoints2D points = make_labelled_dataset2d(kind, kN, 12);
    ASSERT_EQ(points.num_classes, static_cast<int>(expected.size())) << to_string(kind);
    ASSERT_EQ(dataset2d_class_count(kind), points.num_classes);
    ASSERT_EQ(points.size(), kN);
    ASSERT_EQ(points.xy, make_dataset2d(kind, kN, 12).xy) << "the same points as make_dataset2d";
    std::vector<int> count(expected.size(), 0);
    for (int c : points.class_id) {
      ASSERT_GE(c, 0);
      ASSERT_LT(c, points.num_classes);
      ++count[c];
    }
    // Binomial sd of a share is at most 0.0036 for n = 20000: 0.02 is > 5 sd.
    for (std::size_t c = 0; c < expected.size(); ++c)
      EXPECT_NEAR(static_cast<double>(count[c]) / kN, expected[c], 0.02) << to_string(kind) << " class " << c;
  }
}

TEST(Dataset2DClasses, EightGaussiansClassIsTheNearestCentre) {
  // As EightGaussiansLabelIsTheNearestCentre, through the class: ~0.3% land nearer another centre.
  const LabelledPoints2D points = make_labelled_dataset2d(Dataset2DKind::EightGaussians, kN, 13);
  int agree = 0;
  for (int i = 0; i < kN; ++i) {
    double angle = std::atan2(points.xy[2 * i + 1], points.xy[2 * i]);
    if (angle < 0) angle += 2 * kPi;
    agree += static_cast<int>(std::lround(angle / (kPi / 4))) % 8 == points.class_id[i];
  }
  EXPECT_GT(agree, 0.99 * kN);
}

TEST(Dataset2DClasses, CheckerboardClassIsTheRowParitySoCornerNeighboursDiffer) {
  const LabelledPoints2D points = make_labelled_dataset2d(Dataset2DKind::Checkerboard, 5000, 14);
  const double sd = std::sqrt(4.0 / 3.0);
  for (int i = 0; i < points.size(); ++i) {
    const int row = static_cast<int>(std::floor(points.xy[2 * i + 1] * sd + 2.0));
    ASSERT_EQ(points.class_id[i], row % 2) << "point " << i;
  }
  // Filled squares (row, column) = (0, 0) and (1, 1) touch at a corner: different classes.
  EXPECT_NE(dataset2d_class_of_label(Dataset2DKind::Checkerboard, 2 * 0 + 0 / 2),
            dataset2d_class_of_label(Dataset2DKind::Checkerboard, 2 * 1 + 1 / 2));
}

TEST(Dataset2DClasses, CirclesAndMoonsClassesAreTheirLabels) {
  for (Dataset2DKind kind : {Dataset2DKind::Circles, Dataset2DKind::Moons, Dataset2DKind::GaussianMixture,
                             Dataset2DKind::Spiral}) {
    const Dataset2D data = make_dataset2d(kind, 500, 15);
    EXPECT_EQ(labelled_points(data).class_id, data.label) << to_string(kind);
  }
}

}  // namespace
}  // namespace diffusion
