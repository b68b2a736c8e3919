#include "gui/state/schedule_labels.hpp"

#include <cstdio>
#include <vector>

#include "gui/protocol/flow_path.hpp"
#include "gui/state/choice_tables.hpp"

namespace diffuscope::gui {

namespace {

bool uses_beta_ends(diffusion::ScheduleKind kind) {
  return kind == diffusion::ScheduleKind::Linear || kind == diffusion::ScheduleKind::ScaledLinear ||
         kind == diffusion::ScheduleKind::SigmoidBeta;
}

// scale_with_T only acts on the linear families (schedule_controls shows it only there).
bool scales_with_T(const diffusion::ScheduleParams& p) {
  return p.scale_with_T &&
         (p.kind == diffusion::ScheduleKind::Linear || p.kind == diffusion::ScheduleKind::ScaledLinear);
}

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

// The family's own parameters as (name, value) pairs, in the order the controls show them.
std::vector<std::pair<std::string, double>> family_parameters(const diffusion::ScheduleParams& p) {
  using diffusion::ScheduleKind;
  if (uses_beta_ends(p.kind)) return {{"β_1", p.beta_start}, {"β_T", p.beta_end}};
  if (p.kind == ScheduleKind::Cosine) return {{"s", p.cosine_s}};
  if (p.kind == ScheduleKind::Sigmoid) return {{"start", p.sigmoid_start}, {"end", p.sigmoid_end}, {"τ", p.sigmoid_tau}};
  return {{"β", p.beta}};
}

}  // namespace

ScheduleLabelPair schedule_difference_labels(const diffusion::ScheduleParams& a, const diffusion::ScheduleParams& b) {
  ScheduleLabelPair labels{label_of(a.kind), label_of(b.kind)};
  bool differ = a.kind != b.kind;
  auto add = [](std::string& label, const std::string& part) { label += ", " + part; };
  if (a.T != b.T) {
    add(labels.a, "T = " + std::to_string(a.T));
    add(labels.b, "T = " + std::to_string(b.T));
    differ = true;
  }
  if (a.zero_terminal_snr != b.zero_terminal_snr) {
    add(a.zero_terminal_snr ? labels.a : labels.b, "ZT-SNR");
    differ = true;
  }
  if (scales_with_T(a) != scales_with_T(b)) {
    add(scales_with_T(a) ? labels.a : labels.b, "β×1000/T");
    differ = true;
  }
  if (!differ) {
    // Same family and flags: the first of its own parameters that differs.
    const auto pa = family_parameters(a), pb = family_parameters(b);
    for (std::size_t i = 0; i < pa.size() && i < pb.size(); ++i) {
      if (number_text(pa[i].second) != number_text(pb[i].second)) {
        add(labels.a, pa[i].first + " = " + number_text(pa[i].second));
        add(labels.b, pb[i].first + " = " + number_text(pb[i].second));
        break;
      }
    }
  }
  return labels;
}

ScheduleLabelPair forward_side_labels(const diffusion::ScheduleParams& a, const diffusion::ScheduleParams& b,
                                      bool b_flow) {
  if (!b_flow) return schedule_difference_labels(a, b);
  ScheduleLabelPair labels{schedule_label(a), kFlowPathLabel};
  if (a.T != b.T) {
    labels.a += ", T = " + std::to_string(a.T);
    labels.b += ", T = " + std::to_string(b.T);
  }
  return labels;
}

std::string schedule_label(const diffusion::ScheduleParams& p) {
  std::string label = label_of(p.kind);
  if (p.zero_terminal_snr) label += ", ZT-SNR";
  if (scales_with_T(p)) label += ", β×1000/T";
  return label;
}

}  // namespace diffuscope::gui
