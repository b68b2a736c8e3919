// The probability-flow ODE solvers: Euler is DDIM with eta = 0, Heun and DPM-Solver++(2M) match
// independent double-precision implementations of their papers' update rules and converge at
// second order to the closed-form ODE solution of a Gaussian dataset, NFE counts, zero terminal
// SNR without NaN, the callback, bad arguments.
#include <cmath>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "diffusion/exact_denoiser.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/ode_solver.hpp"
#include "diffusion/sampler.hpp"
#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule.hpp"

using namespace diffusion;

namespace {

ScheduleParams ode_test_schedule(ScheduleKind kind, bool zero_terminal_snr, int T = 1000) {
  ScheduleParams p;
  p.kind = kind;
  p.T = T;
  p.zero_terminal_snr = zero_terminal_snr;
  return p;
}

// Data x0 ~ N(mu, c^2 I): E[x0 | x_t] = mu + a c^2 / (a^2 c^2 + s^2) (x_t - a mu), exactly.
constexpr double kGaussianStd = 0.4;
torch::Tensor gaussian_mean() { return torch::tensor({{0.5, -0.3}}, torch::kFloat64); }

Denoiser gaussian_data_denoiser() {
  const torch::Tensor mu = gaussian_mean();
  return [mu](const torch::Tensor& x, const SamplingStep& step) {
    const double a = std::sqrt(step.alpha_bar), c2 = kGaussianStd * kGaussianStd;
    const double gain = a * c2 / (a * a * c2 + step.one_minus_alpha_bar);
    return prediction_from_x0(x, mu + (x - mu * a) * gain, step, ReverseConfig{});
  };
}

// The exact ODE solution at t = 0 from x at the level alpha_bar. For Gaussian data
// x_bar = x / a ~ N(mu, (c^2 + sigma_hat^2) I), eps_hat = sigma_hat (x_bar - mu) / (c^2 + sigma_hat^2),
// so d x_bar / d sigma_hat = eps_hat integrates to (x_bar - mu) proportional to
// sqrt(c^2 + sigma_hat^2): at sigma_hat = 0, x0 = mu + c (x - a mu) / sqrt(a^2 c^2 + s^2).
torch::Tensor gaussian_ode_solution(const torch::Tensor& x, double alpha_bar, double one_minus_alpha_bar) {
  const double a = std::sqrt(alpha_bar), c = kGaussianStd;
  return gaussian_mean() + (x - gaussian_mean() * a) * (c / std::sqrt(a * a * c * c + one_minus_alpha_bar));
}

// The same flow between two levels sigma_hat, for x at sigma_from (alpha_bar = 1 / (1 + sigma_hat^2)).
torch::Tensor gaussian_ode_solution_between(const torch::Tensor& x, double sigma_from, double sigma_to) {
  const double c2 = kGaussianStd * kGaussianStd;
  const auto x_bar_to = gaussian_mean() + (x * std::sqrt(1 + sigma_from * sigma_from) - gaussian_mean()) *
                                              std::sqrt((c2 + sigma_to * sigma_to) / (c2 + sigma_from * sigma_from));
  return x_bar_to / std::sqrt(1 + sigma_to * sigma_to);
}

// A chain of N steps from sigma_max down to sigma_min on Karras et al. 2022's grid (eq. 5, rho = 7):
// sigma_i = (sigma_max^(1/rho) + i/N (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho, i = 0..N. The
// chain ends at sigma_min (t = 1), not at t = 0.
std::vector<SamplingStep> karras_grid_steps(double sigma_max, double sigma_min, int N) {
  const double rho = 7.0, top = std::pow(sigma_max, 1 / rho), bottom = std::pow(sigma_min, 1 / rho);
  auto level = [&](int i) { return std::pow(top + (bottom - top) * i / N, rho); };
  std::vector<SamplingStep> steps;
  for (int i = 0; i < N; ++i) {
    const double sigma = level(i), sigma_prev = level(i + 1);
    SamplingStep step;
    step.t = N + 1 - i;
    step.t_prev = N - i;
    step.alpha_bar = 1 / (1 + sigma * sigma);
    step.one_minus_alpha_bar = sigma * sigma / (1 + sigma * sigma);
    step.alpha_bar_prev = 1 / (1 + sigma_prev * sigma_prev);
    step.one_minus_alpha_bar_prev = sigma_prev * sigma_prev / (1 + sigma_prev * sigma_prev);
    step.beta = 1 - step.alpha_bar / step.alpha_bar_prev;
    steps.push_back(step);
  }
  return steps;
}

double max_abs_error(OdeSolver solver, const Schedule& schedule, int K, const torch::Tensor& x_T) {
  const auto steps = sampling_steps(schedule, K, Spacing::Trailing);
  const OdeRun run = run_ode(x_T, steps, gaussian_data_denoiser(), solver);
  const auto exact = gaussian_ode_solution(x_T, steps.front().alpha_bar, steps.front().one_minus_alpha_bar);
  return (run.x - exact).abs().max().item<double>();
}

// Counts the calls of a denoiser.
Denoiser counting_denoiser(const Denoiser& inner, int& calls) {
  return [inner, &calls](const torch::Tensor& x, const SamplingStep& step) {
    ++calls;
    return inner(x, step);
  };
}

double sigma_hat_of(double alpha_bar, double one_minus_alpha_bar) {
  return std::sqrt(one_minus_alpha_bar) / std::sqrt(alpha_bar);
}

}  // namespace

