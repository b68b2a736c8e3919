// The reverse view's run. Seeding follows the CLI (app/cli/seeds.hpp), so a panel here and
// `diffuscope sample` with the same flags and seed produce the same cloud:
//   - x_T and every z come from one NoiseSource seeded with derive_seed(seed): x_T first, then
//     z_k is the (k+1)-th draw, for every panel alike. Panels step together (step k of every
//     panel before step k + 1 of any), one z is drawn per step index while some panel still adds
//     noise at that index, and run_reverse draws z on every non-final step too; so each panel
//     gets exactly the sequence run_reverse would give it, and panels with different K (or
//     sigma, or denoiser) share x_T and z_0, z_1, ... (common random numbers).
//   - the exact denoiser's training points are make_dataset2d(dataset, exact_train_n, seed);
//   - the sliced Wasserstein reference is a fresh draw of n_points with
//     derive_seed(seed, 0xE7A1, 0), the CLI's first evaluation draw;
//   - the memorisation meter counts points within kCopyRadius of the exact denoiser's training
//     points (for every panel, learned or exact), with the distance and cached the same way.
#include "gui/reverse_compute.hpp"

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
#include "diffusion/log_snr.hpp"
#include "diffusion/model_denoiser.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/point_model.hpp"
#include "diffusion/reverse_process.hpp"
#include "diffusion/sampler.hpp"
#include "diffusion/schedule.hpp"
#include "diffusion/seeding.hpp"
#include "diffusion/sliced_wasserstein.hpp"
#include "gui/model_store.hpp"
#include "gui/worker_failures.hpp"

namespace diffuscope::gui {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMaxPoints = 20000;
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

std::vector<float> to_vector(const torch::Tensor& tensor) {
  const torch::Tensor cpu = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  std::vector<float> out(static_cast<std::size_t>(cpu.numel()));
  if (!out.empty()) std::memcpy(out.data(), cpu.data_ptr<float>(), out.size() * sizeof(float));
  return out;
}

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



struct DataKey {
  diffusion::Dataset2DKind kind;
  int n;
  std::uint64_t seed;
  bool operator<(const DataKey& o) const {
    return std::tie(kind, n, seed) < std::tie(o.kind, o.n, o.seed);
  }
};

struct PanelRun {
  ReversePanelSpec spec;
  int T = 0;
  std::string label;
  std::string error;
  std::vector<diffusion::SamplingStep> steps;   // K, sampling order
  std::vector<int> visited_t;                   // descending
  diffusion::Denoiser denoiser;
  std::shared_ptr<diffusion::PointModel> model;            // keeps the Model panel's net alive
  std::shared_ptr<const diffusion::ExactDenoiser> exact;   // keeps the Exact panel's points alive
  torch::Tensor storage;   // [slots, N, 2]: state s * stride in slot s
  torch::Tensor current;   // the newest state (index states_done - 1)
  int states_done = 0;
  // The step in progress, computed in row chunks (see kStepChunkRows): rows [0, rows_done) of
  // `next` are done.
  torch::Tensor next;
  std::int64_t rows_done = 0;
  // Newest computed sliced Wasserstein distance and the state it belongs to.
  int swd_state = -1;
  double swd = std::numeric_limits<double>::quiet_NaN();
  Clock::time_point swd_time{};
  std::map<int, double> swd_cache;              // by state index
  double copied = std::numeric_limits<double>::quiet_NaN();   // the meter, for swd_state
  std::map<int, double> copied_cache;           // by state index

