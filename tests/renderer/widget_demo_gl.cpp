// Renders the renderer's widgets through the real ImGui GLFW/OpenGL3 backends and writes a PNG:
// a visual check of plots, fonts, themes and the point view at a given UI scale.
// Usage: renderer_widget_demo OUT.png [ui_scale] [dark|light]
#include <epoxy/gl.h>
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <unordered_set>
#include <string>
#include <vector>

#include "renderer/colormap.hpp"
#include "renderer/fonts.hpp"
#include "renderer/histogram_plot.hpp"
#include "renderer/plot_widget.hpp"
#include "renderer/point_renderer.hpp"
#include "renderer/render_target.hpp"
#include "renderer/screenshot.hpp"
#include "renderer/theme.hpp"

using namespace renderer;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT.png [ui_scale] [dark|light]\n", argv[0]);
    return 2;
  }
  const std::string out = argv[1];
  const float ui_scale = argc > 2 ? static_cast<float>(std::atof(argv[2])) : 1.0f;
  const ThemeKind theme = argc > 3 ? parse_theme(argv[3]).value_or(ThemeKind::Dark) : ThemeKind::Dark;
  const int width = static_cast<int>(1000 * ui_scale), height = static_cast<int>(640 * ui_scale);

  if (!glfwInit()) return 1;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  GLFWwindow* window = glfwCreateWindow(width, height, "renderer demo", nullptr, nullptr);
  if (window == nullptr) return 1;
  glfwMakeContextCurrent(window);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  std::string warning;
  FontPaths paths = find_dejavu_fonts(&warning);
  FontSet fonts = build_font_atlas(io.Fonts, 18.0f * ui_scale, paths);
  if (!fonts.warning.empty()) std::fprintf(stderr, "font warning: %s\n", fonts.warning.c_str());
  apply_theme(theme, ui_scale);
  const Palette& colors = palette(theme);
  ImGui_ImplGlfw_InitForOpenGL(window, false);
  ImGui_ImplOpenGL3_Init("#version 330 core");

  // A linear schedule, T = 1000: beta, alpha_bar, sqrt terms, SNR.
  const int T = 1000;
  std::vector<double> t(T), alpha_bar(T), sqrt_ab(T), sqrt_1m(T), snr(T), beta(T);
  double product = 1.0;
  for (int i = 0; i < T; ++i) {
    t[i] = i + 1;
    beta[i] = 1e-4 + (0.02 - 1e-4) * i / (T - 1);
    product *= 1.0 - beta[i];
    alpha_bar[i] = product;
    sqrt_ab[i] = std::sqrt(product);
    sqrt_1m[i] = std::sqrt(1.0 - product);
    snr[i] = product / (1.0 - product);
  }
  // Two moons-ish cloud, coloured by starting x.
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 0.08f);
  std::uniform_real_distribution<float> angle(0.0f, 3.14159f);
  std::vector<float> xy;
  for (int i = 0; i < 4000; ++i) {
    float a = angle(rng);
    bool upper = i % 2 == 0;
    float x = upper ? std::cos(a) : 1.0f - std::cos(a);
    float y = upper ? std::sin(a) : 0.5f - std::sin(a);
    xy.push_back(x - 0.5f + noise(rng));
    xy.push_back(y - 0.25f + noise(rng));
  }
  std::vector<std::uint32_t> point_colors = colors_from_values(xy.data(), 4000, 2, 0.8f);
  std::vector<float> first_coordinate;
  for (std::size_t i = 0; i < xy.size(); i += 2) first_coordinate.push_back(xy[i] * 1.5f);
  DensityHistogram hist = density_histogram(first_coordinate.data(), 4000, 1, -4.0, 4.0, 40);

  PointRenderer points;
  RenderTarget target;
  std::string error;
  if (!points.init(&error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  points.set_positions(xy.data(), 4000);
  points.set_colors(point_colors.data(), 4000);

  int frames = 3;
  for (int frame = 0; frame < frames; ++frame) {
    glfwPollEvents();
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    io.MousePos = ImVec2(330.0f * ui_scale, 150.0f * ui_scale);  // hover inside the first plot
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::Begin("demo", nullptr, ImGuiWindowFlags_NoDecoration);
    float column = ImGui::GetContentRegionAvail().x * 0.5f - ImGui::GetStyle().ItemSpacing.x;
    ImGui::BeginGroup();
    PlotOptions curves;
    curves.title = "Coefficients (linear, T = 1000)";
    curves.x_label = "t";
    curves.y_label = "value";
    curves.size = ImVec2(column, 270 * ui_scale);
    curves.cursor_x = 600.0;
    std::vector<PlotSeries> series = {
        {"\u1FB1\u209C", t.data(), alpha_bar.data(), T, colors.schedule_a, 2.0f, false},
        {"\u221A\u1FB1\u209C", t.data(), sqrt_ab.data(), T, categorical_color(2), 2.0f, false},
        {"\u221A(1 \u2212 \u1FB1\u209C)", t.data(), sqrt_1m.data(), T, colors.schedule_b, 2.0f, true},
    };
    PlotInteraction hovered = draw_plot("##curves", series, curves);
    if (hovered.hovered) ImGui::Text("t = %.0f   \u1FB1 = %s   \u03B2\u0303 \u03C3 \u03B5 \u2248 \u2264", hovered.hover_x,
                                     format_value(alpha_bar[static_cast<int>(hovered.hover_x) - 1]).c_str());
    PlotOptions log_plot;
    log_plot.title = "SNR\u209C (log)";
    log_plot.x_label = "t";
    log_plot.y_scale = AxisScale::Log10;
    log_plot.size = ImVec2(column, 250 * ui_scale);
    log_plot.cursor_x = 600.0;
    draw_plot("##snr", {{"SNR A", t.data(), snr.data(), T, colors.schedule_a, 2.0f, false},
                        {"\u03B2\u209C", t.data(), beta.data(), T, colors.schedule_b, 2.0f, true}},
              log_plot);
    ImGui::EndGroup();
    ImGui::SameLine();
    ImGui::BeginGroup();
    PlotOptions cloud;
    cloud.title = "x\u209C (closed form)";
    cloud.size = ImVec2(column * 0.75f, column * 0.6f);
    cloud.grid_on_top = true;
    PlotInteraction area = begin_plot_area("##points", AxisRange{-2, 2}, AxisRange{-1.5, 1.5}, cloud);
    int tw = static_cast<int>(area.inner_max.x - area.inner_min.x);
    int th = static_cast<int>(area.inner_max.y - area.inner_min.y);
    target.resize(tw, th);
    target.begin();
    ImVec4 bg = colors.point_background;
    target.clear(bg.x, bg.y, bg.z, 1.0f);
    PointView view;
    view.x_min = -2;
    view.x_max = 2;
    view.y_min = -1.5;
    view.y_max = 1.5;
    view.point_diameter_px = 4.0f * ui_scale;
    points.draw(view);
    target.end();
    ImGui::GetWindowDrawList()->AddImage(target.texture_id(), area.inner_min, area.inner_max,
                                         RenderTarget::image_uv0(), RenderTarget::image_uv1());
    end_plot_area(area, cloud);
    HistogramPlotOptions histogram;
    histogram.plot.title = "marginal of x\u209C[0]";
    histogram.plot.size = ImVec2(column, 230 * ui_scale);
    histogram.bar_color = colors.histogram_bar;
    histogram.density_color = colors.density_curve;
    draw_histogram_plot("##hist", hist, histogram);
    ImGui::EndGroup();
    ImGui::End();
    ImGui::Render();
    int fw = 0, fh = 0;
    glfwGetFramebufferSize(window, &fw, &fh);
    glViewport(0, 0, fw, fh);
    glClearColor(colors.clear_color.x, colors.clear_color.y, colors.clear_color.z, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (frame == frames - 1) {
      std::string message = save_framebuffer_png(out, fw, fh);
      if (!message.empty()) {
        std::fprintf(stderr, "%s\n", message.c_str());
        return 1;
      }
      // Real content: many distinct colours (anti-aliased text and lines), and schedule A's
      // colour drawn at full strength somewhere (the centre of its curve).
      std::vector<std::uint8_t> rgba = read_framebuffer_rgba(fw, fh);
      std::unordered_set<std::uint32_t> distinct;
      int series_pixels = 0;
      const ImVec4 a = ImGui::ColorConvertU32ToFloat4(colors.schedule_a);
      for (std::size_t i = 0; i < rgba.size(); i += 4) {
        distinct.insert(rgba[i] | (rgba[i + 1] << 8) | (rgba[i + 2] << 16));
        if (std::abs(rgba[i] - a.x * 255) < 3 && std::abs(rgba[i + 1] - a.y * 255) < 3 &&
            std::abs(rgba[i + 2] - a.z * 255) < 3) {
          ++series_pixels;
        }
      }
      std::printf("%dx%d, %zu distinct colours, %d pixels of schedule A's colour, fallback font: %s\n", fw, fh,
                  distinct.size(), series_pixels, fonts.fallback ? "yes" : "no");
      if (distinct.size() < 64 || series_pixels < 100 || fonts.fallback) {
        std::fprintf(stderr, "renderer_widget_demo: the frame does not look like the widgets\n");
        return 1;
      }
    }
    glfwSwapBuffers(window);
  }
  points.release();
  target.release();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  std::printf("wrote %s\n", out.c_str());
  return 0;
}
