// diffuscope: with no command (or `gui`) opens the lecture window; otherwise a headless CLI command.
#include "cli/cli.hpp"
#include "gui/lecture/gui_options.hpp"

#ifdef DIFFUSCOPE_HAS_GUI
#include "gui/shell/gui_main.hpp"
#endif

#include <iostream>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

int main(int argc, char** argv) {
#if defined(__GLIBC__)
  // glibc returns every freed block of 128 KiB or more to the kernel, so each LibTorch step that
  // allocates a [2000, 64] activation pays for fresh page faults: measured 8x slower training and
  // 6x slower MLP forwards on these VMs. Keep such blocks in the heap instead.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
  diffuscope::cli::GuiLauncher launch_gui = nullptr;
#ifdef DIFFUSCOPE_HAS_GUI
  launch_gui = &diffuscope::gui::run_gui;
#endif
  return diffuscope::cli::run(argc, argv, launch_gui);
}
