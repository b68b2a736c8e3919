// write_file_atomically and AtomicFile: the target is replaced whole or not at all, no temporary
// file outlives a write (finished, failed or discarded), and every message names the target.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fileio/atomic_file.hpp"

namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/diffuscope_fileio_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    folder_ = pattern;
  }
  void TearDown() override { fs::remove_all(folder_); }

  std::string file(const std::string& name) const { return (folder_ / name).string(); }
  std::vector<std::string> names() const {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(folder_)) found.push_back(entry.path().filename().string());
    std::sort(found.begin(), found.end());
    return found;
  }
  static std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  static void put(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

  fs::path folder_;
};

TEST_F(AtomicFileTest, WritesANewFileAndReplacesAnOldOneWhole) {
  const std::string path = file("out.bin");
  const std::string bytes("first\0with a zero byte", 22);
  ASSERT_EQ(fileio::write_file_atomically(path, bytes), "");
  EXPECT_EQ(read(path), bytes);
  ASSERT_EQ(fileio::write_file_atomically(path, "second, shorter"), "");
  EXPECT_EQ(read(path), "second, shorter");
  ASSERT_EQ(fileio::write_file_atomically(path, ""), "");
  EXPECT_EQ(read(path), "");
  EXPECT_EQ(names(), std::vector<std::string>{"out.bin"});  // no temporary file left
}

TEST_F(AtomicFileTest, TheTargetIsUntouchedUntilCommit) {
  const std::string path = file("scene.json");
  put(path, "old");
  fileio::AtomicFile out;
  ASSERT_EQ(out.open(path), "");
  const std::string temporary = out.temporary_path();
  EXPECT_EQ(temporary.rfind(path + ".tmp-", 0), 0u) << temporary;
  std::fputs("new contents", out.stream());
  std::fflush(out.stream());
  EXPECT_EQ(read(path), "old");
  EXPECT_EQ(names().size(), 2u);
  ASSERT_EQ(out.commit(), "");
  EXPECT_FALSE(out.is_open());
  EXPECT_EQ(read(path), "new contents");
  EXPECT_FALSE(fs::exists(temporary));
}

TEST_F(AtomicFileTest, DiscardAndDestructionRemoveTheTemporaryFile) {
  const std::string path = file("kept.txt");
  put(path, "previous");
  {
    fileio::AtomicFile out;
    ASSERT_EQ(out.open(path), "");
    std::fputs("abandoned", out.stream());
    out.discard();
    EXPECT_FALSE(out.is_open());
    EXPECT_NE(out.commit(), "");  // nothing left to commit
    ASSERT_EQ(out.open(file("never.txt")), "");
    std::fputs("abandoned too", out.stream());
  }  // destroyed uncommitted
  EXPECT_EQ(names(), std::vector<std::string>{"kept.txt"});
  EXPECT_EQ(read(path), "previous");
}

TEST_F(AtomicFileTest, ConcurrentWritersUseTheirOwnTemporaryFiles) {
  const std::string path = file("shared.txt");
  fileio::AtomicFile first, second;
  ASSERT_EQ(first.open(path), "");
  ASSERT_EQ(second.open(path), "");
  EXPECT_NE(first.temporary_path(), second.temporary_path());
  std::fputs("first", first.stream());
  std::fputs("second", second.stream());
  ASSERT_EQ(second.commit(), "");
  ASSERT_EQ(first.commit(), "");
  EXPECT_EQ(read(path), "first");  // the last rename wins, whole
  EXPECT_EQ(names(), std::vector<std::string>{"shared.txt"});
}

TEST_F(AtomicFileTest, AFailedRenameRemovesTheTemporaryFileAndNamesTheTarget) {
  // A non-empty folder where the file should go: the rename fails (even as root).
  const std::string path = file("taken");
  fs::create_directory(path);
  put(path + "/inside", "x");
  const std::string message = fileio::write_file_atomically(path, "bytes");
  EXPECT_NE(message.find("'" + path + "'"), std::string::npos) << message;
  EXPECT_TRUE(fs::is_directory(path));
  EXPECT_EQ(names(), std::vector<std::string>{"taken"});
}

TEST_F(AtomicFileTest, AnUncreatableTemporaryFileKeepsThePreviousFile) {
  // The longest name a folder takes: the target exists, its temporary name is too long (even as root).
  const std::string path = file(std::string(250, 'n'));
  put(path, "previous");
  const std::string message = fileio::write_file_atomically(path, "new");
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_EQ(read(path), "previous");
  EXPECT_EQ(names().size(), 1u);
}

TEST_F(AtomicFileTest, MissingFolderAndEmptyPathGiveMessages) {
  const std::string path = file("no_such_folder/out.txt");
  const std::string message = fileio::write_file_atomically(path, "bytes");
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("no_such_folder' does not exist"), std::string::npos) << message;
  EXPECT_NE(fileio::write_file_atomically("", "bytes"), "");
  EXPECT_TRUE(names().empty());
}

}  // namespace
