// The Images view's run. Seeding follows the 2D reverse view: x_T and every z come from one
// NoiseSource seeded with derive_seed(seed), x_T first ([N, C, H, W]), then z_k as the (k+1)-th
// draw for every panel alike; one z is drawn per step index while some panel still adds noise at
// that index, so each panel sees exactly the sequence run_reverse would give it and panels with
// different K or sigma share x_T and z_0, z_1, ... (common random numbers).
#include "gui/image_reverse_compute.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <utility>

#include <torch/torch.h>

#include "diffusion/image_denoiser.hpp"
#include "diffusion/image_model.hpp"
#include "diffusion/log_snr.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/reverse_process.hpp"
#include "diffusion/sampler.hpp"
#include "diffusion/schedule.hpp"
#include "diffusion/seeding.hpp"
#include "gui/image_model_store.hpp"
#include "gui/worker_failures.hpp"

namespace diffuscope::gui {
namespace {

using Clock = std::chrono::steady_clock;

// Images per model evaluation on the CPU: ~30 ms for 16 Fashion-MNIST images on 2 threads, so a
// changed setting waits at most about that long. A GPU evaluates the whole grid at once.
constexpr std::int64_t kCpuChunkImages = 16;
constexpr std::size_t kMaxCachedSelections = 512;

// [n, C, H, W] in [lo, hi] -> n x H x W x C bytes (interleaved), copied to the CPU last so that
// only bytes cross from a GPU.
std::vector<std::uint8_t> to_display_bytes(const torch::Tensor& x, double lo, double hi) {
  const torch::Tensor bytes = ((x.to(torch::kFloat32) - lo) * (255.0 / (hi - lo)))
                                  .clamp(0.0, 255.0)
                                  .round()
                                  .to(torch::kUInt8)
                                  .permute({0, 2, 3, 1})
                                  .contiguous()
                                  .to(torch::kCPU);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(bytes.numel()));
  if (!out.empty()) std::memcpy(out.data(), bytes.data_ptr<std::uint8_t>(), out.size());
  return out;
}

std::vector<std::uint8_t> image_bytes(const torch::Tensor& x) { return to_display_bytes(x, -1.0, 1.0); }
std::vector<std::uint8_t> eps_bytes(const torch::Tensor& eps) {
  return to_display_bytes(eps, -kEpsDisplayRange, kEpsDisplayRange);
}

struct PanelRun {
  ReversePanelSpec spec;
  int T = 0;
  std::string label;
  std::string error;
  std::vector<diffusion::SamplingStep> steps;   // K, sampling order
  std::vector<int> visited_t;                   // descending
  diffusion::Denoiser denoiser;
  torch::Tensor storage;   // [slots, N, C, H, W] float16: state s * stride in slot s
  torch::Tensor current;   // the newest state (index states_done - 1), float32
  int states_done = 0;
  // The step in progress, computed in chunks of images: images [0, rows_done) of `next` are done.
  torch::Tensor next;
  std::int64_t rows_done = 0;
  // The selected sample's images by (state, sample): from the step that evaluated them, or from
  // one evaluation when the cursor first showed that state.
  std::map<std::pair<int, int>, SampleImages> selections;

  bool ok() const { return error.empty(); }
  int K() const { return static_cast<int>(steps.size()); }
  bool finished() const { return ok() && states_done == K() + 1; }
};

void validate_job(const ImageReverseJob& job) {
  const auto count = job.panels.size();
  if (count < 1 || count > static_cast<std::size_t>(kMaxReversePanels))
    throw std::invalid_argument("panels: " + std::to_string(count) + " given, must be 1.." +
                                std::to_string(kMaxReversePanels));
  if (job.image_count < kMinImageCount || job.image_count > kMaxImageCount)
    throw std::invalid_argument("image_count = " + std::to_string(job.image_count) + " must be in " +
                                std::to_string(kMinImageCount) + ".." + std::to_string(kMaxImageCount));
  if (job.selected < -1 || job.selected >= job.image_count)
    throw std::invalid_argument("selected = " + std::to_string(job.selected) + " is not -1 or in 0.." +
                                std::to_string(job.image_count - 1));
  if (job.t < -1) throw std::invalid_argument("t = " + std::to_string(job.t) + " must be -1 or >= 0");
}

}  // namespace

struct ImageReverseComputer::Impl {
  torch::Device device{torch::kCPU};
  ArmedFault fault;
  bool poison_nan = false;   // an injected NaN: the next step's result becomes NaN
  ImageModelStore* store = nullptr;
  std::size_t state_budget = kDefaultImageStateBudget;
  std::int64_t steps_taken = 0;
  std::int64_t selected_evaluations = 0;

