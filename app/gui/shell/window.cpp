#include "gui/shell/window.hpp"

#include <epoxy/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cfloat>
#include <iostream>

#include "gui/state/limits.hpp"

namespace diffuscope::gui {

namespace {
void print_glfw_error(int code, const char* description) {
  std::cerr << "diffuscope: GLFW error " << code << ": " << description << "\n";
}
}  // namespace

Window::Window(const WindowConfig& config)
    : ui_scale_(std::clamp(config.ui_scale, kMinUiScale, kMaxUiScale)),
      theme_(config.theme),
      ignore_mouse_(config.ignore_mouse) {
  glfwSetErrorCallback(print_glfw_error);
  if (!glfwInit()) {
    throw WindowError(
        "cannot open a window: GLFW could not initialise (no display? set DISPLAY, or run "
        "headless under `xvfb-run -a`)");
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_RESIZABLE, GLFW_TRUE);
  // Pixel sizes are what the lecture (and --size) asks for; no HiDPI rescaling of the window.
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_FALSE);
  window_ = glfwCreateWindow(std::max(config.width, 1), std::max(config.height, 1),
                             config.title.c_str(), nullptr, nullptr);
  if (!window_) {
    glfwTerminate();
    throw WindowError("cannot open a window with an OpenGL 3.3 core context (check the GL driver)");
  }
  glfwSetWindowUserPointer(window_, this);
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(config.vsync ? 1 : 0);
  glfwSetDropCallback(window_, &Window::on_drop);
  glfwGetFramebufferSize(window_, &framebuffer_width_, &framebuffer_height_);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  imgui_context_ = true;
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout is fixed; never write imgui.ini into the lecturer's folder
  io.LogFilename = nullptr;
  glfw_backend_ = ImGui_ImplGlfw_InitForOpenGL(window_, true);
  // After the backend installed its callbacks: ours queues each press and chains to ImGui's.
  if (glfw_backend_) imgui_key_callback_ = glfwSetKeyCallback(window_, &Window::on_key);
  gl_backend_ = ImGui_ImplOpenGL3_Init("#version 330");
  if (!glfw_backend_ || !gl_backend_) {
    shutdown();
    throw WindowError("cannot initialise the ImGui GLFW/OpenGL 3 backends");
  }
  font_paths_ = renderer::find_dejavu_fonts(&font_warning_);
  rebuild_fonts_and_theme();
}

Window::~Window() { shutdown(); }

void Window::shutdown() {
  if (window_) offscreen_target_.release();  // needs the GL context
  if (gl_backend_) ImGui_ImplOpenGL3_Shutdown();
  if (glfw_backend_) ImGui_ImplGlfw_Shutdown();
  if (imgui_context_) ImGui::DestroyContext();
  if (window_) glfwDestroyWindow(window_);
  gl_backend_ = glfw_backend_ = imgui_context_ = false;
  window_ = nullptr;
  glfwTerminate();
}

bool Window::should_close() const { return glfwWindowShouldClose(window_) != 0; }
void Window::request_close() { glfwSetWindowShouldClose(window_, GLFW_TRUE); }

void Window::set_ui_scale(float scale) {
  scale = std::clamp(scale, kMinUiScale, kMaxUiScale);
  if (scale != ui_scale_) {
    ui_scale_ = scale;
    style_dirty_ = true;
  }
}

void Window::set_theme(renderer::ThemeKind theme) {
  if (theme != theme_) {
    theme_ = theme;
    style_dirty_ = true;
  }
}

void Window::rebuild_fonts_and_theme() {
  ImGuiIO& io = ImGui::GetIO();
  fonts_ = renderer::build_font_atlas(io.Fonts, kBaseFontPixels * ui_scale_, font_paths_);
  if (!fonts_.warning.empty()) {
    if (!font_warning_.empty()) font_warning_ += " ";
    font_warning_ += fonts_.warning;
  }
  io.FontDefault = fonts_.regular;
  // The GL font texture is recreated from the new atlas; legal only between frames.
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  renderer::apply_theme(theme_, ui_scale_);
  style_dirty_ = false;
}

std::string Window::take_font_warning() {
  std::string w;
  w.swap(font_warning_);
  return w;
}

