#include "cli/point_source.hpp"

#include <utility>

#include <CLI/CLI.hpp>

#include "cli/choices.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/point_csv.hpp"

namespace diffuscope::cli {

void add_point_source_flags(CLI::App& command, PointSourceFlags& flags, const std::string& name_help) {
  flags.name_option = command.add_option("--name", flags.name, name_help);
  flags.from_option = add_from_flag(command, flags.from);
}

CLI::Option* add_from_flag(CLI::App& command, std::string& from) {
  return command.add_option(
      "--from", from,
      "CSV file of 2D points instead of --name: lines x,y or x,y,class (classes 0.." +
          std::to_string(diffusion::kMaxPointCsvClass) + "), optional header, at most " +
          std::to_string(diffusion::kMaxPointCsvPoints) + " points");
}

bool from_flag_given(const CLI::Option* from_option) { return from_option && from_option->count() > 0; }

diffusion::LabelledPoints2D PointSource::points(int n, std::uint64_t seed) const {
  if (kind_) return diffusion::make_labelled_dataset2d(*kind_, n, seed);
  return file_points_;
}

int PointSource::num_classes() const {
  return kind_ ? diffusion::dataset2d_class_count(*kind_) : file_points_.num_classes;
}

std::string PointSource::description() const {
  if (kind_) return std::string(diffusion::to_string(*kind_));
  return path_ + " (" + std::to_string(file_points_.size()) + " points)";
}

PointSource PointSource::named(diffusion::Dataset2DKind kind) {
  PointSource source;
  source.kind_ = kind;
  return source;
}

PointSource PointSource::file(std::string path, diffusion::LabelledPoints2D points) {
  PointSource source;
  source.path_ = std::move(path);
  source.file_points_ = std::move(points);
  return source;
}

PointSource resolve_point_source(const PointSourceFlags& flags, const std::string& both_missing_hint) {
  return resolve_point_source(flags.name, flags.from_option, flags.from, both_missing_hint);
}

PointSource resolve_point_source(const std::string& name, const CLI::Option* from_option, const std::string& from,
                                 const std::string& both_missing_hint) {
  const bool has_name = !name.empty(), has_from = from_flag_given(from_option);
  if (has_name && has_from)
    throw UsageError("--name (a named dataset) and --from (a CSV file of points) cannot be used together; give one");
  if (!has_name && !has_from)
    throw UsageError("give --name DATASET (" + dataset_names() + ") or --from FILE.csv" + both_missing_hint);
  if (has_name) return PointSource::named(parse_dataset_flag(name));
  return read_point_source_file(from);
}

PointSource read_point_source_file(const std::string& path) {
  if (path.empty()) throw UsageError("--from needs a file name");
  diffusion::PointCsvResult csv = diffusion::read_point_csv(path);
  if (!csv.ok()) throw UsageError(csv.error);
  return PointSource::file(path, std::move(csv.points));
}

void check_class_flag(int class_id, const PointSource& source) {
  const int count = source.num_classes();
  if (class_id < 0 || class_id >= count) {
    throw UsageError("--class " + std::to_string(class_id) + " is out of range: " + source.description() + " has " +
                     (count == 1 ? std::string("one class, 0") : std::to_string(count) + " classes, 0.." +
                                                                     std::to_string(count - 1)));
  }
}

}  // namespace diffuscope::cli
