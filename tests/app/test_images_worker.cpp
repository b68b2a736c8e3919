// The Images view's worker side: image runs of a random-weight U-Net (the view must work with any
// valid checkpoint) produce grids of the right shape and finish; a changed setting drops the old
// run; scrubbing a finished run reads kept states (no step is recomputed); the kept states stay
// within the memory budget; a missing or broken checkpoint is a message; the forward view's x0_hat;
// the device status. Small models, few images and tiny K keep every test fast.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <stb/stb_image.h>
#include <torch/torch.h>
#include <unistd.h>

#include "diffusion/image_checkpoint.hpp"
#include "diffusion/image_model.hpp"
#include "gui/compute/forward_compute.hpp"
#include "gui/compute/image_model_store.hpp"
#include "gui/compute/image_reverse_compute.hpp"
#include "cli/cli.hpp"
#include "gui/protocol/worker.hpp"
#include "eventually.hpp"

namespace diffuscope::gui {
namespace {

using namespace std::chrono_literals;
using diffuscope::gui::test_support::eventually;

constexpr int kSide = 28;
constexpr int kPixels = kSide * kSide;

// A temp folder holding a random-weight image checkpoint (a small U-Net: fast on 2 threads).
class TestModel {
 public:
  TestModel() {
    dir_ = std::filesystem::temp_directory_path() /
           ("diffuscope_images_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_);
    diffusion::ImageModelConfig config;
    config.base_channels = 8;
    config.groups = 4;
    config.noise_features = 8;
    diffusion::ImageUNet model(config);
    model->reset_parameters(3);
    diffusion::ImageCheckpointMetadata m;
    m.model = config;
    m.dataset = "fashion-mnist";
    m.image_height = kSide;
    m.image_width = kSide;
    m.log_snr_min = -20;
    m.log_snr_max = 14;
    m.steps = 0;
    m.final_loss = 1.0;
    m.batch_size = 1;
    m.learning_rate = 1e-3;
    m.device = "cpu";
    m.library_version = "test";
    m.created_utc = "2024-01-01T00:00:00Z";
    diffusion::save_image_model(path(), model, m);
  }
  ~TestModel() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path() const { return (dir_ / "random.ckpt").string(); }
  std::string dir() const { return dir_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
};

// Linear schedule scaled with T: alpha_bar_T is about e^-10 at T = 50, so x_T ~ N(0, I) is right.
ReversePanelSpec panel(int steps, diffusion::SigmaKind sigma = diffusion::SigmaKind::Small, double eta = 0) {
  ReversePanelSpec spec;
  diffusion::ScheduleParams schedule;
  schedule.T = 50;
  schedule.scale_with_T = true;
  spec.schedule = panel_schedule(schedule);
  spec.sampler.sigma = sigma;
  spec.sampler.eta = eta;
  spec.steps = steps;
  return spec;
}

ImageReverseJob job_for(const std::string& model, int steps = 5, int count = 3) {
  ImageReverseJob job;
  job.panels = {panel(steps)};
  job.image_count = count;
  job.seed = 5;
  job.model_path = model;
  job.selected = 1;
  return job;
}

void run_to_end(ImageReverseComputer& computer) {
  for (int guard = 0; guard < 100000 && computer.running(); ++guard) computer.advance(std::chrono::milliseconds(50));
}

int max_byte_diff(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  int m = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::abs(int(a[i]) - int(b[i])));
  return m;
}

TEST(ImageReverseCompute, RunProducesGridsOfTheRightShapeAndFinishes) {
  const TestModel model;
  ImageModelStore store("cpu");
  ImageReverseComputer computer("cpu", store);
  ImageReverseJob job = job_for(model.path(), 5, 3);
  job.panels.push_back(panel(3, diffusion::SigmaKind::DDIM, 0.0));
  ASSERT_TRUE(computer.set_job(job, 1));
  ImageReverseFrame first = computer.frame();
  ASSERT_EQ(first.panels.size(), 2u);
  EXPECT_EQ(first.height, kSide);
  EXPECT_EQ(first.width, kSide);
  EXPECT_EQ(first.channels, 1);
  EXPECT_TRUE(first.model_error.empty()) << first.model_error;
  // Both panels start from the same x_T (common random numbers).
  EXPECT_EQ(first.panels[0].grid, first.panels[1].grid);
  EXPECT_EQ(first.panels[0].grid.size(), 3u * kPixels);

  run_to_end(computer);
  const ImageReverseFrame f = computer.frame();
  EXPECT_FALSE(f.running);
  EXPECT_EQ(f.panel_steps, 5 + 3);
  for (std::size_t i = 0; i < 2; ++i) {
    const ImagePanelFrame& p = f.panels[i];
    const int K = i == 0 ? 5 : 3;
    EXPECT_TRUE(p.error.empty()) << p.error;
    EXPECT_TRUE(p.finished);
    EXPECT_EQ(p.states_done, K + 1);
    EXPECT_EQ(static_cast<int>(p.visited_t.size()), K);
    EXPECT_EQ(p.visited_t.front(), 50);       // trailing spacing starts at T
    EXPECT_EQ(p.shown_state, K);              // following: x_0
    EXPECT_EQ(p.shown_t, 0);
    EXPECT_EQ(p.grid.size(), 3u * kPixels);
    // The selected sample at x_0: x_t is x_0, x0_hat is x_0 itself, no eps_hat.
    EXPECT_EQ(p.selected.sample, 1);
    EXPECT_EQ(p.selected.x_t.size(), static_cast<std::size_t>(kPixels));
    EXPECT_EQ(p.selected.x0_hat, p.selected.x_t);
    EXPECT_TRUE(p.selected.eps_hat.empty());
    // The selected sample's x_t is its tile in the grid.
    EXPECT_LE(max_byte_diff(p.selected.x_t, std::vector<std::uint8_t>(p.grid.begin() + kPixels,
                                                                      p.grid.begin() + 2 * kPixels)), 1);
  }
  EXPECT_GT(f.state_bytes, 0u);
  EXPECT_EQ(f.device_name, "cpu");
}

TEST(ImageReverseCompute, ChangedSettingDropsTheOldRun) {
  const TestModel model;
  ImageModelStore store("cpu");
  ImageReverseComputer computer("cpu", store);
  ASSERT_TRUE(computer.set_job(job_for(model.path(), 40), 1));
  computer.advance(std::chrono::microseconds(0));   // one step of the old run
  EXPECT_EQ(computer.frame().panel_steps, 1);
  // A cursor or selection change keeps the run.
  ImageReverseJob moved = job_for(model.path(), 40);
  moved.t = 10;
  moved.selected = 2;
  EXPECT_FALSE(computer.set_job(moved, 2));
  EXPECT_EQ(computer.frame().panel_steps, 1);
  // A sampler change restarts it: the old states are gone, x_T is the same (same seed).
  ImageReverseJob changed = job_for(model.path(), 4);
  changed.panels[0].sampler.sigma = diffusion::SigmaKind::Large;
  EXPECT_TRUE(computer.set_job(changed, 3));
  const ImageReverseFrame f = computer.frame();
  EXPECT_EQ(f.generation, 3u);
  EXPECT_EQ(f.panel_steps, 0);
  EXPECT_EQ(f.panels[0].states_done, 1);
  EXPECT_EQ(static_cast<int>(f.panels[0].visited_t.size()), 4);
  run_to_end(computer);
  EXPECT_EQ(computer.frame().panel_steps, 4);   // only the new run's steps
  EXPECT_EQ(computer.steps_taken(), 1 + 4);
}

TEST(ImageReverseCompute, ScrubbingAFinishedRunReadsKeptStates) {
  const TestModel model;
  ImageModelStore store("cpu");
  ImageReverseComputer computer("cpu", store);
  const int K = 6;
  ASSERT_TRUE(computer.set_job(job_for(model.path(), K), 1));
  // Follow the run one step at a time, recording each state's grid.
  std::vector<std::vector<std::uint8_t>> grids = {computer.frame().panels[0].grid};
  while (computer.running()) {
    computer.advance(std::chrono::microseconds(0));
    grids.push_back(computer.frame().panels[0].grid);
  }
  ASSERT_EQ(static_cast<int>(grids.size()), K + 1);
  const ImageReverseFrame done = computer.frame();
  const std::vector<int> visited = done.panels[0].visited_t;
  const std::int64_t steps = computer.steps_taken();
  // While following, each newest state's x0_hat was evaluated once for the frame (live).
  const std::int64_t evaluations = computer.selected_evaluations();
  // Back and forth over every visited t (and t = 0): the recorded grids (float16 storage may
  // round one display level differently), and not a single step recomputed.
  for (int pass = 0; pass < 2; ++pass) {
    for (int k = 0; k <= K; ++k) {
      ImageReverseJob scrub = job_for(model.path(), K);
      scrub.t = k < K ? visited[static_cast<std::size_t>(k)] : 0;
      EXPECT_FALSE(computer.set_job(scrub, 2 + k));
      const ImageReverseFrame f = computer.frame();
      EXPECT_EQ(f.panels[0].shown_state, k);
      EXPECT_LE(max_byte_diff(f.panels[0].grid, grids[static_cast<std::size_t>(k)]), 1) << "state " << k;
      if (k < K) {
        EXPECT_EQ(f.panels[0].selected.eps_hat.size(), static_cast<std::size_t>(kPixels));
        EXPECT_EQ(f.panels[0].selected.x0_hat.size(), static_cast<std::size_t>(kPixels));
      }
    }
  }
  EXPECT_EQ(computer.steps_taken(), steps);
  // The selected sample's predictions were kept from the steps that computed them: no model call.
  EXPECT_EQ(computer.selected_evaluations(), evaluations);
  // Another sample: one evaluation per state the first time, none the second.
  for (int pass = 0; pass < 2; ++pass) {
    ImageReverseJob other = job_for(model.path(), K);
    other.selected = 2;
    other.t = visited[2];
    computer.set_job(other, 100);
    computer.frame();
  }
  EXPECT_EQ(computer.selected_evaluations(), evaluations + 1);
}

// The CLI's PNG grid (image_grid.cpp: `cols` tiles per row, each enlarged `factor` times, one
// gutter pixel around every tile) read back as count images of kSide x kSide grey bytes.
std::vector<std::uint8_t> read_cli_grid(const std::string& path, int count) {
  int width = 0, height = 0, channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &width, &height, &channels, 1);
  if (data == nullptr) return {};
  const int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count)) - 1e-9));
  const int factor = ((width - 1) / cols - 1) / kSide;
  std::vector<std::uint8_t> images(static_cast<std::size_t>(count) * kPixels);
  for (int k = 0; k < count; ++k) {
    const int x0 = 1 + (k % cols) * (kSide * factor + 1), y0 = 1 + (k / cols) * (kSide * factor + 1);
    for (int i = 0; i < kSide; ++i)
      for (int j = 0; j < kSide; ++j)
        images[static_cast<std::size_t>(k) * kPixels + i * kSide + j] =
            data[static_cast<std::size_t>(y0 + i * factor) * width + x0 + j * factor];
  }
  stbi_image_free(data);
  return images;
}

