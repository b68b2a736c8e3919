// The reverse view's run: the stepped run (stepped_run.hpp) of 2D clouds, and what the 2D view
// adds to it. Seeding follows the CLI (app/cli/seeds.hpp), so a panel here and
// `diffuscope sample` with the same flags and seed produce the same cloud:
//   - x_T and every z as in stepped_run.hpp;
//   - the exact denoiser's training points are make_dataset2d(dataset, exact_train_n, seed);
//   - the sliced Wasserstein reference is a fresh draw of n_points with
//     derive_seed(seed, 0xE7A1, 0), the CLI's first evaluation draw;
//   - the memorisation meter counts points within kCopyRadius of the exact denoiser's training
//     points (for every panel, learned or exact), with the distance and cached the same way.
#include "gui/compute/reverse_compute.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <utility>

#include <torch/torch.h>

#include "diffusion/datasets2d.hpp"
#include "diffusion/exact_denoiser.hpp"
#include "diffusion/flow_matching.hpp"
#include "diffusion/model_denoiser.hpp"
#include "diffusion/point_model.hpp"
#include "diffusion/reverse_process.hpp"
#include "diffusion/sampler.hpp"
#include "diffusion/schedule.hpp"
#include "diffusion/seeding.hpp"
#include "diffusion/sliced_wasserstein.hpp"
#include "diffusion/trajectory_curvature.hpp"
#include "gui/compute/drawn_model_slot.hpp"
#include "gui/compute/guided_denoisers.hpp"
#include "gui/compute/model_store.hpp"
#include "gui/compute/stepped_run.hpp"
#include "gui/compute/flow_panel_step.hpp"
#include "gui/protocol/worker_failures.hpp"
#include "gui/compute/data_key.hpp"
#include "gui/compute/tensor_copy.hpp"
#include "gui/state/limits.hpp"

