// In-app training in slices (see training_compute.hpp).
#include "gui/compute/training_compute.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "diffusion/log_snr.hpp"
#include "diffusion/loss_bands.hpp"
#include "diffusion/model_denoiser.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/point_model.hpp"
#include "diffusion/point_training.hpp"
#include "diffusion/sampler.hpp"
#include "diffusion/seeding.hpp"
#include "gui/compute/drawn_model_slot.hpp"
#include "gui/compute/model_store.hpp"
#include "gui/protocol/shared_schedule.hpp"
#include "gui/protocol/worker_failures.hpp"
#include "gui/compute/loss_text.hpp"

namespace diffuscope::gui {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::int64_t kMaxSteps = 10'000'000;
// Long trainings: past this many loss points, neighbours are merged pairwise (the curve keeps
// its shape; memory and copies per frame stay small).
constexpr std::size_t kMaxLossPoints = 4096;
// The preview: a few-step deterministic sampler (DDIM, eta = 0) over the default linear
// schedule, from a fixed x_T, so successive previews differ only by the model.
constexpr int kPreviewPoints = 500;
constexpr int kPreviewSteps = 50;
constexpr std::uint64_t kPreviewStream = 0x9E7;

// What the job trains on, in messages: "moons", "the drawing (2000 points)".
std::string training_data_name(const TrainingJob& job) {
  if (!job.drawn) return std::string(diffusion::to_string(job.dataset));
  return "the drawing (" + std::to_string(job.drawn->size()) + " points)";
}

// Revision of the model the job's reverse runs use now: the drawing's or the dataset's.
std::uint64_t training_model_revision(const ModelStore& store, const TrainingJob& job) {
  return job.drawn ? store.drawn().revision() : store.revision(job.dataset);
}

}  // namespace

struct TrainingComputer::Impl {
  torch::Device device{torch::kCPU};
  ModelStore* store = nullptr;
  Clock::duration report_interval = std::chrono::milliseconds(200);
  Clock::duration preview_interval = std::chrono::seconds(2);

  std::optional<diffusion::PointTrainer> trainer;
  TrainingJob job;
  TrainingFrame out;          // what frame() returns (kept up to date)
  // Current report interval.
  Clock::time_point last_report{}, last_preview{};
  double loss_sum = 0;
  std::int64_t loss_count = 0;
  double interval_seconds = 0;   // training time in the current interval
  std::int64_t interval_steps = 0;
  double last_loss = 0;
  // The groups' losses by log-SNR since the last report (the CLI's bands: the model's range).
  diffusion::LogSnrLossBands bands{diffusion::kModelLogSnrMin, diffusion::kModelLogSnrMax};
  ArmedFault fault;

  void publish_model() {
    const diffusion::PointModel ema = trainer->ema_model();
    out.model_revision =
        job.drawn ? store->publish_trained_on_drawing(job.drawn, ema, trainer->config().target,
                                                      trainer->steps_done(), trainer->recent_loss())
                  : store->publish_trained(job.dataset, ema, trainer->config().target, trainer->steps_done(),
                                           trainer->recent_loss());
  }

  void make_preview() {
    torch::NoGradGuard no_grad;
    const diffusion::PointModel ema = trainer->ema_model();
    const auto steps = diffusion::sampling_steps(*default_schedule(), kPreviewSteps, diffusion::Spacing::Trailing);
    diffusion::ReverseConfig config;
    config.sigma = diffusion::SigmaKind::DDIM;
    config.eta = 0.0;
    diffusion::NoiseSource noise(diffusion::derive_seed(job.seed, kPreviewStream));
    const torch::Tensor x_T = noise.normal({kPreviewPoints, 2}, device);
    const torch::Tensor x0 =
        diffusion::run_reverse(x_T, steps, diffusion::make_model_denoiser(ema, trainer->config().target, config), config, noise)
            .to(torch::kCPU, torch::kFloat32)
            .contiguous();
    out.preview_xy.assign(x0.data_ptr<float>(), x0.data_ptr<float>() + x0.numel());
    out.preview_step = trainer->steps_done();
  }

  void report() {
    if (loss_count > 0) {
      out.loss_history.push_back(static_cast<float>(loss_sum / loss_count));
      out.loss_steps.push_back(trainer->steps_done());
      if (out.loss_history.size() >= kMaxLossPoints) {
        std::size_t j = 0;
        for (std::size_t i = 0; i + 1 < out.loss_history.size(); i += 2, ++j) {
          out.loss_history[j] = 0.5f * (out.loss_history[i] + out.loss_history[i + 1]);
          out.loss_steps[j] = out.loss_steps[i + 1];
        }
        out.loss_history.resize(j);
        out.loss_steps.resize(j);
      }
    }
    if (interval_seconds > 0) out.steps_per_second = interval_steps / interval_seconds;
    out.loss_bands.clear();
    for (int b = 0; b < bands.bands(); ++b) {
      out.loss_bands.push_back({static_cast<float>(bands.band_lower(b)), static_cast<float>(bands.band_upper(b)),
                                static_cast<float>(bands.mean(b))});
    }
    bands.clear();
    out.step = trainer->steps_done();
    loss_sum = 0;
    loss_count = 0;
    interval_seconds = 0;
    interval_steps = 0;
    last_report = Clock::now();
  }

  // Ends the training, keeping (publishing) the model reached.
  void finish(const std::string& message) {
    if (!trainer) return;
    out.running = false;
    out.message = message;
    try {
      report();
      publish_model();
      make_preview();
    } catch (...) {
      trainer.reset();  // ended either way; the caller reports the error
      throw;
    }
    trainer.reset();
  }
};

