// Training loss binned by log-SNR: hand-placed losses land in the bands computed by hand
// (equal width over the range, the last band closed, outside values in the end bands).
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "diffusion/log_snr.hpp"
#include "diffusion/loss_bands.hpp"

using namespace diffusion;

TEST(LogSnrLossBands, HandPlacedLossesLandInTheirBands) {
  // The model's range [-20, 14] in 8 bands of width 34 / 8 = 4.25: band k is
  // [-20 + 4.25 k, -20 + 4.25 (k + 1)).
  LogSnrLossBands bands(kModelLogSnrMin, kModelLogSnrMax, 8);
  ASSERT_EQ(bands.bands(), 8);
  EXPECT_DOUBLE_EQ(bands.band_lower(1), -15.75);
  EXPECT_DOUBLE_EQ(bands.band_upper(7), 14.0);
  bands.add(-20.0, 1.0);     // band 0 (its lower edge)
  bands.add(-100.0, 3.0);    // below the range: band 0
  bands.add(-15.75, 0.5);    // a lower edge belongs to the band above: band 1
  bands.add(-15.7501, 0.25); // just below it: band 0
  bands.add(0.0, 0.2);       // (0 + 20) / 4.25 = 4.7: band 4
  bands.add(13.99, 0.1);     // band 7
  bands.add(14.0, 0.3);      // the upper edge is in the last band
  bands.add(1e9, 0.2);       // above the range: band 7
  bands.add(std::nan(""), 1.0);  // skipped
  bands.add(1.0, std::nan(""));  // skipped
  EXPECT_EQ(bands.count(0), 3);
  EXPECT_DOUBLE_EQ(bands.mean(0), (1.0 + 3.0 + 0.25) / 3);
  EXPECT_EQ(bands.count(1), 1);
  EXPECT_DOUBLE_EQ(bands.mean(1), 0.5);
  EXPECT_EQ(bands.count(4), 1);
  EXPECT_DOUBLE_EQ(bands.mean(4), 0.2);
  EXPECT_EQ(bands.count(7), 3);
  EXPECT_DOUBLE_EQ(bands.mean(7), 0.2);
  for (const int empty : {2, 3, 5, 6}) {
    EXPECT_EQ(bands.count(empty), 0);
    EXPECT_TRUE(std::isnan(bands.mean(empty)));
  }
  EXPECT_EQ(bands.skipped(), 2);
  EXPECT_DOUBLE_EQ(bands.total_mean(), (1.0 + 3.0 + 0.5 + 0.25 + 0.2 + 0.1 + 0.3 + 0.2) / 8);
  bands.clear();
  EXPECT_EQ(bands.count(0), 0);
  EXPECT_TRUE(std::isnan(bands.total_mean()));
}

TEST(LogSnrLossBands, PairsSummaryAndBadArguments) {
  LogSnrLossBands bands(0.0, 1.0, 2);
  bands.add(std::vector<double>{0.1, 0.2, 0.9}, std::vector<double>{1.0, 2.0, 4.0});
  EXPECT_DOUBLE_EQ(bands.mean(0), 1.5);
  EXPECT_DOUBLE_EQ(bands.mean(1), 4.0);
  EXPECT_EQ(bands.summary(), "[0,0.5) 1.500 | [0.5,1] 4.000");
  LogSnrLossBands empty(0.0, 1.0, 2);
  empty.add(0.1, 2.0);
  EXPECT_EQ(empty.summary(2), "[0,0.5) 2.00 | [0.5,1] -");
  EXPECT_THROW(bands.add(std::vector<double>{0.1}, std::vector<double>{}), std::invalid_argument);
  EXPECT_THROW(LogSnrLossBands(1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(LogSnrLossBands(0.0, std::numeric_limits<double>::infinity()), std::invalid_argument);
  EXPECT_THROW(LogSnrLossBands(0.0, 1.0, 0), std::invalid_argument);
  EXPECT_THROW(bands.mean(2), std::out_of_range);
}