namespace diffuscope::gui {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxExactTrain = 10000;   // a step costs N x M exponentials
constexpr int kMaxFieldGrid = 64;
constexpr std::size_t kMaxTracked = 256;
constexpr int kSwdDirections = 128;
constexpr std::uint64_t kFreshDataStream = 0xE7A1;  // app/cli/evaluation.cpp's stream
constexpr std::size_t kDefaultStateCacheBytes = std::size_t(256) << 20;
// A panel step is computed in chunks of rows, with a check for new work between chunks, so a
// restart need not wait for a whole step (an exact-denoiser step over 2000 x 2000 points takes
// tens of ms). Every row's update depends on that row alone (the denoiser is pointwise, z is
// per row), so chunking changes no value beyond rounding; an interrupted step resumes later.
constexpr std::int64_t kStepChunkRows = 512;
// While a run streams with the cursor following it, a panel's distance is refreshed this often.
constexpr auto kStreamingSwdInterval = std::chrono::milliseconds(300);

// Share of the rows of x [N, 2] within `radius` of some row of train [M, 2]. Distances in float64:
// in float32 the expansion |x|² − 2 x·y + |y|² loses ~1e-7 against |x|² ~ 1, the square of 3e-4.
double share_within(const torch::Tensor& x, const torch::Tensor& train, double radius) {
  const std::int64_t n = x.size(0);
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  const torch::Tensor points = x.to(torch::kFloat64), reference = train.to(x.device(), torch::kFloat64);
  std::int64_t within = 0;
  for (std::int64_t begin = 0; begin < n; begin += 1024) {
    const torch::Tensor rows = points.narrow(0, begin, std::min<std::int64_t>(1024, n - begin));
    const torch::Tensor nearest = std::get<0>(torch::cdist(rows, reference).min(1));
    within += nearest.le(radius).sum().item<std::int64_t>();
  }
  return static_cast<double>(within) / static_cast<double>(n);
}

torch::Tensor from_xy(std::vector<float>& xy, const torch::Device& device) {
  const auto n = static_cast<std::int64_t>(xy.size() / 2);
  return torch::from_blob(xy.data(), {n, 2}, torch::kFloat32).clone().to(device);
}



// A panel's sliced Wasserstein distances and memorisation meter, beside its stepped-run panel.
struct PanelDistances {
  // Newest computed distance and the state it belongs to.
  int swd_state = -1;
  double swd = std::numeric_limits<double>::quiet_NaN();
  Clock::time_point swd_time{};
  std::map<int, double> swd_cache;              // by state index
  double copied = std::numeric_limits<double>::quiet_NaN();   // the meter, for swd_state
  std::map<int, double> copied_cache;           // by state index
  // A guided panel samples one class: its distance is to that class's points of the reference
  // draw (the drawing's points of the class), so w = 1 is not scored against the other classes.
  int reference_class = -1;                     // -1: all of the reference draw
  std::vector<float> class_reference;
};

bool same_run(const ReverseJob& a, const ReverseJob& b) {
  return a.panels == b.panels && a.dataset == b.dataset && a.n_points == b.n_points &&
         a.exact_train_n == b.exact_train_n && a.seed == b.seed && a.drawn == b.drawn &&
         a.model_revision == b.model_revision;
}

void validate_job(const ReverseJob& job) {
  const auto count = job.panels.size();
  if (count < 1 || count > static_cast<std::size_t>(kMaxReversePanels))
    throw std::invalid_argument("panels: " + std::to_string(count) + " given, must be 1.." +
                                std::to_string(kMaxReversePanels));
  if (job.n_points < 1 || job.n_points > kMaxReversePoints)
    throw std::invalid_argument("n_points = " + std::to_string(job.n_points) + " must be in 1.." +
                                std::to_string(kMaxReversePoints));
  if (job.drawn && job.drawn->size() == 0)
    throw std::invalid_argument("the drawing is empty: draw points first (Forward view, Draw your data)");
  if (job.drawn && job.drawn->xy.size() != 2 * job.drawn->class_id.size())
    throw std::invalid_argument("drawn data: " + std::to_string(job.drawn->xy.size()) + " coordinates for " +
                                std::to_string(job.drawn->size()) + " points");
  if (job.exact_train_n < 1 || job.exact_train_n > kMaxExactTrain)
    throw std::invalid_argument("exact_train_n = " + std::to_string(job.exact_train_n) +
                                " must be in 1.." + std::to_string(kMaxExactTrain));
  const ReverseOverlays& o = job.overlays;
  if (o.field != VectorField::None && (o.field_grid < 2 || o.field_grid > kMaxFieldGrid))
    throw std::invalid_argument("overlays.field_grid = " + std::to_string(o.field_grid) +
                                " must be in 2.." + std::to_string(kMaxFieldGrid));
  if (o.field != VectorField::None && !(std::isfinite(o.half_range) && o.half_range > 0))
    throw std::invalid_argument("overlays.half_range must be finite and > 0");
  if (o.tracked.size() > kMaxTracked)
    throw std::invalid_argument("overlays.tracked: " + std::to_string(o.tracked.size()) +
                                " points, at most " + std::to_string(kMaxTracked));
  for (int i : o.tracked)
    if (i < 0 || i >= job.n_points)
      throw std::invalid_argument("overlays.tracked: point " + std::to_string(i) +
                                  " is not in 0.." + std::to_string(job.n_points - 1));
  if (o.picked < -1 || o.picked >= job.n_points)
    throw std::invalid_argument("overlays.picked = " + std::to_string(o.picked) +
                                " is not -1 or in 0.." + std::to_string(job.n_points - 1));
}

}  // namespace

struct ReverseComputer::Impl {
  Impl(torch::Device on, ModelStore& models) : device(on), store(&models), run(on), guided(on) {}

  torch::Device device;
  ModelStore* store;
  std::size_t state_cache_bytes = kDefaultStateCacheBytes;
  SteppedRun run;
  GuidedDenoisers guided;
  // The run's guided panels' denoisers, by spec (the equation panel's ε̂_∅ and ε̂_c).
  std::vector<std::pair<ReversePanelSpec, GuidedDenoiser>> guided_panels;

  // Caches that outlive runs (a sigma change must not rebuild the exact denoiser).
  std::map<DataKey, std::shared_ptr<const diffusion::ExactDenoiser>> exact_cache;
  std::map<DataKey, diffusion::LabelledPoints2D> fresh_data_cache;   // with classes: guided panels' references

  // The run's job (the newest cursor and overlays) and what the 2D view adds to the stepped run.
  ReverseJob job;
  std::uint64_t generation = 0;
  std::vector<PanelDistances> distances;        // per panel
  std::vector<float> data_xy;
  std::uint64_t model_revision = 0;
  std::string model_description;

