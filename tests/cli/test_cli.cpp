// The command line, run as a user runs it: the real `diffuscope` executable in a child process,
// its stdout, stderr and exit code captured. Expected numbers are computed here independently.
#include <gtest/gtest.h>

#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "diffusion/class_accuracy.hpp"
#include "diffusion/datasets2d.hpp"
#include "diffusion/nearest_distance.hpp"

extern char** environ;

namespace {

struct CliResult {
  int exit_code = -1;  // -1 when the child died of a signal
  std::string out;
  std::string err;
};

struct Child {
  pid_t pid = 0;
  int out_fd = -1;
  int err_fd = -1;
};

Child spawn_program(const std::string& exe, const std::vector<std::string>& args) {
  std::vector<std::string> argv_storage = {exe};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);

  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
  if (pipe(err_pipe) != 0) throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
    posix_spawn_file_actions_addclose(&actions, fd);
  }
  Child child;
  const int spawn_error = posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (spawn_error != 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    throw std::runtime_error("cannot start " + exe);
  }
  child.out_fd = out_pipe[0];
  child.err_fd = err_pipe[0];
  return child;
}

// Runs `exe` once per argument list, all at the same time (each start loads LibTorch, about a
// second of CPU), reading every stdout and stderr as they come so no pipe fills up.
std::vector<CliResult> run_program_batch(const std::string& exe, const std::vector<std::vector<std::string>>& runs) {
  std::vector<Child> children;
  for (const std::vector<std::string>& args : runs) children.push_back(spawn_program(exe, args));
  std::vector<CliResult> results(runs.size());
  std::vector<pollfd> fds;
  std::vector<std::string*> sinks;
  for (std::size_t i = 0; i < children.size(); ++i) {
    fds.push_back({children[i].out_fd, POLLIN, 0});
    sinks.push_back(&results[i].out);
    fds.push_back({children[i].err_fd, POLLIN, 0});
    sinks.push_back(&results[i].err);
  }
  std::size_t open_count = fds.size();
  char buffer[65536];
  while (open_count > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error("poll failed");
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_count;
      }
    }
  }
  for (std::size_t i = 0; i < children.size(); ++i) {
    int status = 0;
    waitpid(children[i].pid, &status, 0);
    results[i].exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  return results;
}

// DIFFUSCOPE_EXE once per argument list, all at the same time.
std::vector<CliResult> run_cli_batch(const std::vector<std::vector<std::string>>& runs) {
  return run_program_batch(DIFFUSCOPE_EXE, runs);
}

CliResult run_cli(const std::vector<std::string>& args) { return run_cli_batch({args}).front(); }

struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
};

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  std::string field;
  while (std::getline(stream, field, sep)) fields.push_back(field);
  return fields;
}

// Parses CSV with a header; every data field must be a complete number ("inf"/"-inf" allowed).
Csv parse_csv(const std::string& text) {
  Csv csv;
  std::stringstream stream(text);
  std::string line;
  if (!std::getline(stream, line)) return csv;
  csv.header = split(line, ',');
  while (std::getline(stream, line)) {
    std::vector<double> row;
    for (const std::string& field : split(line, ',')) {
      char* end = nullptr;
      const double value = std::strtod(field.c_str(), &end);
      if (field.empty() || *end != '\0') throw std::runtime_error("not a number: '" + field + "'");
      row.push_back(value);
    }
    if (row.size() != csv.header.size()) throw std::runtime_error("ragged row: " + line);
    csv.rows.push_back(row);
  }
  return csv;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

::testing::AssertionResult near_relative(double actual, double expected, double tolerance) {
  const double error = std::abs(actual - expected);
  if (error <= tolerance * std::abs(expected)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "actual " << actual << " expected " << expected
                                       << " (relative error " << error / std::abs(expected) << ")";
}

struct UsageErrorCase {
  std::vector<std::string> args;
  std::vector<std::string> needles;  // each must appear in the message
};

// Expects user errors: exit code 2, empty stdout, and a message on stderr naming the flag.
void expect_usage_errors(const std::vector<UsageErrorCase>& cases) {
  std::vector<std::vector<std::string>> runs;
  for (const UsageErrorCase& c : cases) runs.push_back(c.args);
  const std::vector<CliResult> results = run_cli_batch(runs);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::string joined;
    for (const std::string& arg : cases[i].args) joined += arg + " ";
    SCOPED_TRACE("diffuscope " + joined);
    const CliResult& r = results[i];
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(r.out.empty()) << r.out;
    for (const std::string& needle : cases[i].needles) {
      EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr lacks '" << needle << "': " << r.err;
    }
  }
}

const std::vector<std::string> kScheduleHeader = {"t", "beta", "alpha_bar", "snr", "log_snr",
                                                  "posterior_variance"};
enum Column { kT, kBeta, kAlphaBar, kSnr, kLogSnr, kPosteriorVariance };

// Linear betas 1e-4 .. 0.02 over T = 1000, in long double.
long double linear_beta(int t, int T = 1000, long double start = 1e-4L, long double end = 0.02L) {
  return start + (end - start) * static_cast<long double>(t - 1) / static_cast<long double>(T - 1);
}

}  // namespace

TEST(CliSchedule, LinearDefaultMatchesIndependentValues) {
  const CliResult r = run_cli({"schedule", "--kind", "linear"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Csv csv = parse_csv(r.out);
  EXPECT_EQ(csv.header, kScheduleHeader);
  ASSERT_EQ(csv.rows.size(), 1000u);

  const std::vector<double>& first = csv.rows.front();
  EXPECT_EQ(first[kT], 1);
  EXPECT_TRUE(near_relative(first[kBeta], 1e-4, 1e-12));
  EXPECT_TRUE(near_relative(first[kAlphaBar], 0.9999, 1e-12));
  EXPECT_TRUE(near_relative(first[kSnr], 0.9999 / 1e-4, 1e-9));
  EXPECT_TRUE(near_relative(first[kLogSnr], std::log(0.9999 / 1e-4), 1e-9));
  EXPECT_EQ(first[kPosteriorVariance], 0.0);  // alpha_bar_0 = 1

  // Every row against the same quantities accumulated here in long double.
  long double alpha_bar = 1.0L;
  for (int t = 1; t <= 1000; ++t) {
    const std::vector<double>& row = csv.rows[static_cast<std::size_t>(t - 1)];
    const long double beta = linear_beta(t);
    const long double alpha_bar_prev = alpha_bar;
    alpha_bar *= 1.0L - beta;
    SCOPED_TRACE("t = " + std::to_string(t));
    ASSERT_EQ(row[kT], t);
    ASSERT_TRUE(near_relative(row[kBeta], static_cast<double>(beta), 1e-12));
    ASSERT_TRUE(near_relative(row[kAlphaBar], static_cast<double>(alpha_bar), 1e-11));
    ASSERT_TRUE(near_relative(row[kSnr], static_cast<double>(alpha_bar / (1.0L - alpha_bar)), 1e-9));
    if (t > 1) {
      const long double beta_tilde = (1.0L - alpha_bar_prev) / (1.0L - alpha_bar) * beta;
      ASSERT_TRUE(near_relative(row[kPosteriorVariance], static_cast<double>(beta_tilde), 1e-9));
    }
  }
  // The value lecturers compare against (Ho et al. 2020 schedule).
  EXPECT_TRUE(near_relative(csv.rows.back()[kAlphaBar], 4.0358e-05, 1e-4));
}

TEST(CliSchedule, FlagsReachTheSchedule) {
  const std::vector<CliResult> r = run_cli_batch({
      {"schedule", "--kind", "constant", "--beta", "0.02", "--T", "10"},
      {"schedule", "--kind", "linear", "--T", "100", "--scale-with-T"},
      {"schedule", "--kind", "linear", "--T", "5", "--beta-start", "0.001", "--beta-end", "0.005"},
  });
  for (const CliResult& result : r) ASSERT_EQ(result.exit_code, 0) << result.err;
  {  // constant: alpha_bar_t = (1 - beta)^t
    const Csv csv = parse_csv(r[0].out);
    ASSERT_EQ(csv.rows.size(), 10u);
    for (int t = 1; t <= 10; ++t) {
      EXPECT_TRUE(near_relative(csv.rows[t - 1][kBeta], 0.02, 1e-12));
      EXPECT_TRUE(near_relative(csv.rows[t - 1][kAlphaBar], std::pow(0.98, t), 1e-12));
    }
  }
  {  // --scale-with-T multiplies both ends by 1000 / T
    const Csv csv = parse_csv(r[1].out);
    ASSERT_EQ(csv.rows.size(), 100u);
    EXPECT_TRUE(near_relative(csv.rows.front()[kBeta], 1e-3, 1e-12));
    EXPECT_TRUE(near_relative(csv.rows.back()[kBeta], 0.2, 1e-12));
  }
  {  // --beta-start / --beta-end
    const Csv csv = parse_csv(r[2].out);
    ASSERT_EQ(csv.rows.size(), 5u);
    for (int t = 1; t <= 5; ++t) EXPECT_TRUE(near_relative(csv.rows[t - 1][kBeta], 0.001 * t, 1e-12));
  }
}

TEST(CliSchedule, CosineRowsFollowNicholDhariwal) {
  const std::vector<std::string> offsets = {"0.008", "0.02"};
  const std::vector<CliResult> r = run_cli_batch({
      {"schedule", "--kind", "cosine", "--T", "500"},  // s = 0.008 by default
      {"schedule", "--kind", "cosine", "--T", "500", "--cosine-s", offsets[1]},
  });
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    SCOPED_TRACE("s = " + offsets[i]);
    ASSERT_EQ(r[i].exit_code, 0) << r[i].err;
    const Csv csv = parse_csv(r[i].out);
    EXPECT_EQ(csv.header, kScheduleHeader);
    ASSERT_EQ(csv.rows.size(), 500u);
    // alpha_bar_1 = f(1) / f(0), f(t) = cos^2(((t / T + s) / (1 + s)) pi / 2)  (Nichol & Dhariwal 2021)
    const long double s = std::stold(offsets[i]);
    const long double pi = 3.141592653589793238462643383279503L;
    auto f = [&](long double t) {
      const long double c = std::cos((t / 500.0L + s) / (1.0L + s) * pi / 2.0L);
      return c * c;
    };
    const long double alpha_bar_1 = f(1) / f(0);
    EXPECT_TRUE(near_relative(csv.rows.front()[kAlphaBar], static_cast<double>(alpha_bar_1), 1e-11));
    EXPECT_TRUE(near_relative(csv.rows.front()[kBeta], static_cast<double>(1.0L - alpha_bar_1), 1e-9));
    // Near t = T the ratio f(T) / f(T - 1) goes to 0, so beta is capped at 0.999.
    EXPECT_TRUE(near_relative(csv.rows.back()[kBeta], 0.999, 1e-12));
    EXPECT_EQ(lower(r[i].out).find("nan"), std::string::npos);
  }
}

TEST(CliSchedule, ZeroTerminalSnrPrintsZeroAndInfinityNeverNan) {
  const std::vector<std::string> kinds = {"linear", "cosine"};
  std::vector<std::vector<std::string>> runs;
  for (const std::string& kind : kinds) runs.push_back({"schedule", "--kind", kind, "--zero-terminal-snr", "--T", "200"});
  const std::vector<CliResult> r = run_cli_batch(runs);
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    SCOPED_TRACE(kinds[i]);
    ASSERT_EQ(r[i].exit_code, 0) << r[i].err;
    EXPECT_EQ(lower(r[i].out).find("nan"), std::string::npos);
    const Csv csv = parse_csv(r[i].out);
    ASSERT_EQ(csv.rows.size(), 200u);
    const std::vector<double>& last = csv.rows.back();
    EXPECT_EQ(last[kAlphaBar], 0.0);
    EXPECT_EQ(last[kSnr], 0.0);
    EXPECT_EQ(last[kLogSnr], -std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::isfinite(last[kBeta]));
    EXPECT_TRUE(std::isfinite(last[kPosteriorVariance]));
    for (std::size_t row = 0; row + 1 < csv.rows.size(); ++row) {
      ASSERT_TRUE(std::isfinite(csv.rows[row][kLogSnr])) << "row " << row + 1;
    }
  }
}

TEST(CliDataset, PrintsNFinitePointsDecidedByTheSeed) {
  const std::vector<CliResult> r = run_cli_batch({
      {"dataset", "--name", "moons", "--n", "300", "--seed", "7"},
      {"dataset", "--name", "moons", "--n", "300", "--seed", "7"},
      {"dataset", "--name", "moons", "--n", "300", "--seed", "8"},
      {"dataset", "--name", "swiss_roll", "--n", "300", "--seed", "7"},
  });
  for (const CliResult& result : r) {
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const Csv csv = parse_csv(result.out);
    EXPECT_EQ(csv.header, (std::vector<std::string>{"x", "y"}));
    ASSERT_EQ(csv.rows.size(), 300u);
    for (const std::vector<double>& row : csv.rows) {
      ASSERT_TRUE(std::isfinite(row[0]) && std::isfinite(row[1]));
    }
  }
  EXPECT_EQ(r[0].out, r[1].out);  // same seed, same points
  EXPECT_NE(r[0].out, r[2].out);
  EXPECT_NE(r[0].out, r[3].out);
}

