#include "gui/shell/session_driver.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <iostream>
#include <thread>

#include "gui/state/reverse_state.hpp"
#include "gui/shell/window.hpp"
#include "gui/protocol/worker.hpp"

namespace diffuscope::gui {

namespace {

SessionScript script_for(const GuiOptions& options) {
  if (options.soak_seconds > 0) {
    SoakPlan plan;
    plan.seconds = options.soak_seconds;
    plan.seed = options.soak_seed;
    return SessionScript::soak(plan);
  }
  return SessionScript::bench();
}

}  // namespace

SessionDriver::SessionDriver(const GuiOptions& options)
    : bench_(options.bench),
      soak_(options.soak_seconds > 0.0),
      out_path_(options.bench ? options.bench_out : options.soak_out),
      script_(script_for(options)) {}

void SessionDriver::start(AppState& state) const {
  if (!bench_) return;
  state.playback.playing = true;
  state.playback.loop = true;
}

SessionStep SessionDriver::before_frame(AppState& state, Worker& worker, Window& window, double seconds_since_start) {
  WorkerSnapshot snapshot;
  snapshot.forward_busy = worker.busy();
  if (auto r = worker.latest_reverse()) snapshot.reverse_running = r->running;
  if (auto tr = worker.latest_training()) snapshot.training_running = tr->running;
  if (auto im = worker.latest_images()) snapshot.images_running = im->running;
  SessionStep step = script_.before_frame(state, seconds_since_start, snapshot);
  if (step.resize_to) glfwSetWindowSize(window.handle(), step.resize_to->width, step.resize_to->height);
  if (step.start_training) worker.start_training(with_drawing(make_training_job(state.reverse, state.dataset), state));
  if (step.stop_training) worker.stop_training();
  if (step.quit) window.request_close();
  return step;
}

void SessionDriver::rest_mouse(Window& window, const WindowLayout& layout) const {
  if (!bench_) return;
  glfwSetCursorPos(window.handle(), layout.curves.x + 0.3 * layout.curves.w, layout.curves.y + 0.5 * layout.curves.h);
}

void SessionDriver::pace(std::chrono::steady_clock::time_point frame_start) const {
  if (!soak_) return;
  const double frame_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - frame_start).count();
  if (frame_seconds < 1.0 / 60.0) std::this_thread::sleep_for(std::chrono::duration<double>(1.0 / 60.0 - frame_seconds));
}

void SessionDriver::after_frame(double frame_ms, FrameObservation seen, Worker& worker) {
  const std::shared_ptr<const ForwardFrame> latest = worker.latest();
  seen.latest_forward_generation = latest ? latest->generation : 0;
  seen.forward_compute_ms = latest ? latest->compute_ms : 0.0;
  if (auto r = worker.latest_reverse()) seen.reverse_point_steps_per_second = r->point_steps_per_second;
  if (auto tr = worker.latest_training()) seen.training_steps_per_second = tr->steps_per_second;
  if (auto im = worker.latest_images()) seen.image_steps_per_second = im->image_steps_per_second;
  script_.after_frame(frame_ms, seen);
}

int SessionDriver::finish() {
  std::cout << script_.report_text() << std::flush;
  if (!out_path_.empty()) {
    const std::string error = write_report_file(out_path_, script_.report_json());
    if (!error.empty()) {
      std::cerr << "diffuscope: " << error << "\n";
      return 1;
    }
    std::cout << "wrote " << out_path_ << "\n";
  }
  return script_.exit_code();
}

}  // namespace diffuscope::gui
