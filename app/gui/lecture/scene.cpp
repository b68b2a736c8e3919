#include "gui/lecture/scene.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

#include "diffusion/point_csv.hpp"
#include "diffusion/reverse_config.hpp"
#include "diffusion/schedule.hpp"
#include "fileio/atomic_file.hpp"
#include "gui/state/choice_tables.hpp"
#include "gui/state/limits.hpp"

namespace diffuscope::gui {
namespace {

using Json = nlohmann::json;                 // what the loader reads (any key order)
using OrderedJson = nlohmann::ordered_json;  // what the writer emits (the schema's order)
namespace fs = std::filesystem;

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The shortest decimal that reads back as the same float (1.5f -> 1.5, not 1.5000000000000000).
double float_for_json(float value) {
  char text[32];
  for (int precision = 6; precision <= 9; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, static_cast<double>(value));
    if (std::strtof(text, nullptr) == value) return std::strtod(text, nullptr);
  }
  return static_cast<double>(value);
}

// ---- Writing. ----

OrderedJson schedule_json(const diffusion::ScheduleParams& p) {
  OrderedJson j;
  j["kind"] = std::string(key_of(p.kind));
  j["T"] = p.T;
  j["beta_start"] = p.beta_start;
  j["beta_end"] = p.beta_end;
  j["beta"] = p.beta;
  j["cosine_s"] = p.cosine_s;
  j["sigmoid_start"] = p.sigmoid_start;
  j["sigmoid_end"] = p.sigmoid_end;
  j["sigmoid_tau"] = p.sigmoid_tau;
  j["scale_with_T"] = p.scale_with_T;
  j["zero_terminal_snr"] = p.zero_terminal_snr;
  return j;
}

OrderedJson panel_json(const ReversePanelSettings& s, bool with_denoiser) {
  OrderedJson j;
  j["sigma"] = std::string(key_of(s.sampler.sigma));
  j["eta"] = s.sampler.eta;
  j["interpolation"] = s.sampler.interpolation;
  j["clip_x0"] = s.sampler.clip_x0;  // the range is the view's (reverse_state.hpp, ClipRange)
  // "none": the σ choice above samples; a solver: the probability-flow ODE (then σ is unused).
  j["ode_solver"] = s.ode_solver ? std::string(key_of(*s.ode_solver)) : std::string("none");
  j["steps"] = s.steps;
  if (with_denoiser) {
    j["denoiser"] = std::string(key_of(s.denoiser));
    // Which learned model: "default" (the dataset's current one) or the one predicting eps/x0/v.
    j["model"] = s.model_target ? std::string(key_of(*s.model_target)) : std::string("default");
    // "ddpm": the sampler above; "flow": flow matching with ode_solver (euler or heun) and steps.
    j["process"] = std::string(key_of(s.process));
    // Classifier-free guidance: the class sampled (-1: none, unconditional) and the scale w.
    j["class"] = s.class_id;
    j["guidance"] = s.guidance;
  }
  j["family"] = std::string(key_of(s.family));
  return j;
}

// The settings the 2D reverse view and the Images view share.
void write_sampling(OrderedJson& j, const SamplingSettings& r, bool with_denoiser) {
  j["panel_count"] = r.panel_count;
  OrderedJson panels = OrderedJson::array();
  for (const ReversePanelSettings& s : r.panels) panels.push_back(panel_json(s, with_denoiser));
  j["panels"] = std::move(panels);
  j["spacing"] = std::string(key_of(r.spacing));
}

// ---- Reading. ----

std::string shown_value(const Json& value) {
  std::string text = value.dump();
  constexpr std::size_t kMaxShown = 60;
  if (text.size() > kMaxShown) text = text.substr(0, kMaxShown - 3) + "...";
  return text;
}

std::string number_text(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

// Collects the problems of one load.
struct Report {
  std::vector<std::string> warnings;
  std::vector<std::string> unknown_keys;

  void bad(const std::string& path, const Json& value, const std::string& why) {
    warnings.push_back(path + " = " + shown_value(value) + ": " + why + "; left unchanged");
  }
};

// One JSON object of the scene: hands out its keys and remembers which were asked for, so that the
// rest can be reported as unknown.
class Section {
 public:
  Section(const Json* object, std::string path, Report& report)
      : object_(object), path_(std::move(path)), report_(report) {}
  Section(const Section&) = delete;
  Section& operator=(const Section&) = delete;
  ~Section() {
    if (object_ == nullptr) return;
    for (auto it = object_->begin(); it != object_->end(); ++it)
      if (std::find(known_.begin(), known_.end(), it.key()) == known_.end())
        report_.unknown_keys.push_back(key_path(it.key()));
  }

  // The value of `key`, or nullptr when absent.
  const Json* get(const std::string& key) {
    known_.push_back(key);
    if (object_ == nullptr) return nullptr;
    auto it = object_->find(key);
    return it == object_->end() ? nullptr : &*it;
  }
  std::string key_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  Report& report() { return report_; }

 private:
  const Json* object_;
  std::string path_;
  Report& report_;
  std::vector<std::string> known_;
};

std::optional<bool> as_bool(const Json& v, const std::string& path, Report& report) {
  if (v.is_boolean()) return v.get<bool>();
  report.bad(path, v, "expected true or false");
  return std::nullopt;
}

std::optional<std::string> as_string(const Json& v, const std::string& path, Report& report) {
  if (v.is_string()) return v.get<std::string>();
  report.bad(path, v, "expected a string");
  return std::nullopt;
}

// An integer in lo..hi. Integral floats (2000.0) are accepted; fractions, NaN-ish strings and
// infinities are not.
std::optional<long long> as_int(const Json& v, const std::string& path, long long lo, long long hi,
                                Report& report) {
  const std::string range = "an integer in " + std::to_string(lo) + ".." + std::to_string(hi);
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(hi) && static_cast<long long>(u) >= lo) return static_cast<long long>(u);
  } else if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if (i >= lo && i <= hi) return i;
  } else if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && d >= static_cast<double>(lo) && d <= static_cast<double>(hi))
      return static_cast<long long>(d);
  }
  report.bad(path, v, "expected " + range);
  return std::nullopt;
}

