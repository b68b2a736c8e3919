// Issue 7: a checkpoint write killed half-way (SIGKILL) leaves the previous file intact: the
// writer goes through a temporary file and a rename (write_checkpoint), so PATH always holds a
// complete checkpoint, either the one before the killed write or the one after it.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "diffusion/checkpoint.hpp"
#include "../support/kill_during_write.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

TEST(CheckpointKill, WriteKilledHalfWayLeavesThePreviousFileIntact) {
  const fs::path dir = fs::temp_directory_path() / ("diffuscope_kill_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "model.ckpt").string();
  diffusion::write_checkpoint(path, "{\"version\": 0}", {{"values", torch::zeros({1 << 21})}});

  namespace support = diffuscope::test_support;
  const auto writing = [&] { return !support::files_starting_with(dir, "model.ckpt.tmp-").empty(); };
  int interrupted_writes = 0;
  for (int round = 0; round < 8; ++round) {
    // Even rounds: kill during the first write. Odd rounds: during a write after one completed.
    const std::uintmax_t before = support::inode_of(path);
    const auto kill_now = [&] {
      return writing() && (round % 2 == 0 || support::inode_of(path) != before);
    };
    ASSERT_TRUE(support::run_and_kill({CHECKPOINT_WRITE_VICTIM, path}, kill_now, 60s))
        << "round " << round << ": the writer did not start, or wrote nothing in 60 s";
    // A killed write leaves its temporary file; the target is a complete checkpoint regardless.
    const auto leftovers = support::files_starting_with(dir, "model.ckpt.tmp-");
    if (!leftovers.empty()) ++interrupted_writes;
    for (const auto& leftover : leftovers) fs::remove(leftover);

    diffusion::CheckpointContents contents;
    ASSERT_NO_THROW(contents = diffusion::read_checkpoint(path)) << "round " << round;
    const long version = nlohmann::json::parse(contents.metadata_json).at("version").get<long>();
    const torch::Tensor& values = contents.tensors.at("values");
    ASSERT_EQ(values.numel(), 1 << 21);
    // Every value is the version the metadata names: no mix of two writes.
    EXPECT_EQ(values.min().item<float>(), static_cast<float>(version)) << "round " << round;
    EXPECT_EQ(values.max().item<float>(), static_cast<float>(version)) << "round " << round;
    // Odd rounds: the write that completed before the kill is the file now.
    if (round % 2 == 1) EXPECT_GE(version, 1) << "round " << round;
  }
  // The test proves something only if the kills really landed inside writes.
  EXPECT_GE(interrupted_writes, 6) << "kills that interrupted a write, of 8";
  fs::remove_all(dir);
}

}  // namespace
