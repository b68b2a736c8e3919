#pragma once
// Colours that tell the audience where each point started: the hue follows the angle of x_0
// around the data's centre (a colour wheel, so neighbouring points on a moon or ring get
// neighbouring colours and the two moons get different ones). Pure function, unit-tested.
#include <cstdint>
#include <vector>

namespace diffuscope::gui {

// RGB in [0, 1] for hue h (turns, wrapped into [0, 1)), saturation s and value v.
void hsv_to_rgb(float h, float s, float v, float* r, float* g, float* b);

// One colour per point, packed like IM_COL32 (R in the low byte, A in the high byte).
// xy: interleaved x0, y0, x1, y1, ...; count points. The centre is the mean of the finite points.
// light_background: darker colours that keep their contrast on a white background.
std::vector<std::uint32_t> start_position_colors(const float* xy, int count, float alpha,
                                                 bool light_background);

// Classes as colours (a drawing's brush classes, a dataset's natural classes): kClassColorCount
// distinct colours after Okabe & Ito's colour-blind-safe palette, class c taking colour
// c mod kClassColorCount (a negative class is grey). The brush buttons show the same colours.
inline constexpr int kClassColorCount = 8;
std::uint32_t class_color(int class_id, float alpha, bool light_background);
std::vector<std::uint32_t> class_colors(const int* class_id, int count, float alpha, bool light_background);

}  // namespace diffuscope::gui