// Issue 14: the Images view and `diffuscope sample --data fashion-mnist` give the same images for
// the same schedule, sampler, K, seed and clipping (both draw x_T and then one z per non-final step
// from NoiseSource(derive_seed(seed)), and both clip x̂_0 to [-1, 1] unless told not to).
TEST(ImageReverseCompute, SameImagesAsTheCommandLineForTheSameSettings) {
  const TestModel model;
  const int count = 16, K = 8;
  const std::string png = model.dir() + "/cli.png";
  struct Case {
    diffusion::SigmaKind sigma;
    double eta;
    bool clip;
  };
  std::vector<std::vector<std::uint8_t>> gui_grids;
  for (const Case& c : {Case{diffusion::SigmaKind::Small, 0.0, true}, Case{diffusion::SigmaKind::DDIM, 0.0, true},
                        Case{diffusion::SigmaKind::Small, 0.0, false}}) {
    SCOPED_TRACE(std::string(diffusion::to_string(c.sigma)) + (c.clip ? " clipped" : " not clipped"));
    ImageModelStore store("cpu");
    ImageReverseComputer computer("cpu", store);
    ImageReverseJob job = job_for(model.path(), K, count);
    job.panels[0].sampler.sigma = c.sigma;
    job.panels[0].sampler.eta = c.eta;
    job.panels[0].sampler.clip_x0 = c.clip;   // the range [-1, 1] is the ReverseConfig default
    ASSERT_TRUE(computer.set_job(job, 1));
    run_to_end(computer);
    const ImageReverseFrame f = computer.frame();
    ASSERT_TRUE(f.panels[0].finished) << f.panels[0].error;

    // The same settings on the command line (same thread count: the sums must not be reordered).
    std::vector<std::string> args = {"diffuscope", "sample", "--data", "fashion-mnist", "--model", model.path(),
                                     "--n", std::to_string(count), "--steps", std::to_string(K), "--T", "50",
                                     "--scale-with-T", "--seed", std::to_string(job.seed), "--device", "cpu",
                                     "--threads", std::to_string(torch::get_num_threads()), "--sigma",
                                     std::string(diffusion::to_string(c.sigma)), "--eta", "0", "--out", png};
    if (!c.clip) args.push_back("--no-clip");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    testing::internal::CaptureStdout();
    const int rc = cli::run(static_cast<int>(argv.size()), argv.data(), nullptr);
    const std::string out = testing::internal::GetCapturedStdout();
    ASSERT_EQ(rc, 0) << out;
    const std::vector<std::uint8_t> cli_images = read_cli_grid(png, count);
    ASSERT_EQ(cli_images.size(), f.panels[0].grid.size());
    EXPECT_EQ(max_byte_diff(cli_images, f.panels[0].grid), 0);
    gui_grids.push_back(f.panels[0].grid);
  }
  // Clipping changes this model's samples: the comparison above covered both paths.
  EXPECT_GT(max_byte_diff(gui_grids[0], gui_grids[2]), 0);
}

