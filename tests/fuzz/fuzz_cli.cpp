// The command line: cli::parse_only on arbitrary arguments (input split at NUL bytes). It parses
// like `diffuscope` and validates the `gui` flags, but never opens a window nor runs a headless
// command (they validate as they work: training or sampling has no place in a fuzzer).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Help texts and error messages would flood the fuzzer's log.
  static fuzz::NullBuffer null;
  std::cout.rdbuf(&null);
  std::cerr.rdbuf(&null);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kMaxArgs = 64;
  std::vector<std::string> args = {"diffuscope"};
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
      if (args.size() > kMaxArgs) return 0;
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  if (size > 0) args.push_back(current);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int code = diffuscope::cli::parse_only(static_cast<int>(args.size()), argv.data());
  if (code != 0 && code != 2) std::abort();  // 0 or the usage-error code, nothing else
  return 0;
}
