// `diffuscope dataset`: points of a 2D toy dataset as CSV.
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/choices.hpp"
#include "cli/command.hpp"
#include "cli/csv.hpp"
#include "diffusion/datasets2d.hpp"

namespace diffuscope::cli {

namespace {

struct DatasetFlags {
  std::string name;
  int n = 1000;
  std::uint64_t seed = 0;
};

int run_dataset(const DatasetFlags& flags) {
  const diffusion::Dataset2D data =
      diffusion::make_dataset2d(parse_dataset_flag(flags.name), flags.n, flags.seed);
  write_xy_csv(std::cout, data.xy);
  return 0;
}

}  // namespace

Command add_dataset_command(CLI::App& app) {
  auto flags = std::make_shared<DatasetFlags>();
  CLI::App* parser = app.add_subcommand(
      "dataset", "Print N points of a 2D toy dataset (roughly unit variance) as CSV: x,y");
  parser->add_option("--name", flags->name, "Dataset: " + dataset_names())->required();
  parser->add_option("--n", flags->n, "Number of points")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000'000));
  parser->add_option("--seed", flags->seed, "Random seed (same seed, same points)")
      ->capture_default_str();
  return {parser, [flags] { return run_dataset(*flags); }};
}

}  // namespace diffuscope::cli