  bool ok() const { return error.empty(); }
  int K() const { return static_cast<int>(steps.size()); }
  bool finished() const { return ok() && states_done == K() + 1; }
};

bool same_run(const ReverseJob& a, const ReverseJob& b) {
  return a.panels == b.panels && a.dataset == b.dataset && a.n_points == b.n_points &&
         a.exact_train_n == b.exact_train_n && a.seed == b.seed &&
         a.model_revision == b.model_revision;
}

void validate_job(const ReverseJob& job) {
  const auto count = job.panels.size();
  if (count < 1 || count > static_cast<std::size_t>(kMaxReversePanels))
    throw std::invalid_argument("panels: " + std::to_string(count) + " given, must be 1.." +
                                std::to_string(kMaxReversePanels));
  if (job.n_points < 1 || job.n_points > kMaxPoints)
    throw std::invalid_argument("n_points = " + std::to_string(job.n_points) + " must be in 1.." +
                                std::to_string(kMaxPoints));
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
  torch::Device device{torch::kCPU};
  ArmedFault fault;
  bool poison_nan = false;   // an injected NaN: the next step's result becomes NaN
  ModelStore* store = nullptr;
  std::size_t state_cache_bytes = kDefaultStateCacheBytes;
  std::int64_t steps_taken = 0;

  // Caches that outlive runs (a sigma change must not rebuild the exact denoiser).
  std::map<DataKey, std::shared_ptr<const diffusion::ExactDenoiser>> exact_cache;
  std::map<DataKey, std::vector<float>> fresh_data_cache;

  // The run.
  bool has_run = false;
  ReverseJob job;                  // the newest job (cursor, overlays) of this run
  std::uint64_t generation = 0;
  std::vector<PanelRun> panels;
  std::optional<diffusion::NoiseSource> noise;
  int stride = 1;
  int next_k = 0;                  // the step index being taken across panels
  std::size_t next_panel = 0;      // the next panel to step at next_k
  bool z_ready = false;
  torch::Tensor z;                 // z_{next_k}; undefined when no panel adds noise there
  std::vector<float> data_xy;
  std::uint64_t model_revision = 0;
  std::string model_description;
  double compute_seconds = 0;
  std::int64_t point_steps = 0;
  std::int64_t run_panel_steps = 0;

  std::shared_ptr<const diffusion::ExactDenoiser> exact_for(const DataKey& key) {
    auto it = exact_cache.find(key);
    if (it != exact_cache.end()) return it->second;
    if (exact_cache.size() >= 4) exact_cache.clear();  // bounded: a few datasets / sizes
    diffusion::Dataset2D set = diffusion::make_dataset2d(key.kind, key.n, key.seed);
    auto exact = std::make_shared<const diffusion::ExactDenoiser>(from_xy(set.xy, device));
    exact_cache[key] = exact;
    return exact;
  }

  const std::vector<float>& fresh_data_for(const DataKey& key) {
    auto it = fresh_data_cache.find(key);
    if (it != fresh_data_cache.end()) return it->second;
    if (fresh_data_cache.size() >= 8) fresh_data_cache.clear();
    return fresh_data_cache[key] =
               diffusion::make_dataset2d(key.kind, key.n,
                                         diffusion::derive_seed(key.seed, kFreshDataStream, 0))
                   .xy;
  }

  void start_run(const ReverseJob& new_job) {
    has_run = false;
    panels.clear();
    noise.reset();
    z = torch::Tensor();
    job = new_job;
    const int n = job.n_points;

    // The dataset's model, looked up once for every Model panel.
    std::optional<StoredModel> stored;
    bool any_model = false;
    for (const auto& spec : job.panels) any_model |= spec.denoiser == DenoiserKind::Model;
    if (any_model) stored = store->get(job.dataset);
    model_revision = stored ? stored->revision : 0;
    model_description = !stored ? "exact denoiser · " + std::to_string(job.exact_train_n) +
                                      " training points"
                        : stored->model ? stored->description
                                        : stored->error;

    std::size_t total_states = 0;
    for (const ReversePanelSpec& spec : job.panels) {
      PanelRun panel;
      panel.spec = spec;
      panel.T = spec.schedule.T;
      try {
        const diffusion::Schedule schedule(spec.schedule);
        panel.T = schedule.T();
        const int K = spec.steps == 0 ? schedule.T() : spec.steps;
        if (K < 1 || K > schedule.T())
          throw std::invalid_argument("steps = " + std::to_string(spec.steps) + " must be in 1..T (T = " +
                                      std::to_string(schedule.T()) + ")");
        diffusion::validate(spec.sampler);
        panel.steps = diffusion::sampling_steps(schedule, K, spec.spacing);
        for (const auto& step : panel.steps) panel.visited_t.push_back(step.t);
        panel.label = panel_label(spec, schedule.T());
        if (spec.denoiser == DenoiserKind::Model) {
          // A chosen target has a model of its own (the prediction-target compare).
          const StoredModel chosen = spec.model_target ? store->get(job.dataset, spec.model_target) : *stored;
          if (!chosen.model) throw std::runtime_error(chosen.error);
          panel.model = chosen.model;
          panel.denoiser = diffusion::make_model_denoiser(*panel.model, chosen.target, spec.sampler);
        } else {
          panel.exact = exact_for({job.dataset, job.exact_train_n, job.seed});
          // make_exact_denoiser holds a reference; the shared pointer copied into the lambda
          // keeps the ExactDenoiser alive as long as the Denoiser.
          diffusion::Denoiser inner = diffusion::make_exact_denoiser(*panel.exact, spec.sampler);
          panel.denoiser = [inner, keep = panel.exact](const torch::Tensor& x_t,
                                                       const diffusion::SamplingStep& step) {
            return inner(x_t, step);
          };
        }
        total_states += static_cast<std::size_t>(K) + 1;
      } catch (const std::exception& e) {
        panel.error = failure_message(e);
        if (panel.label.empty())
          panel.label = panel_label(spec, spec.schedule.T);
      }
      panels.push_back(std::move(panel));
    }

    // One stride for every panel keeps kept states aligned across panels.
    const std::size_t state_bytes = static_cast<std::size_t>(n) * 2 * sizeof(float);
    const std::size_t all_bytes = state_bytes * total_states;
    stride = static_cast<int>(
        std::max<std::size_t>(1, (all_bytes + state_cache_bytes - 1) / state_cache_bytes));

    noise.emplace(diffusion::derive_seed(job.seed));
    const torch::Tensor x_T = noise->normal({n, 2}, device);
    for (PanelRun& panel : panels) {
      if (!panel.ok()) continue;
      const int slots = panel.K() / stride + 1;
      panel.storage = torch::empty({slots, n, 2}, x_T.options());
      panel.storage[0].copy_(x_T);
      panel.current = x_T;
      panel.states_done = 1;
    }
    data_xy = fresh_data_for({job.dataset, n, job.seed});
    next_k = 0;
    next_panel = 0;
    z_ready = false;
    compute_seconds = 0;
    point_steps = 0;
    run_panel_steps = 0;
    has_run = true;
  }

  bool running() const {
    if (!has_run) return false;
    for (const PanelRun& panel : panels)
      if (panel.ok() && !panel.finished()) return true;
    return false;
  }

  // Returns false when interrupted before the step was complete (it resumes on the next call).
  bool step_panel(PanelRun& panel, const std::function<bool()>& interrupted) {
    const int k = next_k;
    const diffusion::SamplingStep& step = panel.steps[static_cast<std::size_t>(k)];
    try {
      if (auto kind = fault.take()) {
        if (*kind == FaultKind::NaN) poison_nan = true;
        else throw_injected_fault(*kind, "a reverse step");
      }
      const std::int64_t n = panel.current.size(0);
      if (!panel.next.defined()) {
        panel.next = torch::empty_like(panel.current);
        panel.rows_done = 0;
      }
      while (panel.rows_done < n) {
        const std::int64_t begin = panel.rows_done;
        const std::int64_t rows = std::min(kStepChunkRows, n - begin);
        const torch::Tensor x_t = panel.current.narrow(0, begin, rows);
        const diffusion::Prediction pred = panel.denoiser(x_t, step);
        const torch::Tensor z_rows = z.defined() ? z.narrow(0, begin, rows) : torch::Tensor();
        panel.next.narrow(0, begin, rows)
            .copy_(diffusion::reverse_step(x_t, pred, step, panel.spec.sampler, z_rows));
        panel.rows_done = begin + rows;
        if (panel.rows_done < n && interrupted && interrupted()) return false;
      }
      torch::Tensor x = std::move(panel.next);
      panel.next = torch::Tensor();
      if (poison_nan) {
        x = x * std::numeric_limits<double>::quiet_NaN();
        poison_nan = false;
      }
      if (!torch::isfinite(x).all().item<bool>())
        throw std::runtime_error("the cloud became non-finite at t = " + std::to_string(step.t));
      const int state = k + 1;
      if (state % stride == 0) panel.storage[state / stride].copy_(x);
      panel.current = x;
      panel.states_done = state + 1;
    } catch (const std::exception& e) {
      panel.next = torch::Tensor();
      panel.error = std::string("step at t = ") + std::to_string(step.t) + ": " + failure_message(e);
    }
    return true;
  }

  // The shown state of a panel for the job's cursor (before striding).
  int cursor_state(const PanelRun& panel, int max_T) const {
    const int newest = panel.states_done - 1;
    if (job.t < 0) return newest;
    // The cursor runs over 0..max_T; each panel maps it to its own T by fraction.
    int t = job.t;
    if (max_T > 0 && panel.T != max_T)
      t = static_cast<int>(std::lround(static_cast<double>(job.t) / max_T * panel.T));
    t = std::clamp(t, 0, panel.T);
    int state = panel.K();  // x_0 at t = 0
    if (t > 0) {
      // The smallest visited timestep >= t: the last index j with visited_t[j] >= t.
      state = 0;
      for (int j = 0; j < panel.K(); ++j)
        if (panel.visited_t[static_cast<std::size_t>(j)] >= t) state = j;
    }
    return std::min(state, newest);
  }

  // The kept state nearest to `state` on the noisy side, and its tensor.
  std::pair<int, torch::Tensor> kept_state(const PanelRun& panel, int state) const {
    if (state == panel.states_done - 1) return {state, panel.current};
    const int kept = state / stride * stride;
    return {kept, panel.storage[kept / stride]};
  }

  int max_T() const {
    int m = 0;
    for (const PanelRun& panel : panels) m = std::max(m, panel.T);
    return m;
  }

  bool following_stream(const PanelRun& panel) const { return job.t < 0 && !panel.finished(); }

  void fill_overlays(const PanelRun& panel, int state, const torch::Tensor& x,
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
      torch::Tensor eps = panel.denoiser(points, step).eps;
      // Score of q(x_t): -eps / sqrt(1 - ab_t) (Song et al. 2021, eps-prediction form).
      if (o.field == VectorField::Score) eps = -eps / std::sqrt(step.one_minus_alpha_bar);
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
      const int newest = panel.states_done - 1;
      const int kept_slots = newest / stride + 1;
      torch::Tensor path = panel.storage.narrow(0, 0, kept_slots).index_select(1, index);
      if (newest % stride != 0)
        path = torch::cat({path, panel.current.index_select(0, index).unsqueeze(0)}, 0);
      out.trajectories_xy = to_vector(path.permute({1, 0, 2}));
    }

    if (o.picked >= 0 && !at_x0) {
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

  ReverseFrame frame() {
    ReverseFrame f;
    f.generation = generation;
    if (!has_run) return f;
    torch::NoGradGuard no_grad;
    f.data_xy = data_xy;
    f.model_revision = model_revision;
    f.model_description = model_description;
    f.point_steps_per_second = compute_seconds > 0 ? point_steps / compute_seconds : 0;
    f.running = running();
    f.panel_steps = run_panel_steps;
    const int max_t = max_T();
    for (const PanelRun& panel : panels) {
      ReversePanelFrame p;
      p.T = panel.T;
      p.visited_t = panel.visited_t;
      p.label = panel.label;
      p.error = panel.error;
      p.states_done = panel.states_done;
      p.finished = panel.finished();
      if (panel.states_done > 0 && panel.current.defined()) {
        // A panel that failed mid-run still shows the states it reached.
        const auto [state, x] = kept_state(panel, cursor_state(panel, max_t));
        p.shown_state = state;
        if (state < panel.K()) {
          const diffusion::SamplingStep& step = panel.steps[static_cast<std::size_t>(state)];
          p.shown_t = step.t;
          p.alpha_bar = step.alpha_bar;
          p.log_snr = diffusion::log_snr_from_alpha_bar(step.alpha_bar, step.one_minus_alpha_bar);
          p.sigma = diffusion::reverse_sigma(step, panel.spec.sampler);
        } else {
          p.shown_t = 0;
          p.alpha_bar = 1;
          p.log_snr = std::numeric_limits<double>::infinity();
          p.sigma = 0;
        }
        p.xt_xy = to_vector(x);
        auto cached = panel.swd_cache.find(state);
        if (cached != panel.swd_cache.end()) {
          p.sliced_wasserstein = cached->second;
          p.sliced_wasserstein_state = state;
          p.copied_share = panel.copied_cache.at(state);
        } else {
          p.sliced_wasserstein = panel.swd;
          p.sliced_wasserstein_state = panel.swd_state;
          p.copied_share = panel.copied;
        }
        try {
          fill_overlays(panel, state, x, p);
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
    if (!has_run) return -1;
    const int max_t = max_T();
    const auto now = Clock::now();
    int best = -1;
    for (std::size_t i = 0; i < panels.size(); ++i) {
      const PanelRun& panel = panels[i];
      if (panel.states_done == 0 || !panel.current.defined()) continue;
      const int state = kept_state(panel, cursor_state(panel, max_t)).first;
      if (panel.swd_cache.count(state)) continue;
      if (following_stream(panel) && now - panel.swd_time < kStreamingSwdInterval) continue;
      if (best < 0 || panel.swd_time < panels[static_cast<std::size_t>(best)].swd_time)
        best = static_cast<int>(i);
    }
    return best;
  }

  bool refine() {
    const int i = refine_candidate();
    if (i < 0) return false;
    PanelRun& panel = panels[static_cast<std::size_t>(i)];
    const auto [state, x] = kept_state(panel, cursor_state(panel, max_T()));
    double distance = std::numeric_limits<double>::quiet_NaN();
    double copied = std::numeric_limits<double>::quiet_NaN();
    try {
      distance = diffusion::sliced_wasserstein_2d(to_vector(x), data_xy, kSwdDirections);
      copied = share_within(x, exact_for({job.dataset, job.exact_train_n, job.seed})->train(), kCopyRadius);
    } catch (const std::exception&) {
      // Non-finite points: the panel's error already says so; the figures stay NaN.
    }
    panel.swd_cache[state] = distance;
    panel.copied_cache[state] = copied;
    panel.copied = copied;
    panel.swd = distance;
    panel.swd_state = state;
    panel.swd_time = Clock::now();
    return true;
  }
};

ReverseComputer::ReverseComputer(const std::string& device_name, ModelStore& store)
    : impl_(std::make_unique<Impl>()) {
  impl_->device = torch::Device(device_name);
  impl_->store = &store;
}

ReverseComputer::~ReverseComputer() = default;

bool ReverseComputer::set_job(const ReverseJob& job, std::uint64_t generation) {
  validate_job(job);
  Impl& s = *impl_;
  s.generation = generation;
  if (s.has_run && same_run(s.job, job)) {
    s.job.t = job.t;
    s.job.overlays = job.overlays;
    return false;
  }
  torch::NoGradGuard no_grad;
  s.start_run(job);
  return true;
}

void ReverseComputer::stop() {
  Impl& s = *impl_;
  s.has_run = false;
  s.panels.clear();
  s.noise.reset();
  s.z = torch::Tensor();
}

bool ReverseComputer::has_run() const { return impl_->has_run; }
bool ReverseComputer::running() const { return impl_->running(); }

int ReverseComputer::advance(std::chrono::microseconds budget,
                             const std::function<bool()>& interrupted) {
  Impl& s = *impl_;
  if (!s.running()) return 0;
  torch::NoGradGuard no_grad;
  const auto start = Clock::now();
  int taken = 0;
  while (s.running()) {
    if (!s.z_ready) {
      // z_k is drawn once for all panels, while some panel still adds noise at step k.
      bool needs_noise = false;
      for (const PanelRun& panel : s.panels)
        needs_noise |= panel.ok() && s.next_k < panel.K() - 1;
      s.z = needs_noise ? s.noise->normal({s.job.n_points, 2}, s.device) : torch::Tensor();
      s.z_ready = true;
    }
    while (s.next_panel < s.panels.size() &&
           !(s.panels[s.next_panel].ok() && s.next_k < s.panels[s.next_panel].K()))
      ++s.next_panel;
    if (s.next_panel == s.panels.size()) {
      ++s.next_k;
      s.next_panel = 0;
      s.z_ready = false;
      continue;
    }
    const auto step_start = Clock::now();
    const bool complete = s.step_panel(s.panels[s.next_panel], interrupted);
    s.compute_seconds += std::chrono::duration<double>(Clock::now() - step_start).count();
    if (!complete) break;
    ++s.next_panel;
    ++taken;
    ++s.steps_taken;
    ++s.run_panel_steps;
    const auto now = Clock::now();
    s.point_steps += s.job.n_points;
    if (now - start >= budget || (interrupted && interrupted())) break;
  }
  return taken;
}

bool ReverseComputer::needs_refine() const { return impl_->refine_candidate() >= 0; }

bool ReverseComputer::refine() { return impl_->refine(); }

ReverseFrame ReverseComputer::frame() { return impl_->frame(); }

void ReverseComputer::set_state_cache_bytes(std::size_t bytes) {
  impl_->state_cache_bytes = std::max<std::size_t>(bytes, 1);
}

std::int64_t ReverseComputer::steps_taken() const { return impl_->steps_taken; }

void ReverseComputer::arm_fault(FaultKind kind) { impl_->fault.arm(kind); }

}  // namespace diffuscope::gui
