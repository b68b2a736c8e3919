// write_png: what it writes decodes to the same pixels (stb_image), and bad input is named.
#include <gtest/gtest.h>
#include <stb_image.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "fileio/png_file.hpp"

namespace {

namespace fs = std::filesystem;

TEST(WritePng, EveryChannelCountRoundTripsThroughStbImage) {
  const fs::path dir = fs::temp_directory_path() / ("diffuscope_png_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (int channels = 1; channels <= 4; ++channels) {
    const std::string path = (dir / ("out" + std::to_string(channels) + ".png")).string();
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(7 * 5 * channels));
    for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i * 7);
    ASSERT_EQ(fileio::write_png(path, pixels.data(), 7, 5, channels), "");
    int width = 0, height = 0, stored = 0;
    unsigned char* back = stbi_load(path.c_str(), &width, &height, &stored, channels);
    ASSERT_NE(back, nullptr) << stbi_failure_reason();
    EXPECT_EQ(width, 7);
    EXPECT_EQ(height, 5);
    EXPECT_EQ(stored, channels);
    EXPECT_EQ(std::vector<std::uint8_t>(back, back + pixels.size()), pixels);
    stbi_image_free(back);
  }
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(dir)) ++entries, (void)entry;
  EXPECT_EQ(entries, 4);  // no temporary file left
  fs::remove_all(dir);
}

TEST(WritePng, BadInputAndMissingFolderGiveMessages) {
  const std::uint8_t pixel[3] = {1, 2, 3};
  const std::string missing = "/nonexistent-dir-xyz/out.png";
  const std::string error = fileio::write_png(missing, pixel, 1, 1, 3);
  EXPECT_NE(error.find(missing), std::string::npos) << error;
  EXPECT_NE(error.find("does not exist"), std::string::npos) << error;
  EXPECT_NE(fileio::write_png("", pixel, 1, 1, 3), "");
  EXPECT_NE(fileio::write_png("/tmp/x.png", pixel, 1, 1, 5).find("channels"), std::string::npos);
  EXPECT_NE(fileio::write_png("/tmp/x.png", nullptr, 1, 1, 3).find("no image"), std::string::npos);
  EXPECT_NE(fileio::write_png("/tmp/x.png", pixel, 0, 1, 3).find("no image"), std::string::npos);
}

}  // namespace