TEST(OdeSolver, EulerIsDdimWithEtaZero) {
  // Same x_T, same exact denoiser, DDIM eta = 0 through run_reverse: agreement to float rounding
  // (1e-5 on a cloud of scale 1), on the full chain and on K < T, for linear, cosine and both with
  // zero terminal SNR.
  NoiseSource data(71);
  const auto train = data.normal({40, 2}) * 0.5;
  const ExactDenoiser exact(train);
  ReverseConfig ddim;
  ddim.sigma = SigmaKind::DDIM;
  ddim.eta = 0.0;
  for (const ScheduleKind kind : {ScheduleKind::Linear, ScheduleKind::Cosine}) {
    for (const bool ztsnr : {false, true}) {
      const Schedule schedule(ode_test_schedule(kind, ztsnr));
      for (const int K : {1000, 50, 7}) {
        for (const Spacing spacing : {Spacing::Trailing, Spacing::Leading}) {
          SCOPED_TRACE(std::string(to_string(kind)) + (ztsnr ? " ztsnr" : "") + " K = " + std::to_string(K) +
                       " " + std::string(to_string(spacing)));
          const auto steps = sampling_steps(schedule, K, spacing);
          NoiseSource noise(72);
          const auto x_T = noise.normal({300, 2});
          const auto denoiser = make_exact_denoiser(exact, ddim);
          const auto via_ddim = run_reverse(x_T, steps, denoiser, ddim, noise);
          const OdeRun via_ode = run_ode(x_T, steps, denoiser, OdeSolver::Euler);
          ASSERT_TRUE(torch::isfinite(via_ode.x).all().item<bool>());
          EXPECT_LT((via_ode.x - via_ddim).abs().max().item<double>(), 1e-5);
          EXPECT_EQ(via_ode.network_evaluations, K);
        }
      }
    }
  }
}

TEST(OdeSolver, EulerIsTheEulerMethodInSigmaHat) {
  // An independent Euler loop on d x_bar / d sigma_hat = eps_hat in double (x_bar = x / a). From
  // alpha_bar_T = 0 (zero terminal SNR) x_bar is infinite; its first step is the limit
  // x_bar_prev = x0_hat + sigma_hat_prev eps_hat (x_bar_T - sigma_hat_T eps_hat = x0_hat).
  NoiseSource data(73);
  const auto train = (data.normal({30, 2}) * 0.7).to(torch::kFloat64);
  const ExactDenoiser exact(train);
  const Denoiser denoiser = make_exact_denoiser(exact, ReverseConfig{});
  for (const bool ztsnr : {false, true}) {
    const Schedule schedule(ode_test_schedule(ScheduleKind::Cosine, ztsnr));
    const auto steps = sampling_steps(schedule, 40, Spacing::Trailing);
    NoiseSource noise(74);
    const auto x_T = noise.normal({100, 2}).to(torch::kFloat64);
    torch::Tensor x = x_T, x_bar;
    for (const SamplingStep& step : steps) {
      const Prediction pred = denoiser(x, step);
      const double sigma_hat_prev = sigma_hat_of(step.alpha_bar_prev, step.one_minus_alpha_bar_prev);
      if (step.alpha_bar == 0.0) {
        x_bar = pred.x0 + pred.eps * sigma_hat_prev;
      } else {
        x_bar = x / std::sqrt(step.alpha_bar) +
                pred.eps * (sigma_hat_prev - sigma_hat_of(step.alpha_bar, step.one_minus_alpha_bar));
      }
      x = x_bar * std::sqrt(step.alpha_bar_prev);
    }
    const OdeRun run = run_ode(x_T, steps, denoiser, OdeSolver::Euler);
    EXPECT_LT((run.x - x).abs().max().item<double>(), 1e-9) << (ztsnr ? "zero terminal SNR" : "cosine");
  }
}

