#include "renderer/render_target.hpp"

#include <epoxy/gl.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "renderer/frame_damage.hpp"
#include "renderer/screenshot.hpp"

namespace renderer {

RenderTarget::~RenderTarget() { release(); }

void RenderTarget::release() {
  if (framebuffer_ != 0) glDeleteFramebuffers(1, &framebuffer_);
  if (texture_ != 0) glDeleteTextures(1, &texture_);
  framebuffer_ = 0;
  texture_ = 0;
  width_ = 0;
  height_ = 0;
  shown_key_ = 0;
}

bool RenderTarget::resize(int width, int height, std::string* error) {
  width = std::max(1, width);
  height = std::max(1, height);
  if (framebuffer_ != 0 && width == width_ && height == height_) return true;
  release();

  GLint previous_texture = 0, previous_framebuffer = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous_texture);
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &previous_framebuffer);

  glGenTextures(1, &texture_);
  glBindTexture(GL_TEXTURE_2D, texture_);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);

  glGenFramebuffers(1, &framebuffer_);
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture_, 0);
  GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);

  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(previous_framebuffer));
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous_texture));

  if (status != GL_FRAMEBUFFER_COMPLETE) {
    if (error != nullptr) {
      *error = "render target " + std::to_string(width) + "x" + std::to_string(height) +
               ": framebuffer incomplete (status 0x" + [&] {
                 char buffer[16];
                 std::snprintf(buffer, sizeof buffer, "%04X", status);
                 return std::string(buffer);
               }() + ")";
    }
    release();
    return false;
  }
  width_ = width;
  height_ = height;
  return true;
}

void RenderTarget::begin() {
  glGetIntegerv(GL_DRAW_FRAMEBUFFER_BINDING, &previous_framebuffer_);
  glGetIntegerv(GL_VIEWPORT, previous_viewport_);
  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, framebuffer_);
  glViewport(0, 0, width_, height_);
}

void RenderTarget::end() {
  note_texture_changed(texture_id());   // whatever was drawn between begin and end is new
  glBindFramebuffer(GL_DRAW_FRAMEBUFFER, static_cast<GLuint>(previous_framebuffer_));
  glViewport(previous_viewport_[0], previous_viewport_[1], previous_viewport_[2], previous_viewport_[3]);
}

void RenderTarget::clear(float r, float g, float b, float a) {
  GLfloat previous[4];
  glGetFloatv(GL_COLOR_CLEAR_VALUE, previous);
  GLboolean scissor = glIsEnabled(GL_SCISSOR_TEST);
  glDisable(GL_SCISSOR_TEST);
  glClearColor(r, g, b, a);
  glClear(GL_COLOR_BUFFER_BIT);
  glClearColor(previous[0], previous[1], previous[2], previous[3]);
  if (scissor) glEnable(GL_SCISSOR_TEST);
}

std::vector<std::uint8_t> RenderTarget::read_pixels_rgba() {
  if (framebuffer_ == 0) return {};
  GLint previous_read = 0;
  glGetIntegerv(GL_READ_FRAMEBUFFER_BINDING, &previous_read);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, framebuffer_);
  std::vector<std::uint8_t> pixels = read_framebuffer_rgba(width_, height_);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, static_cast<GLuint>(previous_read));
  return pixels;
}

ImTextureID RenderTarget::texture_id() const {
  return reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(texture_));
}

}  // namespace renderer