std::optional<std::uint64_t> as_seed(const Json& v, const std::string& path, Report& report) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
  report.bad(path, v, "expected an integer in 0..18446744073709551615");
  return std::nullopt;
}

// A finite number in [lo, hi] (or (lo, hi] when lo_open).
std::optional<double> as_double(const Json& v, const std::string& path, double lo, double hi, bool lo_open,
                                Report& report) {
  if (v.is_number()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && (lo_open ? d > lo : d >= lo) && d <= hi) return d;
  }
  report.bad(path, v, std::string("expected a number in ") + (lo_open ? "(" : "[") + number_text(lo) + ", " +
                          number_text(hi) + "]");
  return std::nullopt;
}

// Any finite number (the schedule's own validation checks its ranges).
std::optional<double> as_finite(const Json& v, const std::string& path, Report& report) {
  if (v.is_number()) {
    const double d = v.get<double>();
    if (std::isfinite(d)) return d;
  }
  report.bad(path, v, "expected a finite number");
  return std::nullopt;
}

template <typename E>
std::optional<E> as_enum(const Json& v, const std::string& path, const std::function<std::optional<E>(std::string_view)>& parse,
                         const std::string& valid, Report& report) {
  if (v.is_string()) {
    if (std::optional<E> e = parse(v.get<std::string>())) return e;
  }
  report.bad(path, v, "expected one of " + valid);
  return std::nullopt;
}

// Reads `key` of `section` into `field`: absent -> `fallback` (a fresh state's value), valid ->
// the parsed value, invalid -> reported and `field` keeps its value.
template <typename T, typename Parse>
bool read_into(Section& section, const std::string& key, T& field, const T& fallback, Parse parse) {
  const Json* v = section.get(key);
  if (v == nullptr) {
    field = fallback;
    return false;
  }
  if (auto parsed = parse(*v, section.key_path(key), section.report())) field = static_cast<T>(*parsed);
  return true;
}

auto bool_parser() {
  return [](const Json& v, const std::string& p, Report& r) { return as_bool(v, p, r); };
}
auto int_parser(long long lo, long long hi) {
  return [lo, hi](const Json& v, const std::string& p, Report& r) { return as_int(v, p, lo, hi, r); };
}
auto double_parser(double lo, double hi, bool lo_open = false) {
  return [=](const Json& v, const std::string& p, Report& r) { return as_double(v, p, lo, hi, lo_open, r); };
}
auto finite_parser() {
  return [](const Json& v, const std::string& p, Report& r) { return as_finite(v, p, r); };
}
auto string_parser() {
  return [](const Json& v, const std::string& p, Report& r) { return as_string(v, p, r); };
}
auto seed_parser() {
  return [](const Json& v, const std::string& p, Report& r) { return as_seed(v, p, r); };
}
template <typename E>
auto enum_parser(std::function<std::optional<E>(std::string_view)> parse, std::string valid) {
  return [parse = std::move(parse), valid = std::move(valid)](const Json& v, const std::string& p, Report& r) {
    return as_enum<E>(v, p, parse, valid, r);
  };
}

