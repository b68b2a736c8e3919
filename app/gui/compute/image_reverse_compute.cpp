// The Images view's run: the stepped run (stepped_run.hpp) of image tensors [N, C, H, W], kept as
// float16, seeded as the 2D reverse view's; and the selected sample's images.
#include "gui/compute/image_reverse_compute.hpp"

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
#include "diffusion/reverse_process.hpp"
#include "diffusion/sampler.hpp"
#include "gui/compute/image_model_store.hpp"
#include "gui/compute/stepped_run.hpp"
#include "gui/protocol/worker_failures.hpp"

namespace diffuscope::gui {
namespace {

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
  Impl(torch::Device on, ImageModelStore& models) : device(on), store(&models), run(on) {}

  torch::Device device;
  ImageModelStore* store;
  std::size_t state_budget = kDefaultImageStateBudget;
  std::int64_t selected_evaluations = 0;
  SteppedRun run;

  // The run's job (the newest cursor and selection) and what the Images view adds to the run.
  ImageReverseJob job;
  std::uint64_t generation = 0;
  int channels = 1, height = 0, width = 0;
  std::string model_description;
  std::string model_error;
  // Per panel, the selected sample's images by (state, sample): from the step that evaluated
  // them, or from one evaluation when the cursor first showed that state.
  std::vector<std::map<std::pair<int, int>, SampleImages>> selections;

  void start_run(const ImageReverseJob& new_job) {
    run.stop();
    job = new_job;
    const StoredImageModel stored = store->get(job.model_path);
    model_description = stored.description;
    model_error = stored.error;
    channels = stored.channels;
    height = stored.height;
    width = stored.width;

    RunSpec spec;
    spec.panels = job.panels;
    spec.seed = job.seed;
    spec.samples = job.image_count;
    spec.sample_shape = {channels, height, width};
    spec.storage_type = torch::kFloat16;   // kImageStateValueBytes
    spec.state_budget = state_budget;
    spec.chunk_rows = device.is_cuda() ? std::numeric_limits<std::int64_t>::max() : kCpuChunkImages;
    spec.make_denoiser = [&stored](const ReversePanelSpec& panel) {
      if (!stored.model) throw std::runtime_error(stored.error);
      return holding(diffusion::make_image_denoiser(*stored.model, stored.target, panel.sampler), stored.model);
    };
    spec.label = image_panel_label;
    spec.step_name = "a image step";
    spec.states_name = "the images";
    run.start(std::move(spec));
    selections.assign(job.panels.size(), {});
  }

  void remember(std::size_t panel, SampleImages images) {
    auto& kept = selections[panel];
    if (kept.size() >= kMaxCachedSelections) kept.clear();
    const std::pair<int, int> key{images.state, images.sample};
    kept[key] = std::move(images);
  }

  // Keeps the selected sample's images of a step that was just evaluated (no extra model call).
  void keep_selection(std::size_t panel, int state, std::int64_t begin, std::int64_t rows,
                      const torch::Tensor& x_t, const diffusion::Prediction& pred) {
    const int s = job.selected;
    if (s < begin || s >= begin + rows) return;
    SampleImages images;
    images.sample = s;
    images.state = state;
    images.x_t = image_bytes(x_t.narrow(0, s - begin, 1));
    images.x0_hat = image_bytes(pred.x0.narrow(0, s - begin, 1));
    images.eps_hat = eps_bytes(pred.eps.narrow(0, s - begin, 1));
    remember(panel, std::move(images));
  }

  SampleImages selection(std::size_t index, int state, const torch::Tensor& x) {
    const int s = job.selected;
    if (s < 0) return {};
    if (auto it = selections[index].find({state, s}); it != selections[index].end()) return it->second;
    const SteppedPanel& panel = run.panels()[index];
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
    remember(index, images);
    return images;
  }

  ImageReverseFrame frame() {
    ImageReverseFrame f;
    f.generation = generation;
    f.device_name = device.str();
    if (!run.has_run()) return f;
    torch::NoGradGuard no_grad;
    f.image_count = job.image_count;
    f.channels = channels;
    f.height = height;
    f.width = width;
    f.model_description = model_description;
    f.model_error = model_error;
    f.image_steps_per_second = run.sample_steps_per_second();
    f.running = run.running();
    f.panel_steps = run.run_panel_steps();
    f.state_bytes = run.kept_bytes();
    f.state_stride = run.stride();
    for (std::size_t i = 0; i < run.panels().size(); ++i) {
      const SteppedPanel& panel = run.panels()[i];
      ImagePanelFrame p;
      if (const auto shown = run.fill_frame(panel, job.t, p)) {
        const auto& [state, x] = *shown;
        p.grid = image_bytes(x);
        if (panel.ok()) {
          try {
            p.selected = selection(i, state, x);
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
    : impl_(std::make_unique<Impl>(torch::Device(device_name), store)) {}

ImageReverseComputer::~ImageReverseComputer() = default;

bool ImageReverseComputer::set_job(const ImageReverseJob& job, std::uint64_t generation) {
  validate_job(job);
  Impl& s = *impl_;
  s.generation = generation;
  if (s.run.has_run() && !restarts_image_run(s.job, job)) {
    s.job.t = job.t;
    s.job.selected = job.selected;
    return false;
  }
  torch::NoGradGuard no_grad;
  s.start_run(job);
  return true;
}

void ImageReverseComputer::stop() { impl_->run.stop(); }
bool ImageReverseComputer::has_run() const { return impl_->run.has_run(); }
bool ImageReverseComputer::running() const { return impl_->run.running(); }

int ImageReverseComputer::advance(std::chrono::microseconds budget,
                                  const std::function<bool()>& interrupted) {
  Impl& s = *impl_;
  return s.run.advance(budget, interrupted,
                       [&s](std::size_t panel, int state, std::int64_t begin, std::int64_t rows,
                            const torch::Tensor& x_t, const diffusion::Prediction& pred) {
                         s.keep_selection(panel, state, begin, rows, x_t, pred);
                       });
}

ImageReverseFrame ImageReverseComputer::frame() { return impl_->frame(); }

void ImageReverseComputer::set_state_budget_bytes(std::size_t bytes) {
  impl_->state_budget = std::max<std::size_t>(bytes, 1);
}

std::int64_t ImageReverseComputer::steps_taken() const { return impl_->run.steps_taken(); }
std::int64_t ImageReverseComputer::selected_evaluations() const { return impl_->selected_evaluations; }

void ImageReverseComputer::arm_fault(FaultKind kind) { impl_->run.arm_fault(kind); }

}  // namespace diffuscope::gui
