// Image files and Fashion-MNIST: good files load with the right shape and values, bad ones give a
// message (never a crash), the resizer keeps aspect ratio, channels and constant colours.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <stb_image_write.h>
#include <zlib.h>

#include "gui/sources/fashion_mnist.hpp"
#include "gui/sources/image_source.hpp"

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

// ---- bounded memory (issue 14) ----

void put_chunk(std::vector<unsigned char>& png, const char* type, const std::vector<unsigned char>& data) {
  put_u32(png, static_cast<std::uint32_t>(data.size()));
  std::vector<unsigned char> typed(type, type + 4);
  typed.insert(typed.end(), data.begin(), data.end());
  png.insert(png.end(), typed.begin(), typed.end());
  put_u32(png, static_cast<std::uint32_t>(crc32(0, typed.data(), static_cast<uInt>(typed.size()))));
}

// A PNG written by hand, for what stb_image_write never writes (16-bit, palette, 1-bit, Adam7,
// split and empty IDAT chunks). sample(x, y, s) is sample s of pixel (x, y), below 2^bit_depth.
struct PngSpec {
  int width = 1, height = 1, bit_depth = 8, colour_type = 0, samples = 1;
  bool interlaced = false;
  std::vector<unsigned char> palette, transparency;  // PLTE and tRNS data, when not empty
  std::size_t idat_split = 0;  // 0: one IDAT; else chunks of this many bytes, with empty ones
};

PngSpec png_spec(int width, int height, int bit_depth = 8, int colour_type = 0, int samples = 1,
                 bool interlaced = false) {
  PngSpec spec;
  spec.width = width;
  spec.height = height;
  spec.bit_depth = bit_depth;
  spec.colour_type = colour_type;
  spec.samples = samples;
  spec.interlaced = interlaced;
  return spec;
}

