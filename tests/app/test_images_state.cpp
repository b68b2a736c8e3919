// The Images view's plain-value rules: the job built from the state, when it restarts a run, the
// cursor following a run, the tile grid (layout and hit testing), the texture atlas, device
// defaults, each view keeping its own cursor, and the memory figure for the status line.
#include <gtest/gtest.h>

#include <vector>

#include "gui/state/app_state.hpp"
#include "gui/state/images_state.hpp"

namespace dg = diffuscope::gui;

TEST(ImagesJob, PanelsCountSeedAndCursorFromTheState) {
  dg::ImagesState s;
  s.image_count = 24;
  s.selected = 5;
  s.sampling.seed = 9;
  s.sampling.panels[0].steps = 100;
  s.sampling.panels[0].sampler.sigma = diffusion::SigmaKind::DDIM;
  s.model_path = "/tmp/model.ckpt";
  diffusion::ScheduleParams a;  // T = 1000
  dg::ImageReverseJob job = dg::make_image_job(s, dg::share_schedule(a), 300);
  ASSERT_EQ(job.panels.size(), 1u);
  EXPECT_EQ(job.panels[0].steps, 100);
  EXPECT_EQ(job.panels[0].sampler.sigma, diffusion::SigmaKind::DDIM);
  EXPECT_EQ(job.image_count, 24);
  EXPECT_EQ(job.selected, 5);
  EXPECT_EQ(job.seed, 9u);
  EXPECT_EQ(job.model_path, "/tmp/model.ckpt");
  EXPECT_EQ(job.t, 300);  // following the run: its played cursor
  s.sampling.cursor.follow = false;
  EXPECT_EQ(dg::make_image_job(s, dg::share_schedule(a), 300).t, 300);
  // K = T is sent as 0 ("every step"), a selection outside the grid as none.
  s.sampling.panels[0].steps = 1000;
  s.selected = 30;
  job = dg::make_image_job(s, dg::share_schedule(a), 300);
  EXPECT_EQ(job.panels[0].steps, 0);
  EXPECT_EQ(job.selected, -1);
}

// Issue 14: the Images view clips x̂_0 to [-1, 1] by default in every panel (as the CLI's
// `sample --data` does), sends that range, and says so in the panel label.
TEST(ImagesJob, ClippingIsOnByDefaultWithTheImageRange) {
  dg::ImagesState s;
  for (const dg::ReversePanelSettings& p : s.sampling.panels) EXPECT_TRUE(p.sampler.clip_x0);
  diffusion::ScheduleParams a;
  dg::ImageReverseJob job = dg::make_image_job(s, dg::share_schedule(a), 0);
  EXPECT_TRUE(job.panels[0].sampler.clip_x0);
  EXPECT_EQ(job.panels[0].sampler.clip_min, -1.0);
  EXPECT_EQ(job.panels[0].sampler.clip_max, 1.0);
  EXPECT_EQ(dg::image_panel_label(job.panels[0], 1000), "σ² = β̃ · NFE = 1000 · K = 1000 · x̂₀ clipped to [−1, 1]");
  s.sampling.panels[0].sampler.clip_x0 = false;
  const dg::ImageReverseJob off = dg::make_image_job(s, dg::share_schedule(a), 0);
  EXPECT_EQ(dg::image_panel_label(off.panels[0], 1000), "σ² = β̃ · NFE = 1000 · K = 1000");
  EXPECT_TRUE(dg::restarts_image_run(job, off));
}

// The cursor asks for the smallest visited t at or above it; the caption compares it with the
// picture's t when only every k-th state is kept.
TEST(ImagesCursor, RequestedTimestepIsTheWorkersRule) {
  const std::vector<int> visited = {1000, 900, 800, 700};   // descending, as in the frames
  EXPECT_EQ(dg::requested_timestep(visited, 0), 0);
  EXPECT_EQ(dg::requested_timestep(visited, 700), 700);
  EXPECT_EQ(dg::requested_timestep(visited, 750), 800);
  EXPECT_EQ(dg::requested_timestep(visited, 1000), 1000);
  EXPECT_EQ(dg::requested_timestep(visited, 300), 700);      // below every visited t: the last one
  EXPECT_EQ(dg::requested_timestep({}, 300), 0);
}

