#pragma once
// One table per enum the app names: each value with its key (the word in scene files and on the
// command line), the label the widgets show and its tooltip. Scene reading and writing, the
// command line's checks, messages and help, and the widgets all look words up here.
//
// Header-only and free of GL, ImGui and LibTorch: the command line, built without the GUI too,
// reads the same tables. The keys of diffusion's enums are diffusion's own words (to_string /
// parse_*, which checkpoints and CSV files use as well); the tables add the labels and tooltips,
// which are lecture text and stay out of diffusion/.
#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diffusion/datasets2d.hpp"
#include "diffusion/ode_solver_kind.hpp"
#include "diffusion/prediction_target.hpp"
#include "diffusion/reverse_config.hpp"
#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule_params.hpp"
#include "gui/state/app_view.hpp"
#include "gui/protocol/jobs.hpp"
#include "gui/protocol/reverse_jobs.hpp"
#include "gui/state/reverse_state.hpp"

namespace diffuscope::gui {

template <typename E>
struct Choice {
  E value;
  std::string_view key;     // scene files and the command line
  const char* label;        // what the widgets show
  const char* tooltip = "";
};

// The table of E, in the order the widgets list the values. Specialised below, one per enum.
template <typename E>
const std::vector<Choice<E>>& choices();

template <typename E>
const Choice<E>& choice_of(E value) {
  for (const Choice<E>& c : choices<E>())
    if (c.value == value) return c;
  return choices<E>().front();
}
template <typename E>
std::string_view key_of(E value) { return choice_of(value).key; }
template <typename E>
const char* label_of(E value) { return choice_of(value).label; }
template <typename E>
const char* tooltip_of(E value) { return choice_of(value).tooltip; }

// The value whose key is `key` exactly (no aliases), or nullopt.
template <typename E>
std::optional<E> parse_key(std::string_view key) {
  for (const Choice<E>& c : choices<E>())
    if (c.key == key) return c.value;
  return std::nullopt;
}

// "a, b, c": the keys for messages and --help.
template <typename E>
std::string key_list() {
  std::string keys;
  for (const Choice<E>& c : choices<E>()) keys += (keys.empty() ? "" : ", ") + std::string(c.key);
  return keys;
}

template <typename E>
std::vector<E> values_of() {
  std::vector<E> values;
  for (const Choice<E>& c : choices<E>()) values.push_back(c.value);
  return values;
}

// ---- diffusion's enums: keys from diffusion, labels and tooltips here. ----

template <>
inline const std::vector<Choice<diffusion::ScheduleKind>>& choices() {
  using diffusion::ScheduleKind;
  using diffusion::to_string;
  static const std::vector<Choice<ScheduleKind>> table = {
      {ScheduleKind::Linear, to_string(ScheduleKind::Linear), "linear",
       "linear: β_t rises linearly from β_1 to β_T (Ho et al. 2020)"},
      {ScheduleKind::ScaledLinear, to_string(ScheduleKind::ScaledLinear), "scaled linear",
       "scaled linear: √β_t rises linearly from √β_1 to √β_T"},
      {ScheduleKind::Cosine, to_string(ScheduleKind::Cosine), "cosine",
       "cosine: ᾱ_t = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s)) · π/2)"},
      {ScheduleKind::Sigmoid, to_string(ScheduleKind::Sigmoid), "sigmoid",
       "sigmoid: ᾱ_t falls along a sigmoid of t/T (Chen 2023)"},
      {ScheduleKind::SigmoidBeta, to_string(ScheduleKind::SigmoidBeta), "sigmoid β",
       "sigmoid β: β_t follows a sigmoid from β_1 to β_T"},
      {ScheduleKind::Constant, to_string(ScheduleKind::Constant), "constant", "constant: the same β at every step"},
  };
  return table;
}

template <>
inline const std::vector<Choice<diffusion::SigmaKind>>& choices() {
  using diffusion::SigmaKind;
  using diffusion::to_string;
  static const std::vector<Choice<SigmaKind>> table = {
      {SigmaKind::Small, to_string(SigmaKind::Small), "σ² = β̃ (small)",
       "σ_t² = β̃_t: the variance of the true posterior q(x_{t−1} | x_t, x_0)"},
      {SigmaKind::Large, to_string(SigmaKind::Large), "σ² = β (large)",
       "σ_t² = β_t: the larger choice (Ho et al. 2020), optimal when x_0 is pure noise"},
      {SigmaKind::Interpolated, to_string(SigmaKind::Interpolated), "interpolated",
       "log σ_t² = v · log β_t + (1 − v) · log β̃_t (Nichol & Dhariwal 2021)"},
      // σ_t = η √((1 − ᾱ_{t−1}) / (1 − ᾱ_t)) √(1 − ᾱ_t / ᾱ_{t−1}) is η √β̃_t with the effective β.
      {SigmaKind::DDIM, to_string(SigmaKind::DDIM), "DDIM",
       "DDIM (Song et al. 2021): σ_t = η · √β̃_t; η = 0 is deterministic"},
  };
  return table;
}

// A reverse panel's process family (ReversePanelSpec::process; diffusion/process_family.hpp).
template <>
inline const std::vector<Choice<diffusion::ProcessFamily>>& choices() {
  using diffusion::ProcessFamily;
  static const std::vector<Choice<ProcessFamily>> table = {
      {ProcessFamily::Ddpm, diffusion::to_string(ProcessFamily::Ddpm), "diffusion",
       "The variance-preserving diffusion x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε, sampled with σ, DDIM or an ODE solver."},
      {ProcessFamily::Flow, diffusion::to_string(ProcessFamily::Flow), "flow matching",
       "Flow matching / rectified flow (Lipman et al. 2023; Liu et al. 2023): x_τ = (1 − τ) x_0 + τ ε, the "
       "network predicts the velocity v = ε − x_0; sampling integrates dx/dτ = v̂ from τ = 1 to 0 with Euler or "
       "Heun over K uniform steps. Its state at τ shows at timeline t = τ·T."},
  };
  return table;
}

// The probability-flow ODE solvers (a panel's sampler "ODE"; diffusion/ode_solver.hpp).
template <>
inline const std::vector<Choice<diffusion::OdeSolver>>& choices() {
  using diffusion::OdeSolver;
  using diffusion::to_string;
  static const std::vector<Choice<OdeSolver>> table = {
      {OdeSolver::Euler, to_string(OdeSolver::Euler), "Euler (= DDIM η = 0)",
       "Euler in σ̂ = √(1−ᾱ)/√ᾱ: x̄_prev = x̄_t + (σ̂_prev − σ̂_t) ε̂ with x̄ = x/√ᾱ; exactly DDIM with η = 0. "
       "First order, 1 network evaluation per step."},
      {OdeSolver::Heun, to_string(OdeSolver::Heun), "Heun",
       "Heun (Karras et al. 2022): an Euler step, then ε̂ again at its end, and the step redone with the "
       "average slope. Second order, 2 network evaluations per step (1 on the last step)."},
      {OdeSolver::DpmSolverPP2M, to_string(OdeSolver::DpmSolverPP2M), "DPM-Solver++(2M)",
       "DPM-Solver++(2M) (Lu et al. 2022): steps in the log-SNR and corrects the Euler step with the previous "
       "step's x̂₀. Second order, 1 network evaluation per step."},
  };
  return table;
}

template <>
inline const std::vector<Choice<diffusion::Spacing>>& choices() {
  using diffusion::Spacing;
  using diffusion::to_string;
  static const std::vector<Choice<Spacing>> table = {
      {Spacing::Leading, to_string(Spacing::Leading), "leading",
       "leading: t = 1, 1 + T/K, 1 + 2T/K, …; never visits t = T"},
      {Spacing::Trailing, to_string(Spacing::Trailing), "trailing",
       "trailing: t = T, T − T/K, …; always starts at pure noise t = T"},
      {Spacing::Linspace, to_string(Spacing::Linspace), "linspace",
       "linspace: K evenly spaced timesteps from t = 1 to t = T"},
  };
  return table;
}

template <>
inline const std::vector<Choice<diffusion::Dataset2DKind>>& choices() {
  using diffusion::Dataset2DKind;
  using diffusion::to_string;
  static const std::vector<Choice<Dataset2DKind>> table = {
      {Dataset2DKind::Moons, to_string(Dataset2DKind::Moons), "moons"},
      {Dataset2DKind::EightGaussians, to_string(Dataset2DKind::EightGaussians), "8gaussians"},
      {Dataset2DKind::SwissRoll, to_string(Dataset2DKind::SwissRoll), "swiss roll"},
      {Dataset2DKind::Checkerboard, to_string(Dataset2DKind::Checkerboard), "checkerboard"},
      {Dataset2DKind::Circles, to_string(Dataset2DKind::Circles), "circles"},
      {Dataset2DKind::Spiral, to_string(Dataset2DKind::Spiral), "spiral"},
      {Dataset2DKind::GaussianMixture, to_string(Dataset2DKind::GaussianMixture), "gaussian mixture"},
  };
  return table;
}

// What a learned model predicts (the reverse panels' "predicts" combo).
template <>
inline const std::vector<Choice<diffusion::PredictionTarget>>& choices() {
  using diffusion::PredictionTarget;
  using diffusion::to_string;
  static const std::vector<Choice<PredictionTarget>> table = {
      {PredictionTarget::Eps, to_string(PredictionTarget::Eps), "ε-model"},
      {PredictionTarget::X0, to_string(PredictionTarget::X0), "x₀-model"},
      {PredictionTarget::V, to_string(PredictionTarget::V), "v-model"},
  };
  return table;
}

// ---- The app's enums. ----

template <>
inline const std::vector<Choice<AppView>>& choices() {
  static const std::vector<Choice<AppView>> table = {
      {AppView::Forward, "forward", "Forward", "The forward process: schedules, x_t of points and images."},
      {AppView::Reverse, "reverse", "Reverse",
       "The reverse process: denoising N(0, I) into data with the trained network or the exact denoiser; "
       "sampler comparisons; training."},
      {AppView::Images, "images", "Images",
       "The reverse process on images: Fashion-MNIST samples of the learned U-Net denoising from x_T; the "
       "selected sample's x̂_0 and ε̂; sampler comparisons."},
  };
  return table;
}

template <>
inline const std::vector<Choice<ForwardProcess>>& choices() {
  static const std::vector<Choice<ForwardProcess>> table = {
      {ForwardProcess::ClosedForm, "closed", "closed form",
       "x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε, one fixed ε per point: smooth scrubbing"},
      {ForwardProcess::Markov, "markov", "Markov chain",
       "x_t = √α_t · x_{t−1} + √β_t · ε_t, fresh ε_t at every step; same marginal"},
      {ForwardProcess::Naive, "naive", "naive (VE)",
       "Naive x_t = x_0 + √(tβ) · ε: the variance explodes, never reaching N(0, I)"},
  };
  return table;
}

template <>
inline const std::vector<Choice<DenoiserKind>>& choices() {
  static const std::vector<Choice<DenoiserKind>> table = {
      {DenoiserKind::Model, "model", "learned", "learned: this dataset's trained network (shipped, or trained here)"},
      {DenoiserKind::Exact, "exact", "exact", "exact: the exact E[x_0 | x_t] over the training points; it memorises them"},
  };
  return table;
}

template <>
inline const std::vector<Choice<VectorField>>& choices() {
  static const std::vector<Choice<VectorField>> table = {
      {VectorField::None, "none", "none"},
      {VectorField::Score, "score", "score"},
      {VectorField::Eps, "eps", "ε̂"},
  };
  return table;
}

template <>
inline const std::vector<Choice<ReversePreset>>& choices() {
  static const std::vector<Choice<ReversePreset>> table = {
      {ReversePreset::SigmaComparison, "sigma", "σ comparison",
       "σ² = β̃, σ² = β, DDIM η = 0 and η = 1, from the same x_T and z."},
      {ReversePreset::StepsComparison, "steps", "K comparison", "DDIM η = 0 with K = T, 100, 20 and 5 sampling steps."},
      {ReversePreset::DenoiserComparison, "denoiser", "learned vs exact",
       "The trained network beside the exact E[x_0 | x_t], which memorises the training points."},
      {ReversePreset::TargetComparison, "target", "prediction target",
       "Three networks trained alike that predict ε, x_0 and v (Salimans & Ho 2022), with DDIM η = 0 and K = 50 "
       "from the same x_T: from ε, x̂_0 = (x_t − √(1−ᾱ) ε̂)/√ᾱ multiplies the network's error by 1/√ᾱ at high "
       "noise, which leaves stragglers far from the data."},
      {ReversePreset::OdeSolverComparison, "ode", "ODE solvers at equal NFE",
       "DDPM (σ² = β̃), DDIM η = 0 (= the ODE's Euler step), Heun and DPM-Solver++(2M), each with about 10 "
       "network evaluations, from the same x_T (Heun: K = 5, 9 evaluations)."},
      {ReversePreset::GuidanceComparison, "guidance", "guidance w = 0, 1, 3, 7",
       "Classifier-free guidance (Ho & Salimans 2022), ε̂ = ε̂_∅ + w (ε̂_c − ε̂_∅), for one class at w = 0 "
       "(unconditional), 1 (conditional), 3 and 7 (guided: sharper, less diverse), from the same x_T and z. "
       "The learned conditional model where the dataset has one, else the exact denoiser."},
      {ReversePreset::FlowComparison, "flow", "DDPM vs flow matching at equal NFE",
       "DDPM (σ² = β̃) and DDIM η = 0 with K = 10 beside flow matching (x_τ = (1 − τ) x_0 + τ ε, velocity "
       "ε − x_0) integrated with Euler (K = 10) and Heun (K = 5, 9 evaluations), learned models, from the same "
       "x_T. Track points to compare how straight their paths are (path length / distance, 1 = straight)."},
  };
  return table;
}

// The view's key as a string ("forward", "reverse", "images") for messages.
inline std::string view_name(AppView view) { return std::string(key_of(view)); }

// ---- Lists of names that are not enums. ----

// Where the worker computes (--device, the views' device combo). Whether CUDA is present is found
// out when the device is picked.
struct DeviceChoice {
  std::string_view key;
  const char* label;
};
inline constexpr DeviceChoice kDeviceChoices[] = {{"auto", "auto (CUDA if present)"}, {"cpu", "CPU"}, {"cuda", "CUDA"}};

// The panels a "one view" export (--export-view, File > Export) can pick, per view, in the order
// of the Export dialog's combo; `index` is the panel's number within its view.
struct OneView {
  AppView view;
  int index;
  std::string_view key;  // --export-view
  const char* label;     // the Export dialog
};
inline constexpr OneView kOneViews[] = {
    {AppView::Forward, 0, "curves", "Curves (ᾱ, SNR)"}, {AppView::Forward, 1, "points", "2D points"},
    {AppView::Forward, 2, "marginal", "Marginal"},      {AppView::Forward, 3, "image", "Image"},
    {AppView::Reverse, 0, "clouds", "Clouds"},          {AppView::Images, 0, "grids", "Sample grids"},
    {AppView::Images, 1, "selected", "Selected sample"},
};

// The index of a view's panel by its --export-view key; -1 when it is not one of `view`'s.
inline int one_view_index(AppView view, std::string_view key) {
  for (const OneView& v : kOneViews)
    if (v.view == view && v.key == key) return v.index;
  return -1;
}

// "curves, points, marginal, image (forward), clouds (reverse), grids, selected (images)".
inline std::string one_view_key_list() {
  std::string list;
  for (std::size_t i = 0; i < std::size(kOneViews); ++i) {
    list += (i == 0 ? "" : ", ") + std::string(kOneViews[i].key);
    if (i + 1 == std::size(kOneViews) || kOneViews[i + 1].view != kOneViews[i].view)
      list += " (" + std::string(key_of(kOneViews[i].view)) + ")";
  }
  return list;
}

}  // namespace diffuscope::gui
