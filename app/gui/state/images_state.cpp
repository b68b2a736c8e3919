#include "gui/state/images_state.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gui/state/app_state.hpp"

namespace diffuscope::gui {

SamplingSettings default_image_sampling() {
  SamplingSettings sampling;
  for (ReversePanelSettings& panel : sampling.panels) panel.sampler.clip_x0 = true;
  return sampling;
}

void apply_device_defaults(ImagesState& state, bool cuda, bool count_given, bool steps_given) {
  if (state.device_defaults_applied) return;
  state.device_defaults_applied = true;
  if (!count_given) state.image_count = cuda ? kDefaultImageCountCuda : kDefaultImageCountCpu;
  if (!steps_given) {
    for (ReversePanelSettings& p : state.sampling.panels) p.steps = cuda ? 0 : kDefaultImageStepsCpu;
  }
}

ImageReverseJob make_image_job(const ImagesState& state, const SharedSchedule& schedule_a, int t) {
  ImageReverseJob job;
  job.panels = make_panel_specs(state.sampling, schedule_a, kImageClipRange);
  for (ReversePanelSpec& spec : job.panels) spec.denoiser = DenoiserKind::Model;  // images have no exact denoiser
  job.image_count = std::clamp(state.image_count, kMinImageCount, kMaxImageCount);
  job.seed = state.sampling.seed;
  job.model_path = state.model_path;
  job.t = job_cursor(state.sampling, t);
  job.selected = state.selected >= 0 && state.selected < job.image_count ? state.selected : -1;
  return job;
}

int requested_timestep(const std::vector<int>& visited_descending, int t) {
  if (t <= 0 || visited_descending.empty()) return 0;
  int requested = visited_descending.front();
  for (int v : visited_descending)
    if (v >= t) requested = v;
  return requested;
}

bool image_run_settled(const ImageReverseFrame& frame) {
  if (frame.panels.empty()) return false;
  for (const ImagePanelFrame& p : frame.panels) {
    if (!p.finished && p.error.empty()) return false;
  }
  return true;
}

int followed_image_cursor(const ImageReverseFrame& frame, int timeline_T) {
  if (frame.panels.empty()) return -1;
  const ImagePanelFrame& p = frame.panels.front();
  if (p.states_done == 0) return -1;
  return rescale_cursor(p.shown_t, p.schedule.T, timeline_T);
}

int image_run_frontier(const ImageReverseFrame& frame, int timeline_T) {
  if (frame.panels.empty()) return -1;
  int frontier = 0;
  for (const ImagePanelFrame& p : frame.panels) {
    if (!p.error.empty()) continue;
    const int f = panel_frontier(p, timeline_T);
    if (f < 0) return -1;
    frontier = std::max(frontier, f);
  }
  return frontier;
}

int settle_image_cursor(ReverseCursor& cursor, const ImageReverseFrame* frame, int t, int timeline_T) {
  if (!cursor.follow) return t;
  return settle_followed_cursor(cursor, frame ? image_run_frontier(*frame, timeline_T) : -1,
                                frame && image_run_settled(*frame), t, timeline_T);
}

TileGrid tile_grid(int count, float tile_w, float tile_h, float gap, float w, float h) {
  TileGrid best;
  best.count = std::max(0, count);
  best.tile_w = std::max(0.0f, tile_w);
  best.tile_h = std::max(0.0f, tile_h);
  best.gap = std::max(0.0f, gap);
  if (count <= 0 || !(tile_w > 0.0f) || !(tile_h > 0.0f) || !(w > 0.0f) || !(h > 0.0f)) return best;
  for (int cols = 1; cols <= count; ++cols) {
    TileGrid g = best;
    g.cols = cols;
    g.rows = (count + cols - 1) / cols;
    g.scale = std::min(w / g.width(), h / g.height());
    if (g.scale > best.scale * 1.0001f) best = g;
  }
  return best;
}

int tile_at(const TileGrid& grid, float x, float y) {
  if (grid.tile_w <= 0.0f || grid.tile_h <= 0.0f || x < 0.0f || y < 0.0f) return -1;
  const float pitch_x = grid.tile_w + grid.gap, pitch_y = grid.tile_h + grid.gap;
  const int col = static_cast<int>(std::floor(x / pitch_x));
  const int row = static_cast<int>(std::floor(y / pitch_y));
  if (col >= grid.cols || row >= grid.rows) return -1;
  if (x - col * pitch_x >= grid.tile_w || y - row * pitch_y >= grid.tile_h) return -1;  // in a gap
  const int index = row * grid.cols + col;
  return index < grid.count ? index : -1;
}

Atlas compose_atlas(const std::vector<std::uint8_t>& grid, int count, int h, int w, int channels,
                    int cols, int gap_px, std::uint8_t gap_value) {
  Atlas atlas;
  const std::size_t image_bytes = static_cast<std::size_t>(std::max(0, h)) * std::max(0, w) * std::max(0, channels);
  if (count <= 0 || image_bytes == 0 || cols <= 0 || gap_px < 0 || grid.size() < image_bytes * count) return atlas;
  cols = std::min(cols, count);
  const int rows = (count + cols - 1) / cols;
  atlas.channels = channels;
  atlas.width = cols * w + (cols - 1) * gap_px;
  atlas.height = rows * h + (rows - 1) * gap_px;
  atlas.pixels.assign(static_cast<std::size_t>(atlas.width) * atlas.height * channels, gap_value);
  const std::size_t row_bytes = static_cast<std::size_t>(w) * channels;
  for (int i = 0; i < count; ++i) {
    const int x0 = (i % cols) * (w + gap_px);
    const int y0 = (i / cols) * (h + gap_px);
    const std::uint8_t* src = grid.data() + image_bytes * i;
    for (int y = 0; y < h; ++y) {
      std::copy(src + row_bytes * y, src + row_bytes * (y + 1),
                atlas.pixels.begin() + (static_cast<std::ptrdiff_t>(y0 + y) * atlas.width + x0) * channels);
    }
  }
  return atlas;
}

std::string memory_text(std::size_t bytes) {
  char text[32];
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024.0 * 1024.0) {
    std::snprintf(text, sizeof text, "%.2f GiB", b / (1024.0 * 1024.0 * 1024.0));
  } else if (b >= 1024.0 * 1024.0) {
    std::snprintf(text, sizeof text, "%.1f MiB", b / (1024.0 * 1024.0));
  } else {
    std::snprintf(text, sizeof text, "%.0f KiB", b / 1024.0);
  }
  return text;
}

}  // namespace diffuscope::gui