  // The run.
  bool has_run = false;
  ImageReverseJob job;
  std::uint64_t generation = 0;
  std::vector<PanelRun> panels;
  std::optional<diffusion::NoiseSource> noise;
  std::shared_ptr<diffusion::ImageUNet> model;   // keeps the run's model alive
  diffusion::PredictionTarget model_target = diffusion::PredictionTarget::Eps;
  int channels = 1, height = 0, width = 0;
  int stride = 1;
  std::size_t state_bytes = 0;
  int next_k = 0;
  std::size_t next_panel = 0;
  bool z_ready = false;
  torch::Tensor z;
  std::string model_description;
  std::string model_error;
  double compute_seconds = 0;
  std::int64_t image_steps = 0;
  std::int64_t run_panel_steps = 0;

  std::int64_t chunk_images() const {
    return device.is_cuda() ? std::numeric_limits<std::int64_t>::max() : kCpuChunkImages;
  }

  void start_run(const ImageReverseJob& new_job) {
    has_run = false;
    panels.clear();
    noise.reset();
    z = torch::Tensor();
    model.reset();
    job = new_job;
    const int n = job.image_count;

    const StoredImageModel stored = store->get(job.model_path);
    model = stored.model;
    model_target = stored.target;
    model_description = stored.description;
    model_error = stored.error;
    channels = stored.channels;
    height = stored.height;
    width = stored.width;

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
        panel.label = image_panel_label(spec, schedule.T());
        if (!model) throw std::runtime_error(stored.error);
        panel.denoiser = diffusion::make_image_denoiser(*model, model_target, spec.sampler);
        total_states += static_cast<std::size_t>(K) + 1;
      } catch (const std::exception& e) {
        panel.error = failure_message(e);
        if (panel.label.empty()) panel.label = image_panel_label(spec, spec.schedule.T);
      }
      panels.push_back(std::move(panel));
    }

    // One stride for every panel keeps kept states aligned across panels.
    const std::size_t one_state = image_state_bytes(n, 1, channels * height * width);
    const std::size_t all_bytes = one_state * total_states;
    stride = static_cast<int>(std::max<std::size_t>(1, (all_bytes + state_budget - 1) / state_budget));
    state_bytes = 0;

    noise.emplace(diffusion::derive_seed(job.seed));
    if (model) {
      const torch::Tensor x_T = noise->normal({n, channels, height, width}, device);
      for (PanelRun& panel : panels) {
        if (!panel.ok()) continue;
        const int slots = panel.K() / stride + 1;
        panel.storage = torch::empty({slots, n, channels, height, width},
                                     torch::TensorOptions().dtype(torch::kFloat16).device(device));
        panel.storage[0].copy_(x_T);
        panel.current = x_T;
        panel.states_done = 1;
        state_bytes += static_cast<std::size_t>(panel.storage.numel()) * panel.storage.element_size();
      }
    }
    next_k = 0;
    next_panel = 0;
    z_ready = false;
    compute_seconds = 0;
    image_steps = 0;
    run_panel_steps = 0;
    has_run = true;
  }

  bool running() const {
    if (!has_run) return false;
    for (const PanelRun& panel : panels)
      if (panel.ok() && !panel.finished()) return true;
    return false;
  }

  // Keeps the selected sample's images of a step that was just evaluated (no extra model call).
  void keep_selection(PanelRun& panel, int state, std::int64_t begin, std::int64_t rows,
                      const torch::Tensor& x_t, const diffusion::Prediction& pred) {
    const int s = job.selected;
    if (s < begin || s >= begin + rows) return;
    if (panel.selections.size() >= kMaxCachedSelections) panel.selections.clear();
    SampleImages images;
    images.sample = s;
    images.state = state;
    images.x_t = image_bytes(x_t.narrow(0, s - begin, 1));
    images.x0_hat = image_bytes(pred.x0.narrow(0, s - begin, 1));
    images.eps_hat = eps_bytes(pred.eps.narrow(0, s - begin, 1));
    panel.selections[{state, s}] = std::move(images);
  }

  // Returns false when interrupted before the step was complete (it resumes on the next call).
  bool step_panel(PanelRun& panel, const std::function<bool()>& interrupted) {
    const int k = next_k;
    const diffusion::SamplingStep& step = panel.steps[static_cast<std::size_t>(k)];
    try {
      if (auto kind = fault.take()) {
        if (*kind == FaultKind::NaN) poison_nan = true;
        else throw_injected_fault(*kind, "a image step");
      }
      const std::int64_t n = panel.current.size(0);
      if (!panel.next.defined()) {
        panel.next = torch::empty_like(panel.current);
        panel.rows_done = 0;
      }
      while (panel.rows_done < n) {
        const std::int64_t begin = panel.rows_done;
        const std::int64_t rows = std::min(chunk_images(), n - begin);
        const torch::Tensor x_t = panel.current.narrow(0, begin, rows);
        const diffusion::Prediction pred = panel.denoiser(x_t, step);
        keep_selection(panel, k, begin, rows, x_t, pred);
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
        throw std::runtime_error("the images became non-finite at t = " + std::to_string(step.t));
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

  int max_T() const {
    int m = 0;
    for (const PanelRun& panel : panels) m = std::max(m, panel.T);
    return m;
  }

  // The shown state of a panel for the job's cursor (before striding): as the 2D reverse view.
  int cursor_state(const PanelRun& panel, int max_t) const {
    const int newest = panel.states_done - 1;
    if (job.t < 0) return newest;
    int t = job.t;
    if (max_t > 0 && panel.T != max_t)
      t = static_cast<int>(std::lround(static_cast<double>(job.t) / max_t * panel.T));
    t = std::clamp(t, 0, panel.T);
    int state = panel.K();  // x_0 at t = 0
    if (t > 0) {
      state = 0;  // the last index j with visited_t[j] >= t
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

  SampleImages selection(PanelRun& panel, int state, const torch::Tensor& x) {
    const int s = job.selected;
    if (s < 0) return {};
    if (auto it = panel.selections.find({state, s}); it != panel.selections.end()) return it->second;
    SampleImages images;
    images.sample = s;
    images.state = state;
    const torch::Tensor x_s = x.narrow(0, s, 1).to(torch::kFloat32);
    images.x_t = image_bytes(x_s);
    if (state < panel.K()) {
      const diffusion::Prediction pred = panel.denoiser(x_s, panel.steps[static_cast<std::size_t>(state)]);
      ++selected_evaluations;
      images.x0_hat = image_bytes(pred.x0);
      images.eps_hat = eps_bytes(pred.eps);
    } else {
      images.x0_hat = images.x_t;  // x_0 itself: the sample
    }
    if (panel.selections.size() >= kMaxCachedSelections) panel.selections.clear();
    panel.selections[{state, s}] = images;
    return images;
  }

  ImageReverseFrame frame() {
    ImageReverseFrame f;
    f.generation = generation;
    f.device_name = device.str();
    if (!has_run) return f;
    torch::NoGradGuard no_grad;
    f.image_count = job.image_count;
    f.channels = channels;
    f.height = height;
    f.width = width;
    f.model_description = model_description;
    f.model_error = model_error;
    f.image_steps_per_second = compute_seconds > 0 ? image_steps / compute_seconds : 0;
    f.running = running();
    f.panel_steps = run_panel_steps;
    f.state_bytes = state_bytes;
    f.state_stride = stride;
    const int max_t = max_T();
    for (PanelRun& panel : panels) {
      ImagePanelFrame p;
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
        p.grid = image_bytes(x);
        if (panel.ok()) {
          try {
            p.selected = selection(panel, state, x);
          } catch (const std::exception& e) {
            p.error = std::string("x̂_0 of the selected sample: ") + failure_message(e);
          }
        }
      }
      f.panels.push_back(std::move(p));
    }
    return f;
  }
};

ImageReverseComputer::ImageReverseComputer(const std::string& device_name, ImageModelStore& store)
    : impl_(std::make_unique<Impl>()) {
  impl_->device = torch::Device(device_name);
  impl_->store = &store;
}

ImageReverseComputer::~ImageReverseComputer() = default;

bool ImageReverseComputer::set_job(const ImageReverseJob& job, std::uint64_t generation) {
  validate_job(job);
  Impl& s = *impl_;
  s.generation = generation;
  if (s.has_run && !restarts_image_run(s.job, job)) {
    s.job.t = job.t;
    s.job.selected = job.selected;
    return false;
  }
  torch::NoGradGuard no_grad;
  s.start_run(job);
  return true;
}

void ImageReverseComputer::stop() {
  Impl& s = *impl_;
  s.has_run = false;
  s.panels.clear();
  s.noise.reset();
  s.z = torch::Tensor();
  s.model.reset();
  s.state_bytes = 0;
}

bool ImageReverseComputer::has_run() const { return impl_->has_run; }
bool ImageReverseComputer::running() const { return impl_->running(); }

int ImageReverseComputer::advance(std::chrono::microseconds budget,
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
      for (const PanelRun& panel : s.panels) needs_noise |= panel.ok() && s.next_k < panel.K() - 1;
      s.z = needs_noise ? s.noise->normal({s.job.image_count, s.channels, s.height, s.width}, s.device)
                        : torch::Tensor();
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
    s.image_steps += s.job.image_count;
    if (Clock::now() - start >= budget || (interrupted && interrupted())) break;
  }
  return taken;
}

ImageReverseFrame ImageReverseComputer::frame() { return impl_->frame(); }

void ImageReverseComputer::set_state_budget_bytes(std::size_t bytes) {
  impl_->state_budget = std::max<std::size_t>(bytes, 1);
}

std::int64_t ImageReverseComputer::steps_taken() const { return impl_->steps_taken; }
std::int64_t ImageReverseComputer::selected_evaluations() const { return impl_->selected_evaluations; }

void ImageReverseComputer::arm_fault(FaultKind kind) { impl_->fault.arm(kind); }

}  // namespace diffuscope::gui
