#include "diffusion/point_csv.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "fileio/atomic_file.hpp"

namespace diffusion {
namespace {

// A text far larger than 10,000 lines of numbers is refused before parsing it line by line.
constexpr std::size_t kMaxPointCsvBytes = 16u << 20;
const char* const kPointCsvColumnNames[] = {"x", "y", "class"};

std::string_view trim_csv_field(std::string_view field) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!field.empty() && blank(field.front())) field.remove_prefix(1);
  while (!field.empty() && blank(field.back())) field.remove_suffix(1);
  return field;
}

std::vector<std::string_view> split_csv_line(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    fields.push_back(trim_csv_field(line.substr(start, comma == std::string_view::npos ? line.npos : comma - start)));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

// Parses the whole field as a number (strtod: decimal, exponent, also "nan" and "inf", which the
// caller refuses). False if anything is left over or nothing was read.
bool parse_csv_double(std::string_view field, double& value) {
  if (field.empty()) return false;
  const std::string text(field);
  char* end = nullptr;
  errno = 0;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

class PointCsvParser {
 public:
  explicit PointCsvParser(const std::string& file_name) : file_name_(file_name) {}

  PointCsvResult parse(std::string_view text) {
    PointCsvResult result;
    int line_number = 0;
    bool first_line = true;
    std::size_t start = 0;
    while (start < text.size() && result.ok()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view line = text.substr(start, end - start);
      start = end + 1;
      ++line_number;
      if (trim_csv_field(line).empty()) continue;
      const std::vector<std::string_view> fields = split_csv_line(line);
      double unused = 0;
      if (first_line && !parse_csv_double(fields[0], unused)) {
        first_line = false;
        result.error = check_header(fields, line_number);
        continue;
      }
      first_line = false;
      result.error = add_point(fields, line_number, result.points);
    }
    if (!result.ok()) return result;
    if (result.points.size() == 0) {
      result.error = file_name_ + ": line " + std::to_string(std::max(line_number, 1)) + ": no points (" +
                     (line_number == 0 ? "the file is empty" : "expected lines x,y or x,y,class") + ")";
      return result;
    }
    int largest = 0;
    for (int c : result.points.class_id) largest = std::max(largest, c);
    result.points.num_classes = largest + 1;
    return result;
  }

 private:
  std::string where(int line_number, int column) const {
    std::string text = file_name_ + ": line " + std::to_string(line_number);
    if (column >= 1) {
      text += ", column " + std::to_string(column);
      if (column <= 3) text += std::string(" (") + kPointCsvColumnNames[column - 1] + ")";
    }
    return text + ": ";
  }

  std::string check_header(const std::vector<std::string_view>& fields, int line_number) {
    if (fields.size() < 2) return where(line_number, 2) + "missing column: the header must be x,y or x,y,class";
    if (fields.size() > 3) {
      return where(line_number, 4) + "unexpected column '" + std::string(fields[3]) +
             "': the header must be x,y or x,y,class";
    }
    header_columns_ = static_cast<int>(fields.size());
    return "";
  }

  std::string add_point(const std::vector<std::string_view>& fields, int line_number, LabelledPoints2D& points) {
    const int count = static_cast<int>(fields.size());
    if (columns_ == 0) columns_ = header_columns_ != 0 ? header_columns_ : std::min(std::max(count, 2), 3);
    for (int column = 1; column <= columns_; ++column) {
      if (column > count || fields[column - 1].empty()) {
        return where(line_number, column) + "missing column (expected " +
               (columns_ == 3 ? "x,y,class" : "x,y") + ")";
      }
    }
    if (count > columns_) {
      return where(line_number, columns_ + 1) + "unexpected extra column '" + std::string(fields[columns_]) +
             "' (expected " + (columns_ == 3 ? "x,y,class" : "x,y") + ")";
    }
    if (points.size() >= kMaxPointCsvPoints) {
      return where(line_number, 0) + "more than " + std::to_string(kMaxPointCsvPoints) +
             " points (the limit)";
    }
    float xy[2];
    for (int column = 1; column <= 2; ++column) {
      const std::string_view field = fields[column - 1];
      double value = 0;
      if (!parse_csv_double(field, value)) return where(line_number, column) + "'" + std::string(field) + "' is not a number";
      if (!std::isfinite(value)) return where(line_number, column) + "'" + std::string(field) + "' is not a finite number";
      if (std::fabs(value) > kMaxPointCsvCoordinate) {
        return where(line_number, column) + std::string(field) + " is out of range: coordinates must lie in [-" +
               std::to_string(static_cast<int>(kMaxPointCsvCoordinate)) + ", " +
               std::to_string(static_cast<int>(kMaxPointCsvCoordinate)) + "]";
      }
      xy[column - 1] = static_cast<float>(value);
    }
    int class_id = 0;
    if (columns_ == 3) {
      const std::string_view field = fields[2];
      double value = 0;
      if (!parse_csv_double(field, value)) return where(line_number, 3) + "'" + std::string(field) + "' is not a number";
      if (!(value >= 0 && value <= kMaxPointCsvClass && value == std::floor(value))) {
        return where(line_number, 3) + "'" + std::string(field) + "' is not a class: classes are whole numbers 0.." +
               std::to_string(kMaxPointCsvClass);
      }
      class_id = static_cast<int>(value);
    }
    points.xy.push_back(xy[0]);
    points.xy.push_back(xy[1]);
    points.class_id.push_back(class_id);
    return "";
  }

  const std::string& file_name_;
  int header_columns_ = 0;  // 0: no header
  int columns_ = 0;         // fixed by the header or the first point
};

}  // namespace

PointCsvResult parse_point_csv(std::string_view text, const std::string& file_name) {
  if (text.size() > kMaxPointCsvBytes) {
    PointCsvResult result;
    result.error = file_name + ": line 1: the file is larger than " + std::to_string(kMaxPointCsvBytes >> 20) +
                   " MiB; a point CSV holds at most " + std::to_string(kMaxPointCsvPoints) + " points";
    return result;
  }
  // A UTF-8 byte-order mark (spreadsheets write one) would turn a first point into a "header".
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  return PointCsvParser(file_name).parse(text);
}

PointCsvResult read_point_csv(const std::string& path) {
  PointCsvResult result;
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    result.error = path + ": cannot read: it is a folder, not a CSV file";
    return result;
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    result.error = path + ": cannot read: " + std::strerror(errno);
    return result;
  }
  std::string text;
  char buffer[1 << 16];
  while (file.read(buffer, sizeof buffer) || file.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(file.gcount()));
    if (text.size() > kMaxPointCsvBytes) break;  // parse_point_csv names the limit
  }
  if (file.bad()) {
    result.error = path + ": cannot read: " + std::strerror(errno);
    return result;
  }
  return parse_point_csv(text, path);
}

