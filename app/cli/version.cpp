#include "cli/version.hpp"

#include <exception>

#include "diffusion/device.hpp"
#include "diffusion/version.hpp"


namespace diffuscope::cli {

std::string version_text(bool has_gui) {
  std::string text = std::string("diffuscope ") + diffusion::diffuscope_version() +
                     (has_gui ? " (with GUI)" : " (no GUI: configured with -DDIFFUSCOPE_GUI=OFF)");
  try {
    diffusion::configure_threads();
    text += "\n" + diffusion::describe_runtime(diffusion::pick_device("auto"));
  } catch (const std::exception& e) {
    text += std::string("\nLibTorch runtime unavailable: ") + e.what();
  }
  return text;
}

}  // namespace diffuscope::cli
