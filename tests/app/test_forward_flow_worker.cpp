// The forward worker's flow-matching side (ForwardJob::b_flow): side B is x_τ = (1 − τ)x_0 + τε
// with τ = t / T_B on A's ε, checked against ε recovered from side A with ᾱ_t computed here from the
// linear schedule's definition; its predicted moments against x_0's moments computed here; and the
// image path against the frame's own ε image.
#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "diffusion/schedule.hpp"
#include "gui/compute/forward_compute.hpp"

namespace diffuscope::gui {
namespace {

// ᾱ_t of the default linear schedule (1e-4 .. 0.02) from β_s = b1 + (bT − b1)(s − 1)/(T − 1).
double linear_alpha_bar_here(int t, int T) {
  double ab = 1.0;
  for (int s = 1; s <= t; ++s) ab *= 1.0 - (1e-4 + (0.02 - 1e-4) * (s - 1) / (T - 1));
  return ab;
}

ForwardJob flow_job(int t, int T_b = 1000) {
  ForwardJob job;   // A: linear, T = 1000; moons, 5000 points, seed 7
  job.compare = true;
  job.b_flow = true;
  diffusion::ScheduleParams b;
  b.kind = diffusion::ScheduleKind::Cosine;   // B's family must play no part in the flow path
  b.T = T_b;
  job.schedule_b = std::make_shared<const diffusion::Schedule>(b);
  job.t = t;
  return job;
}

TEST(ForwardFlowWorker, SideBIsTheLinearPathOnAsEpsPointByPoint) {
  ForwardComputer computer("cpu", 1);
  for (int t : {1, 250, 500, 999}) {
    const ForwardFrame frame = computer.compute(flow_job(t));
    ASSERT_TRUE(frame.b.flow);
    ASSERT_FALSE(frame.a.flow);
    ASSERT_EQ(frame.b.t, t);
    ASSERT_EQ(frame.b.xt_xy.size(), frame.x0_xy.size());
    const double ab = linear_alpha_bar_here(t, 1000);
    const double tau = t / 1000.0;
    double worst = 0.0;
    for (std::size_t i = 0; i < frame.x0_xy.size(); ++i) {
      // A's ε of this coordinate, from A's x_t and x_0.
      const double eps = (frame.a.xt_xy[i] - std::sqrt(ab) * frame.x0_xy[i]) / std::sqrt(1.0 - ab);
      const double expected = (1.0 - tau) * frame.x0_xy[i] + tau * eps;
      worst = std::max(worst, std::abs(frame.b.xt_xy[i] - expected));
    }
    // Float x_t, and ε recovered through 1/√(1 − ᾱ_t) (≤ 1/0.01 at t = 1).
    EXPECT_LT(worst, t == 1 ? 2e-3 : 2e-5) << "t = " << t;
  }
}

TEST(ForwardFlowWorker, EndpointsAreTheDataAndTheNoise) {
  ForwardComputer computer("cpu", 1);
  const ForwardFrame at0 = computer.compute(flow_job(0));
  for (std::size_t i = 0; i < at0.x0_xy.size(); ++i) ASSERT_FLOAT_EQ(at0.b.xt_xy[i], at0.x0_xy[i]);
  // At t = T both sides are (almost) ε: A = √ᾱ_T x_0 + √(1 − ᾱ_T) ε with ᾱ_T ≈ 4e-5.
  const ForwardFrame atT = computer.compute(flow_job(1000));
  const double ab = linear_alpha_bar_here(1000, 1000);
  for (std::size_t i = 0; i < atT.x0_xy.size(); ++i) {
    const double eps = (atT.a.xt_xy[i] - std::sqrt(ab) * atT.x0_xy[i]) / std::sqrt(1.0 - ab);
    ASSERT_NEAR(atT.b.xt_xy[i], eps, 1e-5);
  }
}

TEST(ForwardFlowWorker, TauUsesBsOwnTAndTheCursorIsClampedToIt) {
  ForwardComputer computer("cpu", 1);
  const ForwardFrame frame = computer.compute(flow_job(100, 400));   // τ = 100 / 400
  const ForwardFrame beyond = computer.compute(flow_job(700, 400));  // clamped: τ = 1
  EXPECT_EQ(beyond.b.t, 400);
  const double ab = linear_alpha_bar_here(100, 1000);
  for (std::size_t i = 0; i < frame.x0_xy.size(); i += 97) {
    const double eps = (frame.a.xt_xy[i] - std::sqrt(ab) * frame.x0_xy[i]) / std::sqrt(1.0 - ab);
    EXPECT_NEAR(frame.b.xt_xy[i], 0.75 * frame.x0_xy[i] + 0.25 * eps, 2e-5);
    EXPECT_NEAR(beyond.b.xt_xy[i], eps, 1e-4);
  }
  EXPECT_DOUBLE_EQ(forward_alpha_bar(frame, frame.b), 0.75 * 0.75);
  EXPECT_DOUBLE_EQ(forward_noise_std(frame, frame.b), 0.25);
  EXPECT_NEAR(forward_alpha_bar(frame, frame.a), ab, 1e-9);   // A untouched
}

TEST(ForwardFlowWorker, MomentsPredictedFromX0AndMatchedBySample) {
  ForwardComputer computer("cpu", 1);
  for (int t : {250, 500, 750}) {
    const ForwardFrame frame = computer.compute(flow_job(t));
    const double tau = t / 1000.0;
    const std::size_t n = frame.x0_xy.size() / 2;
    for (int c = 0; c < 2; ++c) {
      double mean = 0, var = 0;
      for (std::size_t i = 0; i < n; ++i) mean += frame.x0_xy[2 * i + c];
      mean /= n;
      for (std::size_t i = 0; i < n; ++i) var += std::pow(frame.x0_xy[2 * i + c] - mean, 2);
      var /= n;
      const Moments2D& m = frame.b.moments;
      EXPECT_NEAR(m.predicted_mean[c], (1.0 - tau) * mean, 1e-9);
      EXPECT_NEAR(m.predicted_variance[c], (1.0 - tau) * (1.0 - tau) * var + tau * tau, 1e-9);
      // 5000 points: the sample mean is within ~4 standard errors (τ/√5000 ≤ 0.011) of the
      // prediction; the sample variance within 8% (its standard error is ~2%, plus the sample
      // covariance of x_0 and ε).
      EXPECT_NEAR(m.sample_mean[c], m.predicted_mean[c], 0.045) << "t = " << t << ", c = " << c;
      EXPECT_NEAR(m.sample_variance[c], m.predicted_variance[c], 0.08 * m.predicted_variance[c])
          << "t = " << t << ", c = " << c;
    }
  }
}

TEST(ForwardFlowWorker, ImageFollowsThePathOnTheImagesEps) {
  auto image = std::make_shared<Image>();
  image->width = 8;
  image->height = 8;
  image->channels = 1;
  for (int i = 0; i < 64; ++i) image->pixels.push_back(static_cast<float>(i) / 63.0f);
  ForwardComputer computer("cpu", 1);
  ForwardJob job = flow_job(300);
  job.image = image;
  job.strip_count = 3;
  const ForwardFrame frame = computer.compute(job);
  ASSERT_TRUE(frame.eps_image);
  ASSERT_EQ(frame.b.image.pixels.size(), 64u);
  int checked = 0;
  for (int i = 0; i < 64; ++i) {
    const float shown_eps = frame.eps_image->pixels[i];
    if (!(shown_eps > 0.0f && shown_eps < 1.0f)) continue;   // clamped for display: ε unknown
    const double eps = 2.0 * shown_eps - 1.0;
    const double x0 = 2.0 * image->pixels[i] - 1.0;
    const double xt = 0.7 * x0 + 0.3 * eps;
    EXPECT_NEAR(frame.b.image.pixels[i], std::clamp((xt + 1.0) / 2.0, 0.0, 1.0), 1e-5) << i;
    ++checked;
  }
  EXPECT_GT(checked, 20);
  // The strip's last image is x_τ at τ = 1: the ε image itself.
  ASSERT_TRUE(frame.b.strip);
  ASSERT_EQ(frame.b.strip->size(), 3u);
  for (int i = 0; i < 64; ++i) EXPECT_NEAR(frame.b.strip->back().pixels[i], frame.eps_image->pixels[i], 1e-6);
}

TEST(ForwardFlowWorker, RejectsTheFlowPathOutsideTheClosedForm) {
  ForwardComputer computer("cpu", 1);
  for (ForwardProcess process : {ForwardProcess::Markov, ForwardProcess::Naive}) {
    ForwardJob job = flow_job(100);
    job.process = process;
    try {
      computer.compute(job);
      ADD_FAILURE() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("b_flow"), std::string::npos) << e.what();
    }
  }
  // Switching the flag off again gives B's own schedule (cosine) back.
  ForwardJob job = flow_job(250);
  job.b_flow = false;
  const ForwardFrame frame = computer.compute(job);
  EXPECT_FALSE(frame.b.flow);
  EXPECT_NEAR(forward_alpha_bar(frame, frame.b), frame.b.schedule->alpha_bar(250), 1e-12);
}

}  // namespace
}  // namespace diffuscope::gui
