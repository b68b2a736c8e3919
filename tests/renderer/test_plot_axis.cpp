// Tick placement, labels and axis mapping. Expected values are written out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "renderer/plot_axis.hpp"

using namespace renderer;

namespace {

std::vector<double> values_of(const std::vector<AxisTick>& ticks, bool major_only = true) {
  std::vector<double> v;
  for (const AxisTick& t : ticks) {
    if (!major_only || t.major) v.push_back(t.value);
  }
  return v;
}

std::vector<std::string> labels_of(const std::vector<AxisTick>& ticks) {
  std::vector<std::string> v;
  for (const AxisTick& t : ticks) {
    if (!t.label.empty()) v.push_back(t.label);
  }
  return v;
}

void expect_values(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(got[i], want[i], 1e-12 * std::max(1.0, std::fabs(want[i]))) << "tick " << i;
  }
}

}  // namespace

TEST(NiceStep, RoundsUpToOneTwoFiveTimesPowerOfTen) {
  EXPECT_DOUBLE_EQ(nice_step(0.17), 0.2);
  EXPECT_DOUBLE_EQ(nice_step(0.2), 0.2);
  EXPECT_DOUBLE_EQ(nice_step(0.21), 0.25);
  EXPECT_DOUBLE_EQ(nice_step(3.0), 5.0);
  EXPECT_DOUBLE_EQ(nice_step(7.0), 10.0);
  EXPECT_DOUBLE_EQ(nice_step(800.0), 1000.0);
  EXPECT_NEAR(nice_step(1.3e-6), 2e-6, 1e-20);
  EXPECT_DOUBLE_EQ(nice_step(-1.0), 1.0);  // invalid input gives a usable step
}

TEST(LinearTicks, UnitIntervalInFifths) {
  auto ticks = linear_ticks(0.0, 1.0);
  expect_values(values_of(ticks), {0.0, 0.2, 0.4, 0.6, 0.8, 1.0});
  EXPECT_EQ(labels_of(ticks), (std::vector<std::string>{"0", "0.2", "0.4", "0.6", "0.8", "1"}));
}

TEST(LinearTicks, TimestepsInThousands) {
  auto ticks = linear_ticks(0.0, 4000.0);
  expect_values(values_of(ticks), {0, 1000, 2000, 3000, 4000});
  EXPECT_EQ(labels_of(ticks), (std::vector<std::string>{"0", "1000", "2000", "3000", "4000"}));
}

TEST(LinearTicks, OddRangeGetsNiceTicksInside) {
  auto ticks = linear_ticks(-3.7, 12.2);
  expect_values(values_of(ticks), {-2, 0, 2, 4, 6, 8, 10, 12});
  for (const AxisTick& t : ticks) {
    EXPECT_GE(t.value, -3.7);
    EXPECT_LE(t.value, 12.2);
  }
  EXPECT_EQ(ticks.front().label, "-2");
}

TEST(LinearTicks, CountStaysReadableForManyRanges) {
  const double ranges[][2] = {{0, 1}, {0, 4000}, {-3.7, 12.2}, {0, 1e-5}, {0.999, 1.001},
                              {-1e6, 3e6}, {1, 1000}, {0, 0.02}, {-4, 4}, {10, 11}};
  for (const auto& r : ranges) {
    auto ticks = linear_ticks(r[0], r[1]);
    EXPECT_GE(ticks.size(), 4u) << r[0] << ".." << r[1];
    EXPECT_LE(ticks.size(), 9u) << r[0] << ".." << r[1];
    // Equally spaced.
    double step = ticks[1].value - ticks[0].value;
    for (std::size_t i = 2; i < ticks.size(); ++i) {
      EXPECT_NEAR(ticks[i].value - ticks[i - 1].value, step, 1e-9 * std::fabs(step));
    }
  }
}