void Window::begin_frame(int offscreen_width, int offscreen_height) {
  glfwPollEvents();
  if (style_dirty_) rebuild_fonts_and_theme();
  glfwGetFramebufferSize(window_, &framebuffer_width_, &framebuffer_height_);
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  offscreen_width_ = std::max(0, offscreen_width);
  offscreen_height_ = std::max(0, offscreen_height);
  ImGuiIO& io = ImGui::GetIO();
  if (offscreen_width_ > 0 && offscreen_height_ > 0) {
    // The backend set the window's size; the export's size replaces it for this frame only.
    io.DisplaySize = ImVec2(static_cast<float>(offscreen_width_), static_cast<float>(offscreen_height_));
    io.DisplayFramebufferScale = ImVec2(1.0f, 1.0f);
  }
  if (ignore_mouse_ || offscreen_width_ > 0) io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  ImGui::NewFrame();
}

std::vector<std::uint8_t> Window::render_offscreen(const ImVec4& clear_color, std::string* error) {
  ImGui::Render();
  std::vector<std::uint8_t> pixels;
  const int w = offscreen_width_ > 0 ? offscreen_width_ : framebuffer_width_;
  const int h = offscreen_height_ > 0 ? offscreen_height_ : framebuffer_height_;
  offscreen_width_ = offscreen_height_ = 0;
  std::string target_error;
  if (!offscreen_target_.resize(w, h, &target_error)) {
    if (error) *error = "cannot render a " + std::to_string(w) + "x" + std::to_string(h) + " export: " + target_error;
    return pixels;
  }
  offscreen_target_.begin();
  offscreen_target_.clear(clear_color.x, clear_color.y, clear_color.z, 1.0f);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  // The colour attachment is read while still bound (render targets keep GL's bottom-up rows).
  pixels = offscreen_target_.read_pixels_rgba();
  offscreen_target_.end();
  for (std::size_t i = 3; i < pixels.size(); i += 4) pixels[i] = 255;
  return pixels;
}

void Window::toggle_fullscreen() {
  if (!fullscreen_) {
    GLFWmonitor* monitor = glfwGetPrimaryMonitor();
    const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
    if (!mode) return;  // no monitor to fill (e.g. some headless servers): stay windowed
    glfwGetWindowPos(window_, &windowed_x_, &windowed_y_);
    glfwGetWindowSize(window_, &windowed_w_, &windowed_h_);
    glfwSetWindowMonitor(window_, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
    fullscreen_ = true;
  } else {
    glfwSetWindowMonitor(window_, nullptr, windowed_x_, windowed_y_, std::max(windowed_w_, 1),
                         std::max(windowed_h_, 1), 0);
    fullscreen_ = false;
  }
}

void Window::render(const ImVec4& clear_color) {
  ImGui::Render();
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glViewport(0, 0, framebuffer_width_, framebuffer_height_);
  glClearColor(clear_color.x, clear_color.y, clear_color.z, clear_color.w);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void Window::swap() { glfwSwapBuffers(window_); }

bool Window::wait_events(double timeout_seconds) {
  const double start = glfwGetTime();
  timeout_seconds = std::max(timeout_seconds, 0.001);  // GLFW wants a positive timeout
  glfwWaitEventsTimeout(timeout_seconds);
  // GLFW does not say why it returned; an early return means something arrived (a spurious
  // wake-up costs a few frames at most).
  return glfwGetTime() - start < timeout_seconds * 0.98;
}

std::vector<std::string> Window::take_dropped_paths() {
  std::vector<std::string> out;
  out.swap(dropped_);
  return out;
}

void Window::on_key(GLFWwindow* window, int key, int scancode, int action, int mods) {
  auto* self = static_cast<Window*>(glfwGetWindowUserPointer(window));
  if (!self) return;
  if (self->imgui_key_callback_) self->imgui_key_callback_(window, key, scancode, action, mods);
  self->key_queue_.on_key(key, action, mods);
}

void Window::on_drop(GLFWwindow* window, int count, const char** paths) {
  auto* self = static_cast<Window*>(glfwGetWindowUserPointer(window));
  if (!self) return;
  for (int i = 0; i < count; ++i) {
    if (paths[i]) self->dropped_.emplace_back(paths[i]);
  }
}

}  // namespace diffuscope::gui
