#include "gui/lecture/export_plan.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <system_error>
#include <utility>

namespace diffuscope::gui {

std::vector<int> export_timesteps(int T, int frames, ExportDirection direction) {
  if (T < 1) return {0};
  const long long n = std::clamp(frames, 2, T + 1);
  // t_k = round(T * (n-1-k) / (n-1)) for Down. The spacing T/(n-1) is >= 1 because n <= T+1,
  // so rounding keeps the values distinct. Integer arithmetic: exact, half rounds up.
  std::vector<int> timesteps;
  timesteps.reserve(static_cast<std::size_t>(n));
  for (long long k = 0; k < n; ++k) {
    const long long numerator = 2LL * T * (n - 1 - k) + (n - 1);
    timesteps.push_back(static_cast<int>(numerator / (2 * (n - 1))));
  }
  if (direction == ExportDirection::Up) std::reverse(timesteps.begin(), timesteps.end());
  return timesteps;
}

std::string sequence_frame_path(const std::string& path, int index, int count) {
  const std::size_t slash = path.find_last_of('/');
  const std::size_t dot = path.find_last_of('.');
  // An extension is a dot inside the file name, not at its start ("dir/.hidden" has none).
  const bool has_extension = dot != std::string::npos && (slash == std::string::npos ? dot > 0 : dot > slash + 1);
  const std::string stem = has_extension ? path.substr(0, dot) : path;
  const std::string extension = has_extension ? path.substr(dot) : std::string();

  const int number = std::max(0, index) + 1;
  const std::size_t width = std::max<std::size_t>(4, std::to_string(std::max(1, count)).size());
  std::string digits = std::to_string(number);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return stem + "_" + digits + extension;
}

int gif_delay_centiseconds(double seconds, int frames) {
  if (!std::isfinite(seconds) || seconds <= 0.0 || frames <= 0) return 2;
  const double delay = std::round(seconds * 100.0 / frames);
  return static_cast<int>(std::clamp(delay, 2.0, 65535.0));
}

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

const char* kind_name(ExportKind kind) {
  switch (kind) {
    case ExportKind::WindowPng: return "a window PNG";
    case ExportKind::ViewPng: return "a view PNG";
    case ExportKind::Gif: return "a GIF";
    case ExportKind::PngSequence: return "a PNG sequence";
  }
  return "an export";
}

std::string range_message(const char* name, double value, int low, int high) {
  std::string shown = std::to_string(value);
  if (value == std::floor(value) && std::fabs(value) < 1e9) shown = std::to_string(static_cast<long long>(value));
  return std::string(name) + " " + shown + " is outside " + std::to_string(low) + ".." + std::to_string(high);
}

}  // namespace

std::string validate_export(const ExportSettings& settings) {
  namespace fs = std::filesystem;
  const std::string& path = settings.path;
  if (path.empty()) return "export path: empty (choose a file name)";

  const bool is_gif = settings.kind == ExportKind::Gif;
  const std::string wanted = is_gif ? ".gif" : ".png";
  const std::string extension = lower(fs::path(path).extension().string());
  if (extension != wanted) {
    return "export path '" + path + "': " + kind_name(settings.kind) + " needs the extension " + wanted +
           (extension.empty() ? std::string(" (it has none)") : " (not " + extension + ")");
  }

  std::error_code error;
  if (fs::is_directory(fs::path(path), error)) return "export path '" + path + "' is a folder; add a file name";
  fs::path folder = fs::path(path).parent_path();
  if (folder.empty()) folder = ".";
  if (!fs::is_directory(folder, error)) return "export folder '" + folder.string() + "' does not exist";
  if (::access(folder.c_str(), W_OK | X_OK) != 0) return "export folder '" + folder.string() + "' is not writable";

  if (settings.width < kExportMinSize || settings.width > kExportMaxWidth) {
    return range_message("export width", settings.width, kExportMinSize, kExportMaxWidth);
  }
  if (settings.height < kExportMinSize || settings.height > kExportMaxHeight) {
    return range_message("export height", settings.height, kExportMinSize, kExportMaxHeight);
  }

  const bool animated = is_gif || settings.kind == ExportKind::PngSequence;
  if (animated && (settings.frames < 2 || settings.frames > kExportMaxFrames)) {
    return range_message("export frames", settings.frames, 2, kExportMaxFrames);
  }
  if (is_gif) {
    if (!std::isfinite(settings.seconds) || settings.seconds <= 0.0) {
      return "export seconds " + std::to_string(settings.seconds) + " must be a positive duration";
    }
    if (!(settings.gif_scale > 0.0f) || settings.gif_scale > 1.0f) {
      return "export GIF scale " + std::to_string(settings.gif_scale) + " is outside (0, 1] (it can only shrink)";
    }
  }
  if (settings.kind == ExportKind::ViewPng && settings.view < 0) {
    return "export view " + std::to_string(settings.view) + " is negative";
  }
  return {};
}

ExportProgress::ExportProgress(std::vector<int> timesteps) : timesteps_(std::move(timesteps)) {}

bool ExportProgress::done() const { return cancelled_ || index_ >= count(); }

bool ExportProgress::cancelled() const { return cancelled_; }

int ExportProgress::next_t() const { return done() ? -1 : timesteps_[static_cast<std::size_t>(index_)]; }

int ExportProgress::index() const { return index_; }

int ExportProgress::count() const { return static_cast<int>(timesteps_.size()); }

float ExportProgress::fraction() const {
  if (timesteps_.empty()) return 1.0f;
  return static_cast<float>(index_) / static_cast<float>(count());
}

void ExportProgress::frame_written() {
  if (!done()) ++index_;
}

void ExportProgress::cancel() {
  if (index_ < count()) cancelled_ = true;
}

}  // namespace diffuscope::gui