TEST(OdeSolver, HeunMatchesKarrasAlgorithmOne) {
  // Karras et al. 2022, Alg. 1 in (x_bar, sigma_hat), written out in double: d = eps_hat(x_i),
  // x' = x_bar_i + (sigma_{i+1} - sigma_i) d, and if sigma_{i+1} != 0 the corrector
  // x_bar_{i+1} = x_bar_i + (sigma_{i+1} - sigma_i) (d + eps_hat(x'))/2.
  NoiseSource data(75);
  const auto train = (data.normal({30, 2}) * 0.7).to(torch::kFloat64);
  const ExactDenoiser exact(train);
  const Denoiser denoiser = make_exact_denoiser(exact, ReverseConfig{});
  const Schedule schedule(ode_test_schedule(ScheduleKind::Linear, false));
  const auto steps = sampling_steps(schedule, 12, Spacing::Trailing);
  NoiseSource noise(76);
  const auto x_T = noise.normal({100, 2}).to(torch::kFloat64);
  torch::Tensor x_bar = x_T / std::sqrt(steps.front().alpha_bar);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const SamplingStep& step = steps[i];
    const double a = std::sqrt(step.alpha_bar), a_prev = std::sqrt(step.alpha_bar_prev);
    const double sigma = sigma_hat_of(step.alpha_bar, step.one_minus_alpha_bar);
    const double sigma_next = sigma_hat_of(step.alpha_bar_prev, step.one_minus_alpha_bar_prev);
    const torch::Tensor d = denoiser(x_bar * a, step).eps;
    const torch::Tensor x_euler = x_bar + d * (sigma_next - sigma);
    if (sigma_next == 0.0) {
      x_bar = x_euler;
    } else {
      const torch::Tensor d_end = denoiser(x_euler * a_prev, steps[i + 1]).eps;
      x_bar = x_bar + (d + d_end) * (0.5 * (sigma_next - sigma));
    }
  }
  const OdeRun run = run_ode(x_T, steps, denoiser, OdeSolver::Heun);
  EXPECT_LT((run.x - x_bar).abs().max().item<double>(), 1e-9);
  EXPECT_EQ(run.network_evaluations, 2 * 12 - 1);
}

TEST(OdeSolver, DpmSolverMatchesLuAlgorithmTwo) {
  // Lu et al. 2022, DPM-Solver++(2M), in double with lambda = log(a/s): h = lambda_prev - lambda_t,
  // x_prev = (s_prev/s_t) x_t - a_prev (e^-h - 1) D, D = x0_hat on the first and the last step,
  // else (1 + 1/(2r)) x0_hat - x0_hat_last / (2r), r = h_last / h.
  NoiseSource data(77);
  const auto train = (data.normal({30, 2}) * 0.7).to(torch::kFloat64);
  const ExactDenoiser exact(train);
  const Denoiser denoiser = make_exact_denoiser(exact, ReverseConfig{});
  const Schedule schedule(ode_test_schedule(ScheduleKind::Cosine, false));
  const auto steps = sampling_steps(schedule, 15, Spacing::Linspace);
  NoiseSource noise(78);
  const auto x_T = noise.normal({100, 2}).to(torch::kFloat64);
  torch::Tensor x = x_T, x0_last;
  double h_last = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const SamplingStep& step = steps[i];
    const torch::Tensor x0 = denoiser(x, step).x0;
    if (step.is_last()) {
      x = x0;  // s_prev = 0, e^-h = 0
      break;
    }
    const double lambda = 0.5 * std::log(step.alpha_bar / step.one_minus_alpha_bar);
    const double lambda_prev = 0.5 * std::log(step.alpha_bar_prev / step.one_minus_alpha_bar_prev);
    const double h = lambda_prev - lambda;
    torch::Tensor D = x0;
    if (i > 0) {
      const double r = h_last / h;
      D = x0 * (1 + 1 / (2 * r)) - x0_last * (1 / (2 * r));
    }
    x = x * std::sqrt(step.one_minus_alpha_bar_prev / step.one_minus_alpha_bar) -
        D * (std::sqrt(step.alpha_bar_prev) * (std::exp(-h) - 1));
    x0_last = x0;
    h_last = h;
  }
  const OdeRun run = run_ode(x_T, steps, denoiser, OdeSolver::DpmSolverPP2M);
  EXPECT_LT((run.x - x).abs().max().item<double>(), 1e-9);
  EXPECT_EQ(run.network_evaluations, 15);
}