template <class F>
std::string handmade_png(const PngSpec& spec, F sample) {
  // The scanlines (filter byte 0, samples packed MSB first), pass by pass when interlaced.
  std::vector<unsigned char> raw;
  const int passes[7][4] = {{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4},
                            {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}};
  const int whole[1][4] = {{0, 0, 1, 1}};
  for (int p = 0; p < (spec.interlaced ? 7 : 1); ++p) {
    const int* pass = spec.interlaced ? passes[p] : whole[0];
    if (spec.width <= pass[0] || spec.height <= pass[1]) continue;
    for (int y = pass[1]; y < spec.height; y += pass[3]) {
      raw.push_back(0);
      unsigned bits = 0, filled = 0;
      for (int x = pass[0]; x < spec.width; x += pass[2])
        for (int s = 0; s < spec.samples; ++s) {
          const unsigned v = static_cast<unsigned>(sample(x, y, s));
          if (spec.bit_depth == 16) {
            raw.push_back(static_cast<unsigned char>(v >> 8));
            raw.push_back(static_cast<unsigned char>(v));
            continue;
          }
          bits = (bits << spec.bit_depth) | v;
          filled += static_cast<unsigned>(spec.bit_depth);
          if (filled == 8) {
            raw.push_back(static_cast<unsigned char>(bits));
            bits = filled = 0;
          }
        }
      if (filled > 0) raw.push_back(static_cast<unsigned char>(bits << (8 - filled)));
    }
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::vector<unsigned char> packed(packed_size);
  EXPECT_EQ(compress2(packed.data(), &packed_size, raw.data(), static_cast<uLong>(raw.size()), 9), Z_OK);
  packed.resize(packed_size);

  std::vector<unsigned char> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<unsigned char> ihdr;
  put_u32(ihdr, static_cast<std::uint32_t>(spec.width));
  put_u32(ihdr, static_cast<std::uint32_t>(spec.height));
  ihdr.insert(ihdr.end(), {static_cast<unsigned char>(spec.bit_depth), static_cast<unsigned char>(spec.colour_type),
                           0, 0, static_cast<unsigned char>(spec.interlaced ? 1 : 0)});
  put_chunk(png, "IHDR", ihdr);
  if (!spec.palette.empty()) put_chunk(png, "PLTE", spec.palette);
  if (!spec.transparency.empty()) put_chunk(png, "tRNS", spec.transparency);
  if (spec.idat_split == 0) {
    put_chunk(png, "IDAT", packed);
  } else {
    put_chunk(png, "IDAT", {});  // empty chunks are legal; stb 2.27 alone mishandles a leading one
    for (std::size_t at = 0; at < packed.size(); at += spec.idat_split) {
      const std::size_t end = std::min(packed.size(), at + spec.idat_split);
      put_chunk(png, "IDAT", std::vector<unsigned char>(packed.begin() + at, packed.begin() + end));
      if (at == 0) put_chunk(png, "IDAT", {});
    }
  }
  put_chunk(png, "IEND", {});
  return std::string(png.begin(), png.end());
}

// Found by tests/fuzz/fuzz_image (tests/fuzz/regressions/fuzz_image/oom-png-idat-length, without
// its leading mode byte): a 9x1 PNG of 186 bytes whose second IDAT chunk declares 1,811,939,364
// bytes. stb_image gathers the IDAT data into one buffer that it doubles until the declared length
// fits, so it asked for 2 GiB at once (libFuzzer's -rss_limit_mb=2048 stops there). The chunk walk
// now refuses it, naming the chunk, before stb sees the file.
TEST(ImageSource, RefusesPngWhoseIdatChunkClaimsMoreThanTheFileHolds) {
  const std::string fuzz_input = hex_bytes(
      "89504e470d0a1a0a0000000d494844520000000900000001080200000083a0132a0000002449444154789c636060"
      "810389504e470d0a1a0049000a000d4844520000000900000001080200000083a0132a6c00002449444154789c63"
      "60608100619000140580e4e2e6e1e5e31710141216111d1397909402000ce80160d2b0e3010000000049454e44ae"
      "426000619000140580e4e2e6e1e5e31710141216111d1397909402000ce80160d2b0e3010000000049454e44ae42"
      "6082");
  ASSERT_EQ(fuzz_input.size(), 186u);
  TempDir dir;
  const std::string path = dir.file("oom.png");
  write_text(path, fuzz_input);
  const ImageLoadResult r = load_image_file(path, 4);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.image.empty());
  EXPECT_NE(r.error.find("oom.png"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("corrupt PNG (truncated: chunk 'IDAT' at byte 81 declares 1811939364 bytes"),
            std::string::npos) << r.error;
  EXPECT_EQ(last_image_decode_memory().budget_bytes, 0u) << "stb_image must not see the file";

  // The same shape at its smallest (oom-png-idat-length-3x2): a good 3x2 image, then an IDAT
  // that declares 2^31 - 256 bytes and holds 20.
  std::string small = handmade_png(png_spec(3, 2), [](int x, int y, int) { return x + y; });
  small.insert(small.size() - 12, std::string("\x7F\xFF\xFF\x00IDAT", 8) + std::string(20, '\0'));
  write_text(path, small);
  const ImageLoadResult s = load_image_file(path);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error.find("declares 2147483392 bytes"), std::string::npos) << s.error;
  EXPECT_EQ(last_image_decode_memory().budget_bytes, 0u);
}

// A zlib bomb: a well-formed 1x1 grey PNG whose 32 KB of IDAT inflate to 32 MB of zeros. Nothing in
// its structure is wrong, so only the allocation budget can stop it: stb_image is refused memory
// once what it holds would pass what a 1x1 image justifies (1 MiB of fixed state plus 3x the
// compressed data, scanlines and pixels), and the file is reported corrupt.
TEST(ImageSource, ZlibBombIsStoppedByTheBudgetItsHeaderSets) {
  const std::vector<unsigned char> zeros(32u << 20, 0);
  uLongf packed_size = compressBound(static_cast<uLong>(zeros.size()));
  std::vector<unsigned char> packed(packed_size);
  ASSERT_EQ(compress2(packed.data(), &packed_size, zeros.data(), static_cast<uLong>(zeros.size()), 9), Z_OK);
  packed.resize(packed_size);
  ASSERT_LT(packed.size(), 65536u);  // within what the chunk walk lets through for any image

  std::vector<unsigned char> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<unsigned char> ihdr;
  put_u32(ihdr, 1);
  put_u32(ihdr, 1);
  ihdr.insert(ihdr.end(), {8, 0, 0, 0, 0});
  put_chunk(png, "IHDR", ihdr);
  put_chunk(png, "IDAT", packed);
  put_chunk(png, "IEND", {});
  TempDir dir;
  const std::string path = dir.file("bomb.png");
  write_text(path, std::string(png.begin(), png.end()));

  const ImageLoadResult r = load_image_file(path);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.image.empty());
  EXPECT_NE(r.error.find("bomb.png"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("corrupt PNG (decoding it would need more than the 2 MB that a 1x1 px image can)"),
            std::string::npos) << r.error;
  const ImageDecodeMemory memory = last_image_decode_memory();
  const std::size_t stated_bound = (std::size_t(1) << 20) + 3 * packed.size() + 3 * 2 + 3 * 4;
  EXPECT_EQ(memory.budget_bytes, stated_bound);
  EXPECT_GT(memory.refused_bytes, 0u);
  EXPECT_LE(memory.peak_bytes, memory.budget_bytes);
}

