// The app worker's forward computations, checked against quantities computed here independently
// (alpha_bar from its definition, eps recovered from the frame itself), and the threaded Worker's
// protocol (frames arrive, errors are reported and the worker keeps serving, prompt shutdown).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "gui/compute/forward_compute.hpp"
#include "gui/protocol/worker.hpp"
#include "eventually.hpp"

namespace diffuscope::gui {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// alpha_bar_t of the linear schedule from its definition: beta_s = b1 + (bT - b1) (s - 1)/(T - 1).
double linear_alpha_bar(int t, int T, double b1 = 1e-4, double bT = 0.02) {
  double ab = 1.0;
  for (int s = 1; s <= t; ++s) ab *= 1.0 - (b1 + (bT - b1) * (s - 1) / (T - 1));
  return ab;
}

ForwardJob base_job(int t = 0) {
  ForwardJob job;  // linear 1e-4..0.02, T = 1000, moons, 5000 points, seed 7
  job.t = t;
  return job;
}

// eps recovered from x_t = sqrt(ab) x_0 + c eps.
std::vector<double> recover_eps(const std::vector<float>& xt, const std::vector<float>& x0,
                                double sqrt_ab, double c) {
  std::vector<double> eps(xt.size());
  for (std::size_t i = 0; i < xt.size(); ++i) eps[i] = (xt[i] - sqrt_ab * x0[i]) / c;
  return eps;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

void mean_var(const std::vector<double>& xy, int c, double& mean, double& var) {
  const std::size_t n = xy.size() / 2;
  mean = 0;
  for (std::size_t i = 0; i < n; ++i) mean += xy[2 * i + c];
  mean /= n;
  var = 0;
  for (std::size_t i = 0; i < n; ++i) var += (xy[2 * i + c] - mean) * (xy[2 * i + c] - mean);
  var /= n;
}

std::vector<double> to_double(const std::vector<float>& v) { return {v.begin(), v.end()}; }

std::shared_ptr<const Image> test_image(int w, int h, int channels) {
  auto im = std::make_shared<Image>();
  im->width = w;
  im->height = h;
  im->channels = channels;
  for (int i = 0; i < w * h * channels; ++i) im->pixels.push_back(float((i * 37) % 101) / 100.0f);
  return im;
}

class ForwardComputeTest : public ::testing::Test {
 protected:
  ForwardComputer computer{"cpu", 0};
};

TEST_F(ForwardComputeTest, ClosedFormAtZeroIsTheData) {
  const ForwardFrame f = computer.compute(base_job(0));
  ASSERT_EQ(f.x0_xy.size(), 2u * 5000);
  ASSERT_EQ(f.labels.size(), 5000u);
  EXPECT_EQ(f.a.t, 0);
  EXPECT_EQ(forward_T(f.a), 1000);
  EXPECT_EQ(f.a.xt_xy, f.x0_xy);
  EXPECT_DOUBLE_EQ(forward_alpha_bar(f, f.a), 1.0);
  EXPECT_EQ(f.device_name, "cpu");
  EXPECT_FALSE(f.compare);
  EXPECT_TRUE(f.b.xt_xy.empty());
}

TEST_F(ForwardComputeTest, ClosedFormUsesOneFixedEpsAndTheRightAlphaBar) {
  const ForwardFrame fT = computer.compute(base_job(1000));
  const ForwardFrame f300 = computer.compute(base_job(300));
  const ForwardFrame f700 = computer.compute(base_job(700));
  EXPECT_EQ(fT.x0_xy, f300.x0_xy);
  EXPECT_EQ(fT.x0_revision, f300.x0_revision);
  for (int t : {300, 700, 1000}) {
    const ForwardFrame& f = t == 300 ? f300 : (t == 700 ? f700 : fT);
    EXPECT_NEAR(forward_alpha_bar(f, f.a), linear_alpha_bar(t, 1000), 1e-12) << "t = " << t;
    EXPECT_NEAR(forward_noise_std(f, f.a), std::sqrt(1 - linear_alpha_bar(t, 1000)), 1e-12);
  }
  // Recover eps at each t with the independently computed alpha_bar: the same eps every time
  // (float32 arithmetic: 1e-4 tolerance).
  auto eps_at = [&](const ForwardFrame& f, int t) {
    const double ab = linear_alpha_bar(t, 1000);
    return recover_eps(f.a.xt_xy, f.x0_xy, std::sqrt(ab), std::sqrt(1 - ab));
  };
  const auto e300 = eps_at(f300, 300), e700 = eps_at(f700, 700), eT = eps_at(fT, 1000);
  EXPECT_LT(max_abs_diff(e300, eT), 1e-4);
  EXPECT_LT(max_abs_diff(e700, eT), 1e-4);
  // eps is standard normal: 5,000 draws per coordinate, standard errors 0.014 (mean) and
  // 0.02 (variance); tolerances are about 4 standard errors.
  for (int c = 0; c < 2; ++c) {
    double m, v;
    mean_var(eT, c, m, v);
    EXPECT_NEAR(m, 0.0, 0.06);
    EXPECT_NEAR(v, 1.0, 0.08);
  }
}

TEST_F(ForwardComputeTest, ClosedFormAtTIsNearlyStandardNormalAndMomentsMatch) {
  const ForwardFrame f = computer.compute(base_job(1000));
  for (int c = 0; c < 2; ++c) {
    double m, v;
    mean_var(to_double(f.a.xt_xy), c, m, v);
    EXPECT_NEAR(m, 0.0, 0.06);
    EXPECT_NEAR(v, 1.0, 0.08);
    EXPECT_NEAR(f.a.moments.sample_mean[c], m, 1e-9);
    EXPECT_NEAR(f.a.moments.sample_variance[c], v, 1e-9);
    // Predicted from the sample's own x_0 moments.
    double m0, v0;
    mean_var(to_double(f.x0_xy), c, m0, v0);
    const double ab = linear_alpha_bar(1000, 1000);
    EXPECT_NEAR(f.x0_mean[c], m0, 1e-9);
    EXPECT_NEAR(f.x0_variance[c], v0, 1e-9);
    EXPECT_NEAR(f.a.moments.predicted_mean[c], std::sqrt(ab) * m0, 1e-9);
    EXPECT_NEAR(f.a.moments.predicted_variance[c], ab * v0 + 1 - ab, 1e-9);
  }
}

TEST_F(ForwardComputeTest, CompareSharesDataAndNoise) {
  ForwardJob job = base_job(400);
  job.compare = true;
  job.schedule_b = job.schedule_a;
  ForwardFrame same = computer.compute(job);
  EXPECT_TRUE(same.compare);
  EXPECT_EQ(same.a.xt_xy, same.b.xt_xy);

  diffusion::ScheduleParams b;
  b.kind = diffusion::ScheduleKind::Cosine;
  b.T = 500;
  job.schedule_b = share_schedule(b);
  job.t = 800;  // beyond B's T: clamped to 500 for B
  const ForwardFrame diff = computer.compute(job);
  EXPECT_EQ(diff.a.t, 800);
  EXPECT_EQ(diff.b.t, 500);
  EXPECT_EQ(forward_T(diff.b), 500);
  EXPECT_NE(diff.a.xt_xy, diff.b.xt_xy);
  // Common random numbers: both sides recover the same eps.
  const auto ea = recover_eps(diff.a.xt_xy, diff.x0_xy, std::sqrt(forward_alpha_bar(diff, diff.a)), forward_noise_std(diff, diff.a));
  const auto eb = recover_eps(diff.b.xt_xy, diff.x0_xy, std::sqrt(forward_alpha_bar(diff, diff.b)), forward_noise_std(diff, diff.b));
  EXPECT_LT(max_abs_diff(ea, eb), 1e-4);
}

TEST_F(ForwardComputeTest, MarkovMomentsMatchPredictions) {
  ForwardJob job = base_job();
  job.process = ForwardProcess::Markov;
  for (int t : {100, 400, 1000}) {
    job.t = t;
    const ForwardFrame f = computer.compute(job);
    ASSERT_EQ(f.a.t, t);
    const double ab = linear_alpha_bar(t, 1000);
    for (int c = 0; c < 2; ++c) {
      double m0, v0, m, v;
      mean_var(to_double(f.x0_xy), c, m0, v0);
      mean_var(to_double(f.a.xt_xy), c, m, v);
      const double pred_var = ab * v0 + 1 - ab;
      // Given x_0, x_t's noise part is N(0, 1 - ab): standard error of the mean
      // sqrt((1 - ab)/N); of the variance about sqrt(2/N)(1 - ab) plus the cross term
      // 2 sqrt(ab (1 - ab) v0 / N). Tolerances: 5 standard errors.
      const double n = 5000;
      EXPECT_NEAR(m, std::sqrt(ab) * m0, 5 * std::sqrt((1 - ab) / n)) << "t = " << t;
      EXPECT_NEAR(v, pred_var,
                  5 * (std::sqrt(2 / n) * (1 - ab) + 2 * std::sqrt(ab * (1 - ab) * v0 / n)))
          << "t = " << t;
      EXPECT_NEAR(f.a.moments.predicted_variance[c], pred_var, 1e-9);
    }
  }
}

TEST_F(ForwardComputeTest, MarkovDiffersFromClosedFormButStartsAtData) {
  ForwardJob job = base_job(0);
  job.process = ForwardProcess::Markov;
  EXPECT_EQ(computer.compute(job).a.xt_xy, computer.compute(job).x0_xy);
  job.t = 500;
  const ForwardFrame markov = computer.compute(job);
  job.process = ForwardProcess::ClosedForm;
  const ForwardFrame closed = computer.compute(job);
  EXPECT_NE(markov.a.xt_xy, closed.a.xt_xy);
}

TEST_F(ForwardComputeTest, MarkovScrubbingBackIsCachedAndIdentical) {
  ForwardJob job = base_job();
  job.process = ForwardProcess::Markov;
  job.t = 600;
  const ForwardFrame first = computer.compute(job);
  const long long steps = computer.markov_steps_taken();
  EXPECT_EQ(steps, 600);
  job.t = 300;
  const ForwardFrame back = computer.compute(job);
  job.t = 600;
  const ForwardFrame again = computer.compute(job);
  EXPECT_EQ(again.a.xt_xy, first.a.xt_xy);
  EXPECT_EQ(computer.markov_steps_taken(), steps);  // no recomputation at all
  // Playing forward one step costs one step.
  job.t = 601;
  computer.compute(job);
  EXPECT_EQ(computer.markov_steps_taken(), steps + 1);
  EXPECT_EQ(back.a.t, 300);
  EXPECT_NE(back.a.xt_xy, first.a.xt_xy);
  job.t = 300;
  EXPECT_EQ(computer.compute(job).a.xt_xy, back.a.xt_xy);
  EXPECT_EQ(computer.markov_steps_taken(), steps + 1);
}

TEST_F(ForwardComputeTest, MarkovCheckpointsGiveIdenticalStates) {
  // A tiny cache budget forces checkpoints every few steps; states must not change.
  ForwardComputer fresh("cpu", 0);
  fresh.set_markov_cache_bytes(5000 * 2 * sizeof(float) * 101);  // ~ T/10 states: stride 10
  ForwardJob job = base_job();
  job.process = ForwardProcess::Markov;
  job.t = 437;
  const ForwardFrame forward = fresh.compute(job);
  job.t = 999;
  fresh.compute(job);
  const long long steps = fresh.markov_steps_taken();
  EXPECT_EQ(steps, 999);
  job.t = 437;
  const ForwardFrame back = fresh.compute(job);
  EXPECT_EQ(back.a.xt_xy, forward.a.xt_xy);
  EXPECT_LE(fresh.markov_steps_taken() - steps, 9);  // from the checkpoint at 430
  // The fully cached computer gives the same state.
  const ForwardFrame cached = computer.compute(job);
  EXPECT_EQ(cached.a.xt_xy, forward.a.xt_xy);
}

TEST_F(ForwardComputeTest, MarkovCompareUsesCommonStepNoise) {
  ForwardJob job = base_job(250);
  job.process = ForwardProcess::Markov;
  job.compare = true;
  job.schedule_b = job.schedule_a;
  const ForwardFrame f = computer.compute(job);
  EXPECT_EQ(f.a.xt_xy, f.b.xt_xy);
}

TEST_F(ForwardComputeTest, MarkovStepRuleHolds) {
  // x_t - sqrt(alpha_t) x_{t-1} = sqrt(beta_t) eps_t with eps_t ~ N(0, 1) independent of x_{t-1}.
  ForwardJob job = base_job();
  job.process = ForwardProcess::Markov;
  job.t = 9;
  const auto x9 = to_double(computer.compute(job).a.xt_xy);
  job.t = 10;
  const auto x10 = to_double(computer.compute(job).a.xt_xy);
  const double beta10 = 1e-4 + (0.02 - 1e-4) * 9 / 999;
  std::vector<double> eps(x10.size());
  for (std::size_t i = 0; i < eps.size(); ++i)
    eps[i] = (x10[i] - std::sqrt(1 - beta10) * x9[i]) / std::sqrt(beta10);
  for (int c = 0; c < 2; ++c) {
    double m, v;
    mean_var(eps, c, m, v);
    // 5,000 draws per coordinate: tolerances about 4 standard errors (float32 rounding of x,
    // ~1e-7, divided by sqrt(beta) ~ 0.02, is negligible).
    EXPECT_NEAR(m, 0.0, 0.06);
    EXPECT_NEAR(v, 1.0, 0.08);
  }
}

TEST_F(ForwardComputeTest, MarkovCancellationKeepsProgress) {
  // A token that is already stale: the job stops at once, nothing is lost.
  std::atomic<std::uint64_t> newest{2};
  std::atomic<bool> shutdown{false};
  const CancelToken stale(&newest, &shutdown, 1);
  ForwardJob job = base_job(800);
  job.process = ForwardProcess::Markov;
  EXPECT_THROW(computer.compute(job, stale), JobCancelled);
  EXPECT_EQ(computer.markov_steps_taken(), 0);
  const ForwardFrame f = computer.compute(job);
  EXPECT_EQ(computer.markov_steps_taken(), 800);
  EXPECT_EQ(f.a.t, 800);
}

TEST_F(ForwardComputeTest, NaiveVarianceExplodes) {
  ForwardJob job = base_job(1000);
  job.process = ForwardProcess::Naive;
  job.naive_beta = 0.02;
  const ForwardFrame f = computer.compute(job);
  EXPECT_DOUBLE_EQ(forward_alpha_bar(f, f.a), 1.0);
  EXPECT_NEAR(forward_noise_std(f, f.a), std::sqrt(1000 * 0.02), 1e-12);
  const auto eps = recover_eps(f.a.xt_xy, f.x0_xy, 1.0, std::sqrt(20.0));
  job.process = ForwardProcess::ClosedForm;
  const ForwardFrame closed = computer.compute(job);
  const double ab = linear_alpha_bar(1000, 1000);
  const auto eps_closed = recover_eps(closed.a.xt_xy, closed.x0_xy, std::sqrt(ab), std::sqrt(1 - ab));
  EXPECT_LT(max_abs_diff(eps, eps_closed), 1e-3);  // same eps for all processes' points
  for (int c = 0; c < 2; ++c) {
    EXPECT_NEAR(f.a.moments.predicted_mean[c], f.x0_mean[c], 1e-12);
    EXPECT_NEAR(f.a.moments.predicted_variance[c], f.x0_variance[c] + 20.0, 1e-9);
    // Variance 21: standard error of the sample variance sqrt(2/N) 21 = 0.42.
    EXPECT_NEAR(f.a.moments.sample_variance[c], f.x0_variance[c] + 20.0, 2.0);
  }
}

TEST_F(ForwardComputeTest, ImagesAndStrip) {
  ForwardJob job = base_job(0);
  job.image = test_image(28, 28, 1);
  const ForwardFrame f0 = computer.compute(job);
  ASSERT_EQ(f0.a.image.width, 28);
  ASSERT_EQ(f0.a.image.height, 28);
  ASSERT_EQ(f0.a.image.channels, 1);
  for (std::size_t i = 0; i < f0.a.image.pixels.size(); ++i)
    ASSERT_NEAR(f0.a.image.pixels[i], job.image->pixels[i], 1e-6f);
  ASSERT_NE(f0.eps_image, nullptr);
  EXPECT_EQ(f0.eps_image->width, 28);
  ASSERT_NE(f0.a.strip, nullptr);
  ASSERT_EQ(f0.a.strip->size(), 8u);
  EXPECT_EQ(f0.a.strip_t, (std::vector<int>{0, 143, 286, 429, 571, 714, 857, 1000}));
  EXPECT_EQ((*f0.a.strip)[0].pixels, f0.a.image.pixels);

  // At t = 500 the displayed pixel is clamp((sqrt(ab) (2p - 1) + sqrt(1 - ab) eps + 1) / 2),
  // with eps read back from the eps image where it was not clamped.
  job.t = 500;
  const ForwardFrame f500 = computer.compute(job);
  EXPECT_EQ(f500.a.strip, f0.a.strip);  // cached: same pointer
  EXPECT_EQ(f500.image_revision, f0.image_revision);
  const double ab = linear_alpha_bar(500, 1000);
  int checked = 0;
  for (std::size_t i = 0; i < f500.a.image.pixels.size(); ++i) {
    const double e_disp = f0.eps_image->pixels[i];
    if (e_disp <= 0.0 || e_disp >= 1.0) continue;
    const double eps = 2 * e_disp - 1;
    const double x = std::sqrt(ab) * (2 * job.image->pixels[i] - 1) + std::sqrt(1 - ab) * eps;
    const double shown = std::clamp((x + 1) / 2, 0.0, 1.0);
    ASSERT_NEAR(f500.a.image.pixels[i], shown, 1e-5) << "pixel " << i;
    ++checked;
  }
  EXPECT_GT(checked, 28 * 28 / 2);

  // Markov shows the image in closed form (same marginal): the strip is shared, not rebuilt.
  job.process = ForwardProcess::Markov;
  const ForwardFrame markov = computer.compute(job);
  EXPECT_EQ(markov.a.strip, f0.a.strip);
  EXPECT_EQ(markov.a.image.pixels, f500.a.image.pixels);
  // Naive: a different strip (variance exploding), so a new revision.
  job.process = ForwardProcess::Naive;
  const ForwardFrame naive = computer.compute(job);
  EXPECT_NE(naive.a.strip, f0.a.strip);
  EXPECT_NE(naive.image_revision, f0.image_revision);
  job.process = ForwardProcess::ClosedForm;

  // A new image: new strip, new revision.
  job.image = test_image(30, 20, 3);
  const ForwardFrame colour = computer.compute(job);
  EXPECT_NE(colour.image_revision, f0.image_revision);
  EXPECT_EQ(colour.a.image.channels, 3);
  EXPECT_EQ(colour.a.image.width, 30);
  EXPECT_EQ(colour.a.strip->front().channels, 3);

  // No image: no image work.
  job.image = nullptr;
  const ForwardFrame none = computer.compute(job);
  EXPECT_TRUE(none.a.image.empty());
  EXPECT_EQ(none.a.strip, nullptr);
  EXPECT_EQ(none.eps_image, nullptr);
}

TEST_F(ForwardComputeTest, BadParametersThrowNamingThem) {
  ForwardJob job = base_job(10);
  job.schedule_a = nullptr;   // the UI always sends its last good schedule; never rebuilt here
  try {
    computer.compute(job);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("schedule A"), std::string::npos) << what;
  }
  job = base_job(10);
  job.compare = true;
  job.schedule_b = nullptr;
  EXPECT_THROW(computer.compute(job), std::invalid_argument);
  job = base_job(10);
  job.n_points = 0;
  EXPECT_THROW(computer.compute(job), std::invalid_argument);
  job = base_job(10);
  job.process = ForwardProcess::Naive;
  job.naive_beta = std::nan("");
  EXPECT_THROW(computer.compute(job), std::invalid_argument);
  auto broken = std::make_shared<Image>(*test_image(4, 4, 1));
  broken->pixels.pop_back();
  job = base_job(10);
  job.image = broken;
  EXPECT_THROW(computer.compute(job), std::invalid_argument);
  // And it still works afterwards.
  EXPECT_EQ(computer.compute(base_job(0)).a.xt_xy.size(), 10000u);
}

// Median and 95th percentile of closed-form jobs in which only t moves (caches warm).
std::pair<double, double> closed_form_timing(ForwardComputer& computer, ForwardJob job) {
  computer.compute(job);  // warm caches
  std::vector<double> ms;
  for (int t = 1; t <= 200; ++t) {
    job.t = t * 5;
    const auto start = Clock::now();
    computer.compute(job);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[ms.size() * 95 / 100]};
}

TEST_F(ForwardComputeTest, Timings) {
  ForwardJob job = base_job(0);
  job.image = test_image(28, 28, 1);
  const auto [small_median, small_p95] = closed_form_timing(computer, job);
  job.image = test_image(256, 256, 3);
  job.compare = true;
  diffusion::ScheduleParams cosine;
  cosine.kind = diffusion::ScheduleKind::Cosine;
  job.schedule_b = share_schedule(cosine);
  const auto [big_median, big_p95] = closed_form_timing(computer, job);

  ForwardJob markov = base_job(1000);
  markov.process = ForwardProcess::Markov;
  auto start = Clock::now();
  computer.compute(markov);
  const double markov_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  diffusion::ScheduleParams moved;
  moved.beta_end = 0.03;
  markov.schedule_a = share_schedule(moved);  // a slider moved: the chain restarts in reused memory
  start = Clock::now();
  computer.compute(markov);
  const double restart_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();

  std::printf(
      "[ timing ] closed form, 5000 points + 28x28 image: median %.2f ms, p95 %.2f ms\n"
      "[ timing ] closed form A+B, 5000 points + 256x256x3 image: median %.2f ms, p95 %.2f ms\n"
      "[ timing ] Markov 0 -> 1000 on 5000 points, first chain: %.1f ms; restarted chain: %.1f ms\n",
      small_median, small_p95, big_median, big_p95, markov_ms, restart_ms);
  RecordProperty("closed_form_28_median_ms", std::to_string(small_median));
  RecordProperty("closed_form_256_ab_median_ms", std::to_string(big_median));
  RecordProperty("markov_1000_ms", std::to_string(markov_ms));
  // Generous bounds for a shared 2-core machine; they catch gross regressions (e.g. rebuilding
  // the data, the noise or the strips in every job).
  EXPECT_LT(small_median, 5.0);
  EXPECT_LT(big_median, 30.0);
  EXPECT_LT(markov_ms, 5000.0);
}

// ---- The threaded worker ----

using diffuscope::gui::test_support::eventually;

TEST(Worker, FrameArrivesForSubmittedJob) {
  Worker worker("cpu", 0);
  EXPECT_EQ(worker.latest(), nullptr);
  ForwardJob job = base_job(1000);
  job.image = test_image(28, 28, 1);
  const std::uint64_t g = worker.submit(job);
  ASSERT_TRUE(eventually([&] { return worker.latest() != nullptr; }, 30000ms));
  const auto frame = worker.latest();
  EXPECT_EQ(frame->generation, g);
  EXPECT_EQ(frame->a.t, 1000);
  EXPECT_EQ(frame->a.xt_xy.size(), 10000u);
  EXPECT_EQ(frame->a.strip->size(), 8u);
  EXPECT_EQ(frame->device_name, "cpu");
  EXPECT_EQ(worker.device_name(), "cpu");
  EXPECT_TRUE(worker.take_errors().empty());
}

TEST(Worker, LatestJobWinsWhileScrubbing) {
  Worker worker("cpu", 0);
  ForwardJob job = base_job();
  job.process = ForwardProcess::Markov;
  std::uint64_t last = 0;
  for (int t = 0; t <= 1000; t += 10) {
    job.t = t;
    last = worker.submit(job);
  }
  ASSERT_TRUE(worker.wait_until_idle(30000ms));
  const auto frame = worker.latest();
  ASSERT_NE(frame, nullptr);
  EXPECT_EQ(frame->generation, last);
  EXPECT_EQ(frame->a.t, 1000);
  EXPECT_TRUE(worker.take_errors().empty());
}

TEST(Worker, MissingScheduleIsReportedAndWorkerKeepsServing) {
  Worker worker("cpu", 0);
  ForwardJob bad = base_job(10);
  bad.schedule_a = nullptr;
  worker.submit(bad);
  ASSERT_TRUE(worker.wait_until_idle(30000ms));
  const auto errors = worker.take_errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("schedule A"), std::string::npos) << errors[0];
  EXPECT_EQ(worker.latest(), nullptr);
  const std::uint64_t g = worker.submit(base_job(10));
  ASSERT_TRUE(worker.wait_until_idle(30000ms));
  ASSERT_NE(worker.latest(), nullptr);
  EXPECT_EQ(worker.latest()->generation, g);
  EXPECT_TRUE(worker.take_errors().empty());
}

TEST(Worker, UnknownDeviceFallsBackToCpuWithAMessage) {
  Worker worker("tpu", 0);
  worker.submit(base_job(5));
  ASSERT_TRUE(worker.wait_until_idle(30000ms));
  const auto errors = worker.take_errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("tpu"), std::string::npos) << errors[0];
  ASSERT_NE(worker.latest(), nullptr);
  EXPECT_EQ(worker.latest()->device_name, "cpu");
}

TEST(Worker, DestructionWhileBusyIsPrompt) {
  auto worker = std::make_unique<Worker>("cpu", 0);
  ForwardJob job = base_job(4000);
  diffusion::ScheduleParams long_chain;
  long_chain.T = 4000;
  job.schedule_a = share_schedule(long_chain);
  job.n_points = 200000;  // 4,000 Markov steps on 200,000 points: many seconds
  job.process = ForwardProcess::Markov;
  worker->submit(job);
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(worker->busy());
  const auto start = Clock::now();
  worker.reset();
  EXPECT_LT(Clock::now() - start, 1000ms);
}

}  // namespace
}  // namespace diffuscope::gui
