#pragma once
// Histogram bars against a reference normal density, drawn with the plot widget's building blocks.
#include <imgui.h>

#include <string>

#include "renderer/histogram.hpp"
#include "renderer/plot_widget.hpp"

namespace renderer {

struct HistogramPlotOptions {
  PlotOptions plot;              // title, labels, size; x_range defaults to [hist.lo, hist.hi]
  ImU32 bar_color = IM_COL32(90, 150, 230, 160);
  ImU32 density_color = IM_COL32(240, 120, 60, 255);
  bool show_density = true;
  double density_mean = 0.0;     // the reference curve N(mean, stddev^2); N(0,1) by default
  double density_stddev = 1.0;
  std::string density_label = "N(0, 1)";
  std::string histogram_label = "samples";
  float density_thickness = 2.0f;
};

// Bars of `hist` (as densities) and the reference density curve; y range from 0 to the max of both.
PlotInteraction draw_histogram_plot(const char* id, const DensityHistogram& hist,
                                    const HistogramPlotOptions& options);

}  // namespace renderer
