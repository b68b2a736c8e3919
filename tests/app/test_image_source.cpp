// Image files and Fashion-MNIST: good files load with the right shape and values, bad ones give a
// message (never a crash), the resizer keeps aspect ratio, channels and constant colours.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <stb_image_write.h>
#include <zlib.h>

#include "gui/fashion_mnist.hpp"
#include "gui/image_source.hpp"

namespace diffuscope::gui {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("diffuscope_image_test_" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Writes an 8-bit image with pixel(x, y, c) = f(x, y, c).
template <class F>
void write_png(const std::string& path, int w, int h, int channels, F f) {
  std::vector<unsigned char> data(static_cast<std::size_t>(w) * h * channels);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c)
        data[(static_cast<std::size_t>(y) * w + x) * channels + c] =
            static_cast<unsigned char>(f(x, y, c));
  ASSERT_NE(stbi_write_png(path.c_str(), w, h, channels, data.data(), w * channels), 0);
}

void write_gz(const std::string& path, const std::vector<unsigned char>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  gzclose(f);
}

void put_u32(std::vector<unsigned char>& out, std::uint32_t v) {
  out.push_back(static_cast<unsigned char>(v >> 24));
  out.push_back(static_cast<unsigned char>(v >> 16));
  out.push_back(static_cast<unsigned char>(v >> 8));
  out.push_back(static_cast<unsigned char>(v));
}

std::vector<unsigned char> idx3(std::uint32_t magic, std::uint32_t count, std::uint32_t rows,
                                std::uint32_t cols, std::size_t pixel_bytes) {
  std::vector<unsigned char> out;
  put_u32(out, magic);
  put_u32(out, count);
  put_u32(out, rows);
  put_u32(out, cols);
  for (std::size_t i = 0; i < pixel_bytes; ++i) out.push_back(static_cast<unsigned char>(i % 256));
  return out;
}

// ---- stb loader ----

TEST(ImageSource, LoadsColourPngWithExactValues) {
  TempDir dir;
  const std::string path = dir.file("rgb.png");
  write_png(path, 20, 10, 3, [](int x, int y, int c) { return (x * 10 + y * 3 + c * 50) % 256; });
  const ImageLoadResult r = load_image_file(path);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.image.width, 20);
  EXPECT_EQ(r.image.height, 10);
  EXPECT_EQ(r.image.channels, 3);
  ASSERT_EQ(r.image.pixels.size(), 20u * 10 * 3);
  EXPECT_FLOAT_EQ(r.image.at(7, 4, 2), ((7 * 10 + 4 * 3 + 100) % 256) / 255.0f);
  EXPECT_FLOAT_EQ(r.image.at(0, 0, 0), 0.0f);
}

TEST(ImageSource, GreyStaysGreyAndAlphaIsCompositedOverBlack) {
  TempDir dir;
  const std::string grey = dir.file("grey.png");
  write_png(grey, 8, 8, 1, [](int x, int, int) { return x * 30; });
  const ImageLoadResult g = load_image_file(grey);
  ASSERT_TRUE(g.ok()) << g.error;
  EXPECT_EQ(g.image.channels, 1);
  EXPECT_FLOAT_EQ(g.image.at(3, 5, 0), 90 / 255.0f);

  const std::string rgba = dir.file("rgba.png");
  // Left half opaque white, right half fully transparent white.
  write_png(rgba, 8, 4, 4, [](int x, int, int c) { return c < 3 ? 255 : (x < 4 ? 255 : 0); });
  const ImageLoadResult a = load_image_file(rgba);
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_EQ(a.image.channels, 3);
  EXPECT_FLOAT_EQ(a.image.at(1, 1, 0), 1.0f);
  EXPECT_FLOAT_EQ(a.image.at(6, 1, 2), 0.0f);
}

