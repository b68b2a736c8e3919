// stb_image's implementation, compiled here with the fuzzer's instrumentation (the app links
// Debian's prebuilt libstb.so instead).
#define STB_IMAGE_IMPLEMENTATION
#include <stb_image.h>