TEST(OdeSolver, ConvergesAtSecondOrderOnASmoothGrid) {
  // N(mu, 0.4^2 I) data, whose ODE solution is closed-form (gaussian_ode_solution), in double, on
  // Karras et al.'s grid (sigma_hat from 80 to 0.02, rho = 7: a smooth map of a uniform grid) without
  // the final jump to t = 0. Halving the step (N -> 2N) must shrink the error by 4 for Heun and
  // DPM-Solver++(2M) (accepted: [3, 5]) and by 2 for Euler ([1.7, 2.3]).
  NoiseSource noise(79);
  const auto x_T = noise.normal({64, 2}).to(torch::kFloat64);
  const std::vector<int> Ns = {20, 40, 80, 160};
  for (const OdeSolver solver : all_ode_solvers()) {
    std::vector<double> errors;
    for (const int N : Ns) {
      const auto steps = karras_grid_steps(80.0, 0.02, N);
      const OdeRun run = run_ode(x_T, steps, gaussian_data_denoiser(), solver);
      const auto exact = gaussian_ode_solution_between(x_T, 80.0, 0.02);
      errors.push_back((run.x - exact).abs().max().item<double>());
    }
    std::ostringstream row;
    row << to_string(solver) << " on the rho = 7 grid, N = 20, 40, 80, 160:";
    for (double e : errors) row << ' ' << e;
    std::cout << row.str() << '\n';
    for (std::size_t k = 1; k < errors.size(); ++k) {
      const double ratio = errors[k - 1] / errors[k];
      SCOPED_TRACE(row.str() + " at N = " + std::to_string(Ns[k]));
      if (solver == OdeSolver::Euler) {
        EXPECT_GT(ratio, 1.7);
        EXPECT_LT(ratio, 2.3);
      } else {
        EXPECT_GT(ratio, 3.0);
        EXPECT_LT(ratio, 5.0);
      }
    }
  }
}

TEST(OdeSolver, ConvergesToTheOdeSolutionAtTZeroOnTheSchedulesGrid) {
  // The same data on the schedule's own grid (trailing K of T = 1000) down to t = 0. Every solver's
  // last step is x0 = x0_hat(x_{t_1}) (plain Euler to sigma_hat = 0), whose error grows like
  // sigma_hat(t_1)^2, and near t = 0 sigma_hat^2 grows like t (linear: 1 - alpha_bar ~ beta_1 t):
  // so the error at t = 0 shrinks only like 1/K for every solver. What must hold: Euler halves its
  // error with each doubling of K ([1.7, 2.3]), every solver converges (ratio > 1.8), and
  // DPM-Solver++(2M) is at least 10x more accurate than Euler from K = 50 on.
  // (Heun is not: on cosine its first step spans sigma_hat from ~2e4 down to ~16, where the
  // trapezoid rule is far off; docs/ode_solvers.md has the figures.)
  NoiseSource noise(79);
  const auto x_T = noise.normal({64, 2}).to(torch::kFloat64);
  const std::vector<int> Ks = {25, 50, 100, 200};
  for (const auto& params : {ode_test_schedule(ScheduleKind::Linear, false),
                             ode_test_schedule(ScheduleKind::Cosine, false),
                             ode_test_schedule(ScheduleKind::Linear, true)}) {
    const Schedule schedule(params);
    std::vector<double> euler_errors;
    for (const OdeSolver solver : all_ode_solvers()) {
      std::vector<double> errors;
      for (const int K : Ks) errors.push_back(max_abs_error(solver, schedule, K, x_T));
      if (solver == OdeSolver::Euler) euler_errors = errors;
      std::ostringstream row;
      row << to_string(params.kind) << (params.zero_terminal_snr ? " ztsnr " : " ") << to_string(solver)
          << ", K = 25, 50, 100, 200:";
      for (double e : errors) row << ' ' << e;
      std::cout << row.str() << '\n';
      for (std::size_t k = 1; k < errors.size(); ++k) {
        const double ratio = errors[k - 1] / errors[k];
        SCOPED_TRACE(row.str() + " at K = " + std::to_string(Ks[k]));
        EXPECT_GT(ratio, 1.8);
        if (solver == OdeSolver::Euler) EXPECT_LT(ratio, 2.3);
        if (solver == OdeSolver::DpmSolverPP2M) EXPECT_LT(errors[k] * 10, euler_errors[k]);
      }
    }
  }
}

