#pragma once
// The Images view's UI state and its plain-value rules: the job it sends, how its cursor follows a
// run, the grid of sample tiles (layout, hit testing, one texture atlas per panel), and the memory
// its kept states take. GL-free, ImGui-free, torch-free.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "diffusion/schedule_params.hpp"
#include "gui/protocol/image_jobs.hpp"
#include "gui/state/reverse_state.hpp"

namespace diffuscope::gui {

// The Images view's starting sampler settings: the 2D view's, with x̂_0 clipped to [-1, 1] in every
// panel (as `diffuscope sample --data` does by default).
SamplingSettings default_image_sampling();

struct ImagesState {
  // The sampler of every panel, K, spacing, panel count, seed and the cursor: the same settings,
  // rules and lecture presets as the 2D reverse view (its 2D-only fields, n_points, overlays and
  // denoiser, play no part here).
  SamplingSettings sampling = default_image_sampling();
  int image_count = kDefaultImageCountCpu;   // kMinImageCount..kMaxImageCount
  int selected = 0;                          // the sample shown large (tile index)
  std::string model_path;                    // "" = the shipped checkpoint
  bool device_defaults_applied = false;      // image count and K set once for the device
};

// Starting values for the device: on the CPU 16 images and K = 100 (a U-Net step of 16 images
// takes ~30 ms on 2 threads); on a GPU 64 images and every step. Applied once, unless the
// command line chose them.
void apply_device_defaults(ImagesState& state, bool cuda, bool count_given, bool steps_given);

// The job for the current state (panels as the 2D view builds them, A's last good schedule).
ImageReverseJob make_image_job(const ImagesState& state, const SharedSchedule& schedule_a, int t);

// True when every panel has finished or failed (the run will not change any more).
bool image_run_settled(const ImageReverseFrame& frame);
// Panel 0's shown timestep on the timeline's 0..timeline_T (-1 without a panel).
int followed_image_cursor(const ImageReverseFrame& frame, int timeline_T);
// The run's frontier, as run_frontier of the 2D view.
int image_run_frontier(const ImageReverseFrame& frame, int timeline_T);
// As settle_cursor of the 2D view: while following, the cursor plays the run from x_T and never
// passes its frontier; once it has settled and the cursor reached the end (0, or a pending
// final_t from --image-t), that is the cursor and following stops.
int settle_image_cursor(ReverseCursor& cursor, const ImageReverseFrame* frame, int t, int timeline_T);

// The timestep the cursor t asks a panel to show: the smallest visited timestep >= t (visited in
// descending order, as in the frames; the largest when t lies above them all), 0 at t <= 0. The
// worker shows that state, or with kept states thinned to every k-th the nearest kept one on the
// noisy side: the caption says so when the two differ.
int requested_timestep(const std::vector<int>& visited_descending, int t);

// `count` tiles of tile_w x tile_h with `gap` between them, fitted into a w x h area at a common
// scale: the column count that gives the largest scale. Sizes are in tile units (e.g. image pixels,
// as in the atlas); multiply by `scale` for the screen.
struct TileGrid {
  int count = 0;
  int cols = 1, rows = 1;
  float tile_w = 0.0f, tile_h = 0.0f, gap = 0.0f;
  float scale = 0.0f;   // screen units per tile unit (0: nothing fits)
  float width() const { return cols * tile_w + (cols - 1) * gap; }
  float height() const { return rows * tile_h + (rows - 1) * gap; }
};
TileGrid tile_grid(int count, float tile_w, float tile_h, float gap, float w, float h);
// The tile under (x, y), in tile units from the grid's top-left corner; -1 in a gap or outside.
int tile_at(const TileGrid& grid, float x, float y);

// The panel's samples as one atlas image (one texture upload): `cols` per row, `gap_px` pixels of
// `gap_value` between them. grid: count images of h x w x channels bytes. Returns {} (and zero
// sizes) when grid is too short for count images.
struct Atlas {
  int width = 0, height = 0, channels = 1;
  std::vector<std::uint8_t> pixels;   // height x width x channels, interleaved
};
Atlas compose_atlas(const std::vector<std::uint8_t>& grid, int count, int h, int w, int channels,
                    int cols, int gap_px, std::uint8_t gap_value);

// "95.8 MiB" / "512 KiB": memory for the status line.
std::string memory_text(std::size_t bytes);

}  // namespace diffuscope::gui