  std::shared_ptr<const diffusion::ExactDenoiser> exact_for(const DataKey& key) {
    auto it = exact_cache.find(key);
    if (it != exact_cache.end()) return it->second;
    if (exact_cache.size() >= 4) exact_cache.clear();  // bounded: a few datasets / sizes
    diffusion::Dataset2D set = diffusion::make_dataset2d(key.kind, key.n, key.seed);
    auto exact = std::make_shared<const diffusion::ExactDenoiser>(from_xy(set.xy, device));
    exact_cache[key] = exact;
    return exact;
  }

  // The job's exact denoiser: over the drawing (kept while the same drawing is sent) or over
  // make_dataset2d(dataset, exact_train_n, seed).
  std::shared_ptr<const diffusion::LabelledPoints2D> drawn_source;
  std::shared_ptr<const diffusion::ExactDenoiser> drawn_exact;
  std::shared_ptr<const diffusion::ExactDenoiser> job_exact() {
    if (!job.drawn) return exact_for({job.dataset, job.exact_train_n, job.seed});
    if (drawn_source != job.drawn || !drawn_exact) {
      std::vector<float> xy = job.drawn->xy;
      drawn_exact = std::make_shared<const diffusion::ExactDenoiser>(from_xy(xy, device));
      drawn_source = job.drawn;
    }
    return drawn_exact;
  }

  const diffusion::LabelledPoints2D& fresh_data_for(const DataKey& key) {
    auto it = fresh_data_cache.find(key);
    if (it != fresh_data_cache.end()) return it->second;
    if (fresh_data_cache.size() >= 8) fresh_data_cache.clear();
    return fresh_data_cache[key] = diffusion::make_labelled_dataset2d(
               key.kind, key.n, diffusion::derive_seed(key.seed, kFreshDataStream, 0));
  }


  // A panel's denoiser: the dataset's model (a chosen target has a model of its own, the
  // prediction-target compare), the drawing's model, or the exact denoiser over the training points.
  diffusion::Denoiser denoiser_for(const ReversePanelSpec& spec, const std::optional<StoredModel>& stored) {
    if (is_guided(spec)) return guided_panels.emplace_back(spec, guided.make(spec, job, *store)).second.guided;
    if (spec.denoiser == DenoiserKind::Model) {
      const StoredModel chosen =
          spec.model_target && !job.drawn ? store->get(job.dataset, spec.model_target) : *stored;
      if (!chosen.model) throw std::runtime_error(chosen.error);
      return holding(diffusion::make_model_denoiser(*chosen.model, chosen.target, spec.sampler), chosen.model);
    }
    auto exact = job_exact();
    return holding(diffusion::make_exact_denoiser(*exact, spec.sampler), exact);
  }

  // A flow panel's velocity: the dataset's shipped flow model, or the exact velocity over the
  // exact denoiser's training points (the drawing's, with a drawing).
  std::shared_ptr<const diffusion::ExactDenoiser> exact_velocity_source;
  std::shared_ptr<const diffusion::ExactVelocity> exact_velocity;
  diffusion::VelocityField velocity_for(const ReversePanelSpec& spec) {
    if (spec.denoiser == DenoiserKind::Model && !job.drawn) {
      const StoredModel flow = store->get_flow(job.dataset);
      if (!flow.model) throw std::runtime_error(flow.error);
      return diffusion::make_model_velocity(*flow.model);
    }
    const auto exact = job_exact();
    if (exact_velocity_source != exact || !exact_velocity) {
      exact_velocity = std::make_shared<const diffusion::ExactVelocity>(exact->train());
      exact_velocity_source = exact;
    }
    return diffusion::make_exact_velocity(exact_velocity);
  }

