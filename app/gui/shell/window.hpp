#pragma once
// The GLFW window with a GL 3.3 core context and the ImGui GLFW/OpenGL3 backends. Owns font and
// theme (re)builds, which happen only between frames, and collects files dropped on the window.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <imgui.h>

#include "gui/lecture/key_queue.hpp"
#include "renderer/fonts.hpp"
#include "renderer/frame_damage.hpp"
#include "renderer/render_target.hpp"
#include "renderer/theme.hpp"

struct GLFWwindow;

namespace diffuscope::gui {

struct WindowConfig {
  int width = 1600;
  int height = 900;
  std::string title = "Diffuscope";
  bool vsync = true;
  float ui_scale = 1.5f;
  renderer::ThemeKind theme = renderer::ThemeKind::Dark;
  // Headless captures: the pointer (wherever the X server put it) must not hover anything.
  bool ignore_mouse = false;
};

// Thrown when no window can be opened (no display, no GL 3.3); the message says what to do.
class WindowError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// UI font size in pixels at UI scale 1 (18 px * scale reads from the back of a lecture hall at 1.5).
inline constexpr float kBaseFontPixels = 18.0f;

class Window {
 public:
  explicit Window(const WindowConfig& config);  // throws WindowError
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  bool should_close() const;
  void request_close();

  // Polls events, applies a pending font/theme change, starts the ImGui frame. With a size, the
  // frame is laid out for an offscreen framebuffer of that size (exports at a chosen resolution)
  // and the pointer hovers nothing; finish it with render_offscreen, not render.
  void begin_frame(int offscreen_width = 0, int offscreen_height = 0);
  // Renders the frame: the picture on screen is kept in an offscreen framebuffer, and only the
  // rectangle where this frame's draw data differs from the picture's (renderer::FrameDamage) is
  // cleared and drawn again, then the picture is copied to the window. When nothing differs,
  // nothing is rasterised and swap() does nothing. Call swap() afterwards (a screenshot between).
  void render(const ImVec4& clear_color);
  // Whether the last render() rasterised anything (false: nothing changed on screen).
  bool drew_last_frame() const { return drew_last_frame_; }
  // Writes the picture on screen to a PNG (top-down RGB); "" on success, else the error.
  std::string save_screenshot(const std::string& path);
  // Renders an offscreen frame (begin_frame with a size) and returns its pixels, top-down RGBA8.
  // The window keeps showing its last swapped frame. Empty with *error set when GL cannot do it.
  std::vector<std::uint8_t> render_offscreen(const ImVec4& clear_color, std::string* error);
  void swap();
  // Render on demand: sleeps until an event arrives (input, resize, focus, a drop, or
  // glfwPostEmptyEvent from another thread) or `timeout_seconds` pass; the events are processed
  // (the ImGui backend records them for the next frame). Returns true when woken before the timeout.
  bool wait_events(double timeout_seconds);

  // F11: full screen on the window's monitor and back to the previous position and size.
  void toggle_fullscreen();
  bool fullscreen() const { return fullscreen_; }

  // Font and theme changes take effect at the next begin_frame (the font atlas must not change
  // inside a frame).
  void set_ui_scale(float scale);
  void set_theme(renderer::ThemeKind theme);
  float ui_scale() const { return ui_scale_; }
  renderer::ThemeKind theme() const { return theme_; }

  const renderer::FontSet& fonts() const { return fonts_; }
  // Warnings from font loading not yet shown (taken once).
  std::string take_font_warning();

  // Paths dropped on the window since the last call.
  std::vector<std::string> take_dropped_paths();

  // Every key press (and key repeat) since the last call, oldest first, from GLFW's key callback:
  // a tap whose press and release fall between two frames is still there. Take once per frame.
  std::vector<KeyEvent> take_key_presses() { return key_queue_.take_presses(); }
  // Whether presses wait to be taken (a frame must run to handle them).
  bool key_presses_waiting() const { return key_queue_.size() > 0; }

  int framebuffer_width() const { return framebuffer_width_; }
  int framebuffer_height() const { return framebuffer_height_; }
  GLFWwindow* handle() const { return window_; }

 private:
  static void on_drop(GLFWwindow* window, int count, const char** paths);
  // Queues the press, after the callback ImGui's GLFW backend installed (it still sees every key).
  static void on_key(GLFWwindow* window, int key, int scancode, int action, int mods);
  // The window system lost the window's pixels (uncovered, restored): show the picture again.
  static void on_refresh(GLFWwindow* window);
  // Copies the held picture to the window's back buffer.
  void present_shown_frame();
  // DIFFUSCOPE_CHECK_DAMAGE=1 (tests): after each partial redraw, draws the whole frame again
  // elsewhere and compares; differences go to stderr, a summary when the window closes.
  void check_partial_redraw(ImDrawData& data, const std::vector<ImVec4>& clips, const ImVec4& clear_color);
  void rebuild_fonts_and_theme();
  void shutdown();

  GLFWwindow* window_ = nullptr;
  bool imgui_context_ = false;
  bool glfw_backend_ = false;
  bool gl_backend_ = false;
  float ui_scale_ = 1.5f;
  renderer::ThemeKind theme_ = renderer::ThemeKind::Dark;
  bool style_dirty_ = true;
  bool ignore_mouse_ = false;
  renderer::FontPaths font_paths_;
  renderer::FontSet fonts_;
  std::string font_warning_;
  std::vector<std::string> dropped_;
  KeyQueue key_queue_;
  void (*imgui_key_callback_)(GLFWwindow*, int, int, int, int) = nullptr;  // chained by on_key
  int framebuffer_width_ = 0;
  int framebuffer_height_ = 0;
  renderer::RenderTarget offscreen_target_;   // exports at a chosen size
  renderer::RenderTarget shown_frame_;        // the picture on screen, redrawn where it changed
  renderer::FrameDamage damage_;
  renderer::DamageRect last_damage_;
  ImVec4 shown_clear_color_{-1, -1, -1, -1};
  bool drew_last_frame_ = false;
  bool refresh_requested_ = true;
  bool check_damage_ = false;
  renderer::RenderTarget check_target_;
  long long checked_frames_ = 0, mismatched_frames_ = 0;
  int offscreen_width_ = 0;    // > 0 while an offscreen frame is being built
  int offscreen_height_ = 0;
  bool fullscreen_ = false;
  int windowed_x_ = 0, windowed_y_ = 0, windowed_w_ = 0, windowed_h_ = 0;
};

}  // namespace diffuscope::gui
