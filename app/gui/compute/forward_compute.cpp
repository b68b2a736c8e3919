// The forward views' tensor work, with the schedules the UI built. Everything that does not
// depend on the cursor (x_0, eps, the image tensors, the strips, the Markov states) is cached and
// keyed on the job's inputs, so a job in which only t moved costs one q_sample on the points and
// one on the image.
#include "gui/compute/forward_compute.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <torch/torch.h>

#include "diffusion/datasets2d.hpp"
#include "diffusion/device.hpp"
#include "diffusion/flow_matching.hpp"
#include "diffusion/forward_process.hpp"
#include "diffusion/image_denoiser.hpp"
#include "diffusion/image_model.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/schedule.hpp"
#include "diffusion/sampling_steps.hpp"
#include "diffusion/seeding.hpp"
#include "gui/compute/image_model_store.hpp"
#include "gui/protocol/flow_path.hpp"
#include "gui/protocol/worker_failures.hpp"
#include "gui/compute/data_key.hpp"
#include "gui/compute/tensor_copy.hpp"
#include "gui/state/limits.hpp"

namespace diffuscope::gui {
namespace {

constexpr int kMaxStripCount = 64;
// Memory for cached Markov states per schedule; beyond it states are kept every `stride` steps
// and the few steps in between are recomputed (a step on 5,000 points costs tens of microseconds).
constexpr std::size_t kDefaultMarkovCacheBytes = std::size_t(192) << 20;

enum Stream : std::uint64_t { kPointEps = 1, kMarkovStep = 2, kImageEps = 3 };


// x in data units ([-1, 1] is the image range) -> displayable [0, 1].
Image to_display_image(const torch::Tensor& x, const Image& shape) {
  Image out;
  out.width = shape.width;
  out.height = shape.height;
  out.channels = shape.channels;
  out.pixels = to_vector(((x + 1.0) * 0.5).clamp(0.0, 1.0));
  return out;
}

// Per-coordinate mean and 1/N variance of interleaved (x, y), in double.
void xy_moments(const std::vector<float>& xy, std::array<double, 2>& mean,
                std::array<double, 2>& variance) {
  const std::size_t n = xy.size() / 2;
  mean = {0, 0};
  variance = {0, 0};
  if (n == 0) return;
  for (std::size_t i = 0; i < n; ++i)
    for (int c = 0; c < 2; ++c) mean[c] += xy[2 * i + c];
  for (int c = 0; c < 2; ++c) mean[c] /= static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i)
    for (int c = 0; c < 2; ++c) {
      const double d = xy[2 * i + c] - mean[c];
      variance[c] += d * d;
    }
  for (int c = 0; c < 2; ++c) variance[c] /= static_cast<double>(n);
}

std::vector<int> strip_timesteps(int T, int count) {
  std::vector<int> ts;
  if (count <= 0) return ts;
  if (count == 1) return {T};
  for (int k = 0; k < count; ++k)
    ts.push_back(static_cast<int>(std::lround(static_cast<double>(k) * T / (count - 1))));
  return ts;
}

void check_image(const Image& image) {
  if (image.width <= 0 || image.height <= 0 || image.channels < 1 || image.channels > 4 ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * image.height * image.channels)
    throw std::invalid_argument("image: malformed image (" + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + "x" +
                                std::to_string(image.channels) + " with " +
                                std::to_string(image.pixels.size()) + " values)");
}

// Markov states x_0..x_T of one schedule for one x_0, kept every `stride` steps, plus the last
// state reached, so that playing forward costs one step per frame and scrubbing back is a lookup.
struct MarkovChain {
  bool valid = false;
  diffusion::ScheduleParams params;
  DataKey data;
  int stride = 1;
  // storage[k] = x_{k * stride} for k < computed. One allocation up front: growing the heap by a
  // small tensor per step made glibc trim and re-fault pages every step (5x slower).
  torch::Tensor storage;
  int computed = 0;
  int current_t = 0;
  torch::Tensor current;
};

struct SideCache {
  MarkovChain markov;
  // Strip of x_t images: depends on schedule, image, seed, naive or not, naive beta, count.
  bool strip_valid = false;
  diffusion::ScheduleParams strip_params;
  std::shared_ptr<const Image> strip_image;
  std::uint64_t strip_seed = 0;
  bool strip_naive = false;  // Markov and closed-form strips are the same images
  bool strip_flow = false;   // flow matching's path (ForwardJob::b_flow) instead of the schedule's
  double strip_naive_beta = 0;
  int strip_count = -1;
  std::shared_ptr<const std::vector<Image>> strip;
  std::vector<int> strip_t;
  // x0_hat of the image by the image model: the full chain's steps of this schedule (for the
  // denoiser's noise level at t) and the last prediction, keyed on everything it depends on.
  std::optional<diffusion::ScheduleParams> x0_steps_params;
  std::vector<diffusion::SamplingStep> x0_steps;
  bool x0_valid = false;
  std::shared_ptr<const Image> x0_image;
  std::uint64_t x0_seed = 0;
  int x0_t = -1;
  std::string x0_path;
  Image x0_hat;
};

}  // namespace