// An enum by its key in choice_tables.hpp (only the keys the writer uses: no aliases such as
// "quadratic", which the command line takes).
template <typename E>
auto key_parser() {
  return enum_parser<E>(parse_key<E>, key_list<E>());
}

// An object section: nullptr and true when absent (every key takes its fallback), nullptr and false
// when present but not an object (reported; the settings in it keep their values).
const Json* object_or_report(Section& parent, const std::string& key, bool& usable) {
  const Json* v = parent.get(key);
  usable = true;
  if (v == nullptr || v->is_object()) return v;
  parent.report().bad(parent.key_path(key), *v, "expected an object");
  usable = false;
  return nullptr;
}

// Reads a schedule; returns true when the section was present and gave valid parameters.
bool read_schedule(Section& parent, const std::string& key, ScheduleSlot& slot,
                   const diffusion::ScheduleParams& fallback) {
  bool usable = true;
  const Json* object = object_or_report(parent, key, usable);
  if (!usable) return false;
  Section s(object, parent.key_path(key), parent.report());
  diffusion::ScheduleParams p = slot.params;
  read_into(s, "kind", p.kind, fallback.kind, key_parser<diffusion::ScheduleKind>());
  read_into(s, "T", p.T, fallback.T, int_parser(1, diffusion::kMaxTimesteps));
  read_into(s, "beta_start", p.beta_start, fallback.beta_start, finite_parser());
  read_into(s, "beta_end", p.beta_end, fallback.beta_end, finite_parser());
  read_into(s, "beta", p.beta, fallback.beta, finite_parser());
  read_into(s, "cosine_s", p.cosine_s, fallback.cosine_s, finite_parser());
  read_into(s, "sigmoid_start", p.sigmoid_start, fallback.sigmoid_start, finite_parser());
  read_into(s, "sigmoid_end", p.sigmoid_end, fallback.sigmoid_end, finite_parser());
  read_into(s, "sigmoid_tau", p.sigmoid_tau, fallback.sigmoid_tau, finite_parser());
  read_into(s, "scale_with_T", p.scale_with_T, fallback.scale_with_T, bool_parser());
  read_into(s, "zero_terminal_snr", p.zero_terminal_snr, fallback.zero_terminal_snr, bool_parser());
  try {
    diffusion::Schedule check(p);  // the same test ScheduleSlot::refresh applies
  } catch (const std::exception& e) {
    parent.report().warnings.push_back(parent.key_path(key) + ": " + e.what() +
                                       "; kept the previous schedule");
    slot.params = slot.good_params();
    return false;
  }
  slot.params = p;
  return object != nullptr;
}

// Reads a panel; returns true when it gave "steps".
bool read_panel(const Json* object, const std::string& path, ReversePanelSettings& panel,
                const ReversePanelSettings& fallback, bool with_denoiser, Report& report) {
  Section s(object, path, report);
  ReversePanelSettings p = panel;
  read_into(s, "sigma", p.sampler.sigma, fallback.sampler.sigma,
            key_parser<diffusion::SigmaKind>());
  read_into(s, "eta", p.sampler.eta, fallback.sampler.eta, double_parser(0.0, 1.0));
  read_into(s, "interpolation", p.sampler.interpolation, fallback.sampler.interpolation, double_parser(0.0, 1.0));
  read_into(s, "clip_x0", p.sampler.clip_x0, fallback.sampler.clip_x0, bool_parser());
  using SolverChoice = std::optional<diffusion::OdeSolver>;
  const auto parse_solver = [](std::string_view name) -> std::optional<SolverChoice> {
    if (name == "none") return std::make_optional(SolverChoice{});
    if (const auto solver = parse_key<diffusion::OdeSolver>(name)) return std::make_optional(SolverChoice{*solver});
    return std::nullopt;
  };
  read_into(s, "ode_solver", p.ode_solver, fallback.ode_solver,
            enum_parser<SolverChoice>(parse_solver, "none, " + key_list<diffusion::OdeSolver>()));
  const bool gave_steps = read_into(s, "steps", p.steps, fallback.steps, int_parser(0, diffusion::kMaxTimesteps));
  if (with_denoiser) {
    read_into(s, "denoiser", p.denoiser, fallback.denoiser, key_parser<DenoiserKind>());
    using ModelChoice = std::optional<diffusion::PredictionTarget>;
    const auto parse_model = [](std::string_view name) -> std::optional<ModelChoice> {
      if (name == "default") return std::make_optional(ModelChoice{});
      if (const auto target = parse_key<diffusion::PredictionTarget>(name)) return std::make_optional(ModelChoice{*target});
      return std::nullopt;
    };
    read_into(s, "model", p.model_target, fallback.model_target,
              enum_parser<ModelChoice>(parse_model, "default, " + key_list<diffusion::PredictionTarget>()));
    // Absent (scenes before flow matching): a fresh panel's, DDPM.
    read_into(s, "process", p.process, fallback.process, key_parser<diffusion::ProcessFamily>());
    // Absent (scenes before guidance): a fresh panel's, unconditional. A class the data lacks is
    // the run's error (it names the data's classes), not the scene's.
    read_into(s, "class", p.class_id, fallback.class_id, int_parser(diffusion::kNullClass, kMaxPanelClass));
    read_into(s, "guidance", p.guidance, fallback.guidance, double_parser(0.0, kMaxPanelGuidance));
  }
  read_into(s, "family", p.family, fallback.family, key_parser<diffusion::ScheduleKind>());
  try {
    diffusion::validate(p.sampler);
  } catch (const std::exception& e) {
    report.warnings.push_back(path + ": " + e.what() + "; kept the previous sampler");
    p.sampler = panel.sampler;
  }
  if (p.process == diffusion::ProcessFamily::Flow && p.ode_solver == diffusion::OdeSolver::DpmSolverPP2M) {
    report.warnings.push_back(path + ": flow matching integrates with euler or heun, not dpmpp2m; used euler");
    p.ode_solver = diffusion::OdeSolver::Euler;
  }
  panel = p;
  return gave_steps;
}

