#include "cli/command_line.hpp"

#include <cctype>

namespace diffuscope::cli {

namespace {

bool needs_quotes(const std::string& arg) {
  if (arg.empty()) return true;
  for (unsigned char c : arg) {
    if (!std::isalnum(c) && std::string("_-./=:,+@%").find(static_cast<char>(c)) == std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string shell_command_line(int argc, const char* const* argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i] != nullptr ? argv[i] : "";
    if (i > 0) line += ' ';
    if (!needs_quotes(arg)) {
      line += arg;
      continue;
    }
    line += '\'';
    for (char c : arg) {
      if (c == '\'') {
        line += "'\\''";  // close the quote, an escaped quote, reopen
      } else {
        line += c;
      }
    }
    line += '\'';
  }
  return line;
}

}  // namespace diffuscope::cli