TEST(ImageSource, LargeImageIsShrunkKeepingAspectAndColour) {
  TempDir dir;
  const std::string path = dir.file("big.png");
  write_png(path, 1000, 500, 3, [](int, int, int c) { return c == 0 ? 200 : (c == 1 ? 100 : 50); });
  const ImageLoadResult r = load_image_file(path);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.image.width, 256);
  EXPECT_EQ(r.image.height, 128);
  EXPECT_EQ(r.image.channels, 3);
  for (int y = 0; y < r.image.height; y += 17)
    for (int x = 0; x < r.image.width; x += 13) {
      EXPECT_NEAR(r.image.at(x, y, 0), 200 / 255.0f, 1e-5f);
      EXPECT_NEAR(r.image.at(x, y, 1), 100 / 255.0f, 1e-5f);
      EXPECT_NEAR(r.image.at(x, y, 2), 50 / 255.0f, 1e-5f);
    }
}

TEST(ImageSource, RejectsTextFileWithClearMessage) {
  TempDir dir;
  const std::string path = dir.file("notes.png");
  write_text(path, "These are lecture notes, not a picture.\n");
  const ImageLoadResult r = load_image_file(path);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("notes.png"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("not a PNG or JPEG image"), std::string::npos) << r.error;
  EXPECT_TRUE(r.image.empty());
}

TEST(ImageSource, RejectsMissingEmptyAndDirectory) {
  TempDir dir;
  const ImageLoadResult missing = load_image_file(dir.file("nope.jpg"));
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.error.find("no such file"), std::string::npos) << missing.error;
  const std::string empty = dir.file("empty.png");
  write_text(empty, "");
  const ImageLoadResult e = load_image_file(empty);
  EXPECT_FALSE(e.ok());
  EXPECT_NE(e.error.find("empty"), std::string::npos) << e.error;
  const ImageLoadResult d = load_image_file(dir.file(""));
  EXPECT_FALSE(d.ok());
}

TEST(ImageSource, RejectsTruncatedPng) {
  TempDir dir;
  const std::string good = dir.file("good.png");
  write_png(good, 64, 64, 3, [](int x, int y, int c) { return (x * y + c * 37) % 256; });
  std::ifstream in(good, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string cut = dir.file("cut.png");
  write_text(cut, bytes.substr(0, bytes.size() / 2));
  const ImageLoadResult r = load_image_file(cut);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("cut.png"), std::string::npos) << r.error;
}

// A PNG header (signature + IHDR) claiming width x height, 8-bit RGB, and no pixel data.
std::string png_header_only(std::uint32_t width, std::uint32_t height) {
  std::vector<unsigned char> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  put_u32(png, 13);
  std::vector<unsigned char> ihdr = {'I', 'H', 'D', 'R'};
  put_u32(ihdr, width);
  put_u32(ihdr, height);
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});
  png.insert(png.end(), ihdr.begin(), ihdr.end());
  put_u32(png, static_cast<std::uint32_t>(crc32(0, ihdr.data(), static_cast<uInt>(ihdr.size()))));
  return std::string(png.begin(), png.end());
}