// The budget must not refuse real files: every PNG pixel format (16-bit RGBA with Adam7, 2-bit
// palette with transparency, 1-bit grey with Adam7, grey + alpha in many IDAT chunks with empty
// ones) loads with the right values, held within its budget.
TEST(ImageSource, EveryPngPixelFormatLoadsWithinItsBudget) {
  TempDir dir;
  const std::string path = dir.file("formats.png");
  auto load = [&](const std::string& bytes) {
    write_text(path, bytes);
    const ImageLoadResult r = load_image_file(path, 1000);
    const ImageDecodeMemory memory = last_image_decode_memory();
    EXPECT_GT(memory.peak_bytes, 0u);
    EXPECT_LE(memory.peak_bytes, memory.budget_bytes);
    EXPECT_EQ(memory.refused_bytes, 0u);
    return r;
  };

  const PngSpec rgba16 = png_spec(37, 23, 16, 6, 4, true);
  auto rgba16_sample = [](int x, int y, int s) { return s == 3 ? 65535 : (x * 1500 + y * 700 + s * 9000) % 65536; };
  const ImageLoadResult a = load(handmade_png(rgba16, rgba16_sample));
  ASSERT_TRUE(a.ok()) << a.error;
  EXPECT_EQ(a.image.width, 37);
  EXPECT_EQ(a.image.height, 23);
  ASSERT_EQ(a.image.channels, 3);
  for (int c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(a.image.at(30, 17, c), (rgba16_sample(30, 17, c) >> 8) / 255.0f);

  PngSpec palette = png_spec(13, 7, 2, 3, 1);
  palette.palette = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255};
  palette.transparency = {255, 255, 255, 0};  // entry 3 (white) fully transparent: black
  const ImageLoadResult p = load(handmade_png(palette, [](int x, int y, int) { return (x + y) % 4; }));
  ASSERT_TRUE(p.ok()) << p.error;
  ASSERT_EQ(p.image.channels, 3);
  EXPECT_FLOAT_EQ(p.image.at(1, 0, 1), 1.0f);  // index 1: green
  EXPECT_FLOAT_EQ(p.image.at(2, 0, 2), 1.0f);  // index 2: blue
  EXPECT_FLOAT_EQ(p.image.at(3, 0, 0), 0.0f);  // index 3: transparent white over black
  EXPECT_FLOAT_EQ(p.image.at(3, 0, 1), 0.0f);

  const PngSpec bits = png_spec(19, 11, 1, 0, 1, true);
  const ImageLoadResult b = load(handmade_png(bits, [](int x, int y, int) { return (x ^ y) & 1; }));
  ASSERT_TRUE(b.ok()) << b.error;
  ASSERT_EQ(b.image.channels, 1);
  EXPECT_FLOAT_EQ(b.image.at(4, 7, 0), 1.0f);
  EXPECT_FLOAT_EQ(b.image.at(5, 7, 0), 0.0f);

  PngSpec grey_alpha = png_spec(29, 17, 8, 4, 2);
  grey_alpha.idat_split = 5;
  const ImageLoadResult g = load(handmade_png(grey_alpha, [](int x, int y, int s) { return s == 1 ? 255 : x * 8 + y; }));
  ASSERT_TRUE(g.ok()) << g.error;
  ASSERT_EQ(g.image.channels, 1);
  EXPECT_FLOAT_EQ(g.image.at(20, 9, 0), (20 * 8 + 9) / 255.0f);
}