struct ForwardComputer::Impl {
  torch::Device device{torch::kCPU};
  std::string device_name = "cpu";
  std::vector<std::string> startup_errors;
  long long markov_steps = 0;
  std::size_t markov_cache_bytes = kDefaultMarkovCacheBytes;
  ArmedFault fault;
  bool poison_nan = false;   // an injected NaN: the next x_t computed becomes NaN

  // Points.
  bool data_valid = false;
  DataKey data;
  std::uint64_t x0_revision = 0;
  torch::Tensor x0;   // [N, 2] on device
  torch::Tensor eps;  // [N, 2] on device, fixed per (n, seed): common to A and B
  std::vector<float> x0_xy;
  std::vector<int> labels;
  std::vector<int> classes;
  std::shared_ptr<const diffusion::LabelledPoints2D> drawn;  // the job's drawing, held while cached
  std::array<double, 2> x0_mean{}, x0_variance{};

  // Image.
  std::shared_ptr<const Image> image;  // held so that its address identifies it while cached
  std::uint64_t image_seed = 0;
  std::uint64_t image_revision = 0;
  torch::Tensor image_x0;   // flat, in [-1, 1], on device
  torch::Tensor image_eps;  // flat, fixed per (image, seed)
  std::shared_ptr<const Image> eps_image;

  SideCache sides[2];
  ImageModelStore* image_models = nullptr;