  void start_run(const ReverseJob& new_job) {
    run.stop();
    job = new_job;
    guided_panels.clear();

    // The dataset's model, looked up once for every Model panel.
    std::optional<StoredModel> stored;
    bool any_model = false, any_flow_model = false;
    for (const auto& spec : job.panels) {
      // Guided panels use the dataset's conditional model instead (guided_denoisers.hpp).
      const bool model = spec.denoiser == DenoiserKind::Model && !is_guided(spec);
      (spec.process == diffusion::ProcessFamily::Flow ? any_flow_model : any_model) |= model;
    }
    if (any_model) stored = job.drawn ? store->drawn().get(job.drawn) : store->get(job.dataset);
    model_revision = stored ? stored->revision : 0;
    model_description = !stored ? "exact denoiser · " + std::to_string(job.exact_train_n) +
                                      " training points"
                        : stored->model ? stored->description
                                        : stored->error;
    if (any_flow_model && !job.drawn) {
      const StoredModel flow = store->get_flow(job.dataset);
      const std::string flow_text = flow.model ? flow.description : flow.error;
      model_description = stored ? model_description + " · " + flow_text : flow_text;
    }

    for (const auto& panel : job.panels)  // guided Model panels use the conditional model
      if (is_guided(panel) && panel.denoiser == DenoiserKind::Model && !job.drawn) {
        const StoredModel conditional = store->get_conditional(job.dataset);
        const std::string text = conditional.model ? conditional.description : conditional.error;
        model_description = stored ? model_description + " · " + text : text;
        break;
      }

    RunSpec spec;
    spec.panels = job.panels;
    // On a drawing no model has learnt yet, Model panels run, and are labelled, as exact ones (the
    // description line says why); so do flow and guided Model panels (the app trains only an
    // unconditional DDPM model on a drawing).
    if (job.drawn)
      for (ReversePanelSpec& panel : spec.panels)
        if (panel.denoiser == DenoiserKind::Model &&
            (panel.process == diffusion::ProcessFamily::Flow || is_guided(panel) || !stored || !stored->model))
          panel.denoiser = DenoiserKind::Exact;
    spec.seed = job.seed;
    spec.samples = job.n_points;
    spec.sample_shape = {2};
    spec.storage_type = torch::kFloat32;
    spec.state_budget = state_cache_bytes;
    spec.chunk_rows = kStepChunkRows;
    spec.make_denoiser = [&](const ReversePanelSpec& panel) { return denoiser_for(panel, stored); };
    spec.make_velocity = [&](const ReversePanelSpec& panel) { return velocity_for(panel); };
    spec.label = panel_label;
    spec.step_name = "a reverse step";
    spec.states_name = "the cloud";
    run.start(std::move(spec));
    distances.assign(job.panels.size(), PanelDistances{});
    data_xy = job.drawn ? job.drawn->xy : fresh_data_for({job.dataset, job.n_points, job.seed}).xy;
    set_class_references();
    if (job.drawn && !stored)
      model_description = "exact denoiser · the drawing's " + std::to_string(job.drawn->size()) + " points";
  }

  // PanelDistances::class_reference of the guided panels: the labelled reference draw (the same
  // points as data_xy) or the drawing, filtered to the panel's class; a class without points there
  // keeps the whole draw as its reference.
  void set_class_references() {
    for (std::size_t i = 0; i < job.panels.size(); ++i) {
      const ReversePanelSpec& spec = job.panels[i];
      if (!is_guided(spec)) continue;
      const diffusion::LabelledPoints2D& labelled =
          job.drawn ? *job.drawn : fresh_data_for({job.dataset, job.n_points, job.seed});
      std::vector<float> of_class;
      for (int k = 0; k < labelled.size(); ++k)
        if (labelled.class_id[static_cast<std::size_t>(k)] == spec.class_id) {
          of_class.push_back(labelled.xy[2 * static_cast<std::size_t>(k)]);
          of_class.push_back(labelled.xy[2 * static_cast<std::size_t>(k) + 1]);
        }
      if (of_class.empty()) continue;
      distances[i].reference_class = spec.class_id;
      distances[i].class_reference = std::move(of_class);
    }
  }


  bool following_stream(const SteppedPanel& panel) const { return job.t < 0 && !panel.finished(); }

