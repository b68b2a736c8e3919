#pragma once
// Where a command's 2D points come from: a named toy dataset (--name DATASET) or a CSV file of
// points (--from FILE.csv: x,y[,class], diffusion/point_csv.hpp), for every command that takes
// --name for 2D points (dataset, forward, sample, train, evaluate). One of the two, never both.
// A bad file is a UsageError carrying the parser's message ("FILE: line N, column C (y): ..."),
// so the dispatcher prints it and exits with code 2. Torch-free.
#include <cstdint>
#include <optional>
#include <string>

#include "diffusion/datasets2d.hpp"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace diffuscope::cli {

struct PointSourceFlags {
  std::string name;  // --name
  std::string from;  // --from
  const CLI::Option* name_option = nullptr;
  const CLI::Option* from_option = nullptr;
};

// Adds --name (with `name_help`) and --from to `command`.
void add_point_source_flags(CLI::App& command, PointSourceFlags& flags, const std::string& name_help);
// Adds only --from (for a command whose --name is bound elsewhere); returns the option.
CLI::Option* add_from_flag(CLI::App& command, std::string& from);

class PointSource {
 public:
  // The named dataset's points: make_labelled_dataset2d(kind, n, seed). The file's points: all of
  // them, whatever n and seed.
  diffusion::LabelledPoints2D points(int n, std::uint64_t seed) const;
  int num_classes() const;
  bool is_file() const { return !kind_.has_value(); }
  // The named dataset (nullopt for a file).
  const std::optional<diffusion::Dataset2DKind>& kind() const { return kind_; }
  // "moons", or "file.csv (500 points)" for messages.
  std::string description() const;

  static PointSource named(diffusion::Dataset2DKind kind);
  static PointSource file(std::string path, diffusion::LabelledPoints2D points);

 private:
  std::optional<diffusion::Dataset2DKind> kind_;
  std::string path_;
  diffusion::LabelledPoints2D file_points_;
};

// Checks the flags (exactly one of --name and --from; a known dataset name) and reads the file.
// `both_missing_hint` ends the message when neither was given (e.g. " (or --data for images)").
// Throws UsageError.
PointSource resolve_point_source(const PointSourceFlags& flags, const std::string& both_missing_hint = "");
// The same for --name bound to `name` and --from to `from` (`from_option` from add_from_flag).
PointSource resolve_point_source(const std::string& name, const CLI::Option* from_option, const std::string& from,
                                 const std::string& both_missing_hint = "");
// The points of the CSV file at `path`; a bad file is a UsageError with the parser's message.
PointSource read_point_source_file(const std::string& path);
// Whether --from was typed.
bool from_flag_given(const CLI::Option* from_option);

// --class C for a source: throws UsageError unless 0 <= C < source.num_classes().
void check_class_flag(int class_id, const PointSource& source);

}  // namespace diffuscope::cli