TEST(OdeSolver, CountsNetworkEvaluations) {
  // Euler and DPM-Solver++ one per step; Heun two, but one on the last step (to t = 0) and on a
  // first step from alpha_bar_T = 0. The count run_ode returns, the denoiser's calls and
  // ode_network_evaluations agree.
  for (const bool ztsnr : {false, true}) {
    const Schedule schedule(ode_test_schedule(ScheduleKind::Linear, ztsnr));
    const auto steps = sampling_steps(schedule, 10, Spacing::Trailing);
    for (const OdeSolver solver : all_ode_solvers()) {
      int calls = 0;
      const auto x_T = torch::zeros({5, 2}, torch::kFloat64);
      const OdeRun run = run_ode(x_T, steps, counting_denoiser(gaussian_data_denoiser(), calls), solver);
      const int expected = solver == OdeSolver::Heun ? (ztsnr ? 18 : 19) : 10;
      EXPECT_EQ(run.network_evaluations, expected) << to_string(solver);
      EXPECT_EQ(calls, expected) << to_string(solver);
      EXPECT_EQ(ode_network_evaluations(solver, steps), expected) << to_string(solver);
    }
  }
}

TEST(OdeSolver, ZeroTerminalSnrIsFiniteForEveryDenoiserForm) {
  // alpha_bar_T = 0: sigma_hat_T and lambda_T are infinite. With the exact denoiser of a point set
  // (float32) every solver's samples are finite and land on the training points; K = 2 and 3
  // exercise the first-from-infinity step followed at once by the last one.
  NoiseSource data(80);
  const auto train = data.normal({20, 2});
  const ExactDenoiser exact(train);
  const Denoiser denoiser = make_exact_denoiser(exact, ReverseConfig{});
  for (const ScheduleKind kind : {ScheduleKind::Linear, ScheduleKind::Cosine}) {
    const Schedule schedule(ode_test_schedule(kind, true));
    for (const int K : {2, 3, 100}) {
      const auto steps = sampling_steps(schedule, K, Spacing::Trailing);
      ASSERT_EQ(steps.front().alpha_bar, 0.0);
      for (const OdeSolver solver : all_ode_solvers()) {
        NoiseSource noise(81);
        const OdeRun run = run_ode(noise.normal({200, 2}), steps, denoiser, solver);
        EXPECT_TRUE(torch::isfinite(run.x).all().item<bool>()) << to_string(solver) << " K = " << K;
      }
    }
  }
}

TEST(OdeSolver, CallbackSeesEveryStepAndCanStop) {
  const Schedule schedule(ode_test_schedule(ScheduleKind::Linear, false));
  const auto steps = sampling_steps(schedule, 8, Spacing::Trailing);
  NoiseSource noise(82);
  const auto x_T = noise.normal({10, 2}).to(torch::kFloat64);
  std::vector<int> seen;
  torch::Tensor third;
  const OdeRun stopped = run_ode(x_T, steps, gaussian_data_denoiser(), OdeSolver::Heun,
                                 [&](const torch::Tensor& x, const SamplingStep& step, int index) {
                                   seen.push_back(step.t);
                                   EXPECT_EQ(step.t, steps[static_cast<std::size_t>(index)].t);
                                   if (index == 2) third = x.clone();
                                   return index < 2;
                                 });
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_TRUE(torch::equal(stopped.x, third));
  EXPECT_EQ(stopped.network_evaluations, 6);
}