TEST(ImagesJob, OnlyRunSettingsRestart) {
  dg::ImagesState s;
  diffusion::ScheduleParams a;
  const dg::ImageReverseJob x = dg::make_image_job(s, dg::share_schedule(a), 0);
  dg::ImagesState moved = s;
  moved.selected = 3;
  moved.sampling.cursor.follow = false;
  const dg::ImageReverseJob y = dg::make_image_job(moved, dg::share_schedule(a), 420);
  EXPECT_FALSE(dg::restarts_image_run(x, y));
  EXPECT_FALSE(dg::same_image_job(x, y));
  EXPECT_TRUE(dg::same_image_job(x, dg::make_image_job(s, dg::share_schedule(a), 0)));
  for (int change = 0; change < 5; ++change) {
    dg::ImagesState c = s;
    diffusion::ScheduleParams ca = a;
    if (change == 0) c.image_count = 17;
    if (change == 1) ++c.sampling.seed;
    if (change == 2) c.sampling.panels[0].sampler.eta = 0.5;
    if (change == 3) ca.T = 500;
    if (change == 4) c.model_path = "other.ckpt";
    EXPECT_TRUE(dg::restarts_image_run(x, dg::make_image_job(c, dg::share_schedule(ca), 0))) << change;
  }
}

TEST(ImagesJob, DeviceDefaultsOnceAndNotOverTheCommandLine) {
  dg::ImagesState cpu;
  dg::apply_device_defaults(cpu, false, false, false);
  EXPECT_EQ(cpu.image_count, 16);
  EXPECT_EQ(cpu.sampling.panels[0].steps, 100);
  cpu.image_count = 40;
  dg::apply_device_defaults(cpu, true, false, false);  // already applied: kept
  EXPECT_EQ(cpu.image_count, 40);
  dg::ImagesState gpu;
  gpu.image_count = 8;
  gpu.sampling.panels[0].steps = 7;
  dg::apply_device_defaults(gpu, true, true, true);  // both given on the command line
  EXPECT_EQ(gpu.image_count, 8);
  EXPECT_EQ(gpu.sampling.panels[0].steps, 7);
  dg::ImagesState gpu2;
  dg::apply_device_defaults(gpu2, true, false, false);
  EXPECT_EQ(gpu2.image_count, 64);
  EXPECT_EQ(gpu2.sampling.panels[0].steps, 0);  // every step
}

dg::ImageReverseFrame frame_at(int shown_t, int T, bool finished) {
  dg::ImageReverseFrame f;
  dg::ImagePanelFrame p;
  p.schedule.T = T;
  p.shown_t = shown_t;
  p.states_done = 3;
  p.finished = finished;
  f.panels.push_back(p);
  return f;
}

TEST(ImagesCursor, FollowsTheRunThenSettlesAtTheRequestedT) {
  dg::ReverseCursor cursor;
  cursor.final_t = 250;
  dg::ImageReverseFrame running = frame_at(600, 1000, false);
  running.panels[0].visited_t = {1000, 800, 600, 400};
  EXPECT_EQ(dg::image_run_frontier(running, 1000), 600);                  // 3 states done
  EXPECT_EQ(dg::settle_image_cursor(cursor, &running, 1000, 1000), 1000);  // x_T first
  EXPECT_EQ(dg::settle_image_cursor(cursor, &running, 500, 1000), 600);    // never ahead of the run
  EXPECT_TRUE(cursor.follow);
  EXPECT_EQ(dg::settle_image_cursor(cursor, nullptr, 600, 1000), 1000);    // a restarted run: x_T
  dg::ImageReverseFrame done = frame_at(0, 1000, true);
  EXPECT_TRUE(dg::image_run_settled(done));
  EXPECT_EQ(dg::settle_image_cursor(cursor, &done, 400, 1000), 400);       // playing down to 250
  EXPECT_TRUE(cursor.follow);
  EXPECT_EQ(dg::settle_image_cursor(cursor, &done, 250, 1000), 250);
  EXPECT_FALSE(cursor.follow);
  EXPECT_EQ(cursor.final_t, -1);
  // Not following: the lecturer's t stays.
  EXPECT_EQ(dg::settle_image_cursor(cursor, &done, 77, 1000), 77);
  // A panel that failed counts as settled.
  dg::ImageReverseFrame failed = frame_at(900, 1000, false);
  failed.panels[0].error = "no image model";
  EXPECT_TRUE(dg::image_run_settled(failed));
  EXPECT_FALSE(dg::image_run_settled(dg::ImageReverseFrame{}));
}

