#pragma once
// Image quality as a number (`diffuscope evaluate --data fashion-mnist`): the Fréchet distance
// (frechet_distance.hpp, Heusel et al. 2017) between N images and the 10,000 test images in the
// 64 penultimate features of the shipped Fashion-MNIST classifier (image_classifier.hpp), for N
// real training images (the floor: what N real images score) and N samples of the learned model
// drawn with the same sampler as `sample --data` (run_timed_image_reverse). Also the classifier's
// training entry point (`diffuscope train --data fashion-mnist --classifier`).
#include <cstdint>
#include <string>

#include <torch/types.h>

#include "cli/sampling.hpp"

namespace diffuscope::cli {

inline constexpr int kDefaultImageEvaluateCount = 500;
inline constexpr int kMaxImageEvaluateCount = 60000;

struct ImageEvaluateRequest {
  std::string data;             // "fashion-mnist" (checked)
  std::string model_path;       // "": the shipped U-Net
  std::string classifier_path;  // "": the shipped classifier
  int n = kDefaultImageEvaluateCount;
  std::uint64_t seed = 0;       // the training images of the floor row, x_T and every z
  bool clip_x0 = true;          // as `sample --data`: clamp x0_hat to [-1, 1] at every step
};
// Prints CSV to stdout, `images,steps,sigma,eta,n,frechet_distance,seconds`, one row for N
// training images (steps 0) and one for N model samples; the classifier's test accuracy and what
// was measured go to stderr. Throws UsageError for bad requests, CheckpointError for bad files.
int run_image_evaluate(const ImageEvaluateRequest& request, ReversePlan plan, const torch::Device& device,
                       int threads);

struct ClassifierTrainRequest {
  std::string data;      // "fashion-mnist" (checked)
  std::string out;       // the checkpoint to write
  int epochs = 3;
  int max_images = 0;    // the first N training images only (0: all)
  int batch = 0;         // 0: the default (ClassifierTrainingConfig)
  double learning_rate = 0;  // 0: the default
  std::uint64_t seed = 0;
  std::string command_line;  // recorded in the checkpoint
};
// Trains on the 60,000 training images, prints one line per epoch with the test accuracy and a
// last "saved" line, writes the checkpoint. Throws UsageError for bad requests.
int run_classifier_train(const ClassifierTrainRequest& request, const torch::Device& device);

}  // namespace diffuscope::cli