  // x0_hat = E[x_0 | x_t] by the image model at t, from the image's x_t (flat, interleaved).
  // defer: when the model would have to run, show the last x0_hat of this image and model (or
  // none) and mark the side pending instead; the worker asks again without defer later, so that
  // a U-Net evaluation on the CPU never holds up the points of a dragged slider.
  void predict_x0(SideCache& side, const diffusion::Schedule& schedule, const ForwardJob& job, int t,
                  const torch::Tensor& xt_flat, bool defer, ForwardSide& out) {
    if (job.process == ForwardProcess::Naive) {
      out.x0_hat_note = "x̂_0: the model knows the variance-preserving processes only";
      return;
    }
    if (!image_models) {
      out.x0_hat_note = "x̂_0: no image model in this worker";
      return;
    }
    const StoredImageModel m = image_models->get(job.image_model_path);
    if (!m.model) {
      out.x0_hat_note = m.error;
      return;
    }
    if (image->width != m.width || image->height != m.height || image->channels != m.channels) {
      out.x0_hat_note = "x̂_0: the image model knows " + std::to_string(m.width) + "×" +
                        std::to_string(m.height) + (m.channels == 1 ? " grey" : " colour") + " images";
      return;
    }
    if (side.x0_valid && side.x0_image == image && side.x0_seed == image_seed && side.x0_t == t &&
        side.x0_path == job.image_model_path && side.x0_steps_params == schedule.params()) {
      out.x0_hat = side.x0_hat;
      out.x0_hat_t = side.x0_t;
      return;
    }
    if (defer) {
      if (side.x0_image == image && side.x0_path == job.image_model_path) {
        out.x0_hat = side.x0_hat;   // the last one, until this t's is computed: named by its own t
        out.x0_hat_t = side.x0_t;
      }
      out.x0_hat_pending = true;
      return;
    }
    if (!side.x0_steps_params || *side.x0_steps_params != schedule.params()) {
      side.x0_steps = diffusion::sampling_steps(schedule, schedule.T(), diffusion::Spacing::Trailing);
      side.x0_steps_params = schedule.params();
    }
    side.x0_valid = false;
    const std::int64_t h = image->height, w = image->width, c = image->channels;
    torch::Tensor x0_hat;
    if (t == 0) {
      x0_hat = xt_flat;  // x_0 itself
    } else {
      const torch::Tensor x_t = xt_flat.view({1, h, w, c}).permute({0, 3, 1, 2}).contiguous();
      const diffusion::SamplingStep& step = side.x0_steps.at(static_cast<std::size_t>(schedule.T() - t));
      const diffusion::Denoiser denoiser = diffusion::make_image_denoiser(*m.model, m.target, diffusion::ReverseConfig{});
      x0_hat = denoiser(x_t, step).x0.permute({0, 2, 3, 1}).reshape({-1});
    }
    side.x0_hat = to_display_image(x0_hat, *image);
    side.x0_image = image;
    side.x0_seed = image_seed;
    side.x0_t = t;
    side.x0_path = job.image_model_path;
    side.x0_valid = true;
    out.x0_hat = side.x0_hat;
    out.x0_hat_t = side.x0_t;
  }


  void update_points(const ForwardJob& job) {
    // A drawing: its own points (any count, 0 included while the canvas is empty) and classes.
    const int n = job.drawn ? job.drawn->size() : job.n_points;
    const DataKey key{job.dataset, n, job.seed};
    if (data_valid && data == key && drawn == job.drawn) return;
    data_valid = false;
    diffusion::Dataset2D set;
    std::vector<int> point_classes;
    if (job.drawn) {
      if (job.drawn->xy.size() != 2 * job.drawn->class_id.size())
        throw std::invalid_argument("drawn data: " + std::to_string(job.drawn->xy.size()) +
                                    " coordinates for " + std::to_string(job.drawn->size()) + " points");
      set.xy = job.drawn->xy;
      set.label = job.drawn->class_id;
      point_classes = job.drawn->class_id;
    } else {
      set = diffusion::make_dataset2d(job.dataset, job.n_points, job.seed);
      if (set.size() != job.n_points || set.xy.size() != 2 * static_cast<std::size_t>(job.n_points))
        throw std::runtime_error("dataset: generator returned " + std::to_string(set.size()) +
                                 " points, expected " + std::to_string(job.n_points));
      point_classes.reserve(set.label.size());
      for (int label : set.label) point_classes.push_back(diffusion::dataset2d_class_of_label(job.dataset, label));
    }
    x0 = torch::from_blob(set.xy.data(), {n, 2}, torch::kFloat32).clone().to(device);
    diffusion::NoiseSource noise(diffusion::derive_seed(job.seed, kPointEps));
    eps = noise.normal({n, 2}, device);
    x0_xy = std::move(set.xy);
    labels = std::move(set.label);
    classes = std::move(point_classes);
    drawn = job.drawn;
    xy_moments(x0_xy, x0_mean, x0_variance);
    data = key;
    data_valid = true;
    ++x0_revision;
    for (auto& side : sides) side.markov.valid = false;
  }