TEST(ImageReverseCompute, KeptStatesStayWithinTheMemoryBudget) {
  // The documented figure: 64 images x 1001 states x 784 pixels x 2 bytes (float16).
  EXPECT_EQ(image_state_bytes(64, 1001, 784), std::size_t(100452352));
  const TestModel model;
  ImageModelStore store("cpu");
  ImageReverseComputer computer("cpu", store);
  const int K = 20, count = 4;
  const std::size_t one_state = std::size_t(count) * kPixels * 2;
  const std::size_t budget = 6 * one_state;   // 21 states do not fit: every 4th is kept
  computer.set_state_budget_bytes(budget);
  ASSERT_TRUE(computer.set_job(job_for(model.path(), K, count), 1));
  run_to_end(computer);
  const ImageReverseFrame f = computer.frame();
  EXPECT_GT(f.state_stride, 1);
  // Each panel keeps ceil((K + 1) / stride) slots: within the budget plus one state.
  EXPECT_LE(f.state_bytes, budget + one_state);
  EXPECT_TRUE(f.panels[0].finished);
  // Scrubbing still works: a state that was not kept shows the nearest kept one on the noisy side.
  ImageReverseJob scrub = job_for(model.path(), K, count);
  scrub.t = f.panels[0].visited_t[5];
  computer.set_job(scrub, 2);
  const ImageReverseFrame g = computer.frame();
  EXPECT_EQ(g.panels[0].shown_state, 5 / f.state_stride * f.state_stride);
}

