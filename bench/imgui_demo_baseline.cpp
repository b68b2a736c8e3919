// The baseline of issue 16 item 2: a plain Dear ImGui window showing ImGui's demo window
// (ImGui::ShowDemoWindow), rendered continuously with vsync off for N seconds. Same GLFW/OpenGL
// context setup as the app (app/gui/shell/window.cpp: GL 3.3 core, forward-compatible, no HiDPI
// rescaling, "#version 330" backend). Frame time is measured as the app's --bench does
// (app/gui/shell/gui_app.cpp): the interval between consecutive frame starts, after a warm-up.
// Median: mean of the two middle values for an even count; p95: nearest rank
// (app/gui/harness/frame_timing.cpp). Prints one machine-readable line on stdout:
//   imgui_demo_baseline: frames=N median_ms=X p95_ms=Y width=W height=H seconds=S
// Usage: imgui_demo_baseline [--size WxH] [--seconds S] [--warmup S]
#include <epoxy/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

void print_glfw_error(int code, const char* description) {
  std::fprintf(stderr, "imgui_demo_baseline: GLFW error %d: %s\n", code, description);
}

int usage(const char* message) {
  std::fprintf(stderr, "imgui_demo_baseline: %s\nusage: imgui_demo_baseline [--size WxH] [--seconds S] [--warmup S]\n",
               message);
  return 2;
}

double median_of_sorted(const std::vector<double>& s) {
  const auto n = s.size();
  if (n == 0) return 0.0;
  return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

double nearest_rank_of_sorted(const std::vector<double>& s, double p) {
  if (s.empty()) return 0.0;
  const auto n = s.size();
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(n)));
  rank = std::clamp<std::size_t>(rank, 1, n);
  return s[rank - 1];
}

}  // namespace

int main(int argc, char** argv) {
  int width = 1600, height = 900;
  double seconds = 10.0, warmup = 1.0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--size" && has_value) {
      if (std::sscanf(argv[++i], "%dx%d", &width, &height) != 2 || width < 1 || height < 1) {
        return usage("--size wants WxH, e.g. 1600x900");
      }
    } else if (arg == "--seconds" && has_value) {
      seconds = std::atof(argv[++i]);
      if (!(seconds > 0)) return usage("--seconds wants a positive number");
    } else if (arg == "--warmup" && has_value) {
      warmup = std::atof(argv[++i]);
      if (!(warmup >= 0)) return usage("--warmup wants a number >= 0");
    } else if (arg == "-h" || arg == "--help") {
      usage("a plain Dear ImGui demo window; prints frame-time median and p95");
      return 0;
    } else {
      return usage(("unknown or incomplete argument: " + arg).c_str());
    }
  }

  glfwSetErrorCallback(print_glfw_error);
  if (!glfwInit()) {
    std::fprintf(stderr, "imgui_demo_baseline: GLFW could not initialise (no display? run under `xvfb-run -a`)\n");
    return 1;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_RESIZABLE, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_FALSE);
  GLFWwindow* window = glfwCreateWindow(width, height, "imgui_demo_baseline", nullptr, nullptr);
  if (!window) {
    glfwTerminate();
    std::fprintf(stderr, "imgui_demo_baseline: cannot open a window with an OpenGL 3.3 core context\n");
    return 1;
  }
  glfwMakeContextCurrent(window);
  glfwSwapInterval(0);  // vsync off, as `diffuscope gui --bench`

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.LogFilename = nullptr;
  if (!ImGui_ImplGlfw_InitForOpenGL(window, true) || !ImGui_ImplOpenGL3_Init("#version 330")) {
    std::fprintf(stderr, "imgui_demo_baseline: cannot initialise the ImGui GLFW/OpenGL 3 backends\n");
    return 1;
  }
  ImGui::StyleColorsDark();

  std::vector<double> samples;
  samples.reserve(1 << 16);
  const Clock::time_point start = Clock::now();
  Clock::time_point previous = start;
  bool first = true;
  while (!glfwWindowShouldClose(window)) {
    glfwPollEvents();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();

    const Clock::time_point now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    if (!first && elapsed >= warmup) {
      samples.push_back(std::chrono::duration<double, std::milli>(now - previous).count());
    }
    first = false;
    previous = now;
    if (elapsed >= warmup + seconds) {
      ImGui::EndFrame();
      break;
    }

    ImGui::ShowDemoWindow();

    ImGui::Render();
    int fb_width = 0, fb_height = 0;
    glfwGetFramebufferSize(window, &fb_width, &fb_height);
    glViewport(0, 0, fb_width, fb_height);
    glClearColor(0.45f, 0.55f, 0.60f, 1.00f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    glfwSwapBuffers(window);
  }

  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();

  std::sort(samples.begin(), samples.end());
  std::printf("imgui_demo_baseline: frames=%zu median_ms=%.3f p95_ms=%.3f width=%d height=%d seconds=%.1f\n",
              samples.size(), median_of_sorted(samples), nearest_rank_of_sorted(samples, 0.95), width, height,
              seconds);
  return samples.empty() ? 1 : 0;
}