namespace {

std::vector<std::string> dataset_args(const std::string& name, int n, int seed) {
  return {"dataset", "--name", name, "--n", std::to_string(n), "--seed", std::to_string(seed)};
}

}  // namespace

TEST(CliForward, EveryProcessPrintsNFinitePoints) {
  const std::vector<std::string> processes = {"closed", "markov", "naive"};
  std::vector<std::vector<std::string>> runs;
  for (const std::string& process : processes) {
    runs.push_back({"forward", "--name", "moons", "--n", "200", "--t", "100", "--seed", "3", "--process", process});
  }
  const std::vector<CliResult> r = run_cli_batch(runs);
  for (std::size_t i = 0; i < processes.size(); ++i) {
    SCOPED_TRACE(processes[i]);
    ASSERT_EQ(r[i].exit_code, 0) << r[i].err;
    const Csv csv = parse_csv(r[i].out);
    EXPECT_EQ(csv.header, (std::vector<std::string>{"x", "y"}));
    ASSERT_EQ(csv.rows.size(), 200u);
    for (const std::vector<double>& row : csv.rows) ASSERT_TRUE(std::isfinite(row[0]) && std::isfinite(row[1]));
  }
  EXPECT_NE(r[0].out, r[2].out);
}

TEST(CliForward, StepZeroIsTheDatasetWithTheSameSeed) {
  const std::vector<CliResult> r = run_cli_batch({
      {"forward", "--name", "spiral", "--n", "100", "--t", "0", "--seed", "11"},
      dataset_args("spiral", 100, 11),
  });
  ASSERT_EQ(r[0].exit_code, 0) << r[0].err;
  ASSERT_EQ(r[1].exit_code, 0) << r[1].err;
  EXPECT_EQ(r[0].out, r[1].out);
}

TEST(CliForward, AtStepTTheClosedFormIsNearlyStandardNormal) {
  // alpha_bar_1000 = 4e-5: x_T = 0.006 x_0 + 0.99998 eps. 4000 values: the mean's standard error is
  // 0.016 and the variance's 0.022; the tolerances are about 6 of those.
  const CliResult r = run_cli({"forward", "--name", "moons", "--n", "2000", "--t", "1000", "--seed", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Csv csv = parse_csv(r.out);
  ASSERT_EQ(csv.rows.size(), 2000u);
  double sum = 0, sum_sq = 0;
  for (const std::vector<double>& row : csv.rows) {
    for (double v : row) {
      sum += v;
      sum_sq += v * v;
    }
  }
  const double count = 2.0 * static_cast<double>(csv.rows.size());
  const double mean = sum / count;
  EXPECT_NEAR(mean, 0.0, 0.1);
  EXPECT_NEAR(sum_sq / count - mean * mean, 1.0, 0.13);
}

TEST(CliForward, NaiveNoiseVarianceGrowsLikeTBeta) {
  // x_t - x_0 = sqrt(t beta) eps, and x_0 is `dataset` with the same seed (documented seeding).
  // 4000 values of variance t beta: relative standard error sqrt(2 / 4000) = 0.022; tolerance 0.1.
  const std::vector<int> steps = {25, 400};
  std::vector<std::vector<std::string>> runs = {dataset_args("circles", 2000, 9)};
  for (int t : steps) {
    runs.push_back({"forward", "--name", "circles", "--n", "2000", "--t", std::to_string(t), "--seed", "9",
                    "--process", "naive", "--naive-beta", "0.01"});
  }
  const std::vector<CliResult> r = run_cli_batch(runs);
  for (const CliResult& result : r) ASSERT_EQ(result.exit_code, 0) << result.err;
  const Csv clean = parse_csv(r[0].out);
  for (std::size_t k = 0; k < steps.size(); ++k) {
    const Csv noised = parse_csv(r[k + 1].out);
    ASSERT_EQ(noised.rows.size(), clean.rows.size());
    double sum_sq = 0;
    for (std::size_t i = 0; i < clean.rows.size(); ++i) {
      for (int c = 0; c < 2; ++c) {
        const double d = noised.rows[i][c] - clean.rows[i][c];
        sum_sq += d * d;
      }
    }
    const double variance = sum_sq / (2.0 * static_cast<double>(clean.rows.size()));
    EXPECT_TRUE(near_relative(variance, steps[k] * 0.01, 0.1)) << "t = " << steps[k];
  }
}

TEST(CliSample, SmallRunPrintsFiniteSamplesAndSpeed) {
  // One thread: OpenMP threads crawl when the machine is busy (ctest -j, other builds).
  const std::vector<std::string> args = {"sample", "--denoiser", "exact", "--name", "moons", "--n", "200",
                                         "--steps", "50", "--sigma", "small", "--seed", "1", "--threads", "1"};
  const std::vector<CliResult> r = run_cli_batch({args, args});
  ASSERT_EQ(r[0].exit_code, 0) << r[0].err;
  const Csv csv = parse_csv(r[0].out);
  EXPECT_EQ(csv.header, (std::vector<std::string>{"x", "y"}));
  ASSERT_EQ(csv.rows.size(), 200u);
  for (const std::vector<double>& row : csv.rows) ASSERT_TRUE(std::isfinite(row[0]) && std::isfinite(row[1]));
  EXPECT_NE(r[0].err.find("point-steps"), std::string::npos) << r[0].err;
  EXPECT_NE(r[0].err.find("200 points x 50 steps"), std::string::npos) << r[0].err;
  EXPECT_EQ(r[1].out, r[0].out);  // same seed, same samples
}

TEST(CliSample, ExactDenoiserLandsOnTheTrainingPoints) {
  // The exact denoiser memorises its training set: at the last step (t = 1, noise std 0.01) the
  // posterior sits on the nearest training point (or between two that are closer than ~0.03), and
  // that step adds no noise. So samples end within 0.05 of a training point; N(0, I) noise would
  // not (measured: 5 of 300 with these training points). The training points are `dataset` with
  // the same seed, as documented.
  const std::vector<std::string> sigmas = {"small", "large", "ddim"};
  std::vector<std::vector<std::string>> runs = {dataset_args("8gaussians", 100, 4)};
  for (const std::string& sigma : sigmas) {
    runs.push_back({"sample", "--name", "8gaussians", "--n", "300", "--train-n", "100", "--sigma", sigma,
                    "--seed", "4", "--threads", "1"});
  }
  const std::vector<CliResult> r = run_cli_batch(runs);
  ASSERT_EQ(r[0].exit_code, 0) << r[0].err;
  const Csv train = parse_csv(r[0].out);
  for (std::size_t k = 0; k < sigmas.size(); ++k) {
    SCOPED_TRACE(sigmas[k]);
    ASSERT_EQ(r[k + 1].exit_code, 0) << r[k + 1].err;
    const Csv samples = parse_csv(r[k + 1].out);
    ASSERT_EQ(samples.rows.size(), 300u);
    int near_a_point = 0;
    for (const std::vector<double>& s : samples.rows) {
      double nearest = std::numeric_limits<double>::infinity();
      for (const std::vector<double>& p : train.rows) {
        nearest = std::min(nearest, std::hypot(s[0] - p[0], s[1] - p[1]));
      }
      if (nearest < 0.05) ++near_a_point;
    }
    EXPECT_GE(near_a_point, 285) << "of 300 samples";
  }
}

TEST(CliErrors, BadFlagsExitTwoNamingTheFlag) {
  expect_usage_errors({
      {{"schedule", "--kind", "bogus"}, {"--kind", "bogus", "cosine", "sigmoid_beta"}},
      {{"schedule", "--kind", "linear", "--T", "0"}, {"T"}},
      {{"schedule", "--kind", "linear", "--beta-end", "1.5"}, {"beta_end"}},
      {{"schedule", "--kind", "linear", "--beta-start", "nan"}, {"--beta-start"}},
      {{"schedule", "--kind", "linear", "--frobnicate"}, {"--frobnicate"}},
      {{"dataset", "--n", "10", "--seed", "1"}, {"--name"}},
      {{"dataset", "--name", "donuts", "--n", "10"}, {"--name", "donuts", "moons", "spiral"}},
      {{"forward", "--name", "moons", "--t", "1001"}, {"--t", "1000"}},
      {{"sample", "--name", "moons", "--n", "10", "--steps", "2000"}, {"--steps"}},
      {{"sample", "--name", "moons", "--n", "10", "--denoiser", "unet"}, {"--denoiser", "exact"}},
      {{"sample", "--name", "moons", "--n", "10", "--sigma", "medium"}, {"--sigma", "ddim"}},
      {{"sample", "--name", "moons", "--n", "10", "--device", "tpu"}, {"--device", "cuda"}},
      {{"sample", "--name", "moons", "--n", "10", "--denoiser", "exact", "--model", "m.ckpt"}, {"--model", "model"}},
      {{"evaluate", "--name", "donuts"}, {"--name", "donuts", "moons"}},
      {{"evaluate", "--name", "moons", "--sigma", "medium"}, {"--sigma", "ddim"}},
      {{"train", "--name", "donuts", "--steps", "10", "--out", "/tmp/x.ckpt"}, {"--name", "donuts", "moons"}},
      {{"train", "--name", "moons", "--steps", "0", "--out", "/tmp/x.ckpt"}, {"--steps"}},
      {{"train", "--name", "moons", "--steps", "10"}, {"--out"}},
      {{"train", "--name", "moons", "--steps", "10", "--out", "/nonexistent-folder/x.ckpt"},
       {"--out", "/nonexistent-folder", "does not exist"}},
      {{"train", "--name", "moons", "--steps", "10", "--out", "/tmp"}, {"--out", "folder"}},
      {{"train", "--name", "moons", "--steps", "10", "--out", "/tmp/x.ckpt", "--lr", "-1"}, {"--lr"}},
  });
}

TEST(CliErrors, BadGuiFlagsExitTwoBeforeAnyWindowOpens) {
  // Flags are checked before the window would open, so these are safe in a GUI build too.
  expect_usage_errors({
      {{"gui", "--ui-scale", "5"}, {"--ui-scale"}},
      {{"gui", "--size", "12"}, {"--size"}},
      {{"gui", "--frames", "0"}, {"--frames"}},
      {{"gui", "--process", "foo"}, {"--process", "markov"}},
      {{"gui", "--sigma", "odee"}, {"--sigma", "odee", "ddim", "ode"}},
      {{"gui", "--sigma", "ode", "--solver", "rk4"}, {"--solver", "rk4", "dpmpp2m"}},
      {{"gui", "--process", "flow", "--solver", "dpmpp2m"}, {"--solver", "dpmpp2m", "euler or heun"}},
      {{"gui", "--solver", "heun"}, {"--solver", "--sigma ode", "--process flow"}},
      {{"gui", "--process", "flow", "--sigma", "ode"}, {"--process flow", "--sigma ode"}},
      {{"gui", "--t=-5"}, {"--t"}},
      {{"gui", "--scene", "no-such-scene"}, {"--scene", "no-such-scene", "shipped scenes"}},
      {{"gui", "--scene", "/nonexistent/lecture.json"}, {"--scene", "/nonexistent/lecture.json"}},
      {{"gui", "--export-gif", "/tmp/out.png"}, {"--export-gif", ".gif"}},
      {{"gui", "--export-gif", "/nonexistent-folder/out.gif"}, {"--export-gif", "does not exist"}},
      {{"gui", "--export-sequence", "/tmp/out.gif"}, {"--export-sequence", ".png"}},
      {{"gui", "--export-gif", "/tmp/a.gif", "--screenshot", "/tmp/a.png"}, {"--screenshot", "--export-gif"}},
      {{"gui", "--export-frames", "1"}, {"--export-frames"}},
      {{"gui", "--export-seconds", "0"}, {"--export-seconds"}},
      {{"gui", "--export-direction", "sideways"}, {"--export-direction", "down", "up"}},
      {{"gui", "--export-content", "everything"}, {"--export-content", "views"}},
      {{"gui", "--export-png", "/tmp/out.gif"}, {"--export-png", ".png"}},
      {{"gui", "--export-png", "/tmp/out.png", "--export-view", "teapot"}, {"--export-view", "teapot", "clouds"}},
      {{"gui", "--export-view", "points"}, {"--export-view", "--export-png"}},
      {{"gui", "--export-png", "/tmp/out.png", "--export-size", "10x10"}, {"--export-size"}},
      {{"gui", "--soak", "-1"}, {"--soak"}},
      {{"gui", "--soak", "10", "--bench"}, {"--soak", "--bench"}},
      {{"gui", "--bench-out", "/tmp/b.json"}, {"--bench-out", "--bench"}},
      {{"gui", "--bench", "--bench-out", "/nonexistent-folder/b.json"}, {"--bench-out", "does not exist"}},
  });
}

TEST(CliGui, NoGuiBuildSaysSoAndExitsTwo) {
  const CliResult version = run_cli({"--version"});
  ASSERT_EQ(version.exit_code, 0) << version.err;
  if (version.out.find("no GUI") == std::string::npos) {
    GTEST_SKIP() << "this build has a GUI; `diffuscope gui` would open a window";
  }
  for (const CliResult& r : run_cli_batch({{"gui"}, {}})) {
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("this build has no GUI"), std::string::npos) << r.err;
  }
}

TEST(CliHelp, HelpAndVersionExitZero) {
  const std::vector<CliResult> r = run_cli_batch({{"--help"}, {"sample", "--help"}, {"--version"}});
  const CliResult& help = r[0];
  EXPECT_EQ(help.exit_code, 0);
  for (const std::string& command : {"gui", "schedule", "dataset", "forward", "sample", "evaluate", "train"}) {
    EXPECT_NE(help.out.find(command), std::string::npos) << command;
  }
  const CliResult& sample_help = r[1];
  EXPECT_EQ(sample_help.exit_code, 0);
  EXPECT_NE(sample_help.out.find("--sigma"), std::string::npos);
  EXPECT_NE(sample_help.out.find("point-steps"), std::string::npos);
  EXPECT_NE(sample_help.out.find("--data"), std::string::npos);
  EXPECT_NE(sample_help.out.find("image-steps"), std::string::npos);
  const CliResult& version = r[2];
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("diffuscope ", 0), 0u) << version.out;
  EXPECT_NE(version.out.find("LibTorch"), std::string::npos) << version.out;  // the runtime line
}

