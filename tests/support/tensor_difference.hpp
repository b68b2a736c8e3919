#pragma once
// The largest absolute elementwise difference of two tensors: what every exactness test compares.
#include <torch/types.h>

namespace diffuscope::testing {

inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

}  // namespace diffuscope::testing