// panel_count, panels, spacing, seed. Returns true when a panel gave "steps".
bool read_sampling(Section& s, SamplingSettings& r, const SamplingSettings& fallback, bool with_denoiser) {
  read_into(s, "panel_count", r.panel_count, fallback.panel_count, int_parser(1, kMaxReversePanels));
  bool gave_steps = false;
  const Json* panels = s.get("panels");
  const std::string panels_path = s.key_path("panels");
  if (panels == nullptr) {
    r.panels = fallback.panels;
  } else if (!panels->is_array()) {
    s.report().bad(panels_path, *panels, "expected an array of at most " + std::to_string(kMaxReversePanels) + " panels");
  } else {
    if (panels->size() > static_cast<std::size_t>(kMaxReversePanels))
      s.report().warnings.push_back(panels_path + " has " + std::to_string(panels->size()) + " panels: only the first " +
                                    std::to_string(kMaxReversePanels) + " were read");
    for (std::size_t i = 0; i < r.panels.size(); ++i) {
      const std::string path = panels_path + "[" + std::to_string(i) + "]";
      if (i >= panels->size()) {
        r.panels[i] = fallback.panels[i];
      } else if (!(*panels)[i].is_object()) {
        s.report().bad(path, (*panels)[i], "expected an object");
      } else {
        gave_steps = read_panel(&(*panels)[i], path, r.panels[i], fallback.panels[i], with_denoiser, s.report()) ||
                     gave_steps;
      }
    }
  }
  read_into(s, "spacing", r.spacing, fallback.spacing,
            key_parser<diffusion::Spacing>());
  read_into(s, "seed", r.seed, fallback.seed, seed_parser());
  return gave_steps;
}

void read_tracked(Section& s, ReverseState& r, const ReverseState& fallback) {
  const Json* v = s.get("tracked");
  if (v == nullptr) {
    r.tracked = fallback.tracked;
    return;
  }
  const std::string path = s.key_path("tracked");
  const std::string why = "expected at most " + std::to_string(kMaxTrackedPoints) +
                          " distinct point indices in 0.." + std::to_string(r.n_points - 1);
  if (!v->is_array() || v->size() > static_cast<std::size_t>(kMaxTrackedPoints)) {
    s.report().bad(path, *v, why);
    return;
  }
  std::vector<int> tracked;
  for (const Json& e : *v) {
    const bool integral = e.is_number_integer() || e.is_number_unsigned();
    const long long i = integral ? (e.is_number_unsigned() ? static_cast<long long>(std::min<std::uint64_t>(
                                                                  e.get<std::uint64_t>(), std::numeric_limits<int>::max()))
                                                            : e.get<std::int64_t>())
                                 : -1;
    if (!integral || i < 0 || i >= r.n_points ||
        std::find(tracked.begin(), tracked.end(), static_cast<int>(i)) != tracked.end()) {
      s.report().bad(path, *v, why);
      return;
    }
    tracked.push_back(static_cast<int>(i));
  }
  r.tracked = std::move(tracked);
}