// JPEGs too, with and without chroma subsampling (stb_image_write subsamples below quality 90),
// at sizes that are not whole MCUs.
TEST(ImageSource, JpegsLoadWithinTheirBudget) {
  TempDir dir;
  std::vector<unsigned char> data(333u * 251 * 3);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<unsigned char>((i * 7) % 256);
  for (int quality : {95, 50}) {
    const std::string path = dir.file("q" + std::to_string(quality) + ".jpg");
    ASSERT_NE(stbi_write_jpg(path.c_str(), 333, 251, 3, data.data(), quality), 0);
    const ImageLoadResult r = load_image_file(path, 1000);
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.image.width, 333);
    EXPECT_EQ(r.image.height, 251);
    const ImageDecodeMemory memory = last_image_decode_memory();
    EXPECT_GT(memory.peak_bytes, 333u * 251 * 3);
    EXPECT_LE(memory.peak_bytes, memory.budget_bytes);
    EXPECT_EQ(memory.refused_bytes, 0u);
  }
}

// Found by tests/fuzz/fuzz_image (tests/fuzz/regressions/fuzz_image/crash-jpeg-dc-overflow, without
// its mode byte): a corrupt JPEG whose 16-bit quantiser times its accumulated DC value overflows
// int inside stb_image 2.27 (undefined behaviour, which UBSan aborts on). image_source.cpp is now
// compiled with -fwrapv, so the product wraps; the file is refused with stb's message either way.
TEST(ImageSource, JpegWhoseDcValueOverflowsIsRefused) {
  const std::string fuzz_input = hex_bytes(
      "ffd8ffe000104a464946000101010001020303030304060404040404080506060609080a0a090809090a0c0f0c0a0b"
      "0e0b0909020202030202020303030304060404040404080506060609080a0a09640000000809090a0c101010101010"
      "10101010101010101010101010101010101010101010ffc00011080041021003012200021101031101ffc400160001"
      "010100000000000000000000000000070405ffc4002410000104010402020300000000000000000105020304060708"
      "121311220014093036ffc4001501010100000000000000000000000000000006ffc400231100010205030500000000"
      "000000000000010211030405062100123115166181e1ffda000c03010002110311003f0014a6d26a1b73c1e61312d4"
      "951cf31163e42565beba5aec694540b254a51fd2ca07ad7f10d9");
  ASSERT_EQ(fuzz_input.size(), 308u);
  TempDir dir;
  const std::string path = dir.file("dc.jpg");
  write_text(path, fuzz_input);
  const ImageLoadResult r = load_image_file(path, 8);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.image.empty());
  EXPECT_NE(r.error.find("cannot decode image"), std::string::npos) << r.error;
  EXPECT_LE(last_image_decode_memory().peak_bytes, last_image_decode_memory().budget_bytes);
}

// Found by tests/fuzz/fuzz_image (tests/fuzz/regressions/fuzz_image/crash-jpeg-undefined-huffman-table,
// without its mode byte): a JPEG whose first component uses DC table 3 and AC table 2, which no DHT
// defines. stb_image 2.27 decodes with them anyway and read out of bounds through whatever its
// freshly allocated state held. Its allocations are now zeroed: the empty tables match no code.
TEST(ImageSource, JpegUsingUndefinedHuffmanTablesIsRefused) {
  const std::string fuzz_input = hex_bytes(
      "ffd8ffe000724a46494600010101000128010000ffdb0043000302020209090d110d0e0f101011100a0c1213121013"
      "0f101010ffdb004301f2030304030408040408100b090b101010101010101010101010101014101010101010101010"
      "1010101010101010101010101010101010101010101010101010ffc00011080010001003012200021101031101ffc4"
      "00160001010100000000000000000000000000070405ffc40024100001040104020203000000000000000001020304"
      "06050708121311220014093236ffc4001501010100000000000000000000000000000006ffc4002311000102050305"
      "00000000000000000000010211030405062100123115166181e1ffda000c03013202110311003f0014a6d26a1b73c1"
      "e61312d4951cf31163e42565beba5aec694540b1e520b254a51fd29335e69b77d7e66d07ffd8a71781a5571c7f1cea"
      "71e24b39d7e32253f21a69ded4ffe0");
  ASSERT_EQ(fuzz_input.size(), 344u);
  TempDir dir;
  const std::string path = dir.file("tables.jpg");
  write_text(path, fuzz_input);
  const ImageLoadResult r = load_image_file(path, 8);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.image.empty());
  EXPECT_NE(r.error.find("tables.jpg"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("bad huffman code"), std::string::npos) << r.error;
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
