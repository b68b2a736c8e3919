#include "gui/state/caption_forms.hpp"

namespace diffuscope::gui {

namespace {

std::string replace_every(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// "#2 DDIM η=0.33" without the word after "#2"; "" when the form has no such word.
std::string without_sampler_name(const std::string& form) {
  if (form.rfind('#', 0) != 0) return "";
  const auto name_start = form.find(' ');
  if (name_start == std::string::npos) return "";
  const auto name_end = form.find(' ', name_start + 1);
  if (name_end == std::string::npos) return "";
  return form.substr(0, name_start) + form.substr(name_end);
}

}  // namespace

std::vector<std::string> panel_label_forms(const std::string& label) {
  std::vector<std::string> forms = {label};
  auto add = [&](const std::string& form) {
    if (!form.empty() && form != forms.back() && form.size() <= forms.back().size()) forms.push_back(form);
  };
  std::string tight = replace_every(replace_every(replace_every(label, " = ", "="), " · ", "·"), "  ", " ");
  add(tight);
  // A guided panel ("#3 class 0·w=3·σ²=β̃·…"): what differs is w, so the parts go from the end down
  // to "#3 class 0·w=3", then "#3 w=3".
  if (const auto space = tight.find(' '); tight.rfind('#', 0) == 0 && tight.compare(space + 1, 6, "class ") == 0) {
    for (auto dot = tight.rfind("·"); dot != std::string::npos && tight.find("·") != dot; dot = tight.rfind("·")) {
      tight = tight.substr(0, dot);
      add(tight);
    }
    const auto w = tight.find("w=");
    if (w != std::string::npos) add(tight.substr(0, space + 1) + tight.substr(w));
    return forms;
  }
  const auto last_dot = tight.rfind("·");
  if (last_dot == std::string::npos) {
    add(without_sampler_name(tight));
    return forms;
  }
  tight = tight.substr(0, last_dot);
  add(tight);
  add(without_sampler_name(tight));
  const auto first_dot = tight.rfind("·");
  if (first_dot != std::string::npos) {
    const std::string first = tight.substr(0, first_dot);
    add(first);
    add(without_sampler_name(first));
  }
  return forms;
}

}  // namespace diffuscope::gui
