#pragma once
// The command line as typed, for records (checkpoint metadata): argv joined with spaces, each
// argument single-quoted for a POSIX shell where it needs it, so that it can be pasted back.
#include <string>

namespace diffuscope::cli {

std::string shell_command_line(int argc, const char* const* argv);

}  // namespace diffuscope::cli
