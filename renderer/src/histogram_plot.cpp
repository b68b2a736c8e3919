#include "renderer/histogram_plot.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace renderer {

PlotInteraction draw_histogram_plot(const char* id, const DensityHistogram& hist,
                                    const HistogramPlotOptions& options) {
  PlotOptions plot = options.plot;
  plot.x_scale = AxisScale::Linear;
  plot.y_scale = AxisScale::Linear;
  AxisRange x_range = plot.x_range && !plot.x_range->empty() ? *plot.x_range : AxisRange{hist.lo, hist.hi};

  // The reference density, sampled finely enough to look smooth at any width.
  const int curve_points = 256;
  std::vector<double> curve_x(curve_points), curve_y(curve_points);
  for (int i = 0; i < curve_points; ++i) {
    curve_x[i] = x_range.min + (x_range.max - x_range.min) * i / (curve_points - 1);
    curve_y[i] = normal_pdf(curve_x[i], options.density_mean, options.density_stddev);
  }

  double y_max = 0.0;
  for (double d : hist.density) y_max = std::max(y_max, d);
  if (options.show_density) {
    for (double d : curve_y) y_max = std::max(y_max, d);
  }
  if (!(y_max > 0.0) || !std::isfinite(y_max)) y_max = 0.5;
  AxisRange y_range = plot.y_range && !plot.y_range->empty() ? *plot.y_range : AxisRange{0.0, y_max * 1.1};

  PlotInteraction area = begin_plot_area(id, x_range, y_range, plot);
  ImDrawList* draw_list = ImGui::GetWindowDrawList();
  const double width = hist.bin_width();
  const float baseline = area.y_map.to_pixel(0.0);
  for (std::size_t b = 0; b < hist.density.size(); ++b) {
    double left = hist.lo + width * static_cast<double>(b);
    float x0 = area.x_map.to_pixel(left);
    float x1 = area.x_map.to_pixel(left + width);
    float y = area.y_map.to_pixel(hist.density[b]);
    if (hist.density[b] <= 0.0) continue;
    // A one-pixel gap between bars keeps them apart when bins are wide.
    float gap = (x1 - x0) > 4.0f ? 1.0f : 0.0f;
    draw_list->AddRectFilled(ImVec2(x0 + gap, y), ImVec2(x1, baseline), options.bar_color);
  }
  std::vector<LegendEntry> legend;
  legend.push_back({options.histogram_label, options.bar_color, false});
  if (options.show_density) {
    PlotSeries density{options.density_label, curve_x.data(), curve_y.data(), curve_points,
                       options.density_color, options.density_thickness, false};
    draw_series(draw_list, density, area.x_map, area.y_map);
    legend.push_back({options.density_label, options.density_color, false});
  }
  end_plot_area(area, plot);
  if (plot.show_legend) {
    LegendCorner corner = plot.legend_corner == LegendCorner::Auto ? LegendCorner::TopRight : plot.legend_corner;
    draw_legend(draw_list, area.inner_min, area.inner_max, legend, plot.font_scale, corner);
  }
  return area;
}

}  // namespace renderer
