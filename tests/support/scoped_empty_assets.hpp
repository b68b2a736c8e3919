#pragma once
// Points the shipped-asset lookup (DIFFUSCOPE_ASSETS, diffusion/assets.hpp) at an empty folder
// with an empty models/ inside, for the object's lifetime: tests that need "no shipped model" or
// "only the models trained here". Restores the previous value (or its absence) and removes the
// folder afterwards. Not thread-safe (environment): construct before starting workers.
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace diffuscope::test_support {

class ScopedEmptyAssets {
 public:
  ScopedEmptyAssets() {
    dir_ = std::filesystem::temp_directory_path() /
           ("diffuscope_empty_assets_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_ / "models");
    if (const char* old = std::getenv("DIFFUSCOPE_ASSETS")) old_ = old, had_old_ = true;
    ::setenv("DIFFUSCOPE_ASSETS", dir_.c_str(), 1);
  }
  ~ScopedEmptyAssets() {
    if (had_old_) ::setenv("DIFFUSCOPE_ASSETS", old_.c_str(), 1);
    else ::unsetenv("DIFFUSCOPE_ASSETS");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScopedEmptyAssets(const ScopedEmptyAssets&) = delete;
  ScopedEmptyAssets& operator=(const ScopedEmptyAssets&) = delete;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
  std::string old_;
  bool had_old_ = false;
};

}  // namespace diffuscope::test_support
