// Checkpoints: an exact round trip, and every kind of damaged or mismatched file refused with a
// message that names the file and the problem.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "diffusion/checkpoint.hpp"
#include "point_model_test_util.hpp"

using namespace diffusion;
namespace fs = std::filesystem;

namespace {

class Checkpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("diffuscope-checkpoint-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    model_ = diffusion::test::random_point_model(61, PointModelConfig{4, 8, 16, 2});
    metadata_.model = model_->config();
    metadata_.dataset = "moons";
    metadata_.target = PredictionTarget::X0;  // not the struct default: the round trip must carry it
    metadata_.log_snr_min = -20;
    metadata_.log_snr_max = 14;
    metadata_.seed = 18446744073709551615ull;  // the largest seed must survive JSON
    metadata_.steps = 1234;
    metadata_.final_loss = 0.4321;
    metadata_.batch_size = 1024;
    metadata_.learning_rate = 2e-3;
    metadata_.library_version = checkpoint_library_version();
    metadata_.command = "diffuscope train --name moons --steps 1234 --out moons.ckpt";
    metadata_.created_utc = utc_timestamp();
    good_ = path("moons.ckpt");
    save_point_model(good_, model_, metadata_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::vector<char> bytes_of(const std::string& file) const {
    std::ifstream in(file, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), {});
  }
  std::string write_bytes(const std::string& name, const std::vector<char>& bytes) const {
    const auto file = path(name);
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return file;
  }
  // The load error's message (empty if the load succeeded).
  std::string load_error(const std::string& file, const std::string& dataset = "") const {
    try {
      load_point_model(file, torch::kCPU, dataset);
    } catch (const CheckpointError& e) {
      return e.what();
    }
    return "";
  }
  // Re-writes the good checkpoint's tensors with altered metadata (a valid container).
  std::string with_metadata(const std::string& name, const nlohmann::json& metadata) const {
    const auto contents = read_checkpoint(good_);
    const auto file = path(name);
    write_checkpoint(file, metadata.dump(), contents.tensors);
    return file;
  }
  nlohmann::json good_metadata() const { return nlohmann::json::parse(read_checkpoint(good_).metadata_json); }

  fs::path dir_;
  PointModel model_{nullptr};
  PointCheckpointMetadata metadata_;
  std::string good_;
};

void expect_contains(const std::string& message, const std::string& part) {
  EXPECT_NE(message.find(part), std::string::npos) << "'" << message << "' lacks '" << part << "'";
}

}  // namespace

TEST_F(Checkpoint, RoundTripGivesTheSameOutputsAndMetadata) {
  auto loaded = load_point_model(good_, torch::kCPU, "moons");
  EXPECT_FALSE(loaded.model->is_training());
  EXPECT_EQ(loaded.model->config(), model_->config());
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({200, 2});
  for (double lambda : {-12.0, 0.0, 9.0})
    EXPECT_TRUE(torch::equal(loaded.model->forward(x, torch::full({1}, lambda)),
                             model_->forward(x, torch::full({1}, lambda))));
  const auto& m = loaded.metadata;
  EXPECT_EQ(m.kind, "point-model");
  EXPECT_EQ(m.target, metadata_.target);
  EXPECT_EQ(m.dataset, "moons");
  EXPECT_EQ(m.seed, metadata_.seed);
  EXPECT_EQ(m.steps, 1234);
  EXPECT_EQ(m.final_loss, 0.4321);
  EXPECT_EQ(m.batch_size, 1024);
  EXPECT_EQ(m.learning_rate, 2e-3);
  EXPECT_EQ(m.log_snr_min, -20);
  EXPECT_EQ(m.log_snr_max, 14);
  EXPECT_EQ(m.command, metadata_.command);
  EXPECT_EQ(m.created_utc, metadata_.created_utc);
  expect_contains(m.library_version, "LibTorch");
  // The write went through a temporary file that is gone now.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir_)) ++files, (void)entry;
  EXPECT_EQ(files, 1);
}

TEST_F(Checkpoint, OverwritingReplacesTheFile) {
  auto other = diffusion::test::random_point_model(62, model_->config());
  save_point_model(good_, other, metadata_);
  const auto loaded = load_point_model(good_, torch::kCPU);
  EXPECT_TRUE(torch::equal(loaded.model->parameters()[0], other->parameters()[0]));
}

TEST_F(Checkpoint, TruncatedFilesAreRefusedAtEveryCut) {
  const auto bytes = bytes_of(good_);
  const std::size_t size = bytes.size();
  // Inside the magic, after it, inside the metadata length, inside the metadata, inside tensor
  // data, just before the checksum, inside the checksum.
  for (std::size_t cut : {std::size_t{5}, std::size_t{16}, std::size_t{22}, std::size_t{60}, size / 2,
                          size - 8, size - 3}) {
    const auto file = write_bytes("cut.ckpt", std::vector<char>(bytes.begin(), bytes.begin() + cut));
    const auto message = load_error(file);
    expect_contains(message, file);
    expect_contains(message, "truncated");
  }
}