std::optional<SceneImage> read_image(Section& parent, const std::string& base_dir) {
  const Json* v = parent.get("image");
  if (v == nullptr) return SceneImage{};
  const std::string path = parent.key_path("image");
  Report& report = parent.report();
  if (!v->is_object()) {
    report.bad(path, *v, "expected {\"source\": \"fashion-mnist\", \"index\": N} or {\"source\": \"file\", \"path\": P}");
    return std::nullopt;
  }
  Section s(v, path, report);
  const Json* source = s.get("source");
  const Json* index = s.get("index");
  const Json* file = s.get("path");
  const std::string source_name = source != nullptr && source->is_string() ? source->get<std::string>() : "";
  if (source_name == "fashion-mnist") {
    SceneImage image;
    if (index == nullptr) return image;
    const std::optional<long long> i = as_int(*index, s.key_path("index"), 0, kMaxFashionIndex, report);
    if (!i) return std::nullopt;
    image.fashion_index = static_cast<int>(*i);
    return image;
  }
  if (source_name == "file") {
    if (file == nullptr || !file->is_string() || file->get<std::string>().empty()) {
      report.bad(s.key_path("path"), file != nullptr ? *file : Json(nullptr), "expected the image file's path");
      return std::nullopt;
    }
    fs::path p = fs::u8path(file->get<std::string>());
    if (p.is_relative()) p = fs::u8path(base_dir) / p;
    std::error_code ec;
    const fs::path absolute = fs::absolute(p, ec);
    SceneImage image;
    image.fashion = false;
    image.path = (ec ? p : absolute).lexically_normal().u8string();
    return image;
  }
  report.bad(s.key_path("source"), source != nullptr ? *source : Json(nullptr),
             "expected one of fashion-mnist, file");
  return std::nullopt;
}

std::string resolve_path(const std::string& path, const std::string& base_dir) {
  if (path.empty()) return path;
  fs::path p = fs::u8path(path);
  if (p.is_relative()) p = fs::u8path(base_dir) / p;
  std::error_code ec;
  const fs::path absolute = fs::absolute(p, ec);
  return (ec ? p : absolute).lexically_normal().u8string();
}

std::string strip_json_exception_prefix(std::string message) {
  // "[json.exception.parse_error.101] parse error at line 2, column 3: ..." -> "parse error at ..."
  if (!message.empty() && message[0] == '[') {
    const std::size_t end = message.find("] ");
    if (end != std::string::npos) message = message.substr(end + 2);
  }
  return message;
}

}  // namespace

bool operator==(const SceneImage& x, const SceneImage& y) {
  return x.fashion == y.fashion && x.fashion_index == y.fashion_index && x.path == y.path;
}

std::string sampling_scene_json(const SamplingSettings& sampling, bool with_denoiser) {
  OrderedJson j = OrderedJson::object();
  write_sampling(j, sampling, with_denoiser);
  return j.dump();
}

namespace {

// The drawn dataset: whether it is the data, the brush, and its points as the point-CSV text
// (diffusion/point_csv.hpp: 9 significant digits read back to the same floats), one string.
void write_drawing(OrderedJson& j, const AppState& state) {
  OrderedJson drawing;
  drawing["use"] = state.use_drawing;
  drawing["draw_mode"] = state.draw_mode;
  drawing["color_by_class"] = state.color_by_class;
  drawing["brush_class"] = state.brush.class_id;
  drawing["brush_points"] = state.brush.points;
  drawing["brush_spread"] = state.brush.spread;
  drawing["points_csv"] = state.drawing.empty() ? std::string() : diffusion::format_point_csv(*state.drawing.points());
  j["drawing"] = std::move(drawing);
}

// A scene without a drawing keeps the points drawn so far (the data go back to the named dataset);
// a bad points_csv is reported with its line and column and the drawing stays.
void read_drawing_section(Section& top, AppState& state, const AppState& fresh, Report& report) {
  bool usable = true;
  const Json* object = object_or_report(top, "drawing", usable);
  if (!usable) return;
  Section s(object, "drawing", report);
  read_into(s, "use", state.use_drawing, fresh.use_drawing, bool_parser());
  read_into(s, "draw_mode", state.draw_mode, fresh.draw_mode, bool_parser());
  read_into(s, "color_by_class", state.color_by_class, fresh.color_by_class, bool_parser());
  read_into(s, "brush_class", state.brush.class_id, fresh.brush.class_id, int_parser(0, kMaxBrushClass));
  read_into(s, "brush_points", state.brush.points, fresh.brush.points, int_parser(1, kMaxBrushPoints));
  read_into(s, "brush_spread", state.brush.spread, fresh.brush.spread, double_parser(kMinBrushSpread, kMaxBrushSpread));
  std::string csv;
  if (!read_into(s, "points_csv", csv, std::string(), string_parser())) return;
  if (csv.empty()) {
    if (!state.drawing.empty()) state.drawing.clear();
    return;
  }
  diffusion::PointCsvResult read = diffusion::parse_point_csv(csv, s.key_path("points_csv"));
  if (read.ok() && read.points.size() > kMaxDrawnPoints)
    read.error = s.key_path("points_csv") + ": " + std::to_string(read.points.size()) + " points, at most " +
                 std::to_string(kMaxDrawnPoints);
  if (!read.ok()) {
    report.warnings.push_back(read.error + "; the drawing is left unchanged");
    return;
  }
  state.drawing.replace(std::move(read.points));
}

}  // namespace

