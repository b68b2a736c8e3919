#pragma once
// The hidden window (and current GL context) that gl_test_main.cpp creates for every GL test.
struct GLFWwindow;
constexpr int kGlTestWindowWidth = 320;
constexpr int kGlTestWindowHeight = 200;
GLFWwindow* gl_test_window();