TEST_F(Checkpoint, FlippedBytesFailTheChecksum) {
  const auto bytes = bytes_of(good_);
  for (std::size_t at : {std::size_t{40}, bytes.size() / 2, bytes.size() - 20}) {
    auto damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    const auto file = write_bytes("flipped.ckpt", damaged);
    const auto message = load_error(file);
    expect_contains(message, "checksum mismatch");
    expect_contains(message, file);
  }
}

TEST_F(Checkpoint, WrongMagicAndVersionAreRefused) {
  auto bytes = bytes_of(good_);
  auto wrong_magic = bytes;
  wrong_magic[0] = 'X';
  expect_contains(load_error(write_bytes("magic.ckpt", wrong_magic)), "not a Diffuscope checkpoint");
  auto wrong_version = bytes;
  wrong_version[16] = 2;   // u32 little-endian right after the 16-byte magic
  expect_contains(load_error(write_bytes("version.ckpt", wrong_version)), "format version 2 is not supported");
  // Some other file entirely.
  expect_contains(load_error(write_bytes("text.ckpt", {'h', 'e', 'l', 'l', 'o'})), "not a Diffuscope checkpoint");
}

TEST_F(Checkpoint, EmptyMissingAndDirectoryPathsAreRefused) {
  expect_contains(load_error(write_bytes("empty.ckpt", {})), "empty");
  const auto missing = path("missing.ckpt");
  const auto message = load_error(missing);
  expect_contains(message, missing);
  expect_contains(message, "no such file");
  expect_contains(load_error(dir_.string()), "directory");
}

TEST_F(Checkpoint, AbsurdSizesAreRefusedWithoutAllocating) {
  auto bytes = bytes_of(good_);
  // Metadata length 2^60.
  auto huge_metadata = bytes;
  huge_metadata[20 + 7] = 0x10;
  expect_contains(load_error(write_bytes("meta.ckpt", huge_metadata)), "truncated");
  // A container with one tensor whose sizes multiply to far more than the file holds.
  std::vector<char> crafted(bytes.begin(), bytes.begin() + 20);
  const auto put = [&](std::uint64_t value, int count) {
    for (int i = 0; i < count; ++i) crafted.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  };
  put(2, 8);
  crafted.push_back('{');
  crafted.push_back('}');
  put(1, 8);                      // one tensor
  put(1, 4);
  crafted.push_back('w');         // named "w"
  put(3, 4);                      // rank 3
  for (int d = 0; d < 3; ++d) put(std::uint64_t{1} << 40, 8);
  expect_contains(load_error(write_bytes("dims.ckpt", crafted)), "truncated");
  // A tensor count no file could hold.
  std::vector<char> counted(crafted.begin(), crafted.begin() + 30);
  crafted = counted;
  put(std::uint64_t{1} << 50, 8);
  expect_contains(load_error(write_bytes("count.ckpt", crafted)), "tensors");
}

// Bad files cost bounded memory (issue 14): every allocation is bounded by the file's size (at
// most 256 MiB), and the metadata, which a JSON parser may blow up ~75-fold, by 1 MiB. Metadata of
// 1 MiB + 1 byte that is all there (not truncated) is refused before it is parsed.
TEST_F(Checkpoint, MetadataOverOneMebibyteIsRefusedBeforeParsing) {
  const auto bytes = bytes_of(good_);
  std::vector<char> crafted(bytes.begin(), bytes.begin() + 20);  // magic + version
  const std::uint64_t size = (std::uint64_t{1} << 20) + 1;
  for (int i = 0; i < 8; ++i) crafted.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
  crafted.push_back('[');
  crafted.insert(crafted.end(), size - 1, ']');
  crafted.insert(crafted.end(), 16, '\0');  // tensor count 0 and a checksum, never reached
  expect_contains(load_error(write_bytes("big-metadata.ckpt", crafted)),
                  "has 1048577 bytes of metadata, more than the 1048576 a checkpoint may hold");
}

// Found by tests/fuzz/fuzz_checkpoint (tests/fuzz/regressions/fuzz_checkpoint/crash-zero-size-tensor-memcpy,
// read with its checksum fixed): a tensor with a zero size made the reader memcpy 0 bytes into the
// null data pointer of an empty tensor, which is undefined behaviour (UBSan aborts on it). Below is
// that input cut to what triggers it: "{}" as metadata and one tensor "w" of shape [3, 0]. Such a
// tensor is well formed: the container reads it, and the point model loader then refuses the file.
TEST_F(Checkpoint, ZeroSizedTensorReadsAsEmpty) {
  const auto bytes = bytes_of(good_);
  std::vector<char> crafted(bytes.begin(), bytes.begin() + 20);  // magic and format version
  const auto put = [&](std::uint64_t value, int count) {
    for (int i = 0; i < count; ++i) crafted.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  };
  put(2, 8);
  crafted.push_back('{');
  crafted.push_back('}');
  put(1, 8);  // one tensor
  put(1, 4);
  crafted.push_back('w');
  put(2, 4);  // rank 2: [3, 0]
  put(3, 8);
  put(0, 8);
  // FNV-1a 64 of everything so far (offset basis and prime from the algorithm's definition).
  std::uint64_t hash = 14695981039346656037ull;
  for (char c : crafted) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  put(hash, 8);
  const auto file = write_bytes("zero-size.ckpt", crafted);
  const auto contents = read_checkpoint(file);
  ASSERT_EQ(contents.tensors.size(), 1u);
  EXPECT_EQ(contents.tensors.at("w").sizes(), torch::IntArrayRef({3, 0}));
  expect_contains(load_error(file), "metadata field 'kind' is missing");
}

