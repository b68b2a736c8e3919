// The classifier-free guidance line of the equation panel (guidance_equation.hpp).
#include "gui/state/guidance_equation.hpp"

#include <string>

#include "diffusion/datasets2d.hpp"

namespace diffuscope::gui {

std::string vector_text(const float xy[2]) {
  return "(" + format_coefficient(xy[0]) + ", " + format_coefficient(xy[1]) + ")";
}

std::optional<EquationLine> guidance_equation_line(const AppState& state, int step_t) {
  if (state.view != AppView::Reverse) return std::nullopt;
  const ReversePanelSettings& panel = state.reverse.panels[0];
  if (!is_guided(panel.class_id, panel.process)) return std::nullopt;  // flow panels ignore a class
  char w[32];
  std::snprintf(w, sizeof w, "%g", panel.guidance);
  EquationLine line;
  line.caption = "guided ε̂ · class " + std::to_string(panel.class_id) + " · w = " + w;
  line.symbolic = "ε̂ = ε̂_∅ + w · (ε̂_c − ε̂_∅)";
  const GuidanceNumbers& n = state.reverse.guidance_shown;
  if (!n.valid || n.t != step_t || n.class_id != panel.class_id || n.w != panel.guidance) {
    line.numeric = "ε̂_∅ and ε̂_c of a point: …";
    return line;
  }
  line.caption += " · point #" + std::to_string(n.point);
  line.numeric = "ε̂ = " + vector_text(n.eps_null) + " + " + w + " · (" + vector_text(n.eps_class) + " − " +
                 vector_text(n.eps_null) + ") = " + vector_text(n.eps_guided);
  return line;
}

}  // namespace diffuscope::gui