namespace {

// Upper bound on the sliced Wasserstein distance (128 directions) of 1000 samples (100 steps) to
// 1000 fresh data points. Measured for 400 vs 400 points: two data draws 0.08..0.13, N(0, I)
// against the data 0.25..0.33; at 1000 points the floor of two data draws shrinks (as 1/sqrt(n))
// to about 0.05..0.08 while N(0, I) stays near 0.25 (its gap is a bias, not sampling noise).
constexpr double kShippedModelMaxDistance = 0.15;

// A fresh folder under the system's temp dir, removed with everything in it at scope exit.
class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "diffuscope-cli-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::vector<std::string> model_sample_args(const std::string& name, const std::string& model, int n, int steps) {
  std::vector<std::string> args = {"sample", "--denoiser", "model", "--name", name, "--n", std::to_string(n),
                                   "--steps", std::to_string(steps), "--seed", "1", "--threads", "1"};
  if (!model.empty()) {
    args.push_back("--model");
    args.push_back(model);
  }
  return args;
}

// Every row finite, `n` of them, header x,y.
void expect_finite_xy(const CliResult& r, std::size_t n) {
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Csv csv = parse_csv(r.out);
  EXPECT_EQ(csv.header, (std::vector<std::string>{"x", "y"}));
  ASSERT_EQ(csv.rows.size(), n);
  for (const std::vector<double>& row : csv.rows) ASSERT_TRUE(std::isfinite(row[0]) && std::isfinite(row[1]));
}

}  // namespace

TEST(CliTrain, ShortRunPrintsProgressAndItsCheckpointSamples) {
  const TempFolder folder;
  const std::string checkpoint = folder.file("moons.ckpt");
  const CliResult train = run_cli({"train", "--name", "moons", "--steps", "120", "--batch", "128",
                                   "--progress-every", "40", "--seed", "3", "--threads", "1", "--out",
                                   checkpoint});
  ASSERT_EQ(train.exit_code, 0) << train.err << train.out;

  // "step 40/120  loss 0.4123  steps/s 182.4  elapsed 0.3 s", every 40 steps.
  const std::regex progress(R"(step (\d+)/120  loss ([0-9.]+)  steps/s ([0-9.]+)  elapsed ([0-9.]+) s)");
  std::vector<int> steps;
  std::stringstream lines(train.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch match;
    if (!std::regex_match(line, match, progress)) continue;
    steps.push_back(std::stoi(match[1]));
    const double loss = std::stod(match[2]);
    EXPECT_TRUE(std::isfinite(loss) && loss > 0 && loss < 2) << line;  // eps ~ N(0, I): 1 at random
    EXPECT_GT(std::stod(match[3]), 0.0) << line;
  }
  EXPECT_EQ(steps, (std::vector<int>{40, 80, 120})) << train.out;
  EXPECT_NE(train.out.find("saved " + checkpoint), std::string::npos) << train.out;

  // The metadata (plain JSON near the start of the file) records the command as typed.
  const std::string bytes = read_bytes(checkpoint);
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_NE(bytes.find("diffuscope train --name moons --steps 120 --batch 128 --progress-every 40"),
            std::string::npos);

  // The file it wrote samples; damaged copies of it and other files are refused naming the file.
  const std::string truncated = folder.file("truncated.ckpt");
  write_bytes(truncated, bytes.substr(0, bytes.size() / 2));
  const std::string garbage = folder.file("garbage.ckpt");
  write_bytes(garbage, "this is not a checkpoint, just some text\n");
  const std::string flipped = folder.file("flipped.ckpt");
  std::string flipped_bytes = bytes;
  flipped_bytes[bytes.size() * 3 / 4] ^= 0x10;  // inside the weights: only the checksum sees it
  write_bytes(flipped, flipped_bytes);
  const std::string missing = folder.file("missing.ckpt");

  const std::vector<CliResult> r = run_cli_batch({
      model_sample_args("moons", checkpoint, 150, 40),
      model_sample_args("moons", truncated, 150, 40),
      model_sample_args("moons", garbage, 150, 40),
      model_sample_args("moons", flipped, 150, 40),
      model_sample_args("moons", missing, 150, 40),
  });
  expect_finite_xy(r[0], 150);
  EXPECT_NE(r[0].err.find("learned model " + checkpoint), std::string::npos) << r[0].err;
  EXPECT_NE(r[0].err.find("150 points x 40 steps"), std::string::npos) << r[0].err;
  const std::vector<std::string> bad = {truncated, garbage, flipped, missing};
  for (std::size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE(bad[i]);
    EXPECT_NE(r[i + 1].exit_code, 0);
    EXPECT_TRUE(r[i + 1].out.empty()) << r[i + 1].out;
    EXPECT_NE(r[i + 1].err.find(bad[i]), std::string::npos) << r[i + 1].err;
  }
}

TEST(CliSample, EveryShippedModelSamplesItsDataset) {
  // The shipped checkpoints (assets/models/NAME.ckpt): each loads as a model of its dataset and
  // gives finite samples whose sliced Wasserstein distance to fresh data is far below what noise
  // scores (kShippedModelMaxDistance). Figures at 1000 steps and 2000 points: assets/models/*.txt.
  const std::vector<std::string> names = {"moons", "8gaussians", "swiss_roll", "checkerboard",
                                          "circles", "spiral", "gaussian_mixture"};
  std::vector<std::vector<std::string>> runs;
  for (const std::string& name : names) {
    std::vector<std::string> args = model_sample_args(name, "", 1000, 100);
    args.push_back("--evaluate");
    runs.push_back(args);
  }
  const std::vector<CliResult> r = run_cli_batch(runs);
  const std::regex distance_line(R"(sliced Wasserstein distance to fresh data: ([0-9.]+) \(128 directions)");
  for (std::size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE(names[i]);
    expect_finite_xy(r[i], 1000);
    EXPECT_NE(r[i].err.find("models/" + names[i] + ".ckpt"), std::string::npos) << r[i].err;
    std::smatch match;
    ASSERT_TRUE(std::regex_search(r[i].err, match, distance_line)) << r[i].err;
    EXPECT_LT(std::stod(match[1]), kShippedModelMaxDistance) << r[i].err;
  }
}

TEST(CliEvaluate, PrintsDataExactAndModelRows) {
  const CliResult r = run_cli({"evaluate", "--name", "8gaussians", "--n", "1000", "--steps", "100",
                               "--seed", "2", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::stringstream lines(r.out);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_EQ(line, "denoiser,sliced_wasserstein,beyond_0.3,max_distance,seconds");
  std::vector<std::string> labels;
  std::vector<double> distances;
  while (std::getline(lines, line)) {
    const std::vector<std::string> fields = split(line, ',');
    ASSERT_EQ(fields.size(), 5u) << line;
    labels.push_back(fields[0]);
    distances.push_back(std::stod(fields[1]));
    EXPECT_TRUE(std::isfinite(distances.back()) && distances.back() >= 0) << line;
    // Stragglers: a share in [0, 1] and a finite farthest distance (data's own: small).
    EXPECT_GE(std::stod(fields[2]), 0.0) << line;
    EXPECT_LE(std::stod(fields[2]), 1.0) << line;
    EXPECT_TRUE(std::isfinite(std::stod(fields[3]))) << line;
    EXPECT_GE(std::stod(fields[4]), 0.0) << line;
  }
  EXPECT_EQ(labels, (std::vector<std::string>{"data", "exact", "model"}));
  ASSERT_EQ(distances.size(), 3u);
  // Both denoisers land near the data: far below what x_T ~ N(0, I) itself would score.
  for (double distance : distances) EXPECT_LT(distance, kShippedModelMaxDistance);
  EXPECT_NE(r.err.find("models/8gaussians.ckpt"), std::string::npos) << r.err;
}

// ---------------------------------------------------------------------------------------------
// `sample --data`: images from the learned image model, written as a PNG grid.

namespace {

// Runs the helper that writes an image checkpoint with random weights (tests/cli/CMakeLists.txt).
void make_image_checkpoint(const std::string& path) {
  const CliResult r = run_program_batch(MAKE_IMAGE_CHECKPOINT_EXE, {{path, "tiny", "7"}}).front();
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

struct GreyPng {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> pixels;  // row-major
  std::uint8_t at(std::uint32_t x, std::uint32_t y) const { return pixels[static_cast<std::size_t>(y) * width + x]; }
};

std::uint32_t big_endian_u32(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(bytes.at(at + i));
  return value;
}

// Decodes an 8-bit greyscale, non-interlaced PNG (what a 1-channel grid is), written here from
// the PNG specification: chunks, the zlib stream of the IDAT chunks, and the five row filters.
GreyPng decode_grey_png(const std::string& bytes) {
  if (bytes.size() < 8 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) throw std::runtime_error("no PNG signature");
  GreyPng png;
  std::string compressed;
  bool ended = false;
  for (std::size_t at = 8; at < bytes.size() && !ended;) {
    const std::uint32_t length = big_endian_u32(bytes, at);
    const std::string type = bytes.substr(at + 4, 4);
    if (at + 12 + length > bytes.size()) throw std::runtime_error("chunk " + type + " runs past the end");
    const std::string data = bytes.substr(at + 8, length);
    if (type == "IHDR") {
      png.width = big_endian_u32(data, 0);
      png.height = big_endian_u32(data, 4);
      if (data[8] != 8 || data[9] != 0 || data[12] != 0) throw std::runtime_error("not 8-bit grey, non-interlaced");
    } else if (type == "IDAT") {
      compressed += data;
    } else if (type == "IEND") {
      ended = true;
    }
    at += 12 + length;
  }
  if (!ended || png.width == 0 || png.height == 0) throw std::runtime_error("no IEND or no IHDR");
  const std::size_t stride = png.width + 1;  // filter byte + one byte per pixel
  std::vector<std::uint8_t> raw(stride * png.height);
  uLongf raw_size = static_cast<uLongf>(raw.size());
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(compressed.data()),
                 static_cast<uLong>(compressed.size())) != Z_OK ||
      raw_size != raw.size()) {
    throw std::runtime_error("IDAT does not inflate to height x (width + 1) bytes");
  }
  png.pixels.resize(static_cast<std::size_t>(png.width) * png.height);
  for (std::uint32_t y = 0; y < png.height; ++y) {
    const std::uint8_t filter = raw[y * stride];
    for (std::uint32_t x = 0; x < png.width; ++x) {
      const int a = x > 0 ? png.at(x - 1, y) : 0;
      const int b = y > 0 ? png.at(x, y - 1) : 0;
      const int c = x > 0 && y > 0 ? png.at(x - 1, y - 1) : 0;
      int predictor = 0;
      switch (filter) {
        case 0: break;
        case 1: predictor = a; break;
        case 2: predictor = b; break;
        case 3: predictor = (a + b) / 2; break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c);
          break;
        }
        default: throw std::runtime_error("unknown row filter " + std::to_string(filter));
      }
      png.pixels[static_cast<std::size_t>(y) * png.width + x] =
          static_cast<std::uint8_t>(raw[y * stride + 1 + x] + predictor);
    }
  }
  return png;
}

}  // namespace