SceneImage scene_image_of(const AppState& state) {
  SceneImage image;
  image.fashion = state.image_is_fashion;
  image.fashion_index = state.fashion_index;
  if (!image.fashion) image.path = state.image_path;
  return image;
}

std::string scene_to_json(const AppState& state) {
  OrderedJson j;
  j["format"] = kSceneFormat;
  j["version"] = kSceneVersion;
  j["title"] = state.scene_title;
  j["notes"] = state.scene_notes;
  j["view"] = view_name(state.view);
  j["t"] = state.t;
  j["schedules"]["A"] = schedule_json(state.a.params);
  j["schedules"]["B"] = schedule_json(state.b.params);
  j["compare"] = state.compare;
  j["b_flow"] = state.b_is_flow;   // B as flow matching's path (closed form, with compare)
  j["process"] = std::string(key_of(state.process));
  j["naive_beta"] = state.naive_beta;
  j["dataset"] = std::string(key_of(state.dataset));
  j["n_points"] = state.n_points;
  j["seed"] = state.seed;
  j["x_axis_fraction"] = state.x_axis_fraction;
  j["coefficient_tab"] = state.coefficient_tab;
  write_drawing(j, state);
  const SceneImage image = scene_image_of(state);
  if (image.fashion) {
    j["image"]["source"] = "fashion-mnist";
    j["image"]["index"] = image.fashion_index;
  } else {
    j["image"]["source"] = "file";
    j["image"]["path"] = image.path;
  }
  j["ui_scale"] = float_for_json(state.ui_scale);
  j["theme"] = state.light_theme ? "light" : "dark";
  j["presenter"] = state.presenter;
  j["show_equations"] = state.show_equations;
  j["playback"]["steps_per_second"] = state.playback.steps_per_second;
  j["playback"]["loop"] = state.playback.loop;
  j["playback"]["playing"] = state.playback.playing;

  const ReverseState& r = state.reverse;
  OrderedJson reverse;
  write_sampling(reverse, r, true);
  reverse["n_points"] = r.n_points;
  reverse["seed"] = r.seed;
  reverse["field"] = std::string(key_of(r.field));
  reverse["predicted_x0"] = r.predicted_x0;
  reverse["trajectories"] = r.trajectories;
  reverse["posterior"] = r.posterior;
  reverse["tracked"] = r.tracked;
  reverse["training_steps"] = r.training_steps;
  j["reverse"] = std::move(reverse);

  const ImagesState& im = state.images;
  OrderedJson images;
  write_sampling(images, im.sampling, false);
  images["seed"] = im.sampling.seed;
  images["image_count"] = im.image_count;
  images["selected"] = im.selected;
  images["model_path"] = im.model_path;
  j["images"] = std::move(images);
  return j.dump(2) + "\n";
}