TEST(ImagesCursor, EachOfTheThreeViewsKeepsItsCursor) {
  dg::AppState state;
  state.set_cursor(100);
  state.set_view(dg::AppView::Images);
  EXPECT_EQ(state.t, 1000);  // first visit: x_T
  EXPECT_TRUE(state.images.sampling.cursor.follow);
  EXPECT_TRUE(dg::plays_down(state.view));
  state.set_cursor(333);
  state.set_view(dg::AppView::Reverse);
  EXPECT_EQ(state.t, 1000);
  state.set_cursor(444);
  state.set_view(dg::AppView::Images);
  EXPECT_EQ(state.t, 1000);  // the run restarts: from x_T again
  EXPECT_EQ(state.run_cursor(), &state.images.sampling.cursor);
  state.set_view(dg::AppView::Forward);
  EXPECT_EQ(state.t, 100);   // the forward view keeps its cursor
  EXPECT_FALSE(dg::plays_down(state.view));
  state.set_view(dg::AppView::Reverse);
  EXPECT_EQ(state.t, 1000);
}

// Issue 16 item 7, the Images view: x_T first, then in order down to x_0, then it stops.
TEST(ImagesCursor, OpeningTheViewPlaysTheRunFromNoise) {
  dg::AppState state;
  state.set_view(dg::AppView::Images);
  state.playback.steps_per_second = 400.0;
  dg::ReverseCursor& cursor = state.images.sampling.cursor;
  dg::ImageReverseFrame frame = frame_at(1000, 1000, false);
  frame.panels[0].visited_t = {1000, 800, 600, 400, 200};
  int previous = state.t;
  for (int i = 0; i < 100 && cursor.follow; ++i) {
    frame.panels[0].states_done = std::min(6, 1 + i / 5);
    frame.panels[0].finished = frame.panels[0].states_done == 6;
    state.set_cursor(dg::settle_image_cursor(cursor, &frame, state.t, state.max_T()));
    if (!cursor.follow) break;
    state.set_cursor(dg::advance_replay(state.playback, cursor, state.t, state.max_T(), 0.05));
    EXPECT_LE(state.t, previous);
    EXPECT_GE(state.t, dg::image_run_frontier(frame, 1000));
    previous = state.t;
  }
  EXPECT_EQ(state.t, 0);
  EXPECT_FALSE(cursor.follow);
  EXPECT_FALSE(state.playback.playing);
}

