#pragma once
// 2D points with classes as CSV: a drawing saved by the app, a dataset exported by the CLI, a file
// the user wrote. Torch-free.
//
// Format: one point a line, `x,y` or `x,y,class`, optionally after one header line (`x,y` or
// `x,y,class`; any first line whose first field is not a number is taken as the header). Every
// line has as many columns as the first point's line. Blank lines are skipped; "\r\n" endings,
// spaces around fields and a leading UTF-8 byte-order mark are accepted. Coordinates are finite numbers with |value| <=
// kMaxPointCsvCoordinate; a class is a whole number in 0..kMaxPointCsvClass. Without a class
// column every point is in class 0 and there is one class; otherwise num_classes is the largest
// class + 1. At most kMaxPointCsvPoints points.
//
// Errors are returned, never thrown, as "<file>: line N, column C (<name>): <what>" (column and
// its name left out where they mean nothing, e.g. "<file>: line 1: no points").
#include <string>
#include <string_view>

#include "diffusion/datasets2d.hpp"

namespace diffusion {

inline constexpr int kMaxPointCsvPoints = 10'000;
inline constexpr int kMaxPointCsvClass = 99;
// Far beyond any dataset's scale (unit variance), small enough that squared distances stay finite
// in float.
inline constexpr double kMaxPointCsvCoordinate = 1e4;

struct PointCsvResult {
  LabelledPoints2D points;  // valid when error is empty
  std::string error;        // "" on success
  bool ok() const { return error.empty(); }
};

// Parses CSV text; `file_name` only names the source in messages.
PointCsvResult parse_point_csv(std::string_view text, const std::string& file_name);

// Reads and parses the file at `path` (an unreadable or missing file is an error naming it).
PointCsvResult read_point_csv(const std::string& path);

// "x,y,class" and one line per point, with 9 significant digits (a float read back is the same
// float). Throws std::invalid_argument if a coordinate is not finite or a class is out of range.
std::string format_point_csv(const LabelledPoints2D& points);

// format_point_csv written atomically (fileio). Returns "" or a message naming `path`; a bad point
// set is reported the same way and leaves the file untouched.
std::string write_point_csv(const std::string& path, const LabelledPoints2D& points);

}  // namespace diffusion
