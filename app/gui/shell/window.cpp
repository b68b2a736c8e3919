#include "gui/shell/window.hpp"

#include <epoxy/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "gui/state/limits.hpp"
#include "renderer/screenshot.hpp"

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
  glfwSetWindowRefreshCallback(window_, &Window::on_refresh);
  const char* check = std::getenv("DIFFUSCOPE_CHECK_DAMAGE");
  check_damage_ = check && std::string(check) == "1";
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
  if (window_) {  // needs the GL context
    offscreen_target_.release();
    shown_frame_.release();
    check_target_.release();
  }
  if (check_damage_) {
    std::cerr << "diffuscope: damage check: " << checked_frames_ << " partial redraws compared with whole ones, "
              << mismatched_frames_ << " differ\n";
    check_damage_ = false;
  }
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
  damage_.invalidate();   // new glyphs in the font texture
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
  ImDrawData* data = ImGui::GetDrawData();
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glViewport(0, 0, framebuffer_width_, framebuffer_height_);
  if (!shown_frame_.resize(framebuffer_width_, framebuffer_height_)) {
    // No offscreen framebuffer: draw everything into the window, every frame.
    glClearColor(clear_color.x, clear_color.y, clear_color.z, clear_color.w);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(data);
    last_damage_ = renderer::DamageRect{0, 0, static_cast<float>(framebuffer_width_), static_cast<float>(framebuffer_height_)};
    drew_last_frame_ = true;
    return;
  }
  constexpr std::uint64_t kHeldPicture = 1;   // the target is recreated blank on a resize
  const bool same_clear = clear_color.x == shown_clear_color_.x && clear_color.y == shown_clear_color_.y &&
                          clear_color.z == shown_clear_color_.z && clear_color.w == shown_clear_color_.w;
  if (!shown_frame_.shows(kHeldPicture) || !same_clear) damage_.invalidate();
  last_damage_ = damage_.compute(*data);
  shown_frame_.set_shown(kHeldPicture);
  shown_clear_color_ = clear_color;
  drew_last_frame_ = !last_damage_.empty() || refresh_requested_;
  if (last_damage_.empty()) {
    if (refresh_requested_) present_shown_frame();
    return;
  }
  std::vector<ImVec4> clips;
  if (check_damage_) {
    for (int i = 0; i < data->CmdListsCount; ++i) {
      for (const ImDrawCmd& cmd : data->CmdLists[i]->CmdBuffer) clips.push_back(cmd.ClipRect);
    }
  }
  renderer::clip_draw_data_to(*data, last_damage_);
  shown_frame_.begin();
  // Clear the damaged rectangle only (framebuffer pixels, GL's origin at the bottom left).
  const ImVec2 scale = data->FramebufferScale;
  const int x0 = static_cast<int>(std::lround((last_damage_.x0 - data->DisplayPos.x) * scale.x));
  const int x1 = static_cast<int>(std::lround((last_damage_.x1 - data->DisplayPos.x) * scale.x));
  const int y0 = static_cast<int>(std::lround((last_damage_.y0 - data->DisplayPos.y) * scale.y));
  const int y1 = static_cast<int>(std::lround((last_damage_.y1 - data->DisplayPos.y) * scale.y));
  glEnable(GL_SCISSOR_TEST);
  glScissor(x0, framebuffer_height_ - y1, x1 - x0, y1 - y0);
  glClearColor(clear_color.x, clear_color.y, clear_color.z, clear_color.w);
  glClear(GL_COLOR_BUFFER_BIT);
  glDisable(GL_SCISSOR_TEST);
  ImGui_ImplOpenGL3_RenderDrawData(data);
  shown_frame_.end();
  if (check_damage_) check_partial_redraw(*data, clips, clear_color);
  present_shown_frame();
}

void Window::check_partial_redraw(ImDrawData& data, const std::vector<ImVec4>& clips, const ImVec4& clear_color) {
  std::size_t k = 0;
  for (int i = 0; i < data.CmdListsCount; ++i) {
    for (ImDrawCmd& cmd : data.CmdLists[i]->CmdBuffer) cmd.ClipRect = clips[k++];
  }
  if (!check_target_.resize(shown_frame_.width(), shown_frame_.height())) return;
  check_target_.begin();
  check_target_.clear(clear_color.x, clear_color.y, clear_color.z, clear_color.w);
  ImGui_ImplOpenGL3_RenderDrawData(&data);
  const std::vector<std::uint8_t> whole = check_target_.read_pixels_rgba();
  check_target_.end();
  const std::vector<std::uint8_t> partial = shown_frame_.read_pixels_rgba();
  std::size_t differing = 0;
  for (std::size_t i = 0; i + 3 < whole.size() && i + 3 < partial.size(); i += 4) {
    if (std::memcmp(&whole[i], &partial[i], 3) != 0) ++differing;
  }
  ++checked_frames_;
  if (differing > 0) {
    ++mismatched_frames_;
    std::cerr << "diffuscope: damage check: frame " << checked_frames_ << ": " << differing
              << " pixels differ from a whole redraw (damage " << last_damage_.x0 << "," << last_damage_.y0 << " - "
              << last_damage_.x1 << "," << last_damage_.y1 << ")\n";
  }
}

void Window::present_shown_frame() {
  glBindFramebuffer(GL_READ_FRAMEBUFFER, shown_frame_.framebuffer());
  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
  glDisable(GL_SCISSOR_TEST);
  glBlitFramebuffer(0, 0, shown_frame_.width(), shown_frame_.height(), 0, 0, shown_frame_.width(),
                    shown_frame_.height(), GL_COLOR_BUFFER_BIT, GL_NEAREST);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  refresh_requested_ = false;
}

void Window::swap() {
  if (drew_last_frame_) glfwSwapBuffers(window_);   // unchanged: the window already shows it
}

void Window::on_refresh(GLFWwindow* window) {
  if (auto* self = static_cast<Window*>(glfwGetWindowUserPointer(window))) self->refresh_requested_ = true;
}

std::string Window::save_screenshot(const std::string& path) {
  if (!shown_frame_.valid()) return renderer::save_framebuffer_png(path, framebuffer_width_, framebuffer_height_);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, shown_frame_.framebuffer());
  const std::string error = renderer::save_framebuffer_png(path, shown_frame_.width(), shown_frame_.height());
  glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  return error;
}

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
