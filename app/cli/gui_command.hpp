#pragma once
// `diffuscope gui` (also what `diffuscope` with no command runs): flags into gui::GuiOptions,
// checked before the window opens.
#include "cli/cli.hpp"
#include "cli/command.hpp"
#include "gui/lecture/gui_options.hpp"

namespace diffuscope::cli {

// Parses "WxH" (e.g. "1280x800") within sane window bounds; throws UsageError naming --size.
void parse_window_size(const std::string& text, int& width, int& height);

// Throws UsageError naming the first bad flag.
void validate_gui_options(const gui::GuiOptions& options);
// --scene: an existing file, else a shipped scene (assets/scenes) by number ("3", "03"), file stem
// ("03-linear-vs-cosine") or name without the number ("linear-vs-cosine"). Throws UsageError
// listing the shipped scenes when none matches.
std::string resolve_scene(const std::string& name);

// The returned run() validates, then calls launch_gui, or prints that this build has no GUI and
// returns 2 when launch_gui is nullptr.
Command add_gui_command(CLI::App& app, GuiLauncher launch_gui);

}  // namespace diffuscope::cli
