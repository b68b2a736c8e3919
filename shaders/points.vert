#version 330 core
// Point sprites for 2-D point clouds. u_scale/u_offset map data coordinates to clip space.
layout(location = 0) in vec2 a_position;
layout(location = 1) in vec4 a_color;

uniform vec2 u_scale;
uniform vec2 u_offset;
uniform float u_point_size;

out vec4 v_color;

void main() {
  gl_Position = vec4(a_position * u_scale + u_offset, 0.0, 1.0);
  // One extra pixel so the smoothed edge is not cut by the sprite square.
  gl_PointSize = u_point_size + 1.0;
  v_color = a_color;
}