std::string format_point_csv(const LabelledPoints2D& points) {
  if (points.xy.size() != 2 * points.class_id.size())
    throw std::invalid_argument("format_point_csv: " + std::to_string(points.xy.size()) + " coordinates for " +
                                std::to_string(points.class_id.size()) + " classes");
  std::string text = "x,y,class\n";
  char line[96];
  for (int i = 0; i < points.size(); ++i) {
    const double x = points.xy[2 * static_cast<std::size_t>(i)], y = points.xy[2 * static_cast<std::size_t>(i) + 1];
    if (!std::isfinite(x) || !std::isfinite(y))
      throw std::invalid_argument("format_point_csv: point " + std::to_string(i + 1) + " is not finite");
    const int c = points.class_id[i];
    if (c < 0 || c > kMaxPointCsvClass)
      throw std::invalid_argument("format_point_csv: point " + std::to_string(i + 1) + " has class " +
                                  std::to_string(c) + ", outside 0.." + std::to_string(kMaxPointCsvClass));
    // 9 significant digits round-trip a float exactly.
    std::snprintf(line, sizeof line, "%.9g,%.9g,%d\n", x, y, c);
    text += line;
  }
  return text;
}

std::string write_point_csv(const std::string& path, const LabelledPoints2D& points) {
  std::string text;
  try {
    text = format_point_csv(points);
  } catch (const std::invalid_argument& e) {
    return "cannot write '" + path + "': " + e.what();
  }
  return fileio::write_file_atomically(path, text);
}

}  // namespace diffusion