TEST(ImageSource, RejectsHugeImagesFromTheirHeaderAlone) {
  TempDir dir;
  // Too wide (a side over 16384 px), too many bytes (10000 x 5000 x 3 = 143 MB), and so large
  // that stb_image itself refuses to report the size (20000 x 20000 x 3 > 1 GiB).
  const std::vector<std::pair<std::uint32_t, std::uint32_t>> sizes = {
      {16385, 10}, {10000, 5000}, {20000, 20000}};
  for (const auto& [w, h] : sizes) {
    const std::string path = dir.file("huge_" + std::to_string(w) + "x" + std::to_string(h) + ".png");
    write_text(path, png_header_only(w, h));
    const ImageLoadResult r = load_image_file(path);
    EXPECT_FALSE(r.ok());
    EXPECT_NE(r.error.find("too large"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find(std::to_string(w) + "x" + std::to_string(h)), std::string::npos)
        << r.error;
  }
}

// Found by tests/fuzz/fuzz_image (tests/fuzz/regressions/fuzz_image/crash-jpeg-huffman-overflow,
// without its leading mode byte): a JPEG whose second Huffman table (DHT) declares 16 code-length
// counts adding up to more than 256. stb_image 2.27 (Debian 12's libstb) then writes past its
// 257-entry table. The loader now checks every DHT before stb sees the file and refuses it.
std::string hex_bytes(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

TEST(ImageSource, RefusesJpegWhoseHuffmanTableOverflowsStb) {
  const std::string fuzz_input = hex_bytes(
      "ffd8ffe000104a46494600010101000100010025ffdb0043000302020202020302020203030303040604040404040806"
      "06050609080a0a090809090a0c0f0c0a0b0e0b09090d250d0e0f101011100a0c12131210130f101010ffdb0043010303"
      "0304030408ffff5f800000102e1010101010101010101010101010101010101010101010101010101010101010101010"
      "1010101010101010101010101010ffc00011080010001003012200021101031101ffc40016000101c603cbd155000000"
      "000000000000070405ffc4002410000104010402020300000000000000000102030406050708121311220014093132ff"
      "c4001501010100000000000000000000000000000006ffc4002311000102050305000000000000000000000102110304"
      "05062100123115166181e1ffda000c03010002110311003f0014a6d26a1b73c1e61312d4951cf31163e42565beba5aec"
      "694540b1e520b254a51fd2cab8faf220ab963d976c9335e69b77d7e66da71781a5571c7f1cea71e24b39d7e32253f21a"
      "69ded4714a38b482e84b892a71691ecd2d213bf1efb91a74aceea15a758ed548ac655b858b81857b21299867a96b94b9"
      "49654fb9c88529114b812af07ad9f23c807e55be0df662a140cce8e69a3d5cb743b3d77a6558b1d95121ffffff0188bf"
      "64b8d3f1c3680429c0d0febb3c02e03c5407b4bdd97b54e627fb6edf9460148262138db8529828370589727960e43289"
      "6fc3828ea7528cea208dbe78191f07ad7fffd9");
  ASSERT_EQ(fuzz_input.size(), 547u);
  TempDir dir;
  const std::string path = dir.file("overflow.jpg");
  write_text(path, fuzz_input);
  const ImageLoadResult r = load_image_file(path, 8);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.image.empty());
  EXPECT_NE(r.error.find("overflow.jpg"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("Huffman table has more than 256 codes"), std::string::npos) << r.error;
}

// The check must not refuse ordinary JPEGs: stb_image_write's baseline JPEG (always YCbCr, so it
// reads back as colour) loads with its size and its flat grey.
TEST(ImageSource, LoadsBaselineJpeg) {
  TempDir dir;
  const std::string path = dir.file("ok.jpg");
  std::vector<unsigned char> data(static_cast<std::size_t>(16 * 8 * 3), 128);
  ASSERT_NE(stbi_write_jpg(path.c_str(), 16, 8, 3, data.data(), 95), 0);
  const ImageLoadResult r = load_image_file(path);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.image.width, 16);
  EXPECT_EQ(r.image.height, 8);
  EXPECT_EQ(r.image.channels, 3);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(r.image.at(5, 3, c), 128 / 255.0f, 3 / 255.0f);
}

// Only PNG and JPEG reach stb_image (its other decoders carry its known bugs): a valid BMP, which
// stb would decode, is refused by its signature.
TEST(ImageSource, RefusesFormatsOtherThanPngAndJpeg) {
  TempDir dir;
  const std::string path = dir.file("picture.bmp");
  std::vector<unsigned char> data(4 * 4 * 3, 200);
  ASSERT_NE(stbi_write_bmp(path.c_str(), 4, 4, 3, data.data()), 0);
  const ImageLoadResult r = load_image_file(path);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("not a PNG or JPEG image"), std::string::npos) << r.error;
}

// ---- resizer ----

Image constant_image(int w, int h, int channels, std::vector<float> colour) {
  Image im;
  im.width = w;
  im.height = h;
  im.channels = channels;
  for (int i = 0; i < w * h; ++i)
    for (int c = 0; c < channels; ++c) im.pixels.push_back(colour[c]);
  return im;
}

