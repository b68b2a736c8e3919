// The IDX reader (idx_file.hpp) on files written here, byte by byte, gzip'ed with zlib: a good
// file reads back exactly; every kind of damage is an IdxError whose message names the file.
#include <gtest/gtest.h>

#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "diffusion/idx_file.hpp"

namespace diffusion {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

void append_big_endian(Bytes& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(value >> shift));
}

// An IDX file as the format defines it: magic, one big-endian uint32 per dimension, then the data.
Bytes idx_bytes(std::uint32_t magic, const std::vector<std::uint32_t>& dims, const Bytes& data) {
  Bytes bytes;
  append_big_endian(bytes, magic);
  for (std::uint32_t d : dims) append_big_endian(bytes, d);
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

// count images of rows x cols with distinct, position-dependent values (every byte value appears).
Bytes pattern_pixels(int count, int rows, int cols) {
  Bytes pixels(static_cast<std::size_t>(count * rows * cols));
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>((i * 37 + 11) % 256);
  return pixels;
}

class IdxFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() /
              ("diffuscope-idx-test-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(folder_);
  }
  void TearDown() override {
    std::error_code error;
    fs::remove_all(folder_, error);
  }

  std::string write_gzip(const std::string& name, const Bytes& bytes) {
    const std::string path = (folder_ / name).string();
    gzFile file = gzopen(path.c_str(), "wb");
    if (file == nullptr) throw std::runtime_error("cannot create " + path);
    if (!bytes.empty() &&
        gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())) != static_cast<int>(bytes.size())) {
      gzclose(file);
      throw std::runtime_error("cannot write " + path);
    }
    if (gzclose(file) != Z_OK) throw std::runtime_error("cannot close " + path);
    return path;
  }

  std::string write_plain(const std::string& name, const Bytes& bytes) {
    const std::string path = (folder_ / name).string();
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path);
    return path;
  }

  static Bytes read_raw(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  fs::path folder_;
};

// The call must throw IdxError, and its message must name the file.
template <typename Read>
void expect_idx_error(const std::string& path, Read read) {
  try {
    read();
    ADD_FAILURE() << "no IdxError for " << path;
  } catch (const IdxError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << "message does not name the file: " << e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected IdxError, got another exception: " << e.what();
  }
}

TEST_F(IdxFileTest, GzippedImagesAndLabelsReadBackExactly) {
  const Bytes pixels = pattern_pixels(5, 4, 3);
  const std::string images_path = write_gzip("images.gz", idx_bytes(0x00000803, {5, 4, 3}, pixels));
  const Bytes labels = {9, 0, 3, 7, 1};
  const std::string labels_path = write_gzip("labels.gz", idx_bytes(0x00000801, {5}, labels));

  const IdxImages images = read_idx_images(images_path);
  EXPECT_EQ(images.count, 5);
  EXPECT_EQ(images.rows, 4);
  EXPECT_EQ(images.cols, 3);
  EXPECT_EQ(images.image_size(), 12u);
  EXPECT_EQ(images.bytes, pixels);
  EXPECT_EQ(read_idx_labels(labels_path), labels);
}

TEST_F(IdxFileTest, MaxCountReadsTheFirstImagesOnly) {
  const Bytes pixels = pattern_pixels(5, 4, 3);
  const std::string path = write_gzip("images.gz", idx_bytes(0x00000803, {5, 4, 3}, pixels));
  const IdxImages first_two = read_idx_images(path, 2);
  EXPECT_EQ(first_two.count, 2);
  EXPECT_EQ(first_two.bytes, Bytes(pixels.begin(), pixels.begin() + 24));
  // More than the file holds: all of them.
  EXPECT_EQ(read_idx_images(path, 50).count, 5);
  const std::string labels_path = write_gzip("labels.gz", idx_bytes(0x00000801, {4}, {1, 2, 3, 4}));
  EXPECT_EQ(read_idx_labels(labels_path, 3), (Bytes{1, 2, 3}));
}

TEST_F(IdxFileTest, UncompressedFileReadsToo) {
  const Bytes pixels = pattern_pixels(2, 2, 2);
  const std::string path = write_plain("images.idx", idx_bytes(0x00000803, {2, 2, 2}, pixels));
  const IdxImages images = read_idx_images(path);
  EXPECT_EQ(images.count, 2);
  EXPECT_EQ(images.bytes, pixels);
}

