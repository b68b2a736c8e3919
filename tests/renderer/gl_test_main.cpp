// Runs the GL tests inside a hidden GLFW window with a GL 3.3 core context (llvmpipe under Xvfb).
#include <GLFW/glfw3.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "gl_test_window.hpp"

namespace {
GLFWwindow* g_window = nullptr;

void report_glfw_error(int code, const char* description) {
  std::fprintf(stderr, "GLFW error %d: %s\n", code, description);
}
}  // namespace

GLFWwindow* gl_test_window() { return g_window; }

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  glfwSetErrorCallback(report_glfw_error);
  if (!glfwInit()) {
    std::fprintf(stderr, "renderer_gl_tests: glfwInit failed (no display? run under xvfb-run)\n");
    return 1;
  }
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_VISIBLE, GLFW_FALSE);
  g_window = glfwCreateWindow(kGlTestWindowWidth, kGlTestWindowHeight, "renderer_gl_tests", nullptr, nullptr);
  if (g_window == nullptr) {
    std::fprintf(stderr, "renderer_gl_tests: could not create a GL 3.3 core window\n");
    glfwTerminate();
    return 1;
  }
  glfwMakeContextCurrent(g_window);
  int result = RUN_ALL_TESTS();
  glfwDestroyWindow(g_window);
  glfwTerminate();
  return result;
}
