#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>

#include "renderer/polyline_downsample.hpp"

using renderer::ScreenPoint;
using renderer::downsample_columns;

TEST(DownsampleColumns, KeepsMinAndMaxOfEveryColumn) {
  // 4000 noisy points over 100 pixel columns (fixed seed).
  std::mt19937 rng(1234);
  std::normal_distribution<float> noise(0.0f, 30.0f);
  std::vector<ScreenPoint> points;
  for (int i = 0; i < 4000; ++i) points.push_back({100.0f + i * 0.025f, 200.0f + noise(rng)});

  std::map<long, std::pair<float, float>> expected;  // column -> (min y, max y)
  for (const ScreenPoint& p : points) {
    long c = static_cast<long>(std::floor(p.x));
    auto it = expected.find(c);
    if (it == expected.end()) {
      expected[c] = {p.y, p.y};
    } else {
      it->second.first = std::min(it->second.first, p.y);
      it->second.second = std::max(it->second.second, p.y);
    }
  }

  std::vector<ScreenPoint> reduced = downsample_columns(points);
  EXPECT_LE(reduced.size(), 4 * expected.size());
  EXPECT_GE(reduced.size(), 2 * expected.size());
  std::map<long, std::pair<float, float>> got;
  for (const ScreenPoint& p : reduced) {
    long c = static_cast<long>(std::floor(p.x));
    auto it = got.find(c);
    if (it == got.end()) {
      got[c] = {p.y, p.y};
    } else {
      it->second.first = std::min(it->second.first, p.y);
      it->second.second = std::max(it->second.second, p.y);
    }
  }
  ASSERT_EQ(got.size(), expected.size());
  for (const auto& [column, range] : expected) {
    EXPECT_EQ(got[column].first, range.first) << "column " << column;
    EXPECT_EQ(got[column].second, range.second) << "column " << column;
  }
  // First and last points survive, and the order along x is preserved.
  EXPECT_EQ(reduced.front().x, points.front().x);
  EXPECT_EQ(reduced.back().x, points.back().x);
  for (std::size_t i = 1; i < reduced.size(); ++i) EXPECT_LE(reduced[i - 1].x, reduced[i].x);
}

TEST(DownsampleColumns, ShortLinesPassThrough) {
  std::vector<ScreenPoint> points = {{0.5f, 1.0f}, {1.5f, 2.0f}, {2.5f, 3.0f}};
  std::vector<ScreenPoint> reduced = downsample_columns(points);
  ASSERT_EQ(reduced.size(), 3u);
  EXPECT_EQ(reduced[1].y, 2.0f);
}

TEST(DownsampleColumns, BreaksArePreservedOnceAndNotAtTheEnds) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<ScreenPoint> points = {{nan, nan}, {0.1f, 1.0f}, {0.2f, 5.0f}, {nan, 0.0f},
                                     {nan, nan}, {0.3f, 2.0f}, {1.4f, 3.0f}, {nan, nan}};
  std::vector<ScreenPoint> reduced = downsample_columns(points);
  ASSERT_EQ(reduced.size(), 5u);
  EXPECT_EQ(reduced[0].y, 1.0f);
  EXPECT_EQ(reduced[1].y, 5.0f);
  EXPECT_TRUE(std::isnan(reduced[2].x));
  EXPECT_EQ(reduced[3].y, 2.0f);  // same column as before the break, but a new run
  EXPECT_EQ(reduced[4].y, 3.0f);
}