  void update_image(const ForwardJob& job) {
    if (!job.image) {
      if (image) {
        image.reset();
        image_x0 = image_eps = torch::Tensor();
        eps_image.reset();
        ++image_revision;
      }
      return;
    }
    if (image == job.image && image_seed == job.seed) return;
    check_image(*job.image);
    const Image& source = *job.image;
    image_x0 = (torch::from_blob(const_cast<float*>(source.pixels.data()),
                                 {static_cast<std::int64_t>(source.pixels.size())}, torch::kFloat32)
                    .clone() *
                    2.0 -
                1.0)
                   .to(device);
    diffusion::NoiseSource noise(diffusion::derive_seed(job.seed, kImageEps));
    image_eps = noise.normal({image_x0.numel()}, device);
    eps_image = std::make_shared<const Image>(to_display_image(image_eps, source));
    image = job.image;
    image_seed = job.seed;
    ++image_revision;
  }

  // x_t of the image (flat tensor) for one side. Markov uses the closed form: it has the same
  // marginal, and stepping a 256x256x3 image through thousands of steps per scrub is not worth it.
  // flow: flow matching's path at τ = t / T on the same image ε.
  torch::Tensor image_at(const diffusion::Schedule& schedule, ForwardProcess process,
                         double naive_beta, int t, bool flow) const {
    if (flow) return diffusion::flow_path_sample(image_x0, image_eps, flow_tau(t, schedule.T()));
    if (process == ForwardProcess::Naive)
      return diffusion::naive_sample(image_x0, t, naive_beta, image_eps);
    return diffusion::q_sample(schedule, image_x0, t, image_eps);
  }

  void update_strip(SideCache& side, const diffusion::Schedule& schedule, const ForwardJob& job, bool flow) {
    if (side.strip_valid && side.strip_params == schedule.params() && side.strip_flow == flow &&
        side.strip_image == job.image && side.strip_seed == job.seed &&
        side.strip_naive == (job.process == ForwardProcess::Naive) &&
        side.strip_count == job.strip_count &&
        (job.process != ForwardProcess::Naive || side.strip_naive_beta == job.naive_beta))
      return;
    side.strip_valid = false;
    side.strip_t = strip_timesteps(schedule.T(), job.strip_count);
    auto strip = std::make_shared<std::vector<Image>>();
    for (int t : side.strip_t)
      strip->push_back(to_display_image(image_at(schedule, job.process, job.naive_beta, t, flow),
                                        *job.image));
    side.strip = std::move(strip);
    side.strip_params = schedule.params();
    side.strip_image = job.image;
    side.strip_seed = job.seed;
    side.strip_naive = job.process == ForwardProcess::Naive;
    side.strip_flow = flow;
    side.strip_naive_beta = job.naive_beta;
    side.strip_count = job.strip_count;
    side.strip_valid = true;
    ++image_revision;
  }

  torch::Tensor markov_state(SideCache& side, const diffusion::Schedule& schedule, int t,
                             const CancelToken& cancel) {
    MarkovChain& chain = side.markov;
    if (!chain.valid || chain.params != schedule.params() || !(chain.data == data)) {
      // Reuse the old chain's memory when it is big enough: first touches of fresh pages are a
      // large part of a step's cost (dragging a slider in Markov mode restarts the chain).
      torch::Tensor old_storage = std::move(chain.storage);
      chain = MarkovChain();
      chain.params = schedule.params();
      chain.data = data;
      const std::size_t state_bytes = static_cast<std::size_t>(x0.numel()) * sizeof(float);
      const std::size_t all_bytes = state_bytes * static_cast<std::size_t>(schedule.T() + 1);
      chain.stride = static_cast<int>(std::max<std::size_t>(
          1, (all_bytes + markov_cache_bytes - 1) / markov_cache_bytes));
      const int slots = schedule.T() / chain.stride + 1;
      if (old_storage.defined() && old_storage.size(0) >= slots &&
          old_storage.size(1) == x0.size(0) && old_storage.size(2) == x0.size(1) &&
          old_storage.device() == x0.device())
        chain.storage = std::move(old_storage);
      else
        chain.storage = torch::empty({slots, x0.size(0), x0.size(1)}, x0.options());
      chain.storage[0].copy_(x0);
      chain.computed = 1;
      chain.current_t = 0;
      chain.current = x0;
      chain.valid = true;
    }
    const int k = std::min(t / chain.stride, chain.computed - 1);
    int from_t = k * chain.stride;
    torch::Tensor x = chain.storage[k];
    if (chain.current_t <= t && chain.current_t > from_t) {
      from_t = chain.current_t;
      x = chain.current;
    }
    const int n = data.n;
    for (int s = from_t + 1; s <= t; ++s) {
      cancel.throw_if_cancelled();  // progress so far stays cached
      // Step noise is a function of (seed, step) only: A and B see the same eps_t.
      diffusion::NoiseSource noise(
          diffusion::derive_seed(data.seed, kMarkovStep, static_cast<std::uint64_t>(s)));
      x = diffusion::q_step(schedule, x, s, noise.normal({n, 2}, device));
      ++markov_steps;
      if (s % chain.stride == 0 && s / chain.stride == chain.computed) {
        chain.storage[chain.computed].copy_(x);
        ++chain.computed;
      }
      chain.current_t = s;
      chain.current = x;
    }
    chain.current_t = t;
    chain.current = x;
    return x;
  }

