// ODE solver names and their network-evaluation counts (torch-free), and trajectory curvature:
// path length over endpoint distance.
#include <cmath>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "diffusion/ode_solver_kind.hpp"
#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule.hpp"
#include "diffusion/trajectory_curvature.hpp"

using namespace diffusion;

TEST(OdeSolverKind, NamesRoundTrip) {
  ASSERT_EQ(all_ode_solvers().size(), 3u);
  for (const OdeSolver solver : all_ode_solvers()) EXPECT_EQ(parse_ode_solver(to_string(solver)), solver);
  EXPECT_EQ(to_string(OdeSolver::DpmSolverPP2M), "dpmpp2m");
  EXPECT_EQ(parse_ode_solver("rk4"), std::nullopt);
  EXPECT_EQ(parse_ode_solver("Euler"), std::nullopt);
}

TEST(OdeSolverKind, NetworkEvaluationsPerSolver) {
  ScheduleParams p;
  const auto steps = sampling_steps(Schedule(p), 20, Spacing::Trailing);
  EXPECT_EQ(ode_network_evaluations(OdeSolver::Euler, steps), 20);
  EXPECT_EQ(ode_network_evaluations(OdeSolver::DpmSolverPP2M, steps), 20);
  EXPECT_EQ(ode_network_evaluations(OdeSolver::Heun, steps), 39);  // the last step is Euler
  p.zero_terminal_snr = true;
  const auto ztsnr = sampling_steps(Schedule(p), 20, Spacing::Trailing);
  EXPECT_EQ(ode_network_evaluations(OdeSolver::Heun, ztsnr), 38);  // and the step from alpha_bar = 0
  const auto one_step = sampling_steps(Schedule(ScheduleParams{}), 1, Spacing::Trailing);
  EXPECT_EQ(ode_network_evaluations(OdeSolver::Heun, one_step), 1);
}

TEST(TrajectoryCurvature, StraightLineIsOne) {
  // Five points along (1, 2) in uneven steps, walked one way.
  const std::vector<float> line = {0, 0, 0.5f, 1, 1, 2, 2.5f, 5, 3, 6};
  EXPECT_NEAR(path_length_ratio(line.data(), 5, 2), 1.0, 1e-7);
  EXPECT_NEAR(mean_path_length_ratio(line, 1, 2), 1.0, 1e-7);
}

TEST(TrajectoryCurvature, KnownPolylines) {
  // Two sides of a 3-4-5 triangle: (3 + 4) / 5. Out and half-way back on a line: 1.5 / 0.5 = 3.
  // Their mean is 2.2. In 3-D: along the edges of a unit cube from (0,0,0) to (1,1,1): 3 / sqrt(3).
  const std::vector<float> two = {0, 0, 3, 0, 3, 4,   0, 0, 1, 0, 0.5f, 0};
  EXPECT_NEAR(path_length_ratio(two.data(), 3, 2), 7.0 / 5.0, 1e-7);
  EXPECT_NEAR(path_length_ratio(two.data() + 6, 3, 2), 3.0, 1e-7);
  EXPECT_NEAR(mean_path_length_ratio(two, 2, 2), (1.4 + 3.0) / 2, 1e-7);
  const std::vector<float> cube = {0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1};
  EXPECT_NEAR(mean_path_length_ratio(cube, 1, 3), std::sqrt(3.0), 1e-6);
}

TEST(TrajectoryCurvature, UndefinedPathsAreSkipped) {
  // A closed loop (endpoints coincide) and a single point have no ratio; the mean skips them and
  // is NaN when nothing is left.
  const std::vector<float> loop = {0, 0, 1, 0, 0, 0};
  EXPECT_TRUE(std::isnan(path_length_ratio(loop.data(), 3, 2)));
  EXPECT_TRUE(std::isnan(path_length_ratio(loop.data(), 1, 2)));
  EXPECT_TRUE(std::isnan(mean_path_length_ratio(loop, 1, 2)));
  const std::vector<float> loop_and_line = {0, 0, 1, 0, 0, 0,   0, 0, 1, 0, 2, 0};
  EXPECT_NEAR(mean_path_length_ratio(loop_and_line, 2, 2), 1.0, 1e-7);
}

TEST(TrajectoryCurvature, RejectsBadShapes) {
  const std::vector<float> values(10, 0.0f);
  EXPECT_THROW(mean_path_length_ratio(values, 3, 2), std::invalid_argument);  // 10 / (3 * 2)
  EXPECT_THROW(mean_path_length_ratio(values, 0, 2), std::invalid_argument);
  EXPECT_THROW(mean_path_length_ratio(values, 1, 0), std::invalid_argument);
}
