#pragma once
// `evaluate --name N --per-class`: how well a class-conditional model (classifier-free guidance)
// samples each class, for several guidance scales w. Per class and w: the sliced Wasserstein
// distance of n samples to that class's points in a fresh draw of the dataset, and the class
// accuracy (the share of samples whose nearest point of another fresh labelled draw has the class
// asked for; class_accuracy.hpp). A `data` row per class (a second fresh draw's points of the class)
// is the floor set by finite samples; a `mean` row per w averages the classes.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "cli/sampling.hpp"
#include "diffusion/datasets2d.hpp"

namespace diffuscope::cli {

struct ClassEvaluateRequest {
  diffusion::Dataset2DKind kind = diffusion::Dataset2DKind::EightGaussians;
  std::string model_path;            // "": the shipped conditional model of kind
  std::vector<double> guidance;      // the scales w, each in [0, 10]
  int only_class = diffusion::kNullClass;  // kNullClass: every class
  int n = 2000;                      // samples per class and w
  std::uint64_t seed = 0;
};

// Prints the CSV guidance,class,sliced_wasserstein,class_accuracy,seconds to stdout and a summary
// line to stderr. Throws UsageError for a bad scale or class, or a missing or unconditional model.
int run_class_evaluate(const ClassEvaluateRequest& request, const ReversePlan& plan, const torch::Device& device,
                       int threads);

}  // namespace diffuscope::cli
