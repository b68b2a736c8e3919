// Issue 7: a scene save killed half-way (SIGKILL) leaves the previous file intact: save_scene_file
// writes a temporary file beside PATH (PATH.tmp-...) and renames it over PATH, so PATH always holds
// one complete scene.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "../support/kill_during_write.hpp"
#include "gui/state/app_state.hpp"
#include "gui/lecture/scene.hpp"

namespace diffuscope::gui {
namespace {

namespace fs = std::filesystem;

TEST(SceneKill, SaveKilledHalfWayLeavesThePreviousFileIntact) {
  const fs::path dir = fs::temp_directory_path() / ("diffuscope_scene_kill_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "lecture.json").string();
  AppState first;
  first.scene_title = "version 0";
  first.scene_notes = "0";
  ASSERT_EQ(save_scene_file(path, first), "");

  int interrupted_saves = 0;
  for (int round = 0; round < 12; ++round) {
    // Even rounds: kill during the first save. Odd rounds: during a save after one completed.
    const std::uintmax_t before = test_support::inode_of(path);
    const auto saving = [&] { return !test_support::files_starting_with(dir, "lecture.json.tmp-").empty(); };
    const auto kill_now = [&] { return saving() && (round % 2 == 0 || test_support::inode_of(path) != before); };
    ASSERT_TRUE(test_support::run_and_kill({SCENE_WRITE_VICTIM, path}, kill_now, std::chrono::seconds(60)))
        << "round " << round << ": the writer did not start, or saved nothing in 60 s";
    // The killed save's temporary file is left behind.
    const auto leftovers = test_support::files_starting_with(dir, "lecture.json.tmp-");
    if (!leftovers.empty()) ++interrupted_saves;
    for (const auto& leftover : leftovers) fs::remove(leftover);
    AppState loaded;
    const SceneLoad load = load_scene_file(path, loaded);
    ASSERT_TRUE(load.ok) << "round " << round << ": " << load.error;
    EXPECT_TRUE(load.warnings.empty()) << "round " << round << ": " << load.warnings.front();
    // Title and notes come from the same save: "version N" with notes ending in N.
    ASSERT_EQ(loaded.scene_title.rfind("version ", 0), 0u) << loaded.scene_title;
    const std::string version = loaded.scene_title.substr(8);
    const std::string& notes = loaded.scene_notes;
    ASSERT_GE(notes.size(), version.size());
    EXPECT_EQ(notes.substr(notes.size() - version.size()), version) << "round " << round;
    if (version != "0") EXPECT_EQ(notes.size(), 256u * 1024u + version.size()) << "round " << round;
    // Odd rounds: the save that completed before the kill is the file now.
    if (round % 2 == 1) EXPECT_NE(version, "0") << "round " << round;
  }
  // The test proves something only if the kills really landed inside saves (a 256 KiB save is
  // short, so a kill can still come just after its rename).
  EXPECT_GE(interrupted_saves, 3) << "kills that interrupted a save, of 12";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace diffuscope::gui