TEST(ImageReverseCompute, MissingOrBrokenModelIsAMessage) {
  const TestModel model;
  ImageModelStore store("cpu");
  ImageReverseComputer computer("cpu", store);
  const std::string missing = model.dir() + "/nothing-here.ckpt";
  ASSERT_TRUE(computer.set_job(job_for(missing), 1));
  ImageReverseFrame f = computer.frame();
  EXPECT_FALSE(computer.running());
  EXPECT_NE(f.model_error.find("not found"), std::string::npos) << f.model_error;
  EXPECT_NE(f.model_error.find(missing), std::string::npos) << f.model_error;
  ASSERT_EQ(f.panels.size(), 1u);
  EXPECT_FALSE(f.panels[0].error.empty());
  EXPECT_TRUE(f.panels[0].grid.empty());

  const std::string broken = model.dir() + "/broken.ckpt";
  std::ofstream(broken) << "this is not a checkpoint";
  ASSERT_TRUE(computer.set_job(job_for(broken), 2));
  f = computer.frame();
  EXPECT_FALSE(computer.running());
  EXPECT_NE(f.model_error.find("no usable image model"), std::string::npos) << f.model_error;

  // A job-level mistake names the field.
  ImageReverseJob bad = job_for(model.path());
  bad.image_count = 65;
  try {
    computer.set_job(bad, 3);
    FAIL() << "image_count = 65 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("image_count"), std::string::npos);
  }
}

