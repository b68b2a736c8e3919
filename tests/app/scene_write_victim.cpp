// For SceneKill (test_scene_kill.cpp): saves one scene forever with save_scene_file, version 1,
// 2, ..., each titled "version N" with 256 KiB of notes ending in N, until the test kills it with
// SIGKILL. Usage: scene_write_victim PATH
#include <cstdio>
#include <string>

#include "gui/state/app_state.hpp"
#include "gui/lecture/scene.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: scene_write_victim PATH\n");
    return 2;
  }
  diffuscope::gui::AppState state;
  for (long version = 1;; ++version) {
    state.scene_title = "version " + std::to_string(version);
    state.scene_notes = std::string(256 * 1024, 'n') + std::to_string(version);
    const std::string error = diffuscope::gui::save_scene_file(argv[1], state);
    if (!error.empty()) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 1;
    }
  }
}