TEST_F(IdxFileTest, TruncatedHeaderIsRefused) {
  Bytes header = idx_bytes(0x00000803, {5, 4, 3}, {});
  header.resize(10);  // magic, count and half of rows
  const std::string path = write_gzip("short-header.gz", header);
  expect_idx_error(path, [&] { read_idx_images(path); });
  const std::string empty = write_gzip("empty.gz", {});
  expect_idx_error(empty, [&] { read_idx_images(empty); });
  const std::string labels = write_gzip("short-labels.gz", Bytes{0, 0, 8, 1, 0});
  expect_idx_error(labels, [&] { read_idx_labels(labels); });
}

TEST_F(IdxFileTest, TruncatedPixelsAreRefused) {
  Bytes pixels = pattern_pixels(5, 4, 3);
  pixels.resize(pixels.size() - 7);
  const std::string path = write_gzip("short-pixels.gz", idx_bytes(0x00000803, {5, 4, 3}, pixels));
  expect_idx_error(path, [&] { read_idx_images(path); });
  const std::string labels = write_gzip("short-labels.gz", idx_bytes(0x00000801, {6}, {1, 2, 3}));
  expect_idx_error(labels, [&] { read_idx_labels(labels); });
}

TEST_F(IdxFileTest, TruncatedGzipStreamIsRefused) {
  // A download or copy cut short: the compressed stream itself ends early.
  const std::string good = write_gzip("good.gz", idx_bytes(0x00000803, {40, 8, 8}, pattern_pixels(40, 8, 8)));
  Bytes raw = read_raw(good);
  ASSERT_GT(raw.size(), 40u);
  raw.resize(raw.size() / 2);
  const std::string path = write_plain("cut.gz", raw);
  expect_idx_error(path, [&] { read_idx_images(path); });
}

TEST_F(IdxFileTest, WrongMagicIsRefused) {
  const Bytes pixels = pattern_pixels(2, 4, 3);
  const std::string labels_magic = write_gzip("labels-magic.gz", idx_bytes(0x00000801, {2, 4, 3}, pixels));
  expect_idx_error(labels_magic, [&] { read_idx_images(labels_magic); });
  const std::string nonsense = write_gzip("nonsense.gz", idx_bytes(0x89504E47, {2, 4, 3}, pixels));
  expect_idx_error(nonsense, [&] { read_idx_images(nonsense); });
  // An images file handed to the label reader.
  const std::string images = write_gzip("images.gz", idx_bytes(0x00000803, {2, 4, 3}, pixels));
  expect_idx_error(images, [&] { read_idx_labels(images); });
  // Not IDX at all (a text file).
  const std::string text = write_plain("notes.txt", Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n',
                                                         'a', 'b', 'c', 'd', 'e', 'f'});
  expect_idx_error(text, [&] { read_idx_images(text); });
}

TEST_F(IdxFileTest, ImplausibleDimensionsAreRefused) {
  // Huge declared sizes must be refused without trying to allocate them.
  const std::string huge = write_gzip("huge.gz", idx_bytes(0x00000803, {1, 70000, 70000}, pattern_pixels(1, 2, 2)));
  expect_idx_error(huge, [&] { read_idx_images(huge); });
  const std::string many = write_gzip("many.gz", idx_bytes(0x00000803, {0xFFFFFFFFu, 28, 28}, pattern_pixels(1, 28, 28)));
  expect_idx_error(many, [&] { read_idx_images(many); });
  const std::string zero_rows = write_gzip("zero-rows.gz", idx_bytes(0x00000803, {3, 0, 28}, {}));
  expect_idx_error(zero_rows, [&] { read_idx_images(zero_rows); });
}