  // flow: the side is flow matching's path at τ = t / T (T of this side's schedule), on the
  // points' common eps, so that point i of A and of B share their eps (ForwardJob::b_flow).
  void compute_side(int index, const SharedSchedule& shared, const ForwardJob& job, bool flow,
                    const CancelToken& cancel, bool defer_x0, ForwardSide& out) {
    SideCache& side = sides[index];
    const diffusion::Schedule& schedule = *shared;
    const int t = std::clamp(job.t, 0, schedule.T());
    const double tau = flow_tau(t, schedule.T());
    out.schedule = shared;
    out.t = t;
    out.flow = flow;

    torch::Tensor xt;
    switch (flow ? ForwardProcess::ClosedForm : job.process) {
      case ForwardProcess::ClosedForm:
        xt = flow ? diffusion::flow_path_sample(x0, eps, tau) : diffusion::q_sample(schedule, x0, t, eps);
        break;
      case ForwardProcess::Markov:
        xt = markov_state(side, schedule, t, cancel);
        break;
      case ForwardProcess::Naive:
        xt = diffusion::naive_sample(x0, t, job.naive_beta, eps);
        break;
    }
    if (poison_nan) {
      xt = xt * std::numeric_limits<double>::quiet_NaN();
      poison_nan = false;
    }
    out.xt_xy = to_vector(xt);

    Moments2D& m = out.moments;
    xy_moments(out.xt_xy, m.sample_mean, m.sample_variance);
    if (flow) {
      for (int c = 0; c < 2; ++c) {
        m.predicted_mean[c] = flow_predicted_mean(tau, x0_mean[c]);
        m.predicted_variance[c] = flow_predicted_variance(tau, x0_variance[c]);
      }
    } else if (job.process == ForwardProcess::Naive) {
      for (int c = 0; c < 2; ++c) {
        m.predicted_mean[c] = x0_mean[c];
        m.predicted_variance[c] = x0_variance[c] + t * job.naive_beta;
      }
    } else {
      const double ab = schedule.alpha_bar(t);
      for (int c = 0; c < 2; ++c) {
        m.predicted_mean[c] = schedule.sqrt_alpha_bar(t) * x0_mean[c];
        m.predicted_variance[c] = ab * x0_variance[c] + schedule.one_minus_alpha_bar(t);
      }
    }

    if (image) {
      const torch::Tensor image_xt = image_at(schedule, job.process, job.naive_beta, t, flow);
      out.image = to_display_image(image_xt, *image);
      if (job.predict_x0 && flow) {
        out.x0_hat_note = "x̂_0: the image model knows the variance-preserving processes only";
      } else if (job.predict_x0) {
        try {
          predict_x0(side, schedule, job, t, image_xt, defer_x0, out);
        } catch (const std::exception& e) {
          out.x0_hat_note = std::string("x̂_0: ") + failure_message(e);
        }
      }
      update_strip(side, schedule, job, flow);
      out.strip = side.strip;
      out.strip_t = side.strip_t;
    }
  }
};