TEST(ResizeToFit, KeepsAspectRatioChannelsAndConstantColour) {
  const Image tall = constant_image(300, 1000, 3, {0.25f, 0.5f, 0.75f});
  const Image small = resize_to_fit(tall, 256);
  EXPECT_EQ(small.height, 256);
  EXPECT_EQ(small.width, 77);  // round(300 * 256 / 1000) = round(76.8)
  EXPECT_EQ(small.channels, 3);
  ASSERT_EQ(small.pixels.size(), 77u * 256 * 3);
  for (std::size_t i = 0; i < small.pixels.size(); i += 3) {
    ASSERT_NEAR(small.pixels[i + 0], 0.25f, 1e-6f);
    ASSERT_NEAR(small.pixels[i + 1], 0.5f, 1e-6f);
    ASSERT_NEAR(small.pixels[i + 2], 0.75f, 1e-6f);
  }
}

TEST(ResizeToFit, SmallImagesAreNotEnlarged) {
  const Image im = constant_image(28, 28, 1, {0.3f});
  const Image out = resize_to_fit(im, 256);
  EXPECT_EQ(out.width, 28);
  EXPECT_EQ(out.height, 28);
  EXPECT_EQ(out.pixels, im.pixels);
}

TEST(ResizeToFit, AveragesTheAreaUnderEachOutputPixel) {
  // 4 x 2 grey -> 2 x 1: each output pixel is the mean of a 2 x 2 block.
  Image im;
  im.width = 4;
  im.height = 2;
  im.channels = 1;
  im.pixels = {0.0f, 0.2f, 0.4f, 0.6f,
               1.0f, 0.6f, 0.8f, 1.0f};
  const Image out = resize_to_fit(im, 2);
  ASSERT_EQ(out.width, 2);
  ASSERT_EQ(out.height, 1);
  EXPECT_NEAR(out.pixels[0], (0.0f + 0.2f + 1.0f + 0.6f) / 4, 1e-6f);
  EXPECT_NEAR(out.pixels[1], (0.4f + 0.6f + 0.8f + 1.0f) / 4, 1e-6f);
}

TEST(ResizeToFit, NonIntegerRatioPreservesTheMean) {
  // 1000 px -> 256 px (ratio 3.90625): the box filter conserves the image mean.
  Image im;
  im.width = 1000;
  im.height = 3;
  im.channels = 1;
  double mean = 0;
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 1000; ++x) {
      const float v = static_cast<float>((x * 7 + y * 13) % 100) / 100.0f;
      im.pixels.push_back(v);
      mean += v;
    }
  mean /= im.pixels.size();
  const Image out = resize_to_fit(im, 256);
  EXPECT_EQ(out.width, 256);
  EXPECT_EQ(out.height, 1);  // round(3 * 0.256) = 1
  double out_mean = 0;
  for (float v : out.pixels) out_mean += v;
  out_mean /= out.pixels.size();
  EXPECT_NEAR(out_mean, mean, 1e-4);
}

TEST(ResizeToFit, RejectsBadArguments) {
  const Image im = constant_image(4, 4, 1, {0.5f});
  EXPECT_THROW(resize_to_fit(im, 0), std::invalid_argument);
  Image broken = im;
  broken.pixels.pop_back();
  EXPECT_THROW(resize_to_fit(broken, 2), std::invalid_argument);
}

// ---- Fashion-MNIST / IDX ----

TEST(FashionMnist, RealTestSetGivesGreyImagesInUnitRange) {
  if (!fs::exists(kFashionMnistTestImages))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const IdxImagesResult r = read_idx_images(kFashionMnistTestImages);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.images.count, 10000);
  EXPECT_EQ(r.images.rows, 28);
  EXPECT_EQ(r.images.cols, 28);
  for (int k : {0, 1, 9999}) {
    const Image im = r.images.image(k);
    EXPECT_EQ(im.width, 28);
    EXPECT_EQ(im.height, 28);
    EXPECT_EQ(im.channels, 1);
    float lo = 1, hi = 0;
    for (float v : im.pixels) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    EXPECT_GE(lo, 0.0f);
    EXPECT_LE(hi, 1.0f);
    EXPECT_GT(hi - lo, 0.5f) << "image " << k << " has almost no contrast";
  }
  EXPECT_THROW(r.images.image(10000), std::out_of_range);

  const IdxLabelsResult labels = read_idx_labels(kFashionMnistTestLabels);
  ASSERT_TRUE(labels.ok()) << labels.error;
  ASSERT_EQ(labels.labels.size(), 10000u);
  EXPECT_EQ(labels.labels[0], 9);  // the first test image is an ankle boot
  EXPECT_EQ(fashion_mnist_class_name(labels.labels[0]), "Ankle boot");

  const ImageLoadResult first = load_fashion_mnist_image(0);
  ASSERT_TRUE(first.ok()) << first.error;
  EXPECT_EQ(first.image.pixels, r.images.image(0).pixels);
}