std::shared_ptr<const ImageReverseFrame> wait_images(const Worker& worker, std::uint64_t generation, bool finished,
                                                     std::chrono::milliseconds timeout = 30000ms) {
  std::shared_ptr<const ImageReverseFrame> frame;
  eventually(
      [&] {
        frame = worker.latest_images();
        return frame && frame->generation >= generation && (!finished || !frame->running);
      },
      timeout);
  return frame;
}

TEST(ImagesWorker, RunsInSlicesAndASupersededJobIsDropped) {
  const TestModel model;
  Worker worker("cpu", 0);
  // A long run first, then a different one at once: only the second finishes.
  const std::uint64_t first = worker.submit_images(job_for(model.path(), 50, 8));
  ImageReverseJob second = job_for(model.path(), 4, 2);
  second.panels[0].sampler.sigma = diffusion::SigmaKind::DDIM;
  const std::uint64_t g = worker.submit_images(second);
  ASSERT_GT(g, first);
  const auto f = wait_images(worker, g, true);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->generation, g);
  EXPECT_EQ(f->image_count, 2);
  EXPECT_EQ(f->panel_steps, 4);
  ASSERT_EQ(f->panels.size(), 1u);
  EXPECT_TRUE(f->panels[0].finished);
  EXPECT_NE(f->panels[0].label.find("DDIM"), std::string::npos) << f->panels[0].label;
  EXPECT_TRUE(worker.take_errors().empty());
  // Stopping drops the run; the last frame stays.
  worker.stop_images();
  EXPECT_TRUE(worker.latest_images());
}

TEST(ImagesWorker, DeviceStatusNamesTheDeviceAndRefusesAMissingGpu) {
  Worker worker("cpu", 0);
  ASSERT_TRUE(eventually([&] { return !worker.device_status().name.empty(); }, 20000ms));
  const DeviceStatus status = worker.device_status();
  EXPECT_EQ(status.name, "cpu");
  EXPECT_EQ(status.description.rfind("CPU, ", 0), 0u) << status.description;
  if (status.cuda_available) GTEST_SKIP() << "a GPU is visible: the refusal cannot be tested here";
  EXPECT_FALSE(status.cuda_unavailable_reason.empty());
  worker.set_device("cuda");
  std::vector<std::string> errors;
  ASSERT_TRUE(eventually([&] {
    for (auto& e : worker.take_errors()) errors.push_back(e);
    return !errors.empty();
  }, 20000ms));
  EXPECT_NE(errors.front().find("cuda"), std::string::npos) << errors.front();
  EXPECT_EQ(worker.device_status().name, "cpu");
  EXPECT_EQ(worker.device_status().revision, status.revision);   // nothing was rebuilt
  EXPECT_EQ(worker.device_status().request, "cpu");              // the refused request is not shown as chosen
}

ForwardJob forward_job(std::shared_ptr<const Image> image, const std::string& model_path, int t) {
  ForwardJob job;
  job.n_points = 200;
  job.t = t;
  job.image = std::move(image);
  job.strip_count = 0;
  job.predict_x0 = true;
  job.image_model_path = model_path;
  return job;
}

std::shared_ptr<const Image> grey_image(int side) {
  auto image = std::make_shared<Image>();
  image->width = image->height = side;
  image->channels = 1;
  image->pixels.assign(static_cast<std::size_t>(side) * side, 0.0f);
  for (int y = side / 4; y < 3 * side / 4; ++y)
    for (int x = side / 4; x < 3 * side / 4; ++x) image->pixels[static_cast<std::size_t>(y) * side + x] = 1.0f;
  return image;
}