TEST(CliSampleImages, WritesAGridPngAndTheSpeedLine) {
  TempFolder dir;
  const std::string model = dir.file("tiny.ckpt");
  make_image_checkpoint(model);
  auto args = [&](const std::string& out, const std::string& seed) {
    return std::vector<std::string>{"sample", "--data", "fashion-mnist", "--model", model, "--n", "5", "--steps",
                                    "20", "--seed", seed, "--threads", "1", "--out", dir.file(out)};
  };
  const std::vector<CliResult> r = run_cli_batch({args("a.png", "3"), args("b.png", "3"), args("c.png", "4")});
  const std::regex speed_line(
      "sample: 5 images x 20 steps in [0-9.]+ s = ([0-9.]+e[+-][0-9]+) image-steps/s on cpu \\(1 thread\\)");
  for (const CliResult& result : r) {
    ASSERT_EQ(result.exit_code, 0) << result.err;
    std::smatch match;
    ASSERT_TRUE(std::regex_search(result.out, match, speed_line)) << result.out;
    EXPECT_GT(std::stod(match[1]), 0.0);
  }
  EXPECT_NE(r[0].out.find("grid written to " + dir.file("a.png")), std::string::npos) << r[0].out;

  // 5 images of 28 x 28 in ceil(sqrt(5)) = 3 columns and 2 rows, each tile scaled 2x (to 56 px),
  // 1-px mid-grey gutters between and around: 3 * 57 + 1 by 2 * 57 + 1 pixels.
  const std::string a_bytes = read_bytes(dir.file("a.png"));
  const GreyPng png = decode_grey_png(a_bytes);
  ASSERT_EQ(png.width, 172u);
  ASSERT_EQ(png.height, 115u);
  for (std::uint32_t x = 0; x < png.width; ++x) {
    for (std::uint32_t y : {0u, 57u, 114u}) ASSERT_EQ(png.at(x, y), 128) << x << ", " << y;
  }
  for (std::uint32_t y = 0; y < png.height; ++y) {
    for (std::uint32_t x : {0u, 57u, 114u, 171u}) ASSERT_EQ(png.at(x, y), 128) << x << ", " << y;
  }
  // The sixth slot is empty (gutter grey); every tile is made of 2 x 2 blocks of one value and is
  // not blank.
  for (std::uint32_t y = 58; y < 114; ++y) {
    for (std::uint32_t x = 115; x < 171; ++x) ASSERT_EQ(png.at(x, y), 128) << x << ", " << y;
  }
  for (int tile = 0; tile < 5; ++tile) {
    const std::uint32_t left = 1 + 57 * static_cast<std::uint32_t>(tile % 3);
    const std::uint32_t top = 1 + 57 * static_cast<std::uint32_t>(tile / 3);
    int lowest = 255, highest = 0;
    for (std::uint32_t y = 0; y < 56; ++y) {
      for (std::uint32_t x = 0; x < 56; ++x) {
        const int value = png.at(left + x, top + y);
        ASSERT_EQ(value, png.at(left + x / 2 * 2, top + y / 2 * 2)) << "tile " << tile << " at " << x << ", " << y;
        lowest = std::min(lowest, value);
        highest = std::max(highest, value);
      }
    }
    EXPECT_GT(highest - lowest, 10) << "tile " << tile;
  }
  // Same seed, same grid; another seed, another grid.
  EXPECT_EQ(read_bytes(dir.file("b.png")), a_bytes);
  EXPECT_NE(read_bytes(dir.file("c.png")), a_bytes);
  // Written through a temp file and renamed: nothing else is left in the folder.
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.file(""))) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a.png", "b.png", "c.png", "tiny.ckpt"}));
}