namespace {

// Format and version come first in the warnings.
void check_format_and_version(Section& top, Report& report) {
  if (const Json* format = top.get("format")) {
    if (!format->is_string() || format->get<std::string>() != kSceneFormat)
      report.warnings.push_back("format = " + shown_value(*format) + ": expected \"" + kSceneFormat +
                                "\"; read it anyway");
  } else {
    report.warnings.push_back(std::string("no \"format\" key: expected \"") + kSceneFormat + "\"; read it anyway");
  }
  if (const Json* version = top.get("version")) {
    if (!version->is_number_integer() && !version->is_number_unsigned()) {
      report.warnings.push_back("version = " + shown_value(*version) + ": expected an integer; read as version " +
                                std::to_string(kSceneVersion));
    } else if (version->is_number_unsigned() ? version->get<std::uint64_t>() > static_cast<std::uint64_t>(kSceneVersion)
                                             : version->get<std::int64_t>() > kSceneVersion) {
      report.warnings.push_back("written by a newer Diffuscope (version " + version->dump() +
                                "): loaded the settings this version knows");
    } else if (version->get<std::int64_t>() < 1) {
      report.warnings.push_back("version = " + version->dump() + " is not a scene version (1.." +
                                std::to_string(kSceneVersion) + "): read as version " + std::to_string(kSceneVersion));
    }
  } else {
    report.warnings.push_back("no \"version\" key: read as version " + std::to_string(kSceneVersion));
  }
}

void read_reverse_section(Section& top, AppState& state, const AppState& fresh, Report& report) {
  bool usable = true;
  const Json* reverse = object_or_report(top, "reverse", usable);
  if (usable) {
    Section s(reverse, "reverse", report);
    ReverseState& r = state.reverse;
    const ReverseState& f = fresh.reverse;
    read_sampling(s, r, f, true);
    read_into(s, "n_points", r.n_points, f.n_points, int_parser(1, kMaxReversePoints));
    read_into(s, "field", r.field, f.field, key_parser<VectorField>());
    read_into(s, "predicted_x0", r.predicted_x0, f.predicted_x0, bool_parser());
    read_into(s, "trajectories", r.trajectories, f.trajectories, bool_parser());
    read_into(s, "posterior", r.posterior, f.posterior, bool_parser());
    read_tracked(s, r, f);
    read_into(s, "training_steps", r.training_steps, f.training_steps,
              int_parser(kMinTrainingSteps, kMaxTrainingSteps));
  }
  // Tracked points must exist in the (possibly smaller) cloud; the posterior follows the newest.
  ReverseState& r = state.reverse;
  r.tracked.erase(std::remove_if(r.tracked.begin(), r.tracked.end(), [&](int i) { return i < 0 || i >= r.n_points; }),
                  r.tracked.end());
  r.picked = r.tracked.empty() ? -1 : r.tracked.back();
}

void read_images_section(Section& top, AppState& state, const AppState& fresh, const std::string& base_dir,
                         Report& report) {
  bool usable = true;
  const Json* images = object_or_report(top, "images", usable);
  if (usable) {
    Section s(images, "images", report);
    ImagesState& im = state.images;
    const bool gave_steps = read_sampling(s, im.sampling, fresh.images.sampling, false);
    const bool gave_count =
        read_into(s, "image_count", im.image_count, fresh.images.image_count, int_parser(kMinImageCount, kMaxImageCount));
    read_into(s, "selected", im.selected, fresh.images.selected, int_parser(0, kMaxImageCount - 1));
    std::string model_path = im.model_path;
    read_into(s, "model_path", model_path, fresh.images.model_path, string_parser());
    im.model_path = resolve_path(model_path, base_dir);
    // The scene's count and K win over the device's defaults (apply_device_defaults).
    im.device_defaults_applied = gave_steps || gave_count;
  }
  ImagesState& im = state.images;
  if (im.selected >= im.image_count) im.selected = 0;
}

// View and cursor last: they depend on the schedules. `playing` is the scene's playback state
// (set_view pauses).
void read_view_and_cursor(Section& top, AppState& state, const AppState& fresh, bool playing, Report& report) {
  AppView view = state.view;
  read_into(top, "view", view, fresh.view, key_parser<AppView>());
  state.refresh_schedules();
  state.set_view(view);
  // Each view's cursor starts afresh (the previous scene's cursors mean nothing here).
  for (int& saved : state.view_t) saved = -1;
  state.reverse.cursor = ReverseCursor{};
  state.images.sampling.cursor = ReverseCursor{};
  int t = plays_down(view) ? -1 : fresh.t;
  if (const Json* tv = top.get("t")) {
    if (auto parsed = as_int(*tv, "t", 0, state.max_T(), report)) t = static_cast<int>(*parsed);
  }
  if (view == AppView::Reverse) state.reverse.cursor.final_t = t;
  if (view == AppView::Images) state.images.sampling.cursor.final_t = t;
  state.set_cursor(t >= 0 ? t : state.max_T());
  state.playback.playing = playing;
}

}  // namespace