// Found by tests/fuzz/fuzz_idx (tests/fuzz/regressions/fuzz_idx/oom-huge-dimensions; its mode byte
// 0x03 means "images, gzip'ed"): 27 bytes whose header claims 3,604,480 images of 2 x 2049 pixels,
// each dimension within its bound, made the reader allocate their 14.8 GB before reading a pixel.
// The buffer now grows only as data arrives, and a read may claim at most 1 GB: the file is refused
// from its header.
TEST_F(IdxFileTest, HugeDeclaredSizeWithLittleDataIsTruncatedNotAllocated) {
  const Bytes fuzz_input = {0x00, 0x00, 0x08, 0x03, 0x00, 0x37, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
                            0x08, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
  const std::string path = write_gzip("fuzz-huge.gz", fuzz_input);
  expect_idx_error(path, [&] { read_idx_images(path); });
  // The largest header the per-dimension bounds allow (10^7 images of 4096 x 4096: 1.7e14 bytes)
  // claims more than one read may hold: refused before reading a pixel.
  const std::string largest = write_plain("largest.idx", idx_bytes(0x00000803, {10'000'000, 4096, 4096}, pattern_pixels(1, 2, 2)));
  try {
    read_idx_images(largest);
    FAIL() << "no IdxError";
  } catch (const IdxError& e) {
    EXPECT_NE(std::string(e.what()).find("more than the 1024 MB one read may hold"), std::string::npos) << e.what();
  }
  // Asking for fewer images brings the claim within the bound; 4 bytes of 800 MB are truncated,
  // found as the data runs out, not by allocating the 800 MB first.
  try {
    read_idx_images(largest, 50);
    FAIL() << "no IdxError";
  } catch (const IdxError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated: the pixels ends after 4 of 838860800 bytes"), std::string::npos)
        << e.what();
  }
}

// Every loader caps what it allocates by what its file holds (issue 14): a label file of 12 bytes
// that claims the most labels allowed (10^7) is truncated without allocating 10 MB for them, and a
// gzip'ed header that claims 1025 images of 1024 x 1024 (1 MB more than 1 GB) is refused before any
// data is read.
TEST_F(IdxFileTest, LabelCountAndTotalSizeAreBoundedBeforeReading) {
  const std::string labels = write_plain("labels-claim.idx", idx_bytes(0x00000801, {10'000'000}, {1, 2, 3, 4}));
  try {
    read_idx_labels(labels);
    FAIL() << "no IdxError";
  } catch (const IdxError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated: the labels ends after 4 of 10000000 bytes"), std::string::npos)
        << e.what();
  }
  const std::string over = write_gzip("over.gz", idx_bytes(0x00000803, {1025, 1024, 1024}, pattern_pixels(1, 2, 2)));
  try {
    read_idx_images(over);
    FAIL() << "no IdxError";
  } catch (const IdxError& e) {
    EXPECT_NE(std::string(e.what()).find("more than the 1024 MB one read may hold"), std::string::npos) << e.what();
  }
}

TEST_F(IdxFileTest, TrailingDataIsRefusedWhenReadingAll) {
  // The header declares 3 images, the file holds 4: the header lies.
  const std::string path = write_gzip("trailing.gz", idx_bytes(0x00000803, {3, 4, 3}, pattern_pixels(4, 4, 3)));
  expect_idx_error(path, [&] { read_idx_images(path); });
  // Asking for a prefix reads only that far (documented): no error.
  const IdxImages prefix = read_idx_images(path, 2);
  EXPECT_EQ(prefix.count, 2);
  EXPECT_EQ(prefix.bytes, Bytes(pattern_pixels(2, 4, 3)));
}

TEST_F(IdxFileTest, LabelsWithTrailingDataAreRefused) {
  const std::string labels = write_gzip("trailing-labels.gz", idx_bytes(0x00000801, {2}, {1, 2, 3}));
  expect_idx_error(labels, [&] { read_idx_labels(labels); });
  EXPECT_EQ(read_idx_labels(labels, 1), (Bytes{1}));
}

TEST_F(IdxFileTest, MissingFileIsRefused) {
  const std::string path = (folder_ / "no-such-file.gz").string();
  expect_idx_error(path, [&] { read_idx_images(path); });
  expect_idx_error(path, [&] { read_idx_labels(path); });
  // A folder is not a file either.
  const std::string folder = folder_.string();
  expect_idx_error(folder, [&] { read_idx_images(folder); });
}

TEST(IdxFashionMnist, RealTestSetHas10000ImagesOf28x28) {
  if (!fs::exists(kFashionMnistTestImages) || !fs::exists(kFashionMnistTestLabels)) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  const IdxImages images = read_idx_images(kFashionMnistTestImages);
  EXPECT_EQ(images.count, 10000);
  EXPECT_EQ(images.rows, 28);
  EXPECT_EQ(images.cols, 28);
  EXPECT_EQ(images.bytes.size(), 10000u * 28u * 28u);
  const std::vector<std::uint8_t> labels = read_idx_labels(kFashionMnistTestLabels);
  ASSERT_EQ(labels.size(), 10000u);
  // Ten balanced classes: 1000 of each in the test set.
  std::vector<int> per_class(10, 0);
  for (std::uint8_t label : labels) {
    ASSERT_LT(label, 10);
    ++per_class[label];
  }
  for (int count : per_class) EXPECT_EQ(count, 1000);
}

TEST(IdxFashionMnist, ClassNames) {
  EXPECT_EQ(fashion_mnist_class_name(0), "T-shirt/top");
  EXPECT_EQ(fashion_mnist_class_name(1), "Trouser");
  EXPECT_EQ(fashion_mnist_class_name(8), "Bag");
  EXPECT_EQ(fashion_mnist_class_name(9), "Ankle boot");
  EXPECT_EQ(fashion_mnist_class_name(10), "?");
  EXPECT_EQ(fashion_mnist_class_name(-1), "?");
}

}  // namespace
}  // namespace diffusion