TEST(ForwardX0Hat, DatasetImageGetsTheModelsPredictionBesideXt) {
  const TestModel model;
  Worker worker("cpu", 0);
  const auto image = grey_image(kSide);
  auto wait_frame = [&](std::uint64_t g) {
    EXPECT_TRUE(worker.wait_until_idle(30000ms));
    auto f = worker.latest();
    EXPECT_TRUE(f && f->generation == g);
    return f;
  };
  auto f = wait_frame(worker.submit(forward_job(image, model.path(), 300)));
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->a.x0_hat_pending);   // idle means the x0_hat has come too
  EXPECT_TRUE(f->a.x0_hat_note.empty()) << f->a.x0_hat_note;
  EXPECT_EQ(f->a.x0_hat.width, kSide);
  EXPECT_EQ(f->a.x0_hat.pixels.size(), static_cast<std::size_t>(kPixels));
  EXPECT_TRUE(std::all_of(f->a.x0_hat.pixels.begin(), f->a.x0_hat.pixels.end(),
                          [](float v) { return v >= 0.0f && v <= 1.0f; }));
  // At t = 0, x0_hat is the image itself.
  f = wait_frame(worker.submit(forward_job(image, model.path(), 0)));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->a.x0_hat.pixels, image->pixels);
  // An image of another size, and a missing model: a note, no prediction, no error.
  f = wait_frame(worker.submit(forward_job(grey_image(16), model.path(), 300)));
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->a.x0_hat.empty());
  EXPECT_NE(f->a.x0_hat_note.find("28×28"), std::string::npos) << f->a.x0_hat_note;
  f = wait_frame(worker.submit(forward_job(image, model.dir() + "/missing.ckpt", 300)));
  ASSERT_TRUE(f);
  EXPECT_TRUE(f->a.x0_hat.empty());
  EXPECT_NE(f->a.x0_hat_note.find("not found"), std::string::npos) << f->a.x0_hat_note;
  EXPECT_TRUE(worker.take_errors().empty());
}

// The worker publishes a forward job's points before the U-Net's x0_hat (defer_x0), then the
// same job again completes it from the caches; the deferred frame shows the last x0_hat of the
// same image, never one of another image.
TEST(ForwardX0Hat, DeferredPredictionShowsTheLastOneUntilComputed) {
  const TestModel model;
  ImageModelStore store("cpu");
  ForwardComputer computer("cpu", -1);
  computer.set_image_models(&store);
  const auto image = grey_image(kSide);

  const ForwardFrame first = computer.compute(forward_job(image, model.path(), 300), CancelToken(), true);
  EXPECT_TRUE(first.a.x0_hat_pending);
  EXPECT_TRUE(first.a.x0_hat.empty());            // nothing computed yet for this image
  EXPECT_FALSE(first.a.image.empty());            // x_t is there
  const ForwardFrame full300 = computer.compute(forward_job(image, model.path(), 300));
  EXPECT_FALSE(full300.a.x0_hat_pending);
  ASSERT_FALSE(full300.a.x0_hat.empty());
  EXPECT_EQ(full300.a.xt_xy, first.a.xt_xy);      // same points both times

  // Same t again: cached, so not pending even when deferring.
  const ForwardFrame again = computer.compute(forward_job(image, model.path(), 300), CancelToken(), true);
  EXPECT_FALSE(again.a.x0_hat_pending);
  EXPECT_EQ(again.a.x0_hat.pixels, full300.a.x0_hat.pixels);

  // Another t: pending, showing t = 300's until the full call, which differs from it.
  const ForwardFrame moved = computer.compute(forward_job(image, model.path(), 700), CancelToken(), true);
  EXPECT_TRUE(moved.a.x0_hat_pending);
  EXPECT_EQ(moved.a.x0_hat.pixels, full300.a.x0_hat.pixels);
  const ForwardFrame full700 = computer.compute(forward_job(image, model.path(), 700));
  EXPECT_FALSE(full700.a.x0_hat_pending);
  EXPECT_NE(full700.a.x0_hat.pixels, full300.a.x0_hat.pixels);

  // Another image: the old image's x0_hat is not shown for it.
  auto other = std::make_shared<Image>(*image);
  other->pixels[0] = 0.5f;
  const ForwardFrame other_frame = computer.compute(forward_job(other, model.path(), 700), CancelToken(), true);
  EXPECT_TRUE(other_frame.a.x0_hat_pending);
  EXPECT_TRUE(other_frame.a.x0_hat.empty());
}

}  // namespace
}  // namespace diffuscope::gui
