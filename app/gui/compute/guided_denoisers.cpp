// Guided panels of the reverse view: the learned conditional model or the exact conditional
// denoiser, combined by classifier-free guidance (guided_denoisers.hpp).
#include "gui/compute/guided_denoisers.hpp"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "diffusion/datasets2d.hpp"
#include "diffusion/guidance.hpp"
#include "diffusion/model_denoiser.hpp"
#include "diffusion/point_model.hpp"
#include "gui/compute/stepped_run.hpp"
#include "gui/compute/tensor_copy.hpp"
#include "gui/state/limits.hpp"

namespace diffuscope::gui {

static_assert(kMaxPanelGuidance == diffusion::kMaxGuidanceScale, "the UI's w limit is the sampler's");

namespace {

torch::Tensor guided_points_tensor(const std::vector<float>& xy, const torch::Device& device) {
  const auto n = static_cast<std::int64_t>(xy.size() / 2);
  return torch::tensor(xy, torch::TensorOptions().dtype(torch::kFloat32)).reshape({n, 2}).to(device);
}

std::shared_ptr<const diffusion::ConditionalExactDenoiser> conditional_exact_over(
    const diffusion::LabelledPoints2D& points, const torch::Device& device) {
  return std::make_shared<const diffusion::ConditionalExactDenoiser>(guided_points_tensor(points.xy, device),
                                                                     points.class_id, points.num_classes);
}

std::string data_name(const ReverseJob& job) {
  return job.drawn ? std::string(diffusion::kDrawnDatasetName) : std::string(diffusion::to_string(job.dataset));
}

}  // namespace

int job_class_count(const ReverseJob& job) {
  return job.drawn ? job.drawn->num_classes : diffusion::dataset2d_class_count(job.dataset);
}

std::shared_ptr<const diffusion::ConditionalExactDenoiser> GuidedDenoisers::exact_for(const ReverseJob& job) {
  if (job.drawn) {
    if (drawn_source_ != job.drawn || !drawn_exact_) {
      drawn_exact_ = conditional_exact_over(*job.drawn, device_);
      drawn_source_ = job.drawn;
    }
    return drawn_exact_;
  }
  const DataKey key{job.dataset, job.exact_train_n, job.seed};
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  if (cache_.size() >= 4) cache_.clear();  // bounded: a few datasets / sizes
  // The exact denoiser's own training points (make_dataset2d with the same arguments), with classes.
  return cache_[key] = conditional_exact_over(
             diffusion::make_labelled_dataset2d(job.dataset, job.exact_train_n, job.seed), device_);
}

GuidedDenoiser GuidedDenoisers::make(const ReversePanelSpec& spec, const ReverseJob& job, ModelStore& store) {
  if (spec.process == diffusion::ProcessFamily::Flow)
    throw std::invalid_argument("guidance: a flow-matching panel has no conditional model; choose the diffusion "
                                "process or class none");
  diffusion::validate_guidance_scale(spec.guidance);
  const int classes = job_class_count(job);
  if (spec.class_id < 0 || spec.class_id >= classes)
    throw std::invalid_argument("class " + std::to_string(spec.class_id) + " is not a class of " + data_name(job) +
                                " (classes 0.." + std::to_string(classes - 1) + ")");
  GuidedDenoiser out;
  if (spec.denoiser == DenoiserKind::Model && !job.drawn) {
    const StoredModel stored = store.get_conditional(job.dataset);
    if (!stored.model) throw std::runtime_error(stored.error);
    const diffusion::PointModel& model = *stored.model;
    if (spec.class_id >= model->config().num_classes)
      throw std::invalid_argument("class " + std::to_string(spec.class_id) + " is outside the conditional model's " +
                                  std::to_string(model->config().num_classes) + " classes");
    out.unconditional = holding(
        diffusion::make_model_denoiser(model, stored.target, spec.sampler, diffusion::kNullClass), stored.model);
    out.conditional =
        holding(diffusion::make_model_denoiser(model, stored.target, spec.sampler, spec.class_id), stored.model);
    out.guided = holding(
        diffusion::make_guided_model_denoiser(model, stored.target, spec.sampler, spec.class_id, spec.guidance),
        stored.model);
    return out;
  }
  const auto exact = exact_for(job);
  out.unconditional = holding(diffusion::make_exact_denoiser(exact->denoiser(diffusion::kNullClass), spec.sampler), exact);
  out.conditional = holding(diffusion::make_exact_denoiser(exact->denoiser(spec.class_id), spec.sampler), exact);
  out.guided = diffusion::make_guided_exact_denoiser(exact, spec.class_id, spec.guidance, spec.sampler);
  return out;
}

GuidanceNumbers guidance_numbers_at(const GuidedDenoiser& denoiser, const ReversePanelSpec& spec,
                                    const torch::Tensor& x, int point, const diffusion::SamplingStep& step) {
  GuidanceNumbers out;
  if (point < 0 || point >= x.size(0)) return out;
  const torch::Tensor x_t = x.narrow(0, point, 1);
  const diffusion::Prediction unconditional = denoiser.unconditional(x_t, step);
  const diffusion::Prediction conditional = denoiser.conditional(x_t, step);
  const diffusion::Prediction guided =
      diffusion::guided_prediction(x_t, unconditional, conditional, spec.guidance, step, spec.sampler);
  const std::vector<float> xt = to_vector(x_t), null_eps = to_vector(unconditional.eps),
                           class_eps = to_vector(conditional.eps), guided_eps = to_vector(guided.eps);
  for (int i = 0; i < 2; ++i) {
    out.x_t[i] = xt[static_cast<std::size_t>(i)];
    out.eps_null[i] = null_eps[static_cast<std::size_t>(i)];
    out.eps_class[i] = class_eps[static_cast<std::size_t>(i)];
    out.eps_guided[i] = guided_eps[static_cast<std::size_t>(i)];
  }
  out.valid = true;
  out.point = point;
  out.t = step.t;
  out.class_id = spec.class_id;
  out.w = spec.guidance;
  return out;
}

}  // namespace diffuscope::gui