  void fill_overlays(const SteppedPanel& panel, int state, const torch::Tensor& x,
                     ReversePanelFrame& out) const {
    const ReverseOverlays& o = job.overlays;
    const bool at_x0 = state >= panel.K();
    // The noise level of the step taken from this state (x_0: the last step's level).
    const diffusion::SamplingStep& step =
        panel.steps[static_cast<std::size_t>(std::min(state, panel.K() - 1))];

    if (o.field != VectorField::None) {
      const int g = o.field_grid;
      std::vector<float> grid(static_cast<std::size_t>(g) * g * 2);
      for (int iy = 0; iy < g; ++iy)
        for (int ix = 0; ix < g; ++ix) {
          const std::size_t i = static_cast<std::size_t>(iy) * g + ix;
          grid[2 * i] = static_cast<float>(-o.half_range + 2.0 * o.half_range * ix / (g - 1));
          grid[2 * i + 1] = static_cast<float>(-o.half_range + 2.0 * o.half_range * iy / (g - 1));
        }
      torch::Tensor points = from_xy(grid, device);
      // A flow panel's field is its velocity v̂ at the state's τ, whichever field was asked for.
      torch::Tensor eps = panel.is_flow() ? panel.velocity(points, flow_overlay_tau(panel, state))
                                          : panel.denoiser(points, step).eps;
      // Score of q(x_t): -eps / sqrt(1 - ab_t) (Song et al. 2021, eps-prediction form).
      if (o.field == VectorField::Score && !panel.is_flow()) eps = -eps / std::sqrt(step.one_minus_alpha_bar);
      out.field_xy = std::move(grid);
      out.field_vectors = to_vector(eps);
    }

    if (!o.tracked.empty()) {
      torch::Tensor index =
          torch::tensor(std::vector<std::int64_t>(o.tracked.begin(), o.tracked.end()),
                        torch::kLong)
              .to(device);
      if (o.predicted_x0) {
        const torch::Tensor x_tracked = x.index_select(0, index);
        out.tracked_x0_xy =
            to_vector(at_x0 ? x_tracked : panel.denoiser(x_tracked, step).x0);
      }
      // Kept states 0, stride, 2 stride, ... up to the newest, then the newest itself.
      const int stride = run.stride();
      const int newest = panel.states_done - 1;
      const int kept_slots = newest / stride + 1;
      torch::Tensor path = panel.storage.narrow(0, 0, kept_slots).index_select(1, index);
      if (newest % stride != 0)
        path = torch::cat({path, panel.current.index_select(0, index).unsqueeze(0)}, 0);
      out.trajectories_xy = to_vector(path.permute({1, 0, 2}));
      out.path_length_ratio = diffusion::mean_path_length_ratio(out.trajectories_xy, o.tracked.size(), 2);
    }

    // Flow matching has no posterior q(x_{t_prev} | x_t, x0_hat): its sampler is deterministic.
    if (o.picked >= 0 && !at_x0 && !panel.is_flow()) {
      const torch::Tensor x_t = x.narrow(0, o.picked, 1);
      const diffusion::Prediction pred = panel.denoiser(x_t, step);
      // The true posterior q(x_{t_prev} | x_t, x0_hat) of this panel's next step (respaced when
      // K < T): mean mu_tilde, variance beta_tilde. What the sampler draws from only for
      // sigma^2 = beta_tilde (DDPM, or DDIM with eta = 1 on consecutive steps).
      const torch::Tensor mean = diffusion::posterior_mean(x_t, pred.x0, step);
      const std::vector<float> xt = to_vector(x_t), mu = to_vector(mean);
      out.has_posterior = true;
      out.picked_xy[0] = xt[0];
      out.picked_xy[1] = xt[1];
      out.posterior_mean_xy[0] = mu[0];
      out.posterior_mean_xy[1] = mu[1];
      out.posterior_sigma = std::sqrt(std::max(0.0, step.posterior_variance()));
      out.posterior_t = step.t;
      out.posterior_t_prev = step.t_prev;
    }
  }

  // A guided panel's ε̂_∅, ε̂_c and ε̂_w at the picked point (else point 0) of the shown state.
  void fill_guidance_numbers(const SteppedPanel& panel, int state, const torch::Tensor& x, ReversePanelFrame& out) const {
    if (!is_guided(panel.spec) || state >= panel.K()) return;
    for (const auto& [spec, denoiser] : guided_panels) {
      if (spec != panel.spec) continue;
      const int point = job.overlays.picked >= 0 ? job.overlays.picked : 0;
      out.guidance_numbers =
          guidance_numbers_at(denoiser, spec, x, point, panel.steps[static_cast<std::size_t>(state)]);
      return;
    }
  }