TEST(CliSampleImages, BadFlagsAndModelsExitTwoWithAMessage) {
  TempFolder dir;
  const std::string model = dir.file("tiny.ckpt");
  make_image_checkpoint(model);
  const std::string truncated = dir.file("truncated.ckpt");
  const std::string bytes = read_bytes(model);
  write_bytes(truncated, bytes.substr(0, bytes.size() / 2));
  const std::string missing = dir.file("missing.ckpt");
  const std::string out = dir.file("grid.png");
  const std::string folder = dir.file("folder");
  std::filesystem::create_directory(folder);
  const std::string point_model = std::string(DIFFUSCOPE_SOURCE_DIR) + "/assets/models/moons.ckpt";
  auto data = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"sample", "--data", "fashion-mnist", "--steps", "5", "--n", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  expect_usage_errors({
      {{"sample", "--data", "mnist", "--out", out}, {"--data", "mnist", "fashion-mnist"}},
      {{"sample", "--name", "moons", "--data", "fashion-mnist", "--out", out}, {"--name", "--data"}},
      {{"sample", "--n", "10"}, {"--name", "--data"}},
      {{"sample", "--name", "moons", "--n", "10", "--out", out}, {"--out", "--data"}},
      {data({"--model", model}), {"--out"}},
      {data({"--model", model, "--out", dir.file("no-such-folder/grid.png")}), {"--out", "does not exist"}},
      {data({"--model", model, "--out", dir.file("")}), {"--out", "file"}},
      {data({"--model", model, "--out", folder}), {"--out", "folder"}},
      {data({"--model", model, "--out", out, "--denoiser", "exact"}), {"--denoiser"}},
      {data({"--model", model, "--out", out, "--train-n", "100"}), {"--train-n"}},
      {data({"--model", model, "--out", out, "--evaluate"}), {"--evaluate"}},
      {{"sample", "--data", "fashion-mnist", "--model", model, "--out", out, "--n", "5000"}, {"--n", "4096"}},
      {data({"--model", model, "--out", out, "--sigma", "medium"}), {"--sigma"}},
      {data({"--model", model, "--out", out, "--device", "tpu"}), {"--device"}},
      {data({"--model", missing, "--out", out}), {missing}},
      {data({"--model", truncated, "--out", out}), {truncated}},
      {data({"--model", point_model, "--out", out}), {point_model, "point"}},
  });
  EXPECT_FALSE(std::filesystem::exists(out));

  // No shipped image model where the assets are: the message says so and names --model.
  TempFolder empty_assets;
  ::setenv("DIFFUSCOPE_ASSETS", empty_assets.file("").c_str(), 1);
  const CliResult r = run_cli(data({"--out", out}));
  ::unsetenv("DIFFUSCOPE_ASSETS");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("fashion-mnist.ckpt"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--model"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

// ---------------------------------------------------------------------------------------------
// `evaluate --data`: the Fréchet distance of image samples to the test images in a classifier's
// features, with a floor row of real training images; `train --data --classifier` makes that
// classifier.

namespace {

struct ImageEvaluateRow {
  std::string images;
  int steps = -1;
  std::string sigma;
  int n = 0;
  double distance = 0;
  double seconds = 0;
};

// "images,steps,sigma,n,frechet_distance,seconds" and its rows.
std::vector<ImageEvaluateRow> parse_image_evaluate(const std::string& out) {
  std::stringstream lines(out);
  std::string line;
  if (!std::getline(lines, line) || line != "images,steps,sigma,n,frechet_distance,seconds")
    throw std::runtime_error("unexpected header: " + line);
  std::vector<ImageEvaluateRow> rows;
  while (std::getline(lines, line)) {
    const std::vector<std::string> fields = split(line, ',');
    if (fields.size() != 6) throw std::runtime_error("ragged row: " + line);
    rows.push_back({fields[0], std::stoi(fields[1]), fields[2], std::stoi(fields[3]), std::stod(fields[4]),
                    std::stod(fields[5])});
  }
  return rows;
}

std::vector<std::string> image_evaluate_args(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"evaluate", "--data", "fashion-mnist", "--seed", "1", "--threads", "1"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// "test accuracy 91.23% on the 10000 test images" on stderr: the percentage.
double printed_test_accuracy(const std::string& err) {
  std::smatch match;
  const std::regex line(R"(test accuracy ([0-9.]+)% on the 10000 test images)");
  if (!std::regex_search(err, match, line)) return -1;
  return std::stod(match[1]);
}

}  // namespace

TEST(CliEvaluateImages, BadFlagCombinationsExitTwoWithAMessage) {
  TempFolder dir;
  const std::string unet = dir.file("tiny.ckpt");
  make_image_checkpoint(unet);
  const std::string missing = dir.file("missing.ckpt");
  const std::string out = dir.file("classifier.ckpt");
  const std::string point_model = std::string(DIFFUSCOPE_SOURCE_DIR) + "/assets/models/moons.ckpt";
  expect_usage_errors({
      {{"evaluate", "--n", "10"}, {"--name", "--data"}},
      {{"evaluate", "--name", "moons", "--data", "fashion-mnist"}, {"--name", "--data"}},
      {{"evaluate", "--data", "mnist"}, {"--data", "mnist", "fashion-mnist"}},
      {image_evaluate_args({"--train-n", "100"}), {"--train-n"}},
      {{"evaluate", "--name", "moons", "--classifier", unet}, {"--classifier"}},
      {image_evaluate_args({"--model", unet, "--n", "1"}), {"--n"}},
      {image_evaluate_args({"--model", unet, "--sigma", "medium"}), {"--sigma"}},
      {image_evaluate_args({"--model", unet, "--classifier", missing}), {missing}},
      {image_evaluate_args({"--model", unet, "--classifier", unet}), {unet, "--model"}},
      {image_evaluate_args({"--model", point_model, "--classifier", unet}), {unet}},
      {{"train", "--data", "fashion-mnist", "--classifier", "--steps", "10", "--out", out}, {"--steps", "--epochs"}},
      {{"train", "--data", "fashion-mnist", "--classifier", "--out", out}, {"--epochs"}},
      {{"train", "--name", "moons", "--classifier", "--epochs", "1", "--out", out}, {"--data"}},
      {{"train", "--name", "moons", "--epochs", "2", "--steps", "10", "--out", out}, {"--epochs"}},
      {{"train", "--name", "moons", "--out", out}, {"--steps"}},
      {{"train", "--data", "fashion-mnist", "--classifier", "--epochs", "1", "--out", dir.file("no/c.ckpt")},
       {"--out", "does not exist"}},
  });
  EXPECT_FALSE(std::filesystem::exists(out));

  // No shipped classifier where the assets are: the message names it and --classifier.
  TempFolder empty_assets;
  ::setenv("DIFFUSCOPE_ASSETS", empty_assets.file("").c_str(), 1);
  const CliResult r = run_cli(image_evaluate_args({"--model", unet, "--n", "4", "--steps", "2"}));
  ::unsetenv("DIFFUSCOPE_ASSETS");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("fashion-mnist-classifier.ckpt"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--classifier"), std::string::npos) << r.err;
}

TEST(CliEvaluateImages, TrainedClassifierMeasuresSamplesAgainstTheFloor) {
  TempFolder dir;
  // A quick classifier: one epoch on 2000 images already beats chance (10%) by far.
  const std::string classifier = dir.file("classifier.ckpt");
  const CliResult train = run_cli({"train", "--data", "fashion-mnist", "--classifier", "--epochs", "1",
                                   "--train-images", "2000", "--batch", "64", "--seed", "2", "--threads", "1",
                                   "--out", classifier});
  ASSERT_EQ(train.exit_code, 0) << train.err << train.out;
  std::smatch match;
  const std::regex epoch_line(R"(epoch 1/1  loss ([0-9.]+)  test accuracy ([0-9.]+)%  training [0-9.]+ s)");
  ASSERT_TRUE(std::regex_search(train.out, match, epoch_line)) << train.out;
  const double trained_accuracy = std::stod(match[2]);
  EXPECT_GT(trained_accuracy, 30.0) << train.out;
  EXPECT_NE(train.out.find("saved " + classifier), std::string::npos) << train.out;
  EXPECT_NE(read_bytes(classifier).find("diffuscope train --data fashion-mnist --classifier --epochs 1"),
            std::string::npos);

  const std::string unet = dir.file("tiny.ckpt");
  make_image_checkpoint(unet);
  const std::vector<CliResult> r = run_cli_batch({
      image_evaluate_args({"--model", unet, "--classifier", classifier, "--n", "40", "--steps", "4"}),
      image_evaluate_args({"--model", unet, "--classifier", classifier, "--n", "40", "--steps", "3", "--sigma",
                           "ddim", "--eta", "0"}),
      image_evaluate_args({"--model", unet, "--n", "40", "--steps", "4"}),   // the shipped classifier
  });
  std::vector<std::vector<ImageEvaluateRow>> tables;
  for (const CliResult& result : r) {
    ASSERT_EQ(result.exit_code, 0) << result.err;
    tables.push_back(parse_image_evaluate(result.out));
    const auto& rows = tables.back();
    ASSERT_EQ(rows.size(), 2u) << result.out;
    EXPECT_EQ(rows[0].images, "train");
    EXPECT_EQ(rows[0].steps, 0);
    EXPECT_EQ(rows[1].images, "model");
    for (const ImageEvaluateRow& row : rows) {
      EXPECT_EQ(row.n, 40);
      EXPECT_TRUE(std::isfinite(row.distance) && row.distance >= 0) << result.out;
      EXPECT_GE(row.seconds, 0.0);
    }
    // Random weights draw structured noise, no garments: far from the test set, real images near.
    EXPECT_GT(rows[1].distance, rows[0].distance) << result.out;
  }
  EXPECT_EQ(tables[0][1].steps, 4);
  EXPECT_EQ(tables[0][1].sigma, "small");
  EXPECT_EQ(tables[1][1].steps, 3);
  EXPECT_EQ(tables[1][1].sigma, "ddim(eta=0)");
  // The same seed picks the same training images: the floor is the same for one classifier.
  EXPECT_EQ(tables[0][0].distance, tables[1][0].distance);
  // The accuracy printed is the classifier's, recomputed on the 10,000 test images.
  EXPECT_NEAR(printed_test_accuracy(r[0].err), trained_accuracy, 0.011) << r[0].err;
  EXPECT_NE(r[0].err.find("classifier " + classifier), std::string::npos) << r[0].err;
  EXPECT_NE(r[1].err.find("3 sampling steps"), std::string::npos) << r[1].err;
  EXPECT_NE(r[2].err.find("models/fashion-mnist-classifier.ckpt"), std::string::npos) << r[2].err;
  EXPECT_GT(printed_test_accuracy(r[2].err), 88.0) << r[2].err;   // the shipped one: 3 epochs on 60,000
}

// ---------------------------------------------------------------------------------------------
// The learned models at the sliders' ends (issue: "point 1 is not finite", points 1e11 away).

TEST(CliSample, ShippedModelsStayOnTheDataAtExtremeSchedules) {
  // The reproductions: beta_T = 0.4; constant beta = 0.2; cosine T = 4000, 10 DDIM steps;
  // T = 10000, 50 DDIM steps; and zero terminal SNR with 10 DDIM steps. Each with the default (v)
  // model (on the data: all within 1.0, at most 0.5 % beyond 0.3), the x0 model (within 10) and the
  // eps model, which must stay finite: its x0_hat = (x - s eps_hat) / a multiplies the network's
  // error by up to e^10 at high noise inside the trained range (measured: 45 units at T = 10000,
  // K = 50), which is what the prediction-target compare shows.
  const std::vector<std::vector<std::string>> schedules = {
      {"--beta-end", "0.4"},
      {"--kind", "constant", "--beta", "0.2"},
      {"--kind", "cosine", "--T", "4000", "--steps", "10", "--sigma", "ddim"},
      {"--T", "10000", "--steps", "50", "--sigma", "ddim"},
      {"--zero-terminal-snr", "--steps", "10", "--sigma", "ddim"},
  };
  const std::vector<std::string> targets = {"v", "eps", "x0"};
  std::vector<std::vector<std::string>> runs;
  for (const std::string& target : targets) {
    for (const auto& flags : schedules) {
      std::vector<std::string> args = {"sample", "--denoiser", "model", "--name", "moons", "--n", "2000",
                                       "--seed", "4", "--threads", "1"};
      if (target != "v")
        args.insert(args.end(), {"--model", std::string(DIFFUSCOPE_SOURCE_DIR) + "/assets/models/moons-" + target + ".ckpt"});
      args.insert(args.end(), flags.begin(), flags.end());
      runs.push_back(args);
    }
  }
  const std::vector<CliResult> r = run_cli_batch(runs);
  const std::vector<float> data = diffusion::make_dataset2d(diffusion::Dataset2DKind::Moons, 20000, 77).xy;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::string& target = targets[i / schedules.size()];
    std::string command;
    for (const std::string& arg : runs[i]) command += arg + " ";
    SCOPED_TRACE(target + ": " + command);
    expect_finite_xy(r[i], 2000);
    std::vector<float> xy;
    for (const auto& row : parse_csv(r[i].out).rows) xy.insert(xy.end(), {float(row[0]), float(row[1])});
    const std::vector<double> far = diffusion::nearest_distances_2d(xy, data);
    const double farthest = *std::max_element(far.begin(), far.end());
    if (target == "v") {
      EXPECT_LT(farthest, 1.0);
      EXPECT_LE(diffusion::share_above(far, 0.3), 0.005);
    } else if (target == "x0") {
      EXPECT_LT(farthest, 10.0);
    }
  }
}

TEST(CliTrainImages, FromContinuesACheckpointAndKeepsItsTarget) {
  // --from continues a trained U-Net: its architecture and prediction target carry over (a tiny
  // random-weight eps checkpoint here, two steps of batch 4), a different --target is refused, and
  // --from is for image models only.
  TempFolder dir;
  const std::string start = dir.file("tiny.ckpt");
  make_image_checkpoint(start);
  const std::string out = dir.file("continued.ckpt");
  const std::vector<CliResult> r = run_cli_batch({
      {"train", "--data", "fashion-mnist", "--from", start, "--steps", "2", "--batch", "4", "--threads", "1",
       "--grid-images", "1", "--out", out},
      {"train", "--data", "fashion-mnist", "--from", start, "--target", "v", "--steps", "2", "--out", dir.file("v.ckpt")},
      {"train", "--name", "moons", "--from", start, "--steps", "2", "--out", dir.file("m.ckpt")},
  });
  ASSERT_EQ(r[0].exit_code, 0) << r[0].err << r[0].out;
  EXPECT_NE(r[0].out.find("target eps"), std::string::npos) << r[0].out;
  EXPECT_TRUE(std::filesystem::exists(out));
  // The continued checkpoint samples like any other.
  const CliResult sampled = run_cli({"sample", "--data", "fashion-mnist", "--model", out, "--n", "2", "--steps", "5",
                                     "--threads", "1", "--out", dir.file("grid.png")});
  EXPECT_EQ(sampled.exit_code, 0) << sampled.err;
  EXPECT_EQ(r[1].exit_code, 2);
  EXPECT_NE(r[1].err.find("differs from what --from"), std::string::npos) << r[1].err;
  EXPECT_EQ(r[2].exit_code, 2);
  EXPECT_NE(r[2].err.find("--from continues an image model only with --data"), std::string::npos) << r[2].err;
}

// Flow matching (--process flow): the path's marginals, the exact velocity landing on training
// points, a flow model trained, sampled and evaluated, the shipped flow models, and the flag
// combinations that make no sense.
namespace {

std::vector<std::string> flow_sample_args(const std::string& name, const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"sample", "--process", "flow", "--name", name, "--seed", "1", "--threads", "1"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Mean and variance per coordinate of x,y rows.
std::array<double, 4> flow_xy_moments(const Csv& csv) {
  double mx = 0, my = 0, vx = 0, vy = 0;
  const double n = static_cast<double>(csv.rows.size());
  for (const auto& row : csv.rows) mx += row[0] / n, my += row[1] / n;
  for (const auto& row : csv.rows) vx += (row[0] - mx) * (row[0] - mx) / n, vy += (row[1] - my) * (row[1] - my) / n;
  return {mx, my, vx, vy};
}

}  // namespace

TEST(CliFlow, ForwardPrintsThePathMarginal) {
  // x_tau = (1 - tau) x0 + tau eps with eps independent of x0: tau = 0 is the data (same seed, as
  // `dataset` prints it); at tau = 0.6 the mean is 0.4 times the data's and the variance
  // 0.16 var(x0) + 0.36 per coordinate. 4000 points: the standard error of a mean is about
  // 0.6 / 63 < 0.01 and of a variance about 0.6 sqrt(2 / 4000) < 0.02; tolerance 0.05.
  const std::vector<CliResult> r = run_cli_batch({
      dataset_args("moons", 4000, 9),
      {"forward", "--process", "flow", "--name", "moons", "--n", "4000", "--tau", "0", "--seed", "9"},
      {"forward", "--process", "flow", "--name", "moons", "--n", "4000", "--tau", "0.6", "--seed", "9"},
      {"forward", "--process", "ddpm", "--name", "moons", "--n", "50", "--t", "0", "--seed", "9"},
  });
  for (const CliResult& result : r) ASSERT_EQ(result.exit_code, 0) << result.err;
  const Csv data = parse_csv(r[0].out);
  const Csv at_zero = parse_csv(r[1].out);
  ASSERT_EQ(at_zero.rows.size(), 4000u);
  for (std::size_t i = 0; i < data.rows.size(); ++i) {
    EXPECT_NEAR(at_zero.rows[i][0], data.rows[i][0], 1e-5);
    EXPECT_NEAR(at_zero.rows[i][1], data.rows[i][1], 1e-5);
  }
  const auto d = flow_xy_moments(data);
  const auto m = flow_xy_moments(parse_csv(r[2].out));
  EXPECT_NEAR(m[0], 0.4 * d[0], 0.05);
  EXPECT_NEAR(m[1], 0.4 * d[1], 0.05);
  EXPECT_NEAR(m[2], 0.16 * d[2] + 0.36, 0.05);
  EXPECT_NEAR(m[3], 0.16 * d[3] + 0.36, 0.05);
  EXPECT_EQ(parse_csv(r[3].out).rows.size(), 50u);  // ddpm: the closed form's words
}

TEST(CliFlow, ExactVelocityLandsOnTheTrainingPoints) {
  // Euler's last step, from tau = 1/K to 0, lands on E[x0 | x_tau] (x - tau v* = E[x0 | x]), which
  // at noise std 1/50 is the nearest training point or an average of points closer than ~0.05: as
  // for the exact DDPM denoiser, samples end within 0.05 of a training point. Heun's last step is
  // the same Euler step.
  std::vector<std::vector<std::string>> runs = {dataset_args("8gaussians", 100, 4)};
  for (const char* solver : {"euler", "heun"})
    runs.push_back({"sample", "--process", "flow", "--name", "8gaussians", "--n", "300", "--train-n", "100",
                    "--steps", "50", "--solver", solver, "--seed", "4", "--threads", "1"});
  const std::vector<CliResult> r = run_cli_batch(runs);
  ASSERT_EQ(r[0].exit_code, 0) << r[0].err;
  const Csv train = parse_csv(r[0].out);
  for (std::size_t k = 1; k < r.size(); ++k) {
    expect_finite_xy(r[k], 300);
    EXPECT_NE(r[k].err.find("exact velocity over 100 training points"), std::string::npos) << r[k].err;
    int near_a_point = 0;
    for (const std::vector<double>& s : parse_csv(r[k].out).rows) {
      double nearest = std::numeric_limits<double>::infinity();
      for (const std::vector<double>& p : train.rows) nearest = std::min(nearest, std::hypot(s[0] - p[0], s[1] - p[1]));
      if (nearest < 0.05) ++near_a_point;
    }
    EXPECT_GE(near_a_point, 285) << "of 300 samples";
  }
  EXPECT_NE(r[1].err.find("euler, 50 steps (NFE 50)"), std::string::npos) << r[1].err;
  EXPECT_NE(r[2].err.find("heun, 50 steps (NFE 99)"), std::string::npos) << r[2].err;
}

TEST(CliFlow, TrainsSamplesAndEvaluatesAFlowModelAndRefusesTheOtherProcess) {
  const TempFolder folder;
  const std::string flow = folder.file("moons-flow.ckpt");
  const CliResult train = run_cli({"train", "--process", "flow", "--name", "moons", "--steps", "100", "--batch",
                                   "128", "--seed", "3", "--threads", "1", "--out", flow});
  ASSERT_EQ(train.exit_code, 0) << train.err << train.out;
  EXPECT_NE(train.out.find("flow matching (velocity eps - x_0)"), std::string::npos) << train.out;
  EXPECT_NE(read_bytes(flow).find("point-flow-model"), std::string::npos);
  const std::string ddpm = DIFFUSCOPE_SOURCE_DIR "/assets/models/moons.ckpt";
  const std::vector<CliResult> r = run_cli_batch({
      flow_sample_args("moons", {"--denoiser", "model", "--model", flow, "--n", "150", "--steps", "10",
                                 "--solver", "heun"}),
      {"evaluate", "--process", "flow", "--name", "moons", "--model", flow, "--n", "300", "--train-n", "300",
       "--steps", "5", "--seed", "2", "--threads", "1"},
      model_sample_args("moons", flow, 150, 10),                                // a flow file as DDPM
      flow_sample_args("moons", {"--denoiser", "model", "--model", ddpm, "--n", "10"}),  // and the reverse
  });
  expect_finite_xy(r[0], 150);
  EXPECT_NE(r[0].err.find("heun, 10 steps (NFE 19)"), std::string::npos) << r[0].err;
  EXPECT_NE(r[0].err.find("learned flow model " + flow), std::string::npos) << r[0].err;

  ASSERT_EQ(r[1].exit_code, 0) << r[1].err;
  std::stringstream lines(r[1].out);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_EQ(line, "denoiser,solver,steps,nfe,sliced_wasserstein,beyond_0.3,max_distance,seconds");
  std::vector<std::string> labels;
  while (std::getline(lines, line)) {
    const std::vector<std::string> fields = split(line, ',');
    ASSERT_EQ(fields.size(), 8u) << line;
    labels.push_back(fields[0]);
    if (fields[0] != "data") EXPECT_EQ(fields[1] + "," + fields[2] + "," + fields[3], "euler,5,5") << line;
    const double distance = std::stod(fields[4]);
    EXPECT_TRUE(std::isfinite(distance) && distance >= 0) << line;
  }
  EXPECT_EQ(labels, (std::vector<std::string>{"data", "exact", "model"}));

  EXPECT_EQ(r[2].exit_code, 2);
  EXPECT_TRUE(r[2].out.empty());
  EXPECT_NE(r[2].err.find("flow-matching velocity model"), std::string::npos) << r[2].err;
  EXPECT_NE(r[2].err.find("--process flow"), std::string::npos) << r[2].err;
  EXPECT_EQ(r[3].exit_code, 2);
  EXPECT_NE(r[3].err.find("not a flow-matching velocity model"), std::string::npos) << r[3].err;
}

TEST(CliFlow, ShippedFlowModelsSampleTheirDatasets) {
  // assets/models/NAME-flow.ckpt for moons, swiss_roll and 8gaussians: found by --name, samples
  // close to fresh data (figures at NFE 5..50 in assets/models/NAME-flow.txt); a dataset without
  // one is a usage error naming the file it looked for.
  const std::vector<std::string> names = {"moons", "swiss_roll", "8gaussians"};
  std::vector<std::vector<std::string>> runs;
  for (const std::string& name : names)
    runs.push_back(flow_sample_args(name, {"--denoiser", "model", "--n", "1000", "--steps", "20", "--solver",
                                           "heun", "--evaluate"}));
  runs.push_back(flow_sample_args("checkerboard", {"--denoiser", "model", "--n", "10"}));
  const std::vector<CliResult> r = run_cli_batch(runs);
  const std::regex distance_line(R"(sliced Wasserstein distance to fresh data: ([0-9.]+) \(128 directions)");
  for (std::size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE(names[i]);
    expect_finite_xy(r[i], 1000);
    EXPECT_NE(r[i].err.find("models/" + names[i] + "-flow.ckpt"), std::string::npos) << r[i].err;
    std::smatch match;
    ASSERT_TRUE(std::regex_search(r[i].err, match, distance_line)) << r[i].err;
    EXPECT_LT(std::stod(match[1]), kShippedModelMaxDistance) << r[i].err;
  }
  EXPECT_EQ(r.back().exit_code, 2);
  EXPECT_NE(r.back().err.find("no shipped flow model"), std::string::npos) << r.back().err;
  EXPECT_NE(r.back().err.find("checkerboard-flow.ckpt"), std::string::npos) << r.back().err;
}

TEST(CliFlow, PointsFromACsvFileGoThroughEveryFlowCommand) {
  // --from FILE.csv wherever --name is accepted, with --process flow too: the path at tau = 0 is
  // the file's points, the exact velocity lands on them, a flow model trains on them and
  // evaluate compares both with the file (no data row: a file has no fresh draw).
  const TempFolder folder;
  const std::string csv = folder.file("three.csv"), model = folder.file("three-flow.ckpt");
  std::string text = "x,y\n";
  const double centres[3][2] = {{-2.0, 0.0}, {2.0, 0.5}, {0.0, -1.5}};
  for (int i = 0; i < 60; ++i)
    text += std::to_string(centres[i % 3][0] + 0.01 * (i % 7)) + "," + std::to_string(centres[i % 3][1] - 0.01 * (i % 5)) + "\n";
  write_bytes(csv, text);
  const CliResult train = run_cli({"train", "--process", "flow", "--from", csv, "--steps", "60", "--batch", "64",
                                   "--seed", "3", "--threads", "1", "--out", model});
  ASSERT_EQ(train.exit_code, 0) << train.err << train.out;
  const std::vector<CliResult> r = run_cli_batch({
      {"forward", "--process", "flow", "--from", csv, "--tau", "0", "--seed", "4"},
      {"sample", "--process", "flow", "--from", csv, "--denoiser", "exact", "--n", "90", "--steps", "40",
       "--solver", "heun", "--seed", "5", "--threads", "1", "--evaluate"},
      {"evaluate", "--process", "flow", "--from", csv, "--model", model, "--n", "90", "--steps", "5", "--seed", "2",
       "--threads", "1"},
      {"sample", "--process", "flow", "--from", csv, "--denoiser", "model", "--n", "10"},
      {"evaluate", "--process", "flow", "--from", csv, "--n", "10"},
      {"sample", "--process", "flow", "--from", csv, "--class", "0", "--n", "10"},
  });
  ASSERT_EQ(r[0].exit_code, 0) << r[0].err;
  const Csv path = parse_csv(r[0].out);
  ASSERT_EQ(path.rows.size(), 60u);
  EXPECT_NEAR(path.rows[4][0], centres[1][0] + 0.04, 1e-6);
  EXPECT_NEAR(path.rows[4][1], centres[1][1] - 0.04, 1e-6);

  expect_finite_xy(r[1], 90);
  const Csv samples = parse_csv(r[1].out);
  for (const auto& row : samples.rows) {  // the exact field carries every sample to a file point
    double nearest = 1e9;
    for (const auto& c : centres) nearest = std::min(nearest, std::hypot(row[0] - c[0], row[1] - c[1]));
    EXPECT_LT(nearest, 0.2) << row[0] << "," << row[1];
  }
  EXPECT_NE(r[1].err.find("sliced Wasserstein distance to the data"), std::string::npos) << r[1].err;
  EXPECT_NE(r[1].err.find("exact velocity over 60 training points"), std::string::npos) << r[1].err;

  ASSERT_EQ(r[2].exit_code, 0) << r[2].err;
  std::stringstream lines(r[2].out);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_EQ(line, "denoiser,sliced_wasserstein,beyond_0.3,max_distance,seconds");
  std::vector<std::string> labels;
  while (std::getline(lines, line)) labels.push_back(split(line, ',')[0]);
  EXPECT_EQ(labels, (std::vector<std::string>{"exact", "model"}));
  EXPECT_NE(r[2].err.find("flow matching, euler, 5 steps"), std::string::npos) << r[2].err;

  for (int i = 3; i <= 5; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(r[i].exit_code, 2);
    EXPECT_TRUE(r[i].out.empty()) << r[i].out;
  }
  EXPECT_NE(r[3].err.find("--model FILE"), std::string::npos) << r[3].err;
  EXPECT_NE(r[4].err.find("train --process flow --from"), std::string::npos) << r[4].err;
  EXPECT_NE(r[5].err.find("--class"), std::string::npos) << r[5].err;
}

TEST(CliConditional, AConditionalModelEvaluatedWithoutAClassSaysSo) {
  const CliResult r = run_cli({"evaluate", "--name", "moons", "--model",
                               DIFFUSCOPE_SOURCE_DIR "/assets/models/moons-cond.ckpt", "--n", "50", "--train-n", "50",
                               "--steps", "5", "--sigma", "ddim", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("moons-cond.ckpt (v-prediction, conditional, sampled with the null class)"), std::string::npos)
      << r.err;
}

TEST(CliFlow, MeaninglessCombinationsExitTwo) {
  expect_usage_errors({
      {flow_sample_args("moons", {"--sigma", "large"}), {"--sigma", "--process ddpm"}},
      {flow_sample_args("moons", {"--eta", "0.5"}), {"--eta"}},
      {flow_sample_args("moons", {"--kind", "cosine"}), {"--kind", "schedule"}},
      {flow_sample_args("moons", {"--solver", "dpmpp2m"}), {"--solver", "euler or heun"}},
      {flow_sample_args("moons", {"--denoiser", "exact", "--model", "x.ckpt"}), {"--model"}},
      {{"sample", "--process", "flow", "--data", "fashion-mnist", "--out", "/tmp/x.png"}, {"--process flow"}},
      {{"sample", "--process", "wave", "--name", "moons"}, {"--process", "wave", "ddpm, flow"}},
      {{"evaluate", "--process", "flow", "--name", "moons", "--spacing", "leading"}, {"--spacing"}},
      {{"evaluate", "--process", "flow", "--name", "moons", "--solver", "rk4"}, {"--solver", "rk4"}},
      {{"train", "--process", "flow", "--name", "moons", "--target", "v", "--steps", "10", "--out", "/tmp/x.ckpt"},
       {"--target", "velocity"}},
      {{"train", "--process", "flow", "--data", "fashion-mnist", "--steps", "10", "--out", "/tmp/x.ckpt"},
       {"--process flow"}},
      {{"forward", "--process", "flow", "--name", "moons"}, {"--tau"}},
      {{"forward", "--process", "flow", "--name", "moons", "--tau", "1.5"}, {"--tau"}},
      {{"forward", "--process", "flow", "--name", "moons", "--tau", "0.5", "--t", "3"}, {"--t", "--tau"}},
      {{"forward", "--process", "flow", "--name", "moons", "--tau", "0.5", "--T", "100"}, {"--T"}},
      {{"forward", "--name", "moons", "--tau", "0.5", "--t", "3"}, {"--tau", "--process flow"}},
      {{"forward", "--name", "moons"}, {"--t"}},
      {{"forward", "--name", "moons", "--t", "3", "--process", "wave"}, {"--process", "flow", "markov"}},
  });
}

// --- The probability-flow ODE: sample/evaluate --sigma ode --solver euler|heun|dpmpp2m ---

namespace {

std::vector<std::string> ode_sample_args(const std::string& sigma, std::vector<std::string> extra) {
  std::vector<std::string> args = {"sample", "--name", "8gaussians", "--n", "300", "--train-n", "100",
                                   "--seed", "6", "--threads", "1", "--sigma", sigma};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// The number after `key` in `text` (NaN when absent).
double number_after(const std::string& text, const std::string& key) {
  const std::size_t at = text.find(key);
  if (at == std::string::npos) return std::numeric_limits<double>::quiet_NaN();
  return std::strtod(text.c_str() + at + key.size(), nullptr);
}

}  // namespace

TEST(CliOde, EulerIsDdimWithEtaZeroAndEverySolverPrintsItsNfe) {
  // The same x_T (same seed), the exact denoiser, 20 trailing steps: Euler's samples equal DDIM
  // eta = 0's to float rounding. NFE on stderr: 20 for Euler and DPM-Solver++(2M), 2 x 20 - 1 for
  // Heun (its last step, to t = 0, is plain Euler).
  const std::vector<CliResult> r = run_cli_batch({
      ode_sample_args("ddim", {"--eta", "0", "--steps", "20"}),
      ode_sample_args("ode", {"--solver", "euler", "--steps", "20"}),
      ode_sample_args("ode", {"--solver", "heun", "--steps", "20"}),
      ode_sample_args("ode", {"--solver", "dpmpp2m", "--steps", "20"}),
      ode_sample_args("ode", {"--steps", "20"}),  // euler by default
  });
  for (const CliResult& run : r) ASSERT_EQ(run.exit_code, 0) << run.err;
  const Csv ddim = parse_csv(r[0].out), euler = parse_csv(r[1].out);
  ASSERT_EQ(ddim.rows.size(), 300u);
  ASSERT_EQ(euler.rows.size(), 300u);
  for (std::size_t i = 0; i < ddim.rows.size(); ++i) {
    EXPECT_NEAR(euler.rows[i][0], ddim.rows[i][0], 1e-5) << "row " << i;
    EXPECT_NEAR(euler.rows[i][1], ddim.rows[i][1], 1e-5) << "row " << i;
  }
  EXPECT_NE(r[0].err.find("(NFE 20)"), std::string::npos) << r[0].err;
  EXPECT_NE(r[1].err.find("(NFE 20)"), std::string::npos) << r[1].err;
  EXPECT_NE(r[1].err.find("probability-flow ODE, euler"), std::string::npos) << r[1].err;
  EXPECT_NE(r[2].err.find("(NFE 39)"), std::string::npos) << r[2].err;
  EXPECT_NE(r[2].err.find("probability-flow ODE, heun"), std::string::npos) << r[2].err;
  EXPECT_NE(r[3].err.find("(NFE 20)"), std::string::npos) << r[3].err;
  EXPECT_NE(r[3].err.find("probability-flow ODE, dpmpp2m"), std::string::npos) << r[3].err;
  EXPECT_EQ(r[4].out, r[1].out);
}

TEST(CliOde, ExactDenoiserOdeLandsOnTheTrainingPoints) {
  // Every solver on the full chain (last step from t = 1, noise std 0.01) ends within 0.05 of a
  // training point for at least 285 of 300 samples, as the stochastic samplers do
  // (CliSample.ExactDenoiserLandsOnTheTrainingPoints).
  std::vector<std::vector<std::string>> runs = {dataset_args("8gaussians", 100, 6)};
  for (const std::string solver : {"euler", "heun", "dpmpp2m"})
    runs.push_back(ode_sample_args("ode", {"--solver", solver}));
  const std::vector<CliResult> r = run_cli_batch(runs);
  ASSERT_EQ(r[0].exit_code, 0) << r[0].err;
  const Csv train = parse_csv(r[0].out);
  for (std::size_t k = 1; k < r.size(); ++k) {
    ASSERT_EQ(r[k].exit_code, 0) << r[k].err;
    const Csv samples = parse_csv(r[k].out);
    ASSERT_EQ(samples.rows.size(), 300u);
    int near_a_point = 0;
    for (const std::vector<double>& s : samples.rows) {
      ASSERT_TRUE(std::isfinite(s[0]) && std::isfinite(s[1]));
      double nearest = std::numeric_limits<double>::infinity();
      for (const std::vector<double>& p : train.rows) nearest = std::min(nearest, std::hypot(s[0] - p[0], s[1] - p[1]));
      if (nearest < 0.05) ++near_a_point;
    }
    EXPECT_GE(near_a_point, 285) << r[k].err;
  }
}

TEST(CliOde, CurvatureOfOdePathsIsFarBelowDdpms) {
  // --curvature: mean path length / endpoint distance of 256 paths. It is >= 1 by definition;
  // DDPM's paths zig-zag with the injected noise (measured ~13 at 20 steps on moons), the ODE's
  // are smooth (~1.4): require the ODE's below 2 and below a third of DDPM's. Zero terminal SNR
  // with the learned model stays finite too.
  const std::vector<CliResult> r = run_cli_batch({
      ode_sample_args("small", {"--steps", "20", "--curvature"}),
      ode_sample_args("ode", {"--solver", "dpmpp2m", "--steps", "20", "--curvature"}),
      {"sample", "--name", "moons", "--denoiser", "model", "--n", "200", "--steps", "10", "--sigma", "ode",
       "--solver", "heun", "--zero-terminal-snr", "--curvature", "--threads", "1"},
  });
  for (const CliResult& run : r) ASSERT_EQ(run.exit_code, 0) << run.err;
  const double ddpm = number_after(r[0].err, "trajectory curvature: ");
  const double ode = number_after(r[1].err, "trajectory curvature: ");
  EXPECT_GE(ode, 1.0) << r[1].err;
  EXPECT_LT(ode, 2.0) << r[1].err;
  EXPECT_LT(3 * ode, ddpm) << r[0].err;
  const double ztsnr = number_after(r[2].err, "trajectory curvature: ");
  EXPECT_TRUE(std::isfinite(ztsnr) && ztsnr >= 1.0) << r[2].err;
  for (const std::vector<double>& row : parse_csv(r[2].out).rows)
    ASSERT_TRUE(std::isfinite(row[0]) && std::isfinite(row[1]));
}

TEST(CliFlow, CurvatureIsOneForAStraightFieldAndBelowDdpmsOnMoons) {
  // The exact velocity of a single point carries every sample along the straight line to it:
  // curvature 1. On moons the learned flow model's paths bend (the marginal field averages many
  // straight lines) but far less than DDPM's zig-zag from the same x_T at the same NFE.
  const TempFolder folder;
  const std::string one_point = folder.file("one.csv");
  write_bytes(one_point, "0.5,-0.25\n");
  const std::vector<CliResult> r = run_cli_batch({
      {"sample", "--process", "flow", "--from", one_point, "--denoiser", "exact", "--n", "64", "--steps", "8",
       "--solver", "heun", "--curvature", "--threads", "1"},
      flow_sample_args("moons", {"--denoiser", "model", "--n", "300", "--steps", "10", "--curvature"}),
      {"sample", "--name", "moons", "--denoiser", "model", "--n", "300", "--steps", "10", "--seed", "1",
       "--curvature", "--threads", "1"},
  });
  for (const CliResult& run : r) ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NEAR(number_after(r[0].err, "trajectory curvature: "), 1.0, 1e-3) << r[0].err;
  const double flow = number_after(r[1].err, "trajectory curvature: ");
  const double ddpm = number_after(r[2].err, "trajectory curvature: ");
  EXPECT_GE(flow, 1.0) << r[1].err;
  EXPECT_LT(flow, ddpm) << r[1].err << r[2].err;
}

TEST(CliOde, EvaluateNamesTheSolverAndItsNfe) {
  const CliResult r = run_cli({"evaluate", "--name", "moons", "--n", "500", "--steps", "10", "--sigma", "ode",
                               "--solver", "heun", "--seed", "2", "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::stringstream lines(r.out);
  std::string line;
  std::vector<std::string> labels;
  ASSERT_TRUE(std::getline(lines, line));  // the header, as for the other samplers
  while (std::getline(lines, line)) {
    const std::vector<std::string> fields = split(line, ',');
    ASSERT_EQ(fields.size(), 5u) << line;
    labels.push_back(fields[0]);
    const double distance = std::stod(fields[1]);
    EXPECT_TRUE(std::isfinite(distance) && distance >= 0) << line;
  }
  EXPECT_EQ(labels, (std::vector<std::string>{"data", "exact", "model"}));
  EXPECT_NE(r.err.find("10 sampling steps (NFE 19), probability-flow ODE, heun"), std::string::npos) << r.err;
}

TEST(CliOde, BadSolverFlagsExitTwo) {
  expect_usage_errors({
      {ode_sample_args("small", {"--solver", "heun"}), {"--solver heun", "--sigma ode"}},
      {ode_sample_args("ddim", {"--solver", "euler"}), {"--solver", "--sigma ode"}},
      {ode_sample_args("ode", {"--solver", "rk4"}), {"--solver", "rk4", "euler, heun, dpmpp2m"}},
      {ode_sample_args("odd", {}), {"--sigma", "odd", "ode"}},
      {{"evaluate", "--name", "moons", "--solver", "dpmpp2m"}, {"--solver", "--sigma ode"}},
      {{"evaluate", "--name", "moons", "--sigma", "ode", "--solver", "Heun"}, {"--solver", "Heun"}},
      {{"sample", "--data", "fashion-mnist", "--out", "/tmp/x.png", "--curvature"}, {"--curvature"}},
  });
}

// --from FILE.csv (points x,y[,class]) wherever --name takes a 2D dataset; --class and --guidance.
namespace {

std::vector<std::string> with_from(std::vector<std::string> args, const std::string& file) {
  args.push_back("--from");
  args.push_back(file);
  return args;
}

// The commands that read --from, with the flags each needs besides it (the file is read before
// anything is trained or a model loaded).
std::vector<std::vector<std::string>> from_commands(const std::string& file) {
  return {with_from({"dataset"}, file), with_from({"forward", "--t", "10"}, file),
          with_from({"sample", "--n", "10", "--steps", "5"}, file),
          with_from({"train", "--steps", "5", "--out", file + ".ckpt"}, file),
          with_from({"evaluate", "--n", "10", "--model", file + ".ckpt"}, file)};
}

}  // namespace

TEST(CliPointCsv, DatasetOutRoundTripsThroughFrom) {
  const TempFolder dir;
  const std::string file = dir.file("moons.csv");
  ASSERT_EQ(run_cli({"dataset", "--name", "moons", "--n", "200", "--seed", "3", "--out", file}).exit_code, 0);
  const std::vector<CliResult> r =
      run_cli_batch({{"dataset", "--from", file, "--classes"}, {"dataset", "--from", file},
                     {"dataset", "--name", "moons", "--n", "200", "--seed", "3"},
                     {"dataset", "--name", "moons", "--n", "200", "--seed", "3", "--classes"},
                     {"forward", "--from", file, "--t", "0"}});
  for (const CliResult& result : r) ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string written = read_bytes(file);
  EXPECT_EQ(r[0].out, written);  // the file read back prints as written
  EXPECT_EQ(r[3].out, written);  // --classes on stdout is the --out format
  EXPECT_EQ(r[1].out, r[2].out);  // the same floats as the named dataset
  EXPECT_EQ(r[4].out, r[2].out);  // t = 0: the clean points of the file
  // The classes are the moons' own: independent of the CLI, from the library.
  const Csv csv = parse_csv(written);
  EXPECT_EQ(csv.header, (std::vector<std::string>{"x", "y", "class"}));
  const diffusion::Dataset2D moons = diffusion::make_dataset2d(diffusion::Dataset2DKind::Moons, 200, 3);
  ASSERT_EQ(csv.rows.size(), 200u);
  for (std::size_t i = 0; i < csv.rows.size(); ++i) {
    ASSERT_EQ(static_cast<int>(csv.rows[i][2]), moons.label[i]) << "row " << i;
    ASSERT_EQ(static_cast<float>(csv.rows[i][0]), moons.xy[2 * i]) << "row " << i;
  }
}

TEST(CliPointCsv, BadFilesExitTwoNamingFileLineAndColumn) {
  const TempFolder dir;
  struct BadFile {
    std::string name, text, expected;
  };
  std::string too_many = "x,y\n";
  for (int i = 0; i <= 10000; ++i) too_many += "0.5,0.5\n";
  const std::vector<BadFile> files = {
      {"missing.csv", "x,y\n1,2\n3\n", ": line 3, column 2 (y): missing column"},
      {"word.csv", "1,2\nx1,2\n", ": line 2, column 1 (x): 'x1' is not a number"},
      {"nan.csv", "x,y,class\n1,2,0\n1,nan,0\n", ": line 3, column 2 (y): 'nan' is not a finite number"},
      {"class.csv", "1,2,-1\n", ": line 1, column 3 (class): '-1' is not a class"},
      {"many.csv", too_many, ": line 10002: more than 10000 points"},
      {"empty.csv", "", ": line 1: no points (the file is empty)"},
  };
  // Every case with `dataset`; forward and sample read through the same code, so two cases each
  // (each run loads LibTorch: about a second).
  std::vector<UsageErrorCase> cases;
  for (const BadFile& bad : files) {
    write_bytes(dir.file(bad.name), bad.text);
    const std::vector<std::vector<std::string>> commands = from_commands(dir.file(bad.name));
    for (std::size_t c = 0; c < (bad.name == "word.csv" ? commands.size() : 1); ++c)
      cases.push_back({commands[c], {dir.file(bad.name) + bad.expected}});
  }
  const std::string absent = dir.file("absent.csv");
  for (const std::vector<std::string>& args : from_commands(absent)) cases.push_back({args, {absent + ": cannot read"}});
  expect_usage_errors(cases);
}

TEST(CliPointCsv, NameWithFromAndOtherMisusesExitTwo) {
  const TempFolder dir;
  const std::string file = dir.file("points.csv");
  write_bytes(file, "x,y,class\n0,0,0\n1,1,2\n");
  std::vector<UsageErrorCase> cases;
  for (const std::vector<std::string>& args : from_commands(file)) {
    std::vector<std::string> both = args;
    both.insert(both.end(), {"--name", "moons"});
    cases.push_back({both, {"--name", "--from", "cannot be used together"}});
  }
  cases.push_back({{"dataset", "--from", file, "--n", "5"}, {"--n", "--from"}});
  cases.push_back({{"forward", "--from", file, "--t", "3", "--n", "5"}, {"--n", "--from"}});
  cases.push_back({{"sample", "--from", file, "--train-n", "5"}, {"--train-n", "--from"}});
  cases.push_back({{"sample", "--from", file, "--denoiser", "model"}, {"--from", "--model"}});
  cases.push_back({{"sample", "--from", file, "--class", "1"}, {"class 1 has no training points"}});
  cases.push_back({{"sample", "--from", file, "--class", "3"}, {"--class 3", "3 classes, 0..2"}});
  cases.push_back({{"dataset", "--name", "moons", "--n", "10001", "--out", dir.file("big.csv")}, {"--out", "10000"}});
  expect_usage_errors(cases);
}

TEST(CliPointCsv, TrainFromAFileThenSampleAndEvaluateWithIt) {
  const TempFolder dir;
  const std::string file = dir.file("drawing.csv"), model = dir.file("drawing.ckpt");
  ASSERT_EQ(run_cli({"dataset", "--name", "8gaussians", "--n", "400", "--seed", "2", "--out", file}).exit_code, 0);
  const CliResult train = run_cli({"train", "--from", file, "--steps", "40", "--batch", "64", "--threads", "1",
                                   "--out", model});
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_NE(train.out.find("train: " + file + " (400 points)"), std::string::npos) << train.out;
  EXPECT_NE(read_bytes(model).find("\"drawn\""), std::string::npos);  // the dataset it records
  const std::vector<CliResult> r = run_cli_batch(
      {{"sample", "--from", file, "--denoiser", "model", "--model", model, "--n", "20", "--steps", "5"},
       {"evaluate", "--from", file, "--model", model, "--n", "50", "--steps", "5", "--threads", "1"}});
  expect_finite_xy(r[0], 20);
  ASSERT_EQ(r[1].exit_code, 0) << r[1].err;
  // Two rows, exact and model: a file has no fresh draw for a data row.
  std::stringstream lines(r[1].out);
  std::string line;
  std::vector<std::string> labels;
  ASSERT_TRUE(std::getline(lines, line));
  EXPECT_EQ(line, "denoiser,sliced_wasserstein,beyond_0.3,max_distance,seconds");
  while (std::getline(lines, line)) {
    const std::vector<std::string> fields = split(line, ',');
    ASSERT_EQ(fields.size(), 5u) << line;
    labels.push_back(fields[0]);
    EXPECT_TRUE(std::isfinite(std::stod(fields[1])) && std::stod(fields[1]) >= 0) << line;
  }
  EXPECT_EQ(labels, (std::vector<std::string>{"exact", "model"}));
  EXPECT_NE(r[1].err.find("no data row"), std::string::npos) << r[1].err;
}

TEST(CliGuidance, WeightZeroIsTheUnconditionalRunAndClassesLandAtTheirCentre) {
  // 8gaussians: 400 samples of class 5 at w = 1 and w = 2 (exact denoiser over 1000 points, 50
  // steps): >= 95% nearest to centre 5 (angle 5 pi / 4). w = 0 prints exactly what the run without
  // --class prints (same seed: same x_T and z).
  const std::vector<std::string> base = {"sample", "--name", "8gaussians", "--n", "400", "--steps", "50",
                                         "--train-n", "1000", "--seed", "4", "--threads", "1"};
  const auto with = [&base](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const std::vector<CliResult> r = run_cli_batch(
      {base, with({"--class", "5", "--guidance", "0"}), with({"--class", "5"}), with({"--class", "5", "--guidance", "2"})});
  for (const CliResult& result : r) ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(r[1].out, r[0].out);
  EXPECT_NE(r[2].out, r[0].out);
  EXPECT_NE(r[2].err.find("class 5"), std::string::npos) << r[2].err;
  EXPECT_NE(r[2].err.find("guidance w = 1"), std::string::npos) << r[2].err;
  for (int i : {2, 3}) {
    const Csv csv = parse_csv(r[i].out);
    ASSERT_EQ(csv.rows.size(), 400u);
    int at_five = 0;
    for (const std::vector<double>& row : csv.rows) {
      double angle = std::atan2(row[1], row[0]);
      if (angle < 0) angle += 2 * M_PI;
      at_five += static_cast<int>(std::lround(angle / (M_PI / 4))) % 8 == 5;
    }
    EXPECT_GE(at_five, 380) << "run " << i;
  }
}

TEST(CliGuidance, BadClassAndGuidanceFlagsExitTwo) {
  const std::vector<std::string> moons = {"sample", "--name", "moons", "--n", "10", "--steps", "5"};
  const auto with = [&moons](std::vector<std::string> extra) {
    std::vector<std::string> args = moons;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  expect_usage_errors({
      {with({"--class", "2"}), {"--class 2", "moons", "2 classes, 0..1"}},
      {with({"--class", "-1"}), {"--class -1"}},
      {{"sample", "--name", "swiss_roll", "--n", "10", "--class", "1"}, {"--class 1", "one class, 0"}},
      {with({"--class", "1", "--guidance", "10.5"}), {"--guidance", "[0, 10]"}},
      {with({"--class", "1", "--guidance", "nan"}), {"--guidance"}},
      {with({"--guidance", "2"}), {"--guidance", "--class"}},
      {{"sample", "--data", "fashion-mnist", "--out", "/tmp/x.png", "--class", "1"}, {"--class", "--data"}},
  });
}

TEST(CliConditional, TrainPrintsLossBandsThenGuidedSamplingAndPerClassEvaluate) {
  // A short conditional training (the numbers are not the point: the shapes and the w = 0 rule).
  const TempFolder dir;
  const std::string model = dir.file("g8-cond.ckpt");
  const CliResult train = run_cli({"train", "--conditional", "--name", "8gaussians", "--steps", "200", "--batch", "256",
                                   "--threads", "1", "--progress-every", "100", "--out", model});
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_NE(train.out.find("conditional on 8 classes (label dropout 0.10)"), std::string::npos) << train.out;
  EXPECT_NE(train.out.find("c=8"), std::string::npos) << train.out;
  // One band line per progress line: 8 equal-width bands of the model's log-SNR range [-20, 14].
  std::stringstream lines(train.out);
  std::string line;
  int band_lines = 0;
  while (std::getline(lines, line)) {
    if (line.find("by log-SNR band") == std::string::npos) continue;
    ++band_lines;
    EXPECT_NE(line.find("[-20,-15.75) "), std::string::npos) << line;
    EXPECT_NE(line.find(" | [9.75,14] "), std::string::npos) << line;
    EXPECT_EQ(std::count(line.begin(), line.end(), '|'), 7) << line;
  }
  EXPECT_EQ(band_lines, 2);

  const std::vector<std::string> base = {"sample", "--name", "8gaussians", "--denoiser", "model", "--model", model,
                                         "--n", "100", "--steps", "50", "--seed", "6", "--threads", "1"};
  const auto with = [&base](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const std::vector<CliResult> r = run_cli_batch(
      {base, with({"--class", "2", "--guidance", "0"}), with({"--class", "2", "--guidance", "3"}),
       {"evaluate", "--per-class", "--name", "8gaussians", "--model", model, "--n", "50", "--steps", "5",
        "--threads", "1", "--guidance", "0", "3"}});
  for (const CliResult& result : r) ASSERT_EQ(result.exit_code, 0) << result.err;
  // Without --class a conditional model samples its null class; w = 0 is exactly that run.
  EXPECT_EQ(r[1].out, r[0].out);
  EXPECT_NE(r[0].err.find("null class"), std::string::npos) << r[0].err;
  EXPECT_NE(r[2].out, r[0].out);
  EXPECT_NE(r[2].err.find("class 2, guidance w = 3"), std::string::npos) << r[2].err;
  EXPECT_NE(r[2].err.find("NFE 100"), std::string::npos) << r[2].err;  // two evaluations a step
  EXPECT_NE(r[0].err.find("NFE 50"), std::string::npos) << r[0].err;
  // 8 data rows, then per w the 8 classes and a mean row.
  std::stringstream table(r[3].out);
  ASSERT_TRUE(std::getline(table, line));
  EXPECT_EQ(line, "guidance,class,sliced_wasserstein,class_accuracy,seconds");
  std::vector<std::string> firsts;
  while (std::getline(table, line)) {
    const std::vector<std::string> fields = split(line, ',');
    ASSERT_GE(fields.size(), 4u) << line;
    firsts.push_back(fields[0] + "/" + fields[1]);
    const double accuracy = std::stod(fields[3]);
    EXPECT_TRUE(accuracy >= 0 && accuracy <= 1) << line;
  }
  ASSERT_EQ(firsts.size(), 26u);
  EXPECT_EQ(firsts[0], "data/0");
  EXPECT_EQ(firsts[8], "0.00/0");
  EXPECT_EQ(firsts[16], "0.00/mean");
  EXPECT_EQ(firsts[25], "3.00/mean");
}

TEST(CliConditional, ShippedConditionalModelsSampleTheAskedClass) {
  // 400 samples (50 steps) of each asked class with the shipped NAME-cond.ckpt at w = 1 and 3:
  // >= 90 % have a nearest point of that class in a fresh labelled draw of 4000 points.
  struct Case { std::string name; int class_id; std::string w; };
  const std::vector<Case> cases = {{"8gaussians", 5, "1"}, {"8gaussians", 0, "3"}, {"moons", 0, "1"},
                                   {"moons", 1, "3"}};
  std::vector<std::vector<std::string>> runs;
  for (const Case& c : cases)
    runs.push_back({"sample", "--name", c.name, "--denoiser", "model", "--class", std::to_string(c.class_id),
                    "--guidance", c.w, "--n", "400", "--steps", "50", "--seed", "8", "--threads", "1"});
  const std::vector<CliResult> r = run_cli_batch(runs);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    ASSERT_EQ(r[i].exit_code, 0) << r[i].err;
    EXPECT_NE(r[i].err.find(cases[i].name + "-cond.ckpt"), std::string::npos) << r[i].err;
    const Csv csv = parse_csv(r[i].out);
    ASSERT_EQ(csv.rows.size(), 400u);
    std::vector<float> xy;
    for (const std::vector<double>& row : csv.rows) {
      xy.push_back(static_cast<float>(row[0]));
      xy.push_back(static_cast<float>(row[1]));
    }
    const auto reference =
        diffusion::make_labelled_dataset2d(*diffusion::parse_dataset2d_kind(cases[i].name), 4000, 77);
    EXPECT_GE(diffusion::class_accuracy(xy, cases[i].class_id, reference), 0.9) << cases[i].name << " class "
                                                                               << cases[i].class_id;
  }
}

TEST(CliConditional, MisusesExitTwoWithAMessage) {
  const std::string shipped_unconditional = std::string(DIFFUSCOPE_SOURCE_DIR) + "/assets/models/8gaussians.ckpt";
  expect_usage_errors({
      {{"sample", "--name", "8gaussians", "--denoiser", "model", "--model", shipped_unconditional, "--class", "1",
        "--n", "10"},
       {"unconditional", "--class", "train --conditional"}},
      {{"sample", "--name", "circles", "--denoiser", "model", "--class", "1", "--n", "10"},
       {"no shipped conditional model for circles", "circles-cond.ckpt"}},
      {{"sample", "--name", "8gaussians", "--denoiser", "model", "--class", "8", "--n", "10"}, {"--class 8"}},
      {{"train", "--conditional", "--process", "flow", "--name", "moons", "--steps", "10", "--out", "/tmp/x.ckpt"},
       {"--conditional"}},
      {{"train", "--conditional", "--data", "fashion-mnist", "--steps", "10", "--out", "/tmp/x.ckpt"},
       {"--conditional"}},
      {{"evaluate", "--name", "moons", "--class", "1"}, {"--class", "--per-class"}},
      {{"evaluate", "--per-class", "--name", "circles"}, {"no shipped conditional model for circles"}},
      {{"evaluate", "--per-class", "--name", "moons", "--guidance", "11"}, {"--guidance", "[0, 10]"}},
      {{"evaluate", "--per-class", "--name", "moons", "--class", "2"}, {"--class 2"}},
  });
}

TEST(CliConditional, TrainsOnTheClassColumnOfACsvFile) {
  const TempFolder dir;
  const std::string file = dir.file("moons.csv"), model = dir.file("moons-cond.ckpt");
  ASSERT_EQ(run_cli({"dataset", "--name", "moons", "--n", "300", "--seed", "2", "--out", file}).exit_code, 0);
  const CliResult train = run_cli({"train", "--conditional", "--from", file, "--steps", "40", "--batch", "64",
                                   "--threads", "1", "--out", model});
  ASSERT_EQ(train.exit_code, 0) << train.err;
  EXPECT_NE(train.out.find("conditional on 2 classes"), std::string::npos) << train.out;
  const CliResult sample = run_cli({"sample", "--from", file, "--denoiser", "model", "--model", model, "--class", "1",
                                    "--guidance", "2", "--n", "20", "--steps", "5"});
  expect_finite_xy(sample, 20);
  EXPECT_NE(sample.err.find("2 classes), class 1, guidance w = 2"), std::string::npos) << sample.err;
}

TEST(CliErrors, GuiBFlowNeedsTheClosedFormProcess) {
  // Flow matching's path as B is drawn in closed form only (checked before any window opens).
  expect_usage_errors({
      {{"gui", "--b-flow", "--process", "markov"}, {"--b-flow", "markov", "closed form"}},
      {{"gui", "--b-flow", "--process", "naive"}, {"--b-flow", "naive"}},
  });
}
