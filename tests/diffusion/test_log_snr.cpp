// log-SNR conversions against values computed independently (Python, 40-digit decimal).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "diffusion/log_snr.hpp"

namespace diffusion {
namespace {

TEST(LogSnr, FromAlphaBarMatchesIndependentValues) {
  EXPECT_DOUBLE_EQ(log_snr_from_alpha_bar(0.5, 0.5), 0.0);
  EXPECT_DOUBLE_EQ(log_snr_from_alpha_bar(0.9, 0.1), 2.1972245773362196);  // log 9
  // Near alpha_bar = 1 the accurate 1 - alpha_bar keeps every digit: 27.631021115927548 (decimal).
  EXPECT_NEAR(log_snr_from_alpha_bar(1.0 - 1e-12, 1e-12), 27.631021115927548, 1e-12);
}

TEST(LogSnr, EndsAreInfinite) {
  EXPECT_EQ(log_snr_from_alpha_bar(0.0, 1.0), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(log_snr_from_alpha_bar(1.0, 0.0), std::numeric_limits<double>::infinity());
  EXPECT_THROW(log_snr_from_alpha_bar(-0.1, 1.1), std::domain_error);
  EXPECT_THROW(log_snr_from_alpha_bar(std::nan(""), 0.5), std::domain_error);
}

TEST(LogSnr, SigmoidInversesAreAccurateAndNeverOverflow) {
  EXPECT_DOUBLE_EQ(alpha_bar_from_log_snr(2.5), 0.9241418199787566);
  EXPECT_NEAR(one_minus_alpha_bar_from_log_snr(30.0), 9.357622968839299e-14, 1e-27);
  EXPECT_DOUBLE_EQ(alpha_bar_from_log_snr(-1000.0), 0.0);
  EXPECT_DOUBLE_EQ(alpha_bar_from_log_snr(1000.0), 1.0);
  for (double lambda : {-19.5, -3.0, 0.25, 7.0, 13.5}) {
    const double ab = alpha_bar_from_log_snr(lambda);
    const double one_minus = one_minus_alpha_bar_from_log_snr(lambda);
    EXPECT_NEAR(ab + one_minus, 1.0, 1e-15);
    EXPECT_NEAR(log_snr_from_alpha_bar(ab, one_minus), lambda, 1e-12 * std::max(1.0, std::abs(lambda)));
  }
}

TEST(LogSnr, ModelInputIsClampedToTheTrainingRange) {
  EXPECT_EQ(model_log_snr(-std::numeric_limits<double>::infinity()), kModelLogSnrMin);
  EXPECT_EQ(model_log_snr(std::numeric_limits<double>::infinity()), kModelLogSnrMax);
  EXPECT_EQ(model_log_snr(-35.0), kModelLogSnrMin);
  EXPECT_EQ(model_log_snr(3.25), 3.25);
  EXPECT_THROW(model_log_snr(std::nan("")), std::domain_error);
  // The range covers the default linear (log-SNR 9.21 .. -10.12) and cosine (10.09 .. -19.84) ends.
  EXPECT_LT(kModelLogSnrMin, -19.84);
  EXPECT_GT(kModelLogSnrMax, 10.1);
}

}  // namespace
}  // namespace diffusion