TEST(OdeSolver, RejectsBadArguments) {
  const Schedule schedule(ode_test_schedule(ScheduleKind::Linear, false));
  auto steps = sampling_steps(schedule, 5, Spacing::Trailing);
  const auto x_T = torch::zeros({3, 2}, torch::kFloat64);
  EXPECT_THROW(run_ode(torch::Tensor(), steps, gaussian_data_denoiser(), OdeSolver::Euler), std::invalid_argument);
  EXPECT_THROW(run_ode(x_T, {}, gaussian_data_denoiser(), OdeSolver::Euler), std::invalid_argument);
  EXPECT_THROW(run_ode(x_T, steps, Denoiser(), OdeSolver::Euler), std::invalid_argument);
  steps.erase(steps.begin() + 2);  // a gap in the chain
  EXPECT_THROW(run_ode(x_T, steps, gaussian_data_denoiser(), OdeSolver::Heun), std::invalid_argument);
}

TEST(OdeSolver, StepsInRowChunksLikeAResumableRunGiveRunOdesSamples) {
  // The GUI's stepped run takes each step in chunks of rows with ode_step, keeping
  // DPM-Solver++'s x0_last per row and h_last per step (ode_carried_h). Rows are independent, so
  // chunks of 3 rows (the last one short) must give run_ode's x_0 exactly, for every solver,
  // with and without zero terminal SNR (where the memory is dropped after the first step).
  for (const bool ztsnr : {false, true}) {
    const Schedule schedule(ode_test_schedule(ScheduleKind::Cosine, ztsnr));
    const auto steps = sampling_steps(schedule, 7, Spacing::Trailing);
    NoiseSource noise(83);
    const auto x_T = noise.normal({8, 2}).to(torch::kFloat64);
    for (const OdeSolver solver : all_ode_solvers()) {
      const OdeRun whole = run_ode(x_T, steps, gaussian_data_denoiser(), solver);
      torch::Tensor x = x_T.clone(), x0_last = torch::zeros_like(x_T);
      double h_last = 0.0;
      int evaluations = 0;
      for (std::size_t i = 0; i < steps.size(); ++i) {
        torch::Tensor next = torch::empty_like(x);
        for (std::int64_t begin = 0; begin < x.size(0); begin += 3) {
          const std::int64_t rows = std::min<std::int64_t>(3, x.size(0) - begin);
          const torch::Tensor x_rows = x.narrow(0, begin, rows);
          const Prediction pred = gaussian_data_denoiser()(x_rows, steps[i]);
          ++evaluations;
          next.narrow(0, begin, rows)
              .copy_(ode_step(x_rows, pred, steps, i, solver, gaussian_data_denoiser(),
                              x0_last.narrow(0, begin, rows), h_last, &evaluations));
          x0_last.narrow(0, begin, rows).copy_(pred.x0);
        }
        h_last = ode_carried_h(steps[i]);
        x = next;
      }
      EXPECT_TRUE(torch::allclose(x, whole.x, 0.0, 1e-12)) << to_string(solver) << " ztsnr " << ztsnr;
      // Three chunks per step, each counting its own evaluations.
      EXPECT_EQ(evaluations, 3 * whole.network_evaluations) << to_string(solver);
    }
  }
  // The memory after a step from alpha_bar = 0 (h infinite) is empty; after a finite step it is h.
  const Schedule zero_snr(ode_test_schedule(ScheduleKind::Linear, true));
  const auto steps = sampling_steps(zero_snr, 4, Spacing::Trailing);
  EXPECT_EQ(ode_carried_h(steps[0]), 0.0);
  const double lambda = [](double ab, double omab) { return 0.5 * std::log(ab / omab); }(
      steps[1].alpha_bar_prev, steps[1].one_minus_alpha_bar_prev);
  EXPECT_NEAR(ode_carried_h(steps[1]),
              lambda - 0.5 * std::log(steps[1].alpha_bar / steps[1].one_minus_alpha_bar), 1e-12);
}