TEST(FashionMnist, MissingFileNamesThePackage) {
  const ImageLoadResult r =
      load_fashion_mnist_image(0, std::string(kFashionMnistDir) + "/no-such-file-idx3-ubyte.gz");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("dataset-fashion-mnist"), std::string::npos) << r.error;
}

TEST(FashionMnist, SyntheticIdxRoundTrips) {
  TempDir dir;
  const std::string path = dir.file("small-idx3-ubyte.gz");
  write_gz(path, idx3(0x00000803, 3, 2, 5, 3 * 2 * 5));
  const IdxImagesResult r = read_idx_images(path);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.images.count, 3);
  const Image im = r.images.image(2);
  EXPECT_EQ(im.width, 5);
  EXPECT_EQ(im.height, 2);
  EXPECT_FLOAT_EQ(im.at(4, 1, 0), (2 * 10 + 1 * 5 + 4) / 255.0f);  // byte index % 256
}

TEST(FashionMnist, WrongMagicIsRejected) {
  TempDir dir;
  const std::string path = dir.file("labels-as-images.gz");
  write_gz(path, idx3(0x00000801, 3, 2, 5, 30));
  const IdxImagesResult r = read_idx_images(path);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("magic 0x00000801"), std::string::npos) << r.error;
}

TEST(FashionMnist, TruncatedPixelsAreRejected) {
  TempDir dir;
  const std::string path = dir.file("short.gz");
  write_gz(path, idx3(0x00000803, 3, 28, 28, 28 * 28 + 10));  // 1 image and a bit, 3 declared
  const IdxImagesResult r = read_idx_images(path);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("truncated"), std::string::npos) << r.error;
}

TEST(FashionMnist, ExtraDataAfterDeclaredImagesIsRejected) {
  TempDir dir;
  const std::string path = dir.file("long.gz");
  write_gz(path, idx3(0x00000803, 1, 2, 2, 5));
  const IdxImagesResult r = read_idx_images(path);
  EXPECT_FALSE(r.ok());
}

TEST(FashionMnist, ImplausibleDimensionsAreRejected) {
  TempDir dir;
  const std::string path = dir.file("zero.gz");
  write_gz(path, idx3(0x00000803, 3, 0, 28, 0));
  const IdxImagesResult r = read_idx_images(path);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("implausible"), std::string::npos) << r.error;
}

TEST(FashionMnist, CorruptGzipIsRejected) {
  TempDir dir;
  // A gzip header followed by garbage deflate data.
  std::string bytes = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03";
  for (int i = 0; i < 200; ++i) bytes.push_back(static_cast<char>((i * 97 + 13) % 256));
  const std::string path = dir.file("corrupt.gz");
  write_text(path, bytes);
  const IdxImagesResult r = read_idx_images(path);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("corrupt.gz"), std::string::npos) << r.error;
}

TEST(FashionMnist, TruncatedRealFileIsRejected) {
  if (!fs::exists(kFashionMnistTestImages))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  std::ifstream in(kFashionMnistTestImages, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  TempDir dir;
  const std::string path = dir.file("cut-idx3-ubyte.gz");
  write_text(path, bytes.substr(0, 100000));
  const IdxImagesResult r = read_idx_images(path);
  EXPECT_FALSE(r.ok());
  // Reading only the first image still works on the cut file.
  EXPECT_TRUE(load_fashion_mnist_image(0, path).ok());
}

}  // namespace
}  // namespace diffuscope::gui
