// Per-class evaluation of a conditional model under classifier-free guidance (class_evaluation.hpp).
#include "cli/class_evaluation.hpp"

#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli/evaluation.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/class_accuracy.hpp"
#include "diffusion/guidance.hpp"

namespace diffuscope::cli {
namespace {

// Points of the accuracy reference: dense enough that 1-NN follows the class boundaries.
constexpr int kClassAccuracyReferencePoints = 4000;

std::vector<float> points_of_class(const diffusion::LabelledPoints2D& points, int class_id) {
  std::vector<float> out;
  for (int i = 0; i < points.size(); ++i) {
    if (points.class_id[static_cast<std::size_t>(i)] != class_id) continue;
    out.push_back(points.xy[2 * static_cast<std::size_t>(i)]);
    out.push_back(points.xy[2 * static_cast<std::size_t>(i) + 1]);
  }
  return out;
}

}  // namespace

int run_class_evaluate(const ClassEvaluateRequest& request, const ReversePlan& plan, const torch::Device& device,
                       int threads) {
  const int classes = diffusion::dataset2d_class_count(request.kind);
  if (request.only_class != diffusion::kNullClass && (request.only_class < 0 || request.only_class >= classes))
    throw UsageError("--class " + std::to_string(request.only_class) + " is outside 0.." + std::to_string(classes - 1) +
                     " for " + std::string(diffusion::to_string(request.kind)));
  if (request.guidance.empty()) throw UsageError("--per-class needs at least one --guidance W");
  for (const double w : request.guidance)
    if (!(w >= 0.0 && w <= diffusion::kMaxGuidanceScale))
      throw UsageError("--guidance values must lie in [0, 10], got " + std::to_string(w));
  // Each class gets about n points in each fresh draw.
  const int draw_n = request.n * classes;
  const auto reference = diffusion::make_labelled_dataset2d(request.kind, draw_n, fresh_data_seed(request.seed, 0));
  const auto second = diffusion::make_labelled_dataset2d(request.kind, draw_n, fresh_data_seed(request.seed, 1));
  const auto labelled =
      diffusion::make_labelled_dataset2d(request.kind, kClassAccuracyReferencePoints, fresh_data_seed(request.seed, 2));
  std::vector<int> which;
  for (int c = 0; c < classes; ++c)
    if (request.only_class == diffusion::kNullClass || c == request.only_class) which.push_back(c);

  std::ostringstream table;
  table << "guidance,class,sliced_wasserstein,class_accuracy,seconds\n" << std::fixed;
  for (const int c : which) {
    const auto floor = points_of_class(second, c);
    table << "data," << c << ',' << std::setprecision(6) << sliced_wasserstein(floor, points_of_class(reference, c))
          << ',' << diffusion::class_accuracy(floor, c, labelled) << ",0.000\n";
  }
  std::string description;
  for (const double w : request.guidance) {
    double distance_sum = 0, accuracy_sum = 0;
    for (const int c : which) {
      const DenoiserChoice choice =
          model_denoiser_choice(request.kind, request.model_path, device, plan.config, c, w);
      description = choice.description;
      const TimedSamples samples = run_timed_reverse(choice, plan, request.n, request.seed, device);
      const double distance = sliced_wasserstein(samples.xy, points_of_class(reference, c));
      const double accuracy = diffusion::class_accuracy(samples.xy, c, labelled);
      distance_sum += distance;
      accuracy_sum += accuracy;
      table << std::setprecision(2) << w << ',' << c << ',' << std::setprecision(6) << distance << ',' << accuracy
            << ',' << std::setprecision(3) << samples.seconds << '\n';
    }
    const double count = static_cast<double>(which.size());
    table << std::setprecision(2) << w << ",mean," << std::setprecision(6) << distance_sum / count << ','
          << accuracy_sum / count << ",\n";
  }
  std::cout << table.str();
  std::cerr << "evaluate: per class, " << request.n << " samples vs the class's points of a fresh draw of " << draw_n
            << ' ' << diffusion::to_string(request.kind) << " points (seed " << fresh_data_seed(request.seed, 0)
            << "), " << kSwdDirections << " directions; class accuracy by the nearest of "
            << kClassAccuracyReferencePoints << " fresh labelled points; " << plan.schedule_name << ", "
            << plan.steps.size() << " sampling steps (NFE " << 2 * plan.network_evaluations() << "), "
            << plan.sampler_description() << "; " << description << "; " << device.str() << " (" << threads
            << (threads == 1 ? " thread" : " threads") << ")\n";
  return 0;
}

}  // namespace diffuscope::cli