TEST(LinearTicks, TinyRangeUsesScientificLabels) {
  auto ticks = linear_ticks(0.0, 1e-5);
  expect_values(values_of(ticks), {0, 2e-6, 4e-6, 6e-6, 8e-6, 1e-5});
  EXPECT_EQ(labels_of(ticks), (std::vector<std::string>{"0", "2e-6", "4e-6", "6e-6", "8e-6", "1e-5"}));
}

TEST(LinearTicks, DegenerateAndNonFiniteRangesGiveNoTicks) {
  EXPECT_TRUE(linear_ticks(1.0, 1.0).empty());
  EXPECT_TRUE(linear_ticks(0.0, std::numeric_limits<double>::infinity()).empty());
  EXPECT_TRUE(linear_ticks(std::nan(""), 1.0).empty());
}

TEST(LogTicks, DecadesFromTenToTheMinusFiveToThousand) {
  auto ticks = log_ticks(1e-5, 1e3);
  std::vector<double> majors = values_of(ticks);
  ASSERT_EQ(majors.size(), 9u);
  for (int k = -5; k <= 3; ++k) {
    EXPECT_NEAR(majors[k + 5], std::pow(10.0, k), 1e-12 * std::pow(10.0, k));
  }
  std::vector<std::string> labels = labels_of(ticks);
  ASSERT_EQ(labels.size(), 9u);
  EXPECT_EQ(labels.front(), "10\u207B\u2075");  // 10⁻⁵
  EXPECT_EQ(labels[5], "10\u2070");             // 10⁰
  EXPECT_EQ(labels.back(), "10\u00B3");         // 10³
  // 8 decades is more than the default 6 for minor ticks.
  EXPECT_EQ(ticks.size(), 9u);
}

TEST(LogTicks, MinorTicksBetweenDecadesForShortRanges) {
  auto ticks = log_ticks(1.0, 100.0);
  // 1, 2..9, 10, 20..90, 100 = 19 ticks, three of them major.
  EXPECT_EQ(ticks.size(), 19u);
  expect_values(values_of(ticks), {1, 10, 100});
  std::vector<double> all = values_of(ticks, false);
  EXPECT_NEAR(all[1], 2.0, 1e-12);
  EXPECT_NEAR(all[10], 20.0, 1e-12);
}

TEST(LogTicks, ManyDecadesAreThinned) {
  auto ticks = log_ticks(1e-12, 1e12, 5);
  std::vector<double> majors = values_of(ticks);
  EXPECT_LE(majors.size(), 5u);
  EXPECT_GE(majors.size(), 3u);
  // 10^0 is always among the labelled decades when it is in range.
  bool has_one = false;
  for (double v : majors) has_one |= std::fabs(v - 1.0) < 1e-12;
  EXPECT_TRUE(has_one);
}

TEST(LogTicks, AsciiLabels) {
  auto ticks = log_ticks(1e-4, 1e4, 10, 0, true);
  EXPECT_EQ(labels_of(ticks), (std::vector<std::string>{"1e-4", "1e-3", "0.01", "0.1", "1", "10", "100",
                                                         "1000", "1e4"}));
}

