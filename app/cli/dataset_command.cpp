// `diffuscope dataset`: points of a 2D toy dataset (or of a CSV file of points) as CSV: x,y on
// stdout, x,y,class with --classes, or x,y,class written atomically to --out FILE.
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/choices.hpp"
#include "cli/command.hpp"
#include "cli/csv.hpp"
#include "cli/point_source.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/datasets2d.hpp"
#include "diffusion/point_csv.hpp"

namespace diffuscope::cli {

namespace {

struct DatasetFlags {
  PointSourceFlags source;
  int n = 1000;
  std::uint64_t seed = 0;
  bool classes = false;
  std::string out;
  const CLI::Option* n_option = nullptr;
};

// "8gaussians: 8, moons: 2, ...": each dataset's number of classes, for the help.
std::string class_counts() {
  std::string text;
  for (const diffusion::Dataset2DKind kind : diffusion::all_dataset2d_kinds())
    text += (text.empty() ? "" : ", ") + std::string(diffusion::to_string(kind)) + ": " +
            std::to_string(diffusion::dataset2d_class_count(kind));
  return text;
}

int run_dataset(const DatasetFlags& flags) {
  const PointSource source = resolve_point_source(flags.source);
  if (source.is_file() && flags.n_option->count() > 0)
    throw UsageError("--n is for --name; --from prints every point of the file");
  const diffusion::LabelledPoints2D points = source.points(flags.n, flags.seed);
  if (!flags.out.empty()) {
    if (points.size() > diffusion::kMaxPointCsvPoints)  // --from could not read the file back
      throw UsageError("--out holds at most " + std::to_string(diffusion::kMaxPointCsvPoints) + " points, got --n " +
                       std::to_string(points.size()));
    const std::string error = diffusion::write_point_csv(flags.out, points);
    if (!error.empty()) throw UsageError(error);
    return 0;
  }
  if (flags.classes) {
    std::cout << diffusion::format_point_csv(points);
  } else {
    write_xy_csv(std::cout, points.xy);
  }
  return 0;
}

}  // namespace

Command add_dataset_command(CLI::App& app) {
  auto flags = std::make_shared<DatasetFlags>();
  CLI::App* parser = app.add_subcommand(
      "dataset", "Print N points of a 2D toy dataset (roughly unit variance) as CSV: x,y (x,y,class with "
                 "--classes or --out). With --from FILE.csv: the file's points, checked");
  add_point_source_flags(*parser, flags->source, "Dataset: " + dataset_names());
  flags->n_option = parser->add_option("--n", flags->n, "Number of points")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000'000));
  parser->add_flag("--classes", flags->classes,
                   "Print x,y,class: each point's class, numbered from 0 (classes: " + class_counts() + ")");
  parser->add_option("--out", flags->out,
                     "Write x,y,class to this CSV file instead of stdout (replaced atomically); "
                     "`--from` reads it back");
  parser->add_option("--seed", flags->seed, "Random seed (same seed, same points)")
      ->capture_default_str();
  return {parser, [flags] { return run_dataset(*flags); }};
}

}  // namespace diffuscope::cli
