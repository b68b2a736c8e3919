#pragma once
// Issue 7: a checkpoint or scene write killed half-way (kill -9) must leave the previous file
// intact. These helpers start a writer process that rewrites one file in a loop, kill it with
// SIGKILL at a chosen moment (while a write is under way), and list the temporary files it left behind (each one is a write that
// the kill interrupted). POSIX only.
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace diffuscope::test_support {

// Starts argv[0] with `argv`, polls `kill_now` about every 0.2 ms and kills the process with
// SIGKILL as soon as it returns true, then reaps it. Returns false when the process could not be
// started, ended by itself (it should loop forever), or `kill_now` stayed false for `timeout`.
inline bool run_and_kill(const std::vector<std::string>& argv, const std::function<bool()>& kill_now,
                         std::chrono::milliseconds timeout) {
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return false;
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  bool fired = false;
  int status = 0;
  bool exited = false;
  while (std::chrono::steady_clock::now() < give_up) {
    if (kill_now()) {
      fired = true;
      break;
    }
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  return fired && !exited && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

// The file's inode number (0 when missing): a rename over it gives it a new one.
inline std::uintmax_t inode_of(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? static_cast<std::uintmax_t>(info.st_ino) : 0;
}

// Files in `dir` whose names start with `prefix`.
inline std::vector<std::filesystem::path> files_starting_with(const std::filesystem::path& dir,
                                                              const std::string& prefix) {
  std::vector<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) found.push_back(entry.path());
  }
  return found;
}

}  // namespace diffuscope::test_support
