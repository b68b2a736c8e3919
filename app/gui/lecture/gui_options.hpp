#pragma once
// What `diffuscope gui` was asked to do. Plain values: parsed by the CLI, read by the GUI.
#include <cstdint>
#include <string>

namespace diffuscope::gui {

struct GuiOptions {
  std::string device = "auto";   // auto | cpu | cuda, for the worker
  int threads = 0;               // LibTorch threads; 0 = half the hardware threads
  int width = 1600;              // window size (--size WxH)
  int height = 900;
  float ui_scale = 1.5f;         // --ui-scale, 1.0 .. 3.0
  std::string theme = "dark";    // dark | light (high-contrast, for projectors)
  std::string image_path;        // --image: PNG/JPG to show in the image view ("" = Fashion-MNIST)
  std::string screenshot_path;   // --screenshot: render, write PNG, exit
  int screenshot_frames = 30;    // --frames: frames to render after the worker's first frames
  bool compare = false;          // --compare: start with schedule B shown
  bool b_flow = false;           // --b-flow: compare on, B as flow matching's path (closed form only)
  std::string scene;             // --scene: a scene file (resolved by the CLI: a path, or a shipped
                                 // scene's name or number, e.g. "03" or "03-linear-vs-cosine")
  bool presenter = false;        // --presenter: start with the controls hidden
  bool bench = false;            // --bench: a scripted session; prints frame-time statistics and exits
  std::string bench_out;         // --bench-out: the bench report as JSON
  double soak_seconds = 0.0;     // --soak: random interaction for this long, then a report (0: off)
  std::uint64_t soak_seed = 1;   // --soak-seed
  std::string soak_out;          // --soak-out: the soak report as JSON
  std::string process = "closed";  // --process: closed | markov | naive (2D forward process);
                                   // flow: reverse panel 0 is a flow-matching panel
  std::string solver;               // --solver: euler | heun | dpmpp2m for --sigma ode ("": heun)
                                    // or --process flow ("": euler; euler | heun only)
  int t = -1;                    // --t: initial cursor, clamped to 0..T; -1: T/10 (reverse
                                 // view: the cursor once the run has finished; -1: follow to 0)
  // The reverse view (--view reverse) and what it starts with.
  std::string view = "forward";     // --view: forward | reverse | images
  std::string dataset;              // --dataset: a 2D dataset name ("" = moons)
  std::string denoiser = "model";   // --denoiser: model | exact
  std::string sigma = "small";      // --sigma: small | large | interpolated | ddim | ode
  double eta = 0.0;                 // --eta: DDIM's η in [0, 1]
  double interpolation = 0.5;       // --interpolation: v in [0, 1] for --sigma interpolated
  int steps = 0;                    // --steps: sampling steps K (0 = T)
  std::string spacing = "trailing"; // --spacing: leading | trailing | linspace
  std::string reverse_compare;      // --reverse-compare: "" | sigma | steps | denoiser | target (presets)
  std::string overlay;              // --overlay: comma list of score | eps | x0 | paths | posterior
  int track = 0;                    // --track: points tracked from the start (0..8)
  long long train = 0;              // --train: start training the dataset's model (steps; 0 = no)
  // The Images view (--view images).
  std::string image_model;          // --image-model: image checkpoint ("" = the shipped one)
  int image_count = 0;              // --image-count: samples per grid, 1..64 (0: 16 on CPU, 64 on CUDA)
  int images_steps = -1;            // --images-steps: K (0: every step; -1: 100 on CPU, T on CUDA)
  int image_t = -1;                 // --image-t: the cursor once the run has finished (-1: follow to 0)
  int image_select = 0;             // --image-select: the sample shown with x̂_0 and ε̂
  // Exports from the command line: the current views scrubbed over t, then exit.
  std::string export_png;           // --export-png: one PNG of the window, or of --export-view
  std::string export_view;          // --export-view: curves|points|marginal|image (forward), clouds
                                    // (reverse), grids|selected (images); "" = the window
  int export_width = 0;             // --export-size WxH: render exports at this size (0: the window's)
  int export_height = 0;
  std::string export_gif;           // --export-gif: animated GIF path
  std::string export_sequence;      // --export-sequence: PNG sequence base path ("out.png" -> out_0001.png ...)
  int export_frames = 60;           // --export-frames: frames (2..T+1)
  double export_seconds = 4.0;      // --export-seconds: the GIF's duration
  std::string export_direction = "down";  // --export-direction: down (t = T -> 0) | up (0 -> T)
  std::string export_content = "window";  // --export-content: window | views (presenter layout)
};

}  // namespace diffuscope::gui