TEST_F(Checkpoint, MetadataFieldsAreCheckedByNameAndType) {
  auto missing = good_metadata();
  missing.erase("steps");
  expect_contains(load_error(with_metadata("missing.ckpt", missing)), "metadata field 'steps' is missing");
  auto wrong_type = good_metadata();
  wrong_type["final_loss"] = "small";
  expect_contains(load_error(with_metadata("type.ckpt", wrong_type)), "'final_loss' must be a number");
  auto wrong_model = good_metadata();
  wrong_model["model"]["hidden"] = "sixteen";
  expect_contains(load_error(with_metadata("model.ckpt", wrong_model)), "'hidden' must be an integer");
  auto negative_seed = good_metadata();
  negative_seed["seed"] = -1;
  expect_contains(load_error(with_metadata("seed.ckpt", negative_seed)), "'seed'");
  auto wrong_kind = good_metadata();
  wrong_kind["kind"] = "image-eps-model";
  expect_contains(load_error(with_metadata("kind.ckpt", wrong_kind)), "image-eps-model");
  expect_contains(load_error(with_metadata("kind.ckpt", wrong_kind)), "it is an image model");
  auto bad_target = good_metadata();
  bad_target["target"] = "score";
  expect_contains(load_error(with_metadata("target.ckpt", bad_target)), "'target' = 'score' is not one of eps, x0, v");
  auto no_target = good_metadata();
  no_target.erase("target");
  expect_contains(load_error(with_metadata("no-target.ckpt", no_target)), "metadata field 'target' is missing");
  // Written before targets existed: kind "point-eps-model" and no target field mean eps.
  auto legacy = good_metadata();
  legacy["kind"] = "point-eps-model";
  legacy.erase("target");
  EXPECT_EQ(load_point_model(with_metadata("legacy.ckpt", legacy), torch::kCPU).metadata.target, PredictionTarget::Eps);
  expect_contains(load_error(with_metadata("array.ckpt", nlohmann::json::array())), "JSON object");
  // Not JSON at all (the container itself is intact).
  const auto contents = read_checkpoint(good_);
  write_checkpoint(path("garbage.ckpt"), "{not json", contents.tensors);
  expect_contains(load_error(path("garbage.ckpt")), "not valid JSON");
}

TEST_F(Checkpoint, WrongArchitectureAndDatasetAreRefused) {
  auto future = good_metadata();
  future["architecture"] = "point-mlp-film/v2 f=4 nf=8 h=16 b=2";
  const auto message = load_error(with_metadata("arch.ckpt", future));
  expect_contains(message, "architecture 'point-mlp-film/v2 f=4 nf=8 h=16 b=2' does not match");
  // Sizes that disagree with the tensors: the first mismatching parameter is named.
  auto bigger = good_metadata();
  bigger["model"]["hidden"] = 32;
  bigger["architecture"] = "point-mlp-film/v1 f=4 nf=8 h=32 b=2";
  expect_contains(load_error(with_metadata("sizes.ckpt", bigger)), "has shape");
  expect_contains(load_error(good_, "spiral"), "trained on 'moons', not 'spiral'");
  EXPECT_EQ(load_error(good_, "moons"), "");
}

TEST_F(Checkpoint, MissingExtraAndNonFiniteTensorsAreRefused) {
  const auto contents = read_checkpoint(good_);
  auto missing = contents.tensors;
  missing.erase("output.bias");
  write_checkpoint(path("missing.ckpt"), contents.metadata_json, missing);
  expect_contains(load_error(path("missing.ckpt")), "parameter 'output.bias' is missing");
  auto extra = contents.tensors;
  extra.emplace("stray", torch::zeros({2}));
  write_checkpoint(path("extra.ckpt"), contents.metadata_json, extra);
  expect_contains(load_error(path("extra.ckpt")), "unexpected tensor 'stray'");
  auto nan = contents.tensors;
  nan["output.weight"] = nan["output.weight"].clone();
  nan["output.weight"][0][0] = std::nanf("");
  write_checkpoint(path("nan.ckpt"), contents.metadata_json, nan);
  expect_contains(load_error(path("nan.ckpt")), "NaN");
}

TEST_F(Checkpoint, SavingChecksItsInputs) {
  auto mismatched = metadata_;
  mismatched.model.hidden = 64;
  EXPECT_THROW(save_point_model(path("x.ckpt"), model_, mismatched), std::invalid_argument);
  EXPECT_THROW(save_point_model((dir_ / "no-such-dir" / "x.ckpt").string(), model_, metadata_), CheckpointError);
}