TEST(ImagesTiles, GridPicksTheLargestTilesAndHitTestsThem) {
  // 16 square tiles of 28 px with 1 px gaps in a wide area: 8 x 2 beats 4 x 4.
  const dg::TileGrid wide = dg::tile_grid(16, 28, 28, 1, 1000, 260);
  EXPECT_EQ(wide.cols, 8);
  EXPECT_EQ(wide.rows, 2);
  EXPECT_FLOAT_EQ(wide.width(), 8 * 28 + 7);
  EXPECT_FLOAT_EQ(wide.scale, std::min(1000.0f / 231.0f, 260.0f / 57.0f));
  const dg::TileGrid square = dg::tile_grid(16, 28, 28, 1, 600, 600);
  EXPECT_EQ(square.cols, 4);
  EXPECT_EQ(square.rows, 4);
  EXPECT_LE(square.width() * square.scale, 600.0f + 1e-3f);
  // Hit testing in tile units: tile (col 1, row 2) = index 9, gaps and outside = -1.
  EXPECT_EQ(dg::tile_at(square, 29 + 3, 2 * 29 + 27.5f), 9);
  EXPECT_EQ(dg::tile_at(square, 28.5f, 5), -1);      // the gap after column 0
  EXPECT_EQ(dg::tile_at(square, 4 * 29 + 1, 5), -1);  // right of the grid
  EXPECT_EQ(dg::tile_at(square, -1, 5), -1);
  // 10 tiles in 4 columns: the last row has 2; the empty places are not tiles.
  const dg::TileGrid partial{10, 4, 3, 28, 28, 1, 1.0f};
  EXPECT_EQ(dg::tile_at(partial, 1 * 29 + 1, 2 * 29 + 1), 9);
  EXPECT_EQ(dg::tile_at(partial, 2 * 29 + 1, 2 * 29 + 1), -1);
  EXPECT_EQ(dg::tile_grid(0, 28, 28, 1, 100, 100).scale, 0.0f);
}

TEST(ImagesTiles, AtlasPlacesEachImageInItsTile) {
  // 3 images of 2 x 2 grey pixels, 2 per row, 1 px gaps of value 9.
  const std::vector<std::uint8_t> grid = {1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24};
  const dg::Atlas a = dg::compose_atlas(grid, 3, 2, 2, 1, 2, 1, 9);
  ASSERT_EQ(a.width, 5);
  ASSERT_EQ(a.height, 5);
  const std::vector<std::uint8_t> expected = {
      1,  2,  9, 11, 12,
      3,  4,  9, 13, 14,
      9,  9,  9, 9,  9,
      21, 22, 9, 9,  9,
      23, 24, 9, 9,  9,
  };
  EXPECT_EQ(a.pixels, expected);
  EXPECT_TRUE(dg::compose_atlas(grid, 4, 2, 2, 1, 2, 1, 9).pixels.empty());  // too few bytes
}

TEST(ImagesMemory, StatusTextAndTheDocumentedFigure) {
  // 64 images x 1000 steps (1001 states) x 28 x 28 pixels x 2 bytes (float16).
  const std::size_t bytes = dg::image_state_bytes(64, 1001, 28 * 28);
  EXPECT_EQ(bytes, std::size_t(64) * 1001 * 784 * 2);
  EXPECT_EQ(dg::memory_text(bytes), "95.8 MiB");
  EXPECT_EQ(dg::memory_text(512 * 1024), "512 KiB");
  // One or two such panels fit the default budget; four do not.
  EXPECT_LE(2 * bytes, dg::kDefaultImageStateBudget);
  EXPECT_GT(4 * bytes, dg::kDefaultImageStateBudget);
}

#include "gui/state/layout.hpp"

TEST(ImagesMemory, LayoutTilesTheWindowWithAWiderSideColumn) {
  for (const float scale : {1.0f, 1.5f, 2.0f}) {
    const float font = 18.0f * scale;
    const dg::ReverseLayout r = dg::compute_reverse_layout(1600, 900, font, 60);
    const dg::ReverseLayout l = dg::compute_images_layout(1600, 900, font, 60);
    EXPECT_FLOAT_EQ(l.controls.w, r.controls.w);  // the view switch does not jump
    EXPECT_FLOAT_EQ(l.clouds.x, l.controls.right());
    EXPECT_FLOAT_EQ(l.side.x, l.clouds.right());
    EXPECT_FLOAT_EQ(l.side.right(), 1600.0f);
    EXPECT_GE(l.side.w, r.side.w);
    EXPECT_GT(l.clouds.w, 0.3f * 1600.0f) << scale;
    EXPECT_FLOAT_EQ(l.timeline.bottom(), 900.0f);
  }
}
