#include "fileio/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

namespace fileio {
namespace {

std::string failure(const std::string& path, const std::string& why) {
  return "cannot write '" + path + "': " + why;
}

std::string folder_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

AtomicFile::~AtomicFile() { discard(); }

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)),
      temporary_path_(std::move(other.temporary_path_)),
      stream_(std::exchange(other.stream_, nullptr)) {
  other.temporary_path_.clear();
}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    discard();
    path_ = std::move(other.path_);
    temporary_path_ = std::move(other.temporary_path_);
    other.temporary_path_.clear();
    stream_ = std::exchange(other.stream_, nullptr);
  }
  return *this;
}

std::string AtomicFile::open(const std::string& path) {
  discard();
  path_ = path;
  if (path.empty()) return "cannot write a file: the path is empty";
  static std::atomic<unsigned long> counter{0};
  int fd = -1;
  std::string candidate;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    candidate = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
    // 0666 less the umask: the permissions a plain fopen would give the file.
    fd = ::open(candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) {
      if (errno == ENOENT) return failure(path, "the folder '" + folder_of(path) + "' does not exist");
      return failure(path, "cannot create the temporary file '" + candidate + "': " + std::strerror(errno));
    }
  }
  if (fd < 0) return failure(path, "cannot find a free temporary file name beside it");
  stream_ = ::fdopen(fd, "wb");
  if (stream_ == nullptr) {
    const int fdopen_errno = errno;
    ::close(fd);
    std::remove(candidate.c_str());
    return failure(path, std::string("cannot open the temporary file: ") + std::strerror(fdopen_errno));
  }
  temporary_path_ = candidate;
  return {};
}

std::string AtomicFile::commit() {
  if (stream_ == nullptr) return failure(path_, "no temporary file is open");
  std::FILE* stream = std::exchange(stream_, nullptr);
  int error = 0;
  errno = 0;  // ferror() alone (an earlier write failed) leaves no errno of its own
  if (std::fflush(stream) != 0 || std::ferror(stream)) error = errno != 0 ? errno : EIO;
  // On disk before the rename: after a crash the target holds the old bytes or all the new ones.
  if (error == 0 && ::fsync(::fileno(stream)) != 0) error = errno;
  if (std::fclose(stream) != 0 && error == 0) error = errno;
  if (error != 0) {
    const std::string message = failure(path_, "writing '" + temporary_path_ + "' failed: " + std::strerror(error));
    discard();
    return message;
  }
  if (std::rename(temporary_path_.c_str(), path_.c_str()) != 0) {
    const std::string message = failure(path_, std::string("cannot replace it: ") + std::strerror(errno));
    discard();
    return message;
  }
  temporary_path_.clear();
  return {};
}

void AtomicFile::discard() {
  if (stream_ != nullptr) std::fclose(std::exchange(stream_, nullptr));
  if (!temporary_path_.empty()) {
    std::remove(temporary_path_.c_str());
    temporary_path_.clear();
  }
}

std::string write_file_atomically(const std::string& path, std::string_view bytes) {
  AtomicFile file;
  if (std::string error = file.open(path); !error.empty()) return error;
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file.stream()) != bytes.size()) {
    const std::string message =
        failure(path, "writing '" + file.temporary_path() + "' failed: " + std::strerror(errno));
    file.discard();
    return message;
  }
  return file.commit();
}

}  // namespace fileio
