// The 1-nearest-neighbour class of samples, checked on points placed by hand.
#include <cmath>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "diffusion/class_accuracy.hpp"

using namespace diffusion;

TEST(ClassAccuracy, NearestLabelledPointGivesTheClass) {
  LabelledPoints2D reference;
  reference.xy = {0.0f, 0.0f, 10.0f, 0.0f, 10.0f, 10.0f};
  reference.class_id = {0, 1, 1};
  reference.num_classes = 2;
  // (4.9, 0) is 4.9 from class 0 and 5.1 from class 1; (6, 9) is nearest (10, 10).
  const std::vector<float> samples = {1.0f, 0.0f, 9.0f, 0.0f, 4.9f, 0.0f, 6.0f, 9.0f, std::nanf(""), 0.0f};
  EXPECT_EQ(nearest_point_classes(samples, reference), (std::vector<int>{0, 1, 0, 1, kNullClass}));
  EXPECT_DOUBLE_EQ(class_accuracy(samples, 0, reference), 2.0 / 5.0);
  EXPECT_DOUBLE_EQ(class_accuracy(samples, 1, reference), 2.0 / 5.0);
  EXPECT_DOUBLE_EQ(class_accuracy({}, 1, reference), 0.0);
  EXPECT_THROW(nearest_point_classes({1.0f}, reference), std::invalid_argument);
  EXPECT_THROW(nearest_point_classes(samples, LabelledPoints2D{}), std::invalid_argument);
}
