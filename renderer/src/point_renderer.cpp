#include "renderer/point_renderer.hpp"

#include <epoxy/gl.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "renderer/embedded_shaders.hpp"

namespace renderer {
namespace {

GLuint compile_shader(GLenum type, const char* source, const char* name, std::string* error) {
  GLuint shader = glCreateShader(type);
  glShaderSource(shader, 1, &source, nullptr);
  glCompileShader(shader);
  GLint ok = GL_FALSE;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (ok != GL_TRUE) {
    GLint length = 0;
    glGetShaderiv(shader, GL_INFO_LOG_LENGTH, &length);
    std::vector<char> log(static_cast<std::size_t>(std::max(length, 1)), '\0');
    glGetShaderInfoLog(shader, static_cast<GLsizei>(log.size()), nullptr, log.data());
    if (error != nullptr) *error = std::string("compiling shader ") + name + " failed: " + log.data();
    glDeleteShader(shader);
    return 0;
  }
  return shader;
}

// Revisions are unique across renderers, so a key made of revisions never matches stale points.
std::uint64_t next_point_revision() {
  static std::uint64_t last = 0;   // UI thread only, like every GL call here
  return ++last;
}

}  // namespace

PointRenderer::~PointRenderer() { release(); }

void PointRenderer::release() {
  if (program_ != 0) glDeleteProgram(program_);
  if (vertex_array_ != 0) glDeleteVertexArrays(1, &vertex_array_);
  if (position_buffer_ != 0) glDeleteBuffers(1, &position_buffer_);
  if (color_buffer_ != 0) glDeleteBuffers(1, &color_buffer_);
  program_ = vertex_array_ = position_buffer_ = color_buffer_ = 0;
  position_count_ = color_count_ = position_capacity_ = color_capacity_ = 0;
}

bool PointRenderer::init(std::string* error) {
  if (program_ != 0) return true;
  GLuint vertex = compile_shader(GL_VERTEX_SHADER, shaders::points_vert, "shaders/points.vert", error);
  if (vertex == 0) return false;
  GLuint fragment = compile_shader(GL_FRAGMENT_SHADER, shaders::points_frag, "shaders/points.frag", error);
  if (fragment == 0) {
    glDeleteShader(vertex);
    return false;
  }
  GLuint program = glCreateProgram();
  glAttachShader(program, vertex);
  glAttachShader(program, fragment);
  glBindAttribLocation(program, 0, "a_position");
  glBindAttribLocation(program, 1, "a_color");
  glLinkProgram(program);
  glDeleteShader(vertex);
  glDeleteShader(fragment);
  GLint ok = GL_FALSE;
  glGetProgramiv(program, GL_LINK_STATUS, &ok);
  if (ok != GL_TRUE) {
    GLint length = 0;
    glGetProgramiv(program, GL_INFO_LOG_LENGTH, &length);
    std::vector<char> log(static_cast<std::size_t>(std::max(length, 1)), '\0');
    glGetProgramInfoLog(program, static_cast<GLsizei>(log.size()), nullptr, log.data());
    if (error != nullptr) *error = std::string("linking the point shaders failed: ") + log.data();
    glDeleteProgram(program);
    return false;
  }
  program_ = program;
  uniform_scale_ = glGetUniformLocation(program_, "u_scale");
  uniform_offset_ = glGetUniformLocation(program_, "u_offset");
  uniform_point_size_ = glGetUniformLocation(program_, "u_point_size");
  uniform_opacity_ = glGetUniformLocation(program_, "u_opacity");

  GLint previous_vao = 0, previous_buffer = 0;
  glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &previous_vao);
  glGetIntegerv(GL_ARRAY_BUFFER_BINDING, &previous_buffer);
  glGenVertexArrays(1, &vertex_array_);
  glGenBuffers(1, &position_buffer_);
  glGenBuffers(1, &color_buffer_);
  glBindVertexArray(vertex_array_);
  glBindBuffer(GL_ARRAY_BUFFER, position_buffer_);
  glEnableVertexAttribArray(0);
  glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 2 * sizeof(float), nullptr);
  glBindBuffer(GL_ARRAY_BUFFER, color_buffer_);
  glVertexAttribPointer(1, 4, GL_UNSIGNED_BYTE, GL_TRUE, 4, nullptr);
  glBindVertexArray(static_cast<GLuint>(previous_vao));
  glBindBuffer(GL_ARRAY_BUFFER, static_cast<GLuint>(previous_buffer));
  return true;
}

void PointRenderer::set_positions(const float* xy, int count) {
  if (program_ == 0) return;
  revision_ = next_point_revision();
  count = (xy == nullptr) ? 0 : std::max(0, count);
  GLint previous_buffer = 0;
  glGetIntegerv(GL_ARRAY_BUFFER_BINDING, &previous_buffer);
  glBindBuffer(GL_ARRAY_BUFFER, position_buffer_);
  GLsizeiptr bytes = static_cast<GLsizeiptr>(count) * 2 * static_cast<GLsizeiptr>(sizeof(float));
  if (count > position_capacity_) {
    glBufferData(GL_ARRAY_BUFFER, bytes, xy, GL_DYNAMIC_DRAW);
    position_capacity_ = count;
  } else if (count > 0) {
    glBufferSubData(GL_ARRAY_BUFFER, 0, bytes, xy);
  }
  glBindBuffer(GL_ARRAY_BUFFER, static_cast<GLuint>(previous_buffer));
  position_count_ = count;
}

