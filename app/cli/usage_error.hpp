#pragma once
// A mistake in what the user typed (a flag out of range, an unknown name). The dispatcher prints
// its message and exits with code 2, like every other user-caused error.
#include <stdexcept>

namespace diffuscope::cli {

class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace diffuscope::cli
