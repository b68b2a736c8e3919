// Flow matching (flow_matching.hpp): the linear path and its velocity, the exact velocity field
// against closed forms (one training point; a Gaussian data distribution), Euler and Heun on it
// (transport to the point, orders of convergence), flow training lowering its loss, and
// checkpoints refusing to be loaded as the other process family.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "diffusion/checkpoint.hpp"
#include "diffusion/flow_matching.hpp"
#include "diffusion/point_training.hpp"

using namespace diffusion;

namespace {

torch::Tensor flow_test_normal(std::vector<int64_t> sizes, std::uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  return torch::randn(sizes, generator, torch::TensorOptions().dtype(torch::kFloat64));
}

// Data N(mu, s^2 I) in 2D. On the path x = (1 - tau) x0 + tau eps the pair (x0, x) is jointly
// Gaussian: x ~ N(m, S^2 I) with m = (1 - tau) mu, S^2 = (1 - tau)^2 s^2 + tau^2, and
// E[eps | x] = tau / S^2 (x - m), E[x0 | x] = mu + (1 - tau) s^2 / S^2 (x - m), so the marginal
// velocity E[eps - x0 | x] = -mu + (tau - (1 - tau) s^2) / S^2 (x - m): affine in x.
struct FlowTestGaussian {
  double mu_x = 0.7, mu_y = -0.4, s = 0.5;
  torch::Tensor mu() const { return torch::tensor({mu_x, mu_y}, torch::kFloat64); }
  torch::Tensor velocity(const torch::Tensor& x, double tau) const {
    const double S2 = (1 - tau) * (1 - tau) * s * s + tau * tau;
    return -mu() + (tau - (1 - tau) * s * s) / S2 * (x - (1 - tau) * mu());
  }
  // The ODE keeps x - m(tau) proportional to S(tau) (the field is that ratio's derivative), so the
  // flow maps x_1 (S(1) = 1) to x_0 = mu + s x_1.
  torch::Tensor transported(const torch::Tensor& x1) const { return mu() + s * x1; }
};

double flow_test_max_abs(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

PointTrainingConfig flow_test_training(int steps) {
  PointTrainingConfig config;
  config.dataset = Dataset2DKind::Moons;
  config.batch_size = 256;
  config.planned_steps = steps;
  config.seed = 3;
  config.data_pool = 20000;
  config.process = ProcessFamily::Flow;
  return config;
}

PointModelConfig flow_test_small_model() { return PointModelConfig{6, 8, 32, 2}; }

}  // namespace

TEST(FlowPath, SampleVelocityAndLogSnr) {
  const auto x0 = flow_test_normal({5, 2}, 1);
  const auto eps = flow_test_normal({5, 2}, 2);
  for (const double tau : {0.0, 0.25, 0.8, 1.0}) {
    const auto x = flow_path_sample(x0, eps, tau);
    for (int i = 0; i < 5; ++i)
      for (int d = 0; d < 2; ++d)
        EXPECT_NEAR(x[i][d].item<double>(),
                    (1 - tau) * x0[i][d].item<double>() + tau * eps[i][d].item<double>(), 1e-15);
  }
  // The target velocity is the path's derivative in tau (central difference; the path is linear).
  const double h = 1e-3;
  const auto derivative = (flow_path_sample(x0, eps, 0.5 + h) - flow_path_sample(x0, eps, 0.5 - h)) / (2 * h);
  EXPECT_LT(flow_test_max_abs(derivative, flow_target_velocity(x0, eps)), 1e-10);
  // A tensor tau broadcasts row by row.
  const auto tau = torch::tensor({0.1, 0.2, 0.3, 0.4, 0.5}, torch::kFloat64).unsqueeze(1);
  EXPECT_LT(flow_test_max_abs(flow_path_sample(x0, eps, tau)[3], flow_path_sample(x0, eps, 0.4)[3]), 1e-15);
  EXPECT_THROW(flow_path_sample(x0, eps, 1.5), std::invalid_argument);
  // lambda = log SNR of the path: log((1 - tau)^2 / tau^2).
  for (const double t : {1e-4, 0.1, 0.5, 0.9, 0.999})
    EXPECT_NEAR(flow_log_snr(t), std::log((1 - t) * (1 - t) / (t * t)), 1e-12) << t;
  EXPECT_EQ(flow_log_snr(0.0), INFINITY);
  EXPECT_EQ(flow_log_snr(1.0), -INFINITY);
  EXPECT_THROW(flow_log_snr(NAN), std::domain_error);
}

TEST(FlowExactVelocity, OnePointIsTheStraightLineToIt) {
  // With one training point the posterior is certain: v*(x, tau) = (x - x0) / tau.
  const auto point = torch::tensor({{0.3, -1.2}}, torch::kFloat64);
  const ExactVelocity exact(point);
  const auto x = flow_test_normal({50, 2}, 3) * 2.0;
  for (const double tau : {1.0, 0.7, 0.1, 1e-3, kMinExactFlowTau}) {
    const auto expected = (x - point) / tau;
    EXPECT_LT(flow_test_max_abs(exact.velocity(x, tau), expected), 1e-9 * (1 + 1 / tau)) << tau;
  }
  EXPECT_THROW(exact.velocity(x, 0.0), std::invalid_argument);
  EXPECT_THROW(exact.velocity(x, 1.0 + 1e-9), std::invalid_argument);
  EXPECT_THROW(exact.velocity(x, NAN), std::invalid_argument);
}

TEST(FlowExactVelocity, MatchesTheGaussianClosedForm) {
  // The exact field of M = 200000 draws from N(mu, s^2 I) against the marginal velocity of the
  // Gaussian itself, at query points within about 1.5 marginal standard deviations. The field is
  // (x - E[x0 | x]) / tau with E[x0 | x] a self-normalised importance estimate; its standard error
  // is about s_post / sqrt(ESS) with s_post^2 = s^2 tau^2 / S^2 <= 0.11 and an effective sample
  // size above 10^4 at these points, i.e. <= 0.004 on E[x0 | x] and <= 0.015 on v at tau = 0.3.
  // Tolerance 0.05: a wrong weight (e.g. tau instead of tau^2 in the exponent) misses by > 0.2.
  const FlowTestGaussian gaussian;
  const auto data = gaussian.mu() + gaussian.s * flow_test_normal({200000, 2}, 4);
  const ExactVelocity exact(data);
  for (const double tau : {0.3, 0.6, 0.9, 1.0}) {
    const double S = std::sqrt((1 - tau) * (1 - tau) * gaussian.s * gaussian.s + tau * tau);
    const auto queries = (1 - tau) * gaussian.mu() + 1.5 * S *
                         torch::tensor({{0.0, 0.0}, {1.0, 0.0}, {0.0, -1.0}, {-0.7, 0.7}, {0.5, 0.5}},
                                       torch::kFloat64);
    const auto found = exact.velocity(queries, tau);
    const auto expected = gaussian.velocity(queries, tau);
    const double error = flow_test_max_abs(found, expected);
    RecordProperty("max_error_tau_" + std::to_string(tau), std::to_string(error));
    EXPECT_LT(error, 0.05) << "tau " << tau << "\n" << found << "\n" << expected;
  }
}

TEST(FlowSampler, TauGridAndEvaluationCounts) {
  const std::vector<double> grid = flow_tau_grid(4);
  ASSERT_EQ(grid.size(), 5u);
  for (int i = 0; i <= 4; ++i) EXPECT_DOUBLE_EQ(grid[i], 1.0 - i / 4.0);
  EXPECT_EQ(flow_nfe(OdeSolver::Euler, 4), 4);
  EXPECT_EQ(flow_nfe(OdeSolver::Heun, 4), 7);
  EXPECT_THROW(flow_tau_grid(0), std::invalid_argument);
  EXPECT_THROW(flow_nfe(OdeSolver::DpmSolverPP2M, 4), std::invalid_argument);

  // The counted evaluations, where they are made, and the callback's early stop.
  for (const OdeSolver solver : {OdeSolver::Euler, OdeSolver::Heun}) {
    std::vector<double> evaluated;
    const VelocityField field = [&evaluated](const torch::Tensor& x, double tau) {
      evaluated.push_back(tau);
      return torch::zeros_like(x);
    };
    const auto x1 = torch::ones({3, 2}, torch::kFloat64);
    std::vector<FlowStep> seen;
    const FlowRun run = run_flow(x1, 4, solver, field, [&seen](const torch::Tensor&, const FlowStep& step) {
      seen.push_back(step);
      return true;
    });
    EXPECT_EQ(run.nfe, flow_nfe(solver, 4));
    EXPECT_EQ(static_cast<int>(evaluated.size()), run.nfe);
    for (const double tau : evaluated) EXPECT_GT(tau, 0.0);  // never at tau = 0
    ASSERT_EQ(seen.size(), 4u);
    EXPECT_TRUE(seen.back().is_last());
    EXPECT_EQ(seen.back().nfe, run.nfe);
    EXPECT_DOUBLE_EQ(seen[1].tau_from, 0.75);
    EXPECT_DOUBLE_EQ(seen[1].tau_to, 0.5);
    const FlowRun stopped = run_flow(x1, 4, solver, field, [](const torch::Tensor&, const FlowStep& step) {
      return step.index < 1;
    });
    EXPECT_EQ(stopped.steps_done, 2);
  }
  const VelocityField zero = [](const torch::Tensor& x, double) { return torch::zeros_like(x); };
  EXPECT_THROW(run_flow(torch::ones({1, 2}), 3, OdeSolver::DpmSolverPP2M, zero), std::invalid_argument);
  EXPECT_THROW(run_flow(torch::ones({1, 2}), 0, OdeSolver::Euler, zero), std::invalid_argument);
  EXPECT_THROW(run_flow(torch::Tensor(), 3, OdeSolver::Euler, zero), std::invalid_argument);
}

TEST(FlowSampler, ExactFieldOfOnePointTransportsNoiseToIt) {
  // v = (x - x0) / tau makes every step land on the straight line x0 + tau (eps - x0): Euler
  // steps are exact, and Heun's corrector sees the same slope at both ends.
  const auto point = torch::tensor({{1.5, -0.5}}, torch::kFloat64);
  const VelocityField field = make_exact_velocity(std::make_shared<ExactVelocity>(point));
  const auto eps = flow_test_normal({200, 2}, 5);
  for (const OdeSolver solver : {OdeSolver::Euler, OdeSolver::Heun}) {
    for (const int steps : {1, 3, 25}) {
      double worst_on_line = 0;
      const FlowRun run = run_flow(eps, steps, solver, field, [&](const torch::Tensor& x, const FlowStep& step) {
        const auto on_line = point + step.tau_to * (eps - point);
        worst_on_line = std::max(worst_on_line, flow_test_max_abs(x, on_line));
        return true;
      });
      EXPECT_LT(worst_on_line, 1e-9) << to_string(solver) << " K=" << steps;
      EXPECT_LT(flow_test_max_abs(run.x, point.expand({200, 2})), 1e-9) << to_string(solver) << " K=" << steps;
    }
  }
}

TEST(FlowSampler, HeunIsSecondOrderAndEulerFirstOnTheGaussianField) {
  // The closed-form field of N(mu, s^2 I) carries x_1 to mu + s x_1 exactly; the error at tau = 0
  // should halve (Euler) or quarter (Heun, whose one Euler step at the end is O(h^2) locally)
  // each time K doubles.
  const FlowTestGaussian gaussian;
  const VelocityField field = [&gaussian](const torch::Tensor& x, double tau) { return gaussian.velocity(x, tau); };
  const auto x1 = flow_test_normal({100, 2}, 6);
  const auto target = gaussian.transported(x1);
  for (const OdeSolver solver : {OdeSolver::Euler, OdeSolver::Heun}) {
    std::vector<double> errors;
    for (const int steps : {16, 32, 64, 128}) errors.push_back(flow_test_max_abs(run_flow(x1, steps, solver, field).x, target));
    const double expected_ratio = solver == OdeSolver::Heun ? 4.0 : 2.0;
    for (std::size_t i = 0; i + 1 < errors.size(); ++i) {
      const double ratio = errors[i] / errors[i + 1];
      EXPECT_NEAR(ratio, expected_ratio, 0.15 * expected_ratio)
          << to_string(solver) << " errors " << errors[i] << " -> " << errors[i + 1];
    }
    if (solver == OdeSolver::Heun) EXPECT_LT(errors.back(), 1e-3);
  }
}

// The smallest loss any network can reach on `pool`: the exact velocity field of the pool is the
// minimiser of E|v(x_tau, tau) - (eps - x0)|^2 with x0 drawn from it, so the mean squared error
// per coordinate of v* against the per-pair target, estimated over 64 tau values x 64 pairs.
double flow_test_loss_floor(const torch::Tensor& pool) {
  const ExactVelocity exact(pool.to(torch::kFloat64));
  auto generator = at::detail::createCPUGenerator(17);
  double total = 0;
  const int levels = 64, pairs = 64;
  for (int k = 0; k < levels; ++k) {
    const double tau = (k + 0.5) / levels;
    const auto index = torch::randint(0, pool.size(0), {pairs}, generator, torch::TensorOptions().dtype(torch::kInt64));
    const auto x0 = exact.train().index_select(0, index);
    const auto eps = torch::randn({pairs, 2}, generator, torch::TensorOptions().dtype(torch::kFloat64));
    const auto x = flow_path_sample(x0, eps, tau);
    total += (exact.velocity(x, tau) - flow_target_velocity(x0, eps)).pow(2).mean().item<double>() / levels;
  }
  return total;
}

TEST(FlowTraining, ShortRunLowersTheLoss) {
  // 400 steps of flow matching on moons with a small model. The loss at the start is about
  // E|eps - x0|^2 / 2 per coordinate (the network's output is near 0); the conditional velocity is
  // not a function of x_tau, so the loss cannot fall below the exact field's (the floor, ~1.46
  // here). The run must close at least half of the gap between its first batches and that floor.
  const PointTrainingConfig config = flow_test_training(400);
  PointTrainer trainer(flow_test_small_model(), config, torch::kCPU);
  double first = 0, last = 0;
  for (int i = 0; i < 400; ++i) {
    const double loss = trainer.step();
    ASSERT_TRUE(std::isfinite(loss));
    if (i < 20) first += loss / 20;
    if (i >= 380) last += loss / 20;
  }
  const auto pool = make_dataset2d(Dataset2DKind::Moons, config.data_pool, config.seed);
  const double floor = flow_test_loss_floor(
      torch::from_blob(const_cast<float*>(pool.xy.data()), {pool.size(), 2}, torch::kFloat32).clone());
  RecordProperty("first_loss", std::to_string(first));
  RecordProperty("last_loss", std::to_string(last));
  RecordProperty("loss_floor", std::to_string(floor));
  EXPECT_LT(last, floor + 0.5 * (first - floor)) << "first 20 steps " << first << ", last 20 " << last
                                                  << ", floor " << floor;
  EXPECT_GT(last, floor - 0.1) << "below the floor: the floor or the loss is wrong";
  // The learned field at tau = 1 is E[eps - x0 | x_1 = x] = x - E[x0] (x_1 is independent of x0):
  // its mean over a cloud is the mean of x minus the data mean, within a loose tolerance.
  const VelocityField model_field = make_model_velocity(trainer.ema_model());
  const auto x = flow_test_normal({2000, 2}, 7).to(torch::kFloat32);
  const auto moons = make_dataset2d(Dataset2DKind::Moons, 20000, 3);
  const auto data = torch::from_blob(const_cast<float*>(moons.xy.data()), {moons.size(), 2}, torch::kFloat32);
  const auto mean_error = (model_field(x, 1.0) - (x - data.mean(0))).mean(0).abs().max().item<double>();
  EXPECT_LT(mean_error, 0.2);
}

TEST(FlowCheckpoint, ProcessMismatchIsRefusedByName) {
  const auto folder = std::filesystem::temp_directory_path() / ("flow_ckpt_" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  const std::string flow_path = (folder / "moons-flow.ckpt").string();
  const std::string ddpm_path = (folder / "moons.ckpt").string();
  for (const ProcessFamily process : {ProcessFamily::Flow, ProcessFamily::Ddpm}) {
    PointTrainingConfig config = flow_test_training(2);
    config.process = process;
    PointTrainer trainer(flow_test_small_model(), config, torch::kCPU);
    trainer.step();
    PointModel ema = trainer.ema_model();
    save_point_model(process == ProcessFamily::Flow ? flow_path : ddpm_path, ema,
                     point_checkpoint_metadata(trainer, "test"));
  }
  // The flow file names its kind and stores no DDPM target.
  const nlohmann::json metadata = nlohmann::json::parse(read_checkpoint(flow_path).metadata_json);
  EXPECT_EQ(metadata.at("kind"), "point-flow-model");
  EXPECT_EQ(metadata.count("target"), 0u);

  const LoadedPointModel flow = load_point_model(flow_path, torch::kCPU, "moons", ProcessFamily::Flow);
  EXPECT_EQ(flow.metadata.process, ProcessFamily::Flow);
  EXPECT_EQ(flow.metadata.kind, "point-flow-model");
  EXPECT_EQ(load_point_model(ddpm_path, torch::kCPU, "moons").metadata.process, ProcessFamily::Ddpm);
  try {
    load_point_model(flow_path, torch::kCPU, "moons");  // as a DDPM denoiser (the default)
    ADD_FAILURE() << "a flow checkpoint loaded as a DDPM denoiser";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("flow-matching velocity model"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--process flow"), std::string::npos) << e.what();
  }
  try {
    load_point_model(ddpm_path, torch::kCPU, "moons", ProcessFamily::Flow);
    ADD_FAILURE() << "a DDPM checkpoint loaded as a flow model";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("DDPM denoiser"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(folder);
}