  ReverseFrame frame() {
    ReverseFrame f;
    f.generation = generation;
    if (!run.has_run()) return f;
    torch::NoGradGuard no_grad;
    f.data_xy = data_xy;
    f.model_revision = model_revision;
    f.model_description = model_description;
    f.point_steps_per_second = run.sample_steps_per_second();
    f.running = run.running();
    f.panel_steps = run.run_panel_steps();
    for (std::size_t i = 0; i < run.panels().size(); ++i) {
      const SteppedPanel& panel = run.panels()[i];
      const PanelDistances& d = distances[i];
      ReversePanelFrame p;
      if (const auto shown = run.fill_frame(panel, job.t, p)) {
        const auto& [state, x] = *shown;
        p.xt_xy = to_vector(x);
        p.sliced_wasserstein_class = d.reference_class;
        auto cached = d.swd_cache.find(state);
        if (cached != d.swd_cache.end()) {
          p.sliced_wasserstein = cached->second;
          p.sliced_wasserstein_state = state;
          p.copied_share = d.copied_cache.at(state);
        } else {
          p.sliced_wasserstein = d.swd;
          p.sliced_wasserstein_state = d.swd_state;
          p.copied_share = d.copied;
        }
        try {
          fill_overlays(panel, state, x, p);
          fill_guidance_numbers(panel, state, x, p);
        } catch (const std::exception& e) {
          p.error = std::string("overlays: ") + failure_message(e);
        }
      }
      f.panels.push_back(std::move(p));
    }
    return f;
  }

  // The panel whose shown state most needs its distance computed, or -1.
  int refine_candidate() const {
    if (!run.has_run()) return -1;
    const auto now = Clock::now();
    int best = -1;
    for (std::size_t i = 0; i < run.panels().size(); ++i) {
      const SteppedPanel& panel = run.panels()[i];
      const PanelDistances& d = distances[i];
      if (panel.states_done == 0 || !panel.current.defined()) continue;
      const int state = run.kept_state(panel, run.cursor_state(panel, job.t)).first;
      if (d.swd_cache.count(state)) continue;
      if (following_stream(panel) && now - d.swd_time < kStreamingSwdInterval) continue;
      if (best < 0 || d.swd_time < distances[static_cast<std::size_t>(best)].swd_time)
        best = static_cast<int>(i);
    }
    return best;
  }

  bool refine() {
    const int i = refine_candidate();
    if (i < 0) return false;
    const SteppedPanel& panel = run.panels()[static_cast<std::size_t>(i)];
    PanelDistances& d = distances[static_cast<std::size_t>(i)];
    const auto [state, x] = run.kept_state(panel, run.cursor_state(panel, job.t));
    double distance = std::numeric_limits<double>::quiet_NaN();
    double copied = std::numeric_limits<double>::quiet_NaN();
    try {
      distance = diffusion::sliced_wasserstein_2d(to_vector(x), d.reference_class >= 0 ? d.class_reference : data_xy,
                                                  kSwdDirections);
      copied = share_within(x, job_exact()->train(), kCopyRadius);
    } catch (const std::exception&) {
      // Non-finite points: the panel's error already says so; the figures stay NaN.
    }
    d.swd_cache[state] = distance;
    d.copied_cache[state] = copied;
    d.copied = copied;
    d.swd = distance;
    d.swd_state = state;
    d.swd_time = Clock::now();
    return true;
  }
};

ReverseComputer::ReverseComputer(const std::string& device_name, ModelStore& store)
    : impl_(std::make_unique<Impl>(torch::Device(device_name), store)) {}

ReverseComputer::~ReverseComputer() = default;

bool ReverseComputer::set_job(const ReverseJob& job, std::uint64_t generation) {
  validate_job(job);
  Impl& s = *impl_;
  s.generation = generation;
  if (s.run.has_run() && same_run(s.job, job)) {
    s.job.t = job.t;
    s.job.overlays = job.overlays;
    return false;
  }
  torch::NoGradGuard no_grad;
  s.start_run(job);
  return true;
}

void ReverseComputer::stop() { impl_->run.stop(); }
bool ReverseComputer::has_run() const { return impl_->run.has_run(); }
bool ReverseComputer::running() const { return impl_->run.running(); }

int ReverseComputer::advance(std::chrono::microseconds budget,
                             const std::function<bool()>& interrupted) {
  return impl_->run.advance(budget, interrupted);
}

bool ReverseComputer::needs_refine() const { return impl_->refine_candidate() >= 0; }

bool ReverseComputer::refine() { return impl_->refine(); }

ReverseFrame ReverseComputer::frame() { return impl_->frame(); }

void ReverseComputer::set_state_cache_bytes(std::size_t bytes) {
  impl_->state_cache_bytes = std::max<std::size_t>(bytes, 1);
}

std::int64_t ReverseComputer::steps_taken() const { return impl_->run.steps_taken(); }

void ReverseComputer::arm_fault(FaultKind kind) { impl_->run.arm_fault(kind); }

}  // namespace diffuscope::gui
