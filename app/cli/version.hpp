#pragma once
// What `diffuscope --version` prints.
#include <string>

namespace diffuscope::cli {

// "diffuscope 0.1.0 (with GUI)" or "(no GUI: ...)", then LibTorch's runtime line.
std::string version_text(bool has_gui);

}  // namespace diffuscope::cli
