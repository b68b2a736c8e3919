#include "gui/shell/export_session.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "fileio/png_file.hpp"
#include "renderer/gif_writer.hpp"
#include "renderer/image_resample.hpp"

namespace diffuscope::gui {

namespace {
double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

ExportSession::ExportSession() = default;
ExportSession::~ExportSession() { cancel(); }

std::string ExportSession::start(const ExportSettings& settings, ExportContent content, int T, int current_t) {
  cancel();
  result_.clear();
  written_.clear();
  if (std::string error = validate_export(settings); !error.empty()) return error;
  settings_ = settings;
  content_ = content;
  std::vector<int> timesteps;
  if (settings.kind == ExportKind::WindowPng || settings.kind == ExportKind::ViewPng) {
    timesteps = {std::clamp(current_t, 0, std::max(T, 0))};
  } else {
    timesteps = export_timesteps(T, settings.frames, settings.direction);
  }
  progress_ = std::make_unique<ExportProgress>(std::move(timesteps));
  if (settings.kind == ExportKind::Gif) {
    gif_size_ = renderer::scaled_size(settings.width, settings.height, settings.gif_scale);
    gif_ = std::make_unique<renderer::GifWriter>();
    const std::string error = gif_->open(settings.path, gif_size_.width, gif_size_.height,
                                         gif_delay_centiseconds(settings.seconds, progress_->count()), true);
    if (!error.empty()) {
      gif_.reset();
      progress_.reset();
      return error;
    }
  }
  active_ = true;
  started_seconds_ = now_seconds();
  return "";
}

int ExportSession::next_t() const { return progress_ ? progress_->next_t() : 0; }

std::string ExportSession::add_frame(const std::vector<std::uint8_t>& rgba, int width, int height) {
  if (!active_ || !progress_) return "";
  std::string error;
  if (width != settings_.width || height != settings_.height ||
      rgba.size() != static_cast<std::size_t>(width) * height * 4) {
    error = "the export frame came out " + std::to_string(width) + "x" + std::to_string(height) +
            " instead of " + std::to_string(settings_.width) + "x" + std::to_string(settings_.height);
  } else if (settings_.kind == ExportKind::Gif) {
    if (gif_size_.width != width || gif_size_.height != height) {
      const std::vector<std::uint8_t> small =
          renderer::downscale_rgba(rgba.data(), width, height, gif_size_.width, gif_size_.height);
      error = gif_->add_frame(small.data(), gif_size_.width, gif_size_.height);
    } else {
      error = gif_->add_frame(rgba.data(), width, height);
    }
  } else {
    const std::string path = settings_.kind == ExportKind::PngSequence
                                 ? sequence_frame_path(settings_.path, progress_->index(), progress_->count())
                                 : settings_.path;
    error = fileio::write_png(path, rgba.data(), width, height, 4);
    if (error.empty()) written_.push_back(path);
  }
  if (!error.empty()) {
    cancel();
    result_ = "export stopped: " + error;
    return error;
  }
  progress_->frame_written();
  if (progress_->done()) return finish();
  return "";
}

std::string ExportSession::finish() {
  std::string error;
  if (gif_) error = gif_->finish();
  const int frames = progress_ ? progress_->count() : 0;
  active_ = false;
  gif_.reset();
  if (!error.empty()) {
    result_ = "export failed: " + error;
    return error;
  }
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1f", now_seconds() - started_seconds_);
  const std::string size = std::to_string(settings_.width) + "x" + std::to_string(settings_.height);
  switch (settings_.kind) {
    case ExportKind::Gif: {
      const std::string gif_size = std::to_string(gif_size_.width) + "x" + std::to_string(gif_size_.height);
      result_ = "wrote " + settings_.path + " (" + std::to_string(frames) + " frames, " + gif_size + ") in " +
                seconds + " s";
      break;
    }
    case ExportKind::PngSequence:
      result_ = "wrote " + std::to_string(written_.size()) + " PNGs " + written_.front() + " … " +
                written_.back() + " (" + size + ") in " + seconds + " s";
      break;
    default:
      result_ = "wrote " + settings_.path + " (" + size + ")";
  }
  return "";
}

void ExportSession::cancel() {
  if (!active_) return;
  if (gif_) gif_->cancel();
  gif_.reset();
  active_ = false;
  if (progress_) progress_->cancel();
  result_ = "export cancelled";
  if (!written_.empty()) result_ += " (" + std::to_string(written_.size()) + " PNGs already written stay)";
}

float ExportSession::fraction() const { return progress_ ? progress_->fraction() : 0.0f; }

std::string ExportSession::progress_text() const {
  if (!progress_) return "";
  return "frame " + std::to_string(std::min(progress_->index() + 1, progress_->count())) + " of " +
         std::to_string(progress_->count());
}

std::string ExportSession::take_result() {
  std::string r;
  r.swap(result_);
  return r;
}

}  // namespace diffuscope::gui