TEST(LogTicks, RangeWithoutPowerOfTenLabelsMantissas) {
  auto ticks = log_ticks(2.0, 8.0);
  expect_values(values_of(ticks), {2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(ticks.front().label, "2");
}

TEST(LogTicks, NonPositiveLowerBoundIsClampedNotNan) {
  auto ticks = log_ticks(0.0, 10.0, 400);
  ASSERT_FALSE(ticks.empty());
  for (const AxisTick& t : ticks) {
    EXPECT_TRUE(std::isfinite(t.value));
    EXPECT_GT(t.value, 0.0);
  }
  EXPECT_TRUE(log_ticks(-5.0, -1.0).empty());
}

TEST(FormatTick, NoTrailingZeros) {
  EXPECT_EQ(format_tick(0.5, 0.25), "0.5");
  EXPECT_EQ(format_tick(0.25, 0.25), "0.25");
  EXPECT_EQ(format_tick(1.0, 0.25), "1");
  EXPECT_EQ(format_tick(1500.0, 500.0), "1500");
  EXPECT_EQ(format_tick(-0.75, 0.25), "-0.75");
  EXPECT_EQ(format_tick(1e-17, 0.1), "0");  // rounding noise around zero
  EXPECT_EQ(format_tick(0.02, 0.005), "0.02");
  EXPECT_EQ(format_tick(2.5e-5, 2.5e-6), "2.5e-5");
  EXPECT_EQ(format_tick(3e6, 1e6), "3e6");
}

TEST(FormatValue, SignificantDigits) {
  EXPECT_EQ(format_value(0.0123456, 3), "0.0123");
  EXPECT_EQ(format_value(1.5e-5, 4), "1.5e-5");
  EXPECT_EQ(format_value(0.9999, 4), "0.9999");
  EXPECT_EQ(format_value(12345.678, 4), "12346");
  EXPECT_EQ(format_value(2.0e7, 3), "2e7");
  EXPECT_EQ(format_value(-0.5), "-0.5");
  EXPECT_EQ(format_value(0.0), "0");
  EXPECT_EQ(format_value(std::nan("")), "nan");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(format_value(9.99999, 3), "10");
}

TEST(FormatPowerOfTen, Superscripts) {
  EXPECT_EQ(format_power_of_ten(-4), "10\u207B\u2074");
  EXPECT_EQ(format_power_of_ten(12), "10\u00B9\u00B2");
  EXPECT_EQ(format_power_of_ten_ascii(-4), "1e-4");
  EXPECT_EQ(format_power_of_ten_ascii(-2), "0.01");
  EXPECT_EQ(format_power_of_ten_ascii(3), "1000");
  EXPECT_EQ(format_power_of_ten_ascii(6), "1e6");
}

TEST(AxisMapping, LinearBothWays) {
  AxisMapping x{AxisScale::Linear, 0.0, 10.0, 100.0f, 600.0f};
  EXPECT_FLOAT_EQ(x.to_pixel(0.0), 100.0f);
  EXPECT_FLOAT_EQ(x.to_pixel(10.0), 600.0f);
  EXPECT_FLOAT_EQ(x.to_pixel(2.5), 225.0f);
  EXPECT_NEAR(x.to_data(350.0f), 5.0, 1e-9);
  // A y axis: data_min at the bottom pixel.
  AxisMapping y{AxisScale::Linear, -1.0, 1.0, 400.0f, 0.0f};
  EXPECT_FLOAT_EQ(y.to_pixel(-1.0), 400.0f);
  EXPECT_FLOAT_EQ(y.to_pixel(0.5), 100.0f);
  EXPECT_NEAR(y.to_data(300.0f), -0.5, 1e-9);
}

TEST(AxisMapping, LogDecadesAreEvenlySpaced) {
  AxisMapping y{AxisScale::Log10, 1e-4, 1e4, 800.0f, 0.0f};
  // 8 decades over 800 px: 100 px per decade.
  for (int k = -4; k <= 4; ++k) {
    EXPECT_NEAR(y.to_pixel(std::pow(10.0, k)), 800.0f - 100.0f * (k + 4), 1e-3) << "10^" << k;
  }
  EXPECT_NEAR(y.to_pixel(std::sqrt(10.0)), 400.0f - 50.0f, 1e-3);
  EXPECT_NEAR(y.to_data(350.0f), std::sqrt(10.0), 1e-6);
}

TEST(AxisMapping, LogClampsNonPositiveWithoutNan) {
  AxisMapping y{AxisScale::Log10, 1e-4, 1e4, 800.0f, 0.0f};
  for (double v : {0.0, -1.0, -std::numeric_limits<double>::infinity(), std::nan("")}) {
    float p = y.to_pixel(v);
    EXPECT_TRUE(std::isfinite(p)) << v;
    EXPECT_GE(p, 800.0f) << v;  // at or beyond the bottom (small values)
    EXPECT_FALSE(y.representable(v));
  }
  EXPECT_TRUE(std::isfinite(y.to_pixel(std::numeric_limits<double>::infinity())));
  // A range that itself starts at 0 still maps without NaN.
  AxisMapping bad{AxisScale::Log10, 0.0, 10.0, 0.0f, 100.0f};
  EXPECT_TRUE(std::isfinite(bad.to_pixel(1.0)));
  EXPECT_TRUE(std::isfinite(bad.to_data(50.0f)));
  EXPECT_TRUE(y.representable(1e-30));
}

TEST(AxisMapping, FarAwayValuesStayFinite) {
  AxisMapping x{AxisScale::Linear, 0.0, 1.0, 0.0f, 100.0f};
  EXPECT_TRUE(std::isfinite(x.to_pixel(1e300)));
  EXPECT_TRUE(std::isfinite(x.to_pixel(-1e300)));
  AxisMapping flat{AxisScale::Linear, 2.0, 2.0, 0.0f, 100.0f};
  EXPECT_FLOAT_EQ(flat.to_pixel(2.0), 50.0f);
}

TEST(AutoRange, IgnoresNonFiniteAndPads) {
  const double inf = std::numeric_limits<double>::infinity();
  double values[] = {std::nan(""), 1.0, -inf, 3.0, inf, 2.0};
  AxisRange r = data_range(values, 6, AxisScale::Linear);
  EXPECT_DOUBLE_EQ(r.min, 1.0);
  EXPECT_DOUBLE_EQ(r.max, 3.0);
  AxisRange p = padded_range(r, AxisScale::Linear, 0.05);
  EXPECT_DOUBLE_EQ(p.min, 0.9);
  EXPECT_DOUBLE_EQ(p.max, 3.1);
}

TEST(AutoRange, LogUsesPositiveValuesAndPadsInDecades) {
  double values[] = {0.0, -2.0, 1e-3, 10.0};
  AxisRange r = data_range(values, 4, AxisScale::Log10);
  EXPECT_DOUBLE_EQ(r.min, 1e-3);
  EXPECT_DOUBLE_EQ(r.max, 10.0);
  AxisRange p = padded_range(r, AxisScale::Log10, 0.25);  // 4 decades -> 1 decade each side
  EXPECT_NEAR(p.min, 1e-4, 1e-16);
  EXPECT_NEAR(p.max, 100.0, 1e-9);
}

TEST(AutoRange, EmptyAndDegenerate) {
  double none[] = {std::nan("")};
  AxisRange empty = data_range(none, 1, AxisScale::Linear);
  EXPECT_TRUE(empty.empty());
  AxisRange fallback = padded_range(empty, AxisScale::Linear);
  EXPECT_DOUBLE_EQ(fallback.min, 0.0);
  EXPECT_DOUBLE_EQ(fallback.max, 1.0);
  AxisRange single = padded_range({5.0, 5.0}, AxisScale::Linear);
  EXPECT_LT(single.min, 5.0);
  EXPECT_GT(single.max, 5.0);
  AxisRange zero = padded_range({0.0, 0.0}, AxisScale::Linear);
  EXPECT_DOUBLE_EQ(zero.min, -1.0);
  EXPECT_DOUBLE_EQ(zero.max, 1.0);
  AxisRange log_single = padded_range({10.0, 10.0}, AxisScale::Log10);
  EXPECT_NEAR(log_single.min, std::pow(10.0, 0.5), 1e-9);
  EXPECT_NEAR(log_single.max, std::pow(10.0, 1.5), 1e-9);
  AxisRange merged = merge_ranges(empty, {1.0, 2.0});
  EXPECT_DOUBLE_EQ(merged.min, 1.0);
  merged = merge_ranges({-1.0, 0.5}, {1.0, 2.0});
  EXPECT_DOUBLE_EQ(merged.min, -1.0);
  EXPECT_DOUBLE_EQ(merged.max, 2.0);
}
