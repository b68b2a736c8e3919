// `diffuscope schedule`: the schedule's per-step quantities as CSV.
#include <array>
#include <iostream>
#include <memory>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/command.hpp"
#include "cli/csv.hpp"
#include "cli/schedule_flags.hpp"
#include "diffusion/schedule.hpp"

namespace diffuscope::cli {

namespace {

int run_schedule(const ScheduleFlags& flags) {
  const diffusion::Schedule schedule(to_schedule_params(flags));
  constexpr std::array<const char*, 5> kColumns = {"beta", "alpha_bar", "snr", "log_snr",
                                                   "posterior_variance"};
  std::vector<std::array<double, 5>> rows;
  rows.reserve(static_cast<std::size_t>(schedule.T()));
  for (int t = 1; t <= schedule.T(); ++t) {
    rows.push_back({schedule.beta(t), schedule.alpha_bar(t), schedule.snr(t), schedule.log_snr(t),
                    schedule.posterior_variance(t)});
    // snr and log_snr may be infinite (zero terminal SNR); none may be NaN.
    for (std::size_t c = 0; c < kColumns.size(); ++c) require_not_nan(rows.back()[c], kColumns[c], t);
  }
  use_csv_number_format(std::cout);
  std::cout << "t,beta,alpha_bar,snr,log_snr,posterior_variance\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::cout << i + 1;
    for (double value : rows[i]) std::cout << ',' << value;
    std::cout << '\n';
  }
  return 0;
}

}  // namespace

Command add_schedule_command(CLI::App& app) {
  auto flags = std::make_shared<ScheduleFlags>();
  CLI::App* parser = app.add_subcommand(
      "schedule",
      "Print a noise schedule as CSV: t,beta,alpha_bar,snr,log_snr,posterior_variance for t = 1..T "
      "(SNR = alpha_bar / (1 - alpha_bar); posterior_variance = beta_tilde_t)");
  add_schedule_flags(*parser, *flags, /*kind_required=*/true);
  return {parser, [flags] { return run_schedule(*flags); }};
}

}  // namespace diffuscope::cli