TrainingComputer::TrainingComputer(const std::string& device_name, ModelStore& store)
    : impl_(std::make_unique<Impl>()) {
  impl_->device = torch::Device(device_name);
  impl_->store = &store;
}

TrainingComputer::~TrainingComputer() = default;

void TrainingComputer::start(const TrainingJob& job) {
  Impl& s = *impl_;
  if (s.trainer) stop();
  if (job.steps < 1 || job.steps > kMaxSteps) {
    s.out = TrainingFrame();
    s.out.dataset = job.dataset;
    s.out.drawn = job.drawn;
    s.out.model_revision = training_model_revision(*s.store, job);
    s.out.message = "training steps = " + std::to_string(job.steps) + " must be in 1.." +
                    std::to_string(kMaxSteps);
    throw std::invalid_argument(s.out.message);
  }
  diffusion::PointTrainingConfig config;
  config.dataset = job.dataset;
  config.planned_steps = job.steps;
  config.seed = job.seed;
  if (job.drawn) {
    if (job.drawn->size() == 0) {
      s.out = TrainingFrame();
      s.out.dataset = job.dataset;
      s.out.drawn = job.drawn;
      s.out.model_revision = training_model_revision(*s.store, job);
      s.out.message = "the drawing is empty: draw points first (Forward view, Draw your data)";
      throw std::invalid_argument(s.out.message);
    }
    // The drawing's points are the whole training set (the trainer draws its batches from them
    // as from a dataset's pool).
    config.data_points = job.drawn->xy;
  }
  const std::string name = training_data_name(job);

  TrainingFrame fresh;
  fresh.dataset = job.dataset;
  fresh.drawn = job.drawn;
  fresh.planned_steps = job.steps;
  fresh.model_revision = training_model_revision(*s.store, job);
  if (job.from_current) {
    const StoredModel current = job.drawn ? s.store->drawn().latest() : s.store->get(job.dataset);
    if (current.model) {
      config.target = current.target;  // continuing keeps what the model predicts
      s.trainer.emplace(*current.model, config, s.device);
      fresh.message = "continuing from " + current.description;
    } else {
      fresh.message = "no current model for " + name + "; training a fresh one";
    }
  }
  if (!s.trainer) s.trainer.emplace(diffusion::PointModelConfig{}, config, s.device);
  fresh.running = true;
  if (fresh.message.empty()) fresh.message = "training " + name;
  s.job = job;
  s.out = std::move(fresh);
  s.loss_sum = 0;
  s.loss_count = 0;
  s.bands.clear();
  s.interval_seconds = 0;
  s.interval_steps = 0;
  s.last_report = s.last_preview = Clock::now();
}

void TrainingComputer::stop() {
  Impl& s = *impl_;
  if (!s.trainer) return;
  s.finish("stopped at step " + std::to_string(s.trainer->steps_done()) + " · loss " +
           loss_text(s.trainer->recent_loss()));
}

bool TrainingComputer::active() const { return static_cast<bool>(impl_->trainer); }

bool TrainingComputer::advance(std::chrono::microseconds budget,
                               const std::function<bool()>& interrupted) {
  Impl& s = *impl_;
  if (!s.trainer) return false;
  const auto start = Clock::now();
  try {
    for (;;) {
      const auto step_start = Clock::now();
      const auto injected = s.fault.take();
      if (injected && *injected != FaultKind::NaN) throw_injected_fault(*injected, "a training step");
      double loss = s.trainer->step();
      s.bands.add(s.trainer->last_batch_groups().log_snr, s.trainer->last_batch_groups().loss);
      if (injected) loss = std::numeric_limits<double>::quiet_NaN();
      // The trainer refuses a non-finite loss before it touches the weights; checked here too so
      // that no NaN reaches the curve and nothing after it is published.
      if (!std::isfinite(loss))
        throw std::runtime_error("the loss became " + loss_text(loss) + " at step " +
                                 std::to_string(s.trainer->steps_done()));
      const auto now = Clock::now();
      s.interval_seconds += std::chrono::duration<double>(now - step_start).count();
      ++s.interval_steps;
      s.loss_sum += loss;
      ++s.loss_count;
      if (s.trainer->steps_done() >= s.job.steps) {
        s.finish("finished: " + std::to_string(s.trainer->steps_done()) + " steps · loss " +
                 loss_text(s.trainer->recent_loss()));
        return true;
      }
      if (now - start >= budget || (interrupted && interrupted())) break;
    }
    s.out.step = s.trainer->steps_done();
    bool changed = false;
    const auto now = Clock::now();
    if (now - s.last_report >= s.report_interval) {
      s.report();
      changed = true;
    }
    if (now - s.last_preview >= s.preview_interval) {
      s.publish_model();
      s.make_preview();
      s.last_preview = Clock::now();
      changed = true;
    }
    return changed;
  } catch (const std::exception& e) {
    // The model published before the error stays the dataset's model.
    const std::string message = "training " + training_data_name(s.job) +
                                " stopped at step " + std::to_string(s.trainer->steps_done()) +
                                ": " + failure_message(e) + "; the model published before it is kept";
    s.trainer.reset();
    s.out.running = false;
    s.out.message = message;
    throw std::runtime_error(message);
  }
}

void TrainingComputer::arm_fault(FaultKind kind) { impl_->fault.arm(kind); }

TrainingFrame TrainingComputer::frame() const { return impl_->out; }

void TrainingComputer::set_intervals(std::chrono::milliseconds report,
                                     std::chrono::milliseconds preview) {
  impl_->report_interval = report;
  impl_->preview_interval = preview;
}

}  // namespace diffuscope::gui