ForwardComputer::ForwardComputer(const std::string& device_request, int threads)
    : impl_(std::make_unique<Impl>()) {
  // LibTorch's thread count is process-wide and should be set before any parallel work, so only
  // the first computer in a process sets it (tests create several).
  static std::atomic<bool> threads_configured{false};
  if (threads >= 0 && !threads_configured.exchange(true)) {
    try {
      diffusion::configure_threads(threads);
    } catch (const std::exception& e) {
      impl_->startup_errors.push_back(std::string("threads: ") + e.what());
    }
  }
  try {
    impl_->device = diffusion::pick_device(device_request);
  } catch (const std::exception& e) {
    impl_->device = torch::Device(torch::kCPU);
    impl_->startup_errors.push_back(std::string(e.what()) + "; using the CPU");
  }
  impl_->device_name = impl_->device.str();
}

ForwardComputer::~ForwardComputer() = default;

void ForwardComputer::set_image_models(ImageModelStore* store) {
  impl_->image_models = store;
  for (SideCache& side : impl_->sides) side.x0_valid = false;
}

const std::string& ForwardComputer::device_name() const { return impl_->device_name; }
const std::vector<std::string>& ForwardComputer::startup_errors() const {
  return impl_->startup_errors;
}
long long ForwardComputer::markov_steps_taken() const { return impl_->markov_steps; }
void ForwardComputer::arm_fault(FaultKind kind) { impl_->fault.arm(kind); }
void ForwardComputer::set_markov_cache_bytes(std::size_t bytes) {
  impl_->markov_cache_bytes = std::max<std::size_t>(bytes, 1);
}

ForwardFrame ForwardComputer::compute(const ForwardJob& job, const CancelToken& cancel,
                                      bool defer_x0) {
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;

  if (job.n_points < 1 || job.n_points > kMaxForwardPoints)
    throw std::invalid_argument("n_points = " + std::to_string(job.n_points) +
                                " must be in 1.." + std::to_string(kMaxForwardPoints));
  if (job.strip_count < 0 || job.strip_count > kMaxStripCount)
    throw std::invalid_argument("strip_count = " + std::to_string(job.strip_count) +
                                " must be in 0.." + std::to_string(kMaxStripCount));
  if (job.process == ForwardProcess::Naive &&
      (!std::isfinite(job.naive_beta) || !(job.naive_beta > 0.0)))
    throw std::invalid_argument("naive_beta = " + std::to_string(job.naive_beta) +
                                " must be finite and > 0");

  Impl& s = *impl_;
  if (auto kind = s.fault.take()) {
    if (*kind == FaultKind::NaN) s.poison_nan = true;
    else throw_injected_fault(*kind, "a forward job");
  }
  // The UI sends the schedules it built (the last good ones of its slots): used as they are.
  if (!job.schedule_a) throw std::invalid_argument("schedule A: none was sent");
  if (job.compare && !job.schedule_b) throw std::invalid_argument("schedule B: none was sent");
  if (job.b_flow && job.process != ForwardProcess::ClosedForm)
    throw std::invalid_argument("b_flow: flow matching's path is drawn in closed form only (process = closed)");

  s.update_points(job);
  s.update_image(job);

  ForwardFrame frame;
  frame.generation = cancel.generation();
  frame.process = job.process;
  frame.naive_beta = job.naive_beta;
  frame.compare = job.compare;
  s.compute_side(0, job.schedule_a, job, false, cancel, defer_x0, frame.a);
  if (job.compare) s.compute_side(1, job.schedule_b, job, job.b_flow, cancel, defer_x0, frame.b);

  frame.x0_revision = s.x0_revision;
  frame.x0_xy = s.x0_xy;
  frame.labels = s.labels;
  frame.classes = s.classes;
  frame.drawn = s.drawn != nullptr;
  frame.x0_mean = s.x0_mean;
  frame.x0_variance = s.x0_variance;
  frame.image_revision = s.image_revision;
  frame.eps_image = s.eps_image;
  frame.device_name = s.device_name;
  frame.compute_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return frame;
}

}  // namespace diffuscope::gui
