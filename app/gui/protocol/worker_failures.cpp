// Wording of job failures and the non-finite checks before publishing (see worker_failures.hpp).
#include "gui/protocol/worker_failures.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <new>
#include <vector>

namespace diffuscope::gui {
namespace {

constexpr const char* kMemoryHint = " (try fewer points or images, fewer sampling steps, or the CPU)";

bool contains_nocase(const std::string& text, const std::string& needle) {
  auto it = std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                                    std::tolower(static_cast<unsigned char>(b)); });
  return it != text.end();
}

template <class Range>
bool all_finite(const Range& values) {
  return std::all_of(std::begin(values), std::end(values),
                     [](double v) { return std::isfinite(v); });
}

std::string side_problem(const ForwardSide& side, const std::string& name) {
  const std::string at = " of schedule " + name + " at t = " + std::to_string(side.t);
  if (!all_finite(side.xt_xy)) return "x_t" + at;
  const Moments2D& m = side.moments;
  if (!all_finite(m.sample_mean) || !all_finite(m.sample_variance) ||
      !all_finite(m.predicted_mean) || !all_finite(m.predicted_variance))
    return "the moments" + at;
  if (!all_finite(side.image.pixels)) return "the image's x_t" + at;
  if (!all_finite(side.x0_hat.pixels)) return "the image's x̂_0" + at;
  return "";
}

}  // namespace

std::string failure_message(const std::exception& error) {
  if (dynamic_cast<const std::bad_alloc*>(&error) != nullptr)
    return std::string("out of memory: an allocation failed") + kMemoryHint;
  std::string text = error.what() ? error.what() : "";
  // LibTorch's c10::Error appends where it was raised and a backtrace: keep the reason only.
  if (auto at = text.find("Exception raised from"); at != std::string::npos) text.erase(at);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (auto newline = text.find('\n'); newline != std::string::npos) {
    // A multi-line message: the banner shows the first line (the reason).
    std::string rest = text.substr(newline + 1);
    text.erase(newline);
    if (text.empty()) text = rest;
  }
  if (text.empty()) return "failed (no reason given)";
  if (contains_nocase(text, "out of memory") || contains_nocase(text, "can't allocate memory") ||
      contains_nocase(text, "bad_alloc")) {
    // Wrapped messages (a training's "stopped at step N: ...") may have been worded already.
    if (!contains_nocase(text, "out of memory")) text = "out of memory: " + text;
    if (text.find(kMemoryHint) == std::string::npos) text += kMemoryHint;
    return text;
  }
  return text;
}

std::string nonfinite_part(const ForwardFrame& frame) {
  std::string part;
  if (!all_finite(frame.x0_xy) || !all_finite(frame.x0_mean) || !all_finite(frame.x0_variance))
    part = "x_0 of the data";
  if (part.empty()) part = side_problem(frame.a, "A");
  if (part.empty() && frame.compare) part = side_problem(frame.b, "B");
  if (part.empty() && frame.eps_image && !all_finite(frame.eps_image->pixels))
    part = "the image's noise";
  return part.empty() ? part : part + " is non-finite (NaN or infinity); the frame was not shown";
}

int reject_nonfinite_panels(ReverseFrame& frame) {
  int changed = 0;
  for (ReversePanelFrame& panel : frame.panels) {
    std::string part;
    if (!all_finite(panel.xt_xy)) part = "the cloud";
    else if (!all_finite(panel.field_vectors) || !all_finite(panel.field_xy)) part = "the arrows";
    else if (!all_finite(panel.tracked_x0_xy)) part = "x̂_0 of the tracked points";
    else if (!all_finite(panel.trajectories_xy)) part = "the trajectories";
    else if (panel.has_posterior &&
             (!all_finite(panel.posterior_mean_xy) || !all_finite(panel.picked_xy) ||
              !std::isfinite(panel.posterior_sigma)))
      part = "the posterior";
    if (part.empty()) continue;
    ++changed;
    const std::string message = part + " became non-finite (NaN or infinity) at t = " +
                                std::to_string(panel.shown_t);
    panel.error = panel.error.empty() ? message : panel.error + "; " + message;
    panel.xt_xy.clear();
    panel.field_xy.clear();
    panel.field_vectors.clear();
    panel.tracked_x0_xy.clear();
    panel.trajectories_xy.clear();
    panel.has_posterior = false;
  }
  return changed;
}

}  // namespace diffuscope::gui
