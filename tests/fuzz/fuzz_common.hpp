#pragma once
// Helpers shared by the fuzz targets: a per-process temporary file (for loaders that take a path)
// and a stream buffer that swallows output (help texts, CSV, warnings).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <streambuf>
#include <string>

namespace fuzz {

// One file per process, rewritten for every input: in /dev/shm when it exists (no disk I/O).
inline const std::string& temp_path(const char* suffix) {
  static const std::string path = [suffix] {
    const char* dir = std::getenv("FUZZ_TMPDIR");
    std::string folder = dir ? dir : (access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    return folder + "/diffuscope-fuzz-" + std::to_string(getpid()) + suffix;
  }();
  return path;
}

inline void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();  // the harness, not the code under test, is broken
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
}

// Removes the temporary file when the fuzzer exits normally.
struct TempFileCleanup {
  std::string path;
  ~TempFileCleanup() { std::remove(path.c_str()); }
};

class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c == EOF ? 0 : c; }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

}  // namespace fuzz
