#pragma once
// The reverse view's guided panels (ReversePanelSpec::class_id set): classifier-free guidance,
// ε̂_w = ε̂_∅ + w (ε̂_c − ε̂_∅) (diffusion/guidance.hpp), from
//   - Model panels on a named dataset: its shipped conditional model (ModelStore::get_conditional;
//     null class and class c of the same network);
//   - Exact panels, and every panel on a drawing: the exact conditional denoiser
//     (ConditionalExactDenoiser) over the same training points the exact denoiser uses,
//     make_labelled_dataset2d(dataset, exact_train_n, seed), or the drawing's points and classes.
// Builds the guided Denoiser the stepped run steps with and keeps its two halves, so that the
// equation panel can be given ε̂_∅ and ε̂_c of one point (guidance_numbers_at). Worker thread only;
// includes LibTorch.
#include <cstdint>
#include <map>
#include <memory>

#include <torch/torch.h>

#include "diffusion/exact_denoiser.hpp"
#include "diffusion/sampler.hpp"
#include "gui/compute/data_key.hpp"
#include "gui/compute/model_store.hpp"
#include "gui/protocol/reverse_jobs.hpp"

namespace diffuscope::gui {

// A guided panel's denoiser and its two halves (each holds what it uses).
struct GuidedDenoiser {
  diffusion::Denoiser guided;         // two evaluations a step: what the panel steps with
  diffusion::Denoiser unconditional;  // the null class: ε̂_∅
  diffusion::Denoiser conditional;    // the panel's class: ε̂_c
};

class GuidedDenoisers {
 public:
  explicit GuidedDenoisers(torch::Device device) : device_(device) {}

  // The panel's guided denoiser for this job. Throws (the panel's error) for a class outside the
  // data's classes, a w outside [0, kMaxGuidanceScale], a flow-matching panel, or a Model panel
  // whose dataset has no conditional model (the message names the file and the
  // `diffuscope train --conditional` command).
  GuidedDenoiser make(const ReversePanelSpec& spec, const ReverseJob& job, ModelStore& store);

 private:
  std::shared_ptr<const diffusion::ConditionalExactDenoiser> exact_for(const ReverseJob& job);

  torch::Device device_;
  std::map<DataKey, std::shared_ptr<const diffusion::ConditionalExactDenoiser>> cache_;
  std::shared_ptr<const diffusion::LabelledPoints2D> drawn_source_;
  std::shared_ptr<const diffusion::ConditionalExactDenoiser> drawn_exact_;
};

// The classes of the job's data: the drawing's, else the named dataset's.
int job_class_count(const ReverseJob& job);

// ε̂_∅, ε̂_c and the guided ε̂_w (guided_prediction, as the sampler combines them) of row `point`
// of the cloud x [N, 2] at `step`, for the equation panel.
GuidanceNumbers guidance_numbers_at(const GuidedDenoiser& denoiser, const ReversePanelSpec& spec,
                                    const torch::Tensor& x, int point, const diffusion::SamplingStep& step);

}  // namespace diffuscope::gui
