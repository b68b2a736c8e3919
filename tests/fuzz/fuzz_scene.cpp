// Scenes: apply_scene_json on arbitrary bytes, each time on a fresh AppState (as a lecturer's
// "open scene" does after a restart). Besides "no crash", a loaded state must survive its own
// round trip: the scene written from it loads back without a warning and writes the same text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "gui/lecture/scene.hpp"

namespace {

[[noreturn]] void property_failed(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_scene: %s\n%s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace diffuscope::gui;
  if (size > kMaxSceneFileBytes) return 0;  // load_scene_file refuses such files before parsing
  const std::string text(reinterpret_cast<const char*>(data), size);
  AppState state;
  const SceneLoad load = apply_scene_json(text, state, "fuzz.json", "/fuzz-base");
  if (load.ok != load.error.empty()) property_failed("ok and error disagree", load.error);
  if (!load.ok) return 0;

  const std::string written = scene_to_json(state);
  AppState again;
  const SceneLoad reload = apply_scene_json(written, again, "written.json", "/fuzz-base");
  if (!reload.ok) property_failed("a written scene does not load", reload.error + "\n" + written);
  if (!reload.warnings.empty())
    property_failed("a written scene loads with warnings", reload.warnings.front() + "\n" + written);
  const std::string rewritten = scene_to_json(again);
  if (rewritten != written) property_failed("the round trip changes the scene", written + "\n----\n" + rewritten);
  return 0;
}
