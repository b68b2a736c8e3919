#version 330 core
// A round sprite: full colour inside the disc, a one-pixel smooth edge, transparent outside.
in vec4 v_color;

uniform float u_point_size;
uniform float u_opacity;

out vec4 frag_color;

void main() {
  float sprite = u_point_size + 1.0;
  // Distance from the sprite centre in pixels.
  float r = length(gl_PointCoord - vec2(0.5)) * sprite;
  float radius = 0.5 * u_point_size;
  float coverage = clamp(radius + 0.5 - r, 0.0, 1.0);
  if (coverage <= 0.0) discard;
  frag_color = vec4(v_color.rgb, v_color.a * u_opacity * coverage);
}
