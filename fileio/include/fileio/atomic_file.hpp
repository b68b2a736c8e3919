#pragma once
// Writing a file so that a reader, a crash or a kill -9 half-way only ever leaves the old file or
// the new one, never part of one. The bytes go to a fresh temporary file beside the target,
// "<path>.tmp-<pid>-<n>": the same folder, so the rename is atomic; the process id and a
// process-wide counter keep concurrent writers apart, and O_EXCL skips a name some earlier process
// left behind. The temporary file is flushed to disk, then renamed over the target. A failure
// removes the temporary file and leaves the target as it was.
//
// Every message names the target: "cannot write '<path>': <why>". POSIX; no LibTorch, no GL.
#include <cstdio>
#include <string>
#include <string_view>

namespace fileio {

// Writes `bytes` to `path` atomically. Returns "" on success, else a message naming `path`.
std::string write_file_atomically(const std::string& path, std::string_view bytes);

// The same for a file written piece by piece (a GIF, frame by frame): open() creates the temporary
// file, stream() takes the writes, commit() renames it over the target. Until then the target is
// untouched; discard(), a failed commit or destroying an uncommitted AtomicFile removes the
// temporary file.
class AtomicFile {
 public:
  AtomicFile() = default;
  ~AtomicFile();  // uncommitted: discard()
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;

  // Creates the temporary file for `path` (discarding one this object still holds). Returns "" on
  // success, else a message naming `path` (e.g. "the folder '<folder>' does not exist").
  std::string open(const std::string& path);

  // Buffered output to the temporary file; nullptr when not open. Callers check their writes.
  std::FILE* stream() const { return stream_; }
  bool is_open() const { return stream_ != nullptr; }

  // Flushes the stream, syncs the temporary file to disk, closes it and renames it over the target.
  // Returns "" on success, else a message naming the target (the temporary file is removed).
  std::string commit();

  // Closes and removes the temporary file; the target stays as it was.
  void discard();

  const std::string& path() const { return path_; }
  const std::string& temporary_path() const { return temporary_path_; }

 private:
  std::string path_;
  std::string temporary_path_;
  std::FILE* stream_ = nullptr;
};

}  // namespace fileio