void PointRenderer::set_colors(const std::uint32_t* rgba, int count) {
  if (program_ == 0) return;
  revision_ = next_point_revision();
  count = (rgba == nullptr) ? 0 : std::max(0, count);
  GLint previous_buffer = 0;
  glGetIntegerv(GL_ARRAY_BUFFER_BINDING, &previous_buffer);
  glBindBuffer(GL_ARRAY_BUFFER, color_buffer_);
  GLsizeiptr bytes = static_cast<GLsizeiptr>(count) * 4;
  if (count > color_capacity_) {
    glBufferData(GL_ARRAY_BUFFER, bytes, rgba, GL_DYNAMIC_DRAW);
    color_capacity_ = count;
  } else if (count > 0) {
    glBufferSubData(GL_ARRAY_BUFFER, 0, bytes, rgba);
  }
  glBindBuffer(GL_ARRAY_BUFFER, static_cast<GLuint>(previous_buffer));
  color_count_ = count;
}

void PointRenderer::draw(const PointView& view) {
  if (program_ == 0 || position_count_ == 0) return;

  // Data rect -> clip space [-1, 1]^2, computed in double then handed to the shader as floats.
  double x_span = view.x_max - view.x_min, y_span = view.y_max - view.y_min;
  if (!(std::fabs(x_span) > 0.0) || !std::isfinite(x_span)) x_span = 1.0;
  if (!(std::fabs(y_span) > 0.0) || !std::isfinite(y_span)) y_span = 1.0;
  double sx = 2.0 / x_span, sy = 2.0 / y_span;
  double ox = -1.0 - view.x_min * sx, oy = -1.0 - view.y_min * sy;

  // Save the state we touch: the ImGui backend and the caller keep theirs.
  GLint previous_program = 0, previous_vao = 0;
  glGetIntegerv(GL_CURRENT_PROGRAM, &previous_program);
  glGetIntegerv(GL_VERTEX_ARRAY_BINDING, &previous_vao);
  GLboolean blend = glIsEnabled(GL_BLEND);
  GLboolean depth = glIsEnabled(GL_DEPTH_TEST);
  GLboolean cull = glIsEnabled(GL_CULL_FACE);
  GLboolean program_point_size = glIsEnabled(GL_PROGRAM_POINT_SIZE);
  GLint src_rgb = 0, dst_rgb = 0, src_alpha = 0, dst_alpha = 0, eq_rgb = 0, eq_alpha = 0;
  glGetIntegerv(GL_BLEND_SRC_RGB, &src_rgb);
  glGetIntegerv(GL_BLEND_DST_RGB, &dst_rgb);
  glGetIntegerv(GL_BLEND_SRC_ALPHA, &src_alpha);
  glGetIntegerv(GL_BLEND_DST_ALPHA, &dst_alpha);
  glGetIntegerv(GL_BLEND_EQUATION_RGB, &eq_rgb);
  glGetIntegerv(GL_BLEND_EQUATION_ALPHA, &eq_alpha);

  glEnable(GL_BLEND);
  glBlendEquation(GL_FUNC_ADD);
  // Straight alpha for colour; alpha accumulates coverage so the texture stays composable.
  glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
  glDisable(GL_DEPTH_TEST);
  glDisable(GL_CULL_FACE);
  glEnable(GL_PROGRAM_POINT_SIZE);

  glUseProgram(program_);
  glUniform2f(uniform_scale_, static_cast<float>(sx), static_cast<float>(sy));
  glUniform2f(uniform_offset_, static_cast<float>(ox), static_cast<float>(oy));
  glUniform1f(uniform_point_size_, std::clamp(view.point_diameter_px, 0.5f, 128.0f));
  glUniform1f(uniform_opacity_, std::clamp(view.opacity, 0.0f, 1.0f));
  glBindVertexArray(vertex_array_);
  if (color_count_ >= position_count_) {
    glEnableVertexAttribArray(1);
  } else {
    glDisableVertexAttribArray(1);
    glVertexAttrib4f(1, 1.0f, 1.0f, 1.0f, 1.0f);
  }
  glDrawArrays(GL_POINTS, 0, position_count_);

  glBindVertexArray(static_cast<GLuint>(previous_vao));
  glUseProgram(static_cast<GLuint>(previous_program));
  glBlendEquationSeparate(static_cast<GLenum>(eq_rgb), static_cast<GLenum>(eq_alpha));
  glBlendFuncSeparate(static_cast<GLenum>(src_rgb), static_cast<GLenum>(dst_rgb),
                      static_cast<GLenum>(src_alpha), static_cast<GLenum>(dst_alpha));
  if (!blend) glDisable(GL_BLEND);
  if (depth) glEnable(GL_DEPTH_TEST);
  if (cull) glEnable(GL_CULL_FACE);
  if (!program_point_size) glDisable(GL_PROGRAM_POINT_SIZE);
}

}  // namespace renderer
