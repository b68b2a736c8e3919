#include "diffusion/version.hpp"

#ifndef DIFFUSCOPE_VERSION
#define DIFFUSCOPE_VERSION "unknown"
#endif

namespace diffusion {

const char* diffuscope_version() { return DIFFUSCOPE_VERSION; }

}  // namespace diffusion