SceneLoad apply_scene_json(const std::string& text, AppState& state, const std::string& source_name,
                           const std::string& base_dir) {
  SceneLoad load;
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::exception& e) {
    load.error = "scene " + source_name + " is not valid JSON: " + strip_json_exception_prefix(e.what());
    return load;
  }
  if (!root.is_object()) {
    load.error = "scene " + source_name + " is not a Diffuscope scene: its top level is " +
                 std::string(root.type_name()) + ", not an object";
    return load;
  }
  load.ok = true;
  Report report;
  const AppState fresh;  // the values of keys a scene leaves out
  {
    Section top(&root, "", report);

    check_format_and_version(top, report);

    read_into(top, "title", state.scene_title, fresh.scene_title, string_parser());
    read_into(top, "notes", state.scene_notes, fresh.scene_notes, string_parser());

    // Schedules first: t's range depends on T.
    bool gave_b = false;
    {
      bool usable = true;
      const Json* schedules = object_or_report(top, "schedules", usable);
      if (usable) {
        Section s(schedules, "schedules", report);
        read_schedule(s, "A", state.a, fresh.a.params);
        gave_b = read_schedule(s, "B", state.b, fresh.b.params);
      }
    }
    read_into(top, "compare", state.compare, fresh.compare, bool_parser());
    read_into(top, "b_flow", state.b_is_flow, fresh.b_is_flow, bool_parser());   // absent: off (older scenes)
    state.b_initialised = gave_b || state.compare;
    read_into(top, "process", state.process, fresh.process,
              key_parser<ForwardProcess>());
    read_into(top, "naive_beta", state.naive_beta, fresh.naive_beta, double_parser(0.0, 1.0, true));
    read_into(top, "dataset", state.dataset, fresh.dataset,
              key_parser<diffusion::Dataset2DKind>());
    read_into(top, "n_points", state.n_points, fresh.n_points, int_parser(1, kMaxForwardPoints));
    read_into(top, "seed", state.seed, fresh.seed, seed_parser());
    read_into(top, "x_axis_fraction", state.x_axis_fraction, fresh.x_axis_fraction, bool_parser());
    read_into(top, "coefficient_tab", state.coefficient_tab, fresh.coefficient_tab, int_parser(0, 2));
    load.image = read_image(top, base_dir);
    read_into(top, "ui_scale", state.ui_scale, fresh.ui_scale, double_parser(kMinUiScale, kMaxUiScale));
    read_into(top, "theme", state.light_theme, fresh.light_theme, [](const Json& v, const std::string& p, Report& r) {
      std::optional<bool> light;
      if (v.is_string() && (v.get<std::string>() == "light" || v.get<std::string>() == "dark"))
        light = v.get<std::string>() == "light";
      else
        r.bad(p, v, "expected one of dark, light");
      return light;
    });
    read_into(top, "presenter", state.presenter, fresh.presenter, bool_parser());
    read_into(top, "show_equations", state.show_equations, fresh.show_equations, bool_parser());

    bool playing = state.playback.playing;
    {
      bool usable = true;
      const Json* playback = object_or_report(top, "playback", usable);
      if (usable) {
        Section s(playback, "playback", report);
        read_into(s, "steps_per_second", state.playback.steps_per_second, fresh.playback.steps_per_second,
                  double_parser(kMinPlaybackSpeed, kMaxPlaybackSpeed));
        read_into(s, "loop", state.playback.loop, fresh.playback.loop, bool_parser());
        read_into(s, "playing", playing, fresh.playback.playing, bool_parser());
      }
    }

    read_drawing_section(top, state, fresh, report);
    read_reverse_section(top, state, fresh, report);

    read_images_section(top, state, fresh, base_dir, report);

    read_view_and_cursor(top, state, fresh, playing, report);
  }  // the top Section reports its unknown keys here

  load.warnings = std::move(report.warnings);
  std::sort(report.unknown_keys.begin(), report.unknown_keys.end());
  if (!report.unknown_keys.empty())
    load.warnings.push_back("unknown keys ignored: " + join_names(report.unknown_keys));
  return load;
}

namespace {

// Scenes nest about 5 levels deep. The JSON parser holds a node per level: 4 MiB of "[[[[" took
// ~300 MB, so deeper text is refused before parsing (brackets inside strings do not count).
constexpr int kMaxSceneNesting = 64;

bool nested_too_deep(const std::string& text) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxSceneNesting) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace

SceneLoad load_scene_file(const std::string& path, AppState& state) {
  SceneLoad load;
  std::error_code ec;
  const fs::path file = fs::u8path(path);
  if (fs::is_directory(file, ec)) {
    load.error = "cannot read scene " + path + ": it is a folder";
    return load;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    load.error = "cannot read scene " + path + ": " + std::strerror(errno);
    return load;
  }
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxSceneFileBytes) {
      load.error = "cannot read scene " + path + ": larger than " + std::to_string(kMaxSceneFileBytes / (1024 * 1024)) +
                   " MiB, not a scene";
      return load;
    }
  }
  if (in.bad()) {
    load.error = "cannot read scene " + path + ": read error";
    return load;
  }
  if (nested_too_deep(text)) {
    load.error = "cannot read scene " + path + ": nested more than " + std::to_string(kMaxSceneNesting) +
                 " levels deep, not a scene";
    return load;
  }
  const fs::path absolute = fs::absolute(file, ec);
  const std::string base_dir = (ec ? file : absolute).parent_path().u8string();
  load = apply_scene_json(text, state, path, base_dir);
  if (load.ok && state.scene_title.empty()) state.scene_title = file.stem().u8string();
  return load;
}

std::string save_scene_file(const std::string& path, const AppState& state) {
  return fileio::write_file_atomically(path, scene_to_json(state));
}

}  // namespace diffuscope::gui
