// Font discovery and atlas building are CPU-only (no GL context needed).
#include <gtest/gtest.h>

#include <cstdio>

#include "renderer/fonts.hpp"

using namespace renderer;

TEST(Fonts, FindsDejaVuThroughFontconfig) {
  std::string warning;
  FontPaths paths = find_dejavu_fonts(&warning);
  // fonts-dejavu-core is a build dependency of this project.
  ASSERT_FALSE(paths.regular.empty()) << warning;
  EXPECT_NE(paths.regular.find("DejaVuSans"), std::string::npos) << paths.regular;
  EXPECT_NE(paths.bold.find("Bold"), std::string::npos) << paths.bold;
  EXPECT_NE(paths.mono.find("Mono"), std::string::npos) << paths.mono;
}

TEST(Fonts, AtlasHasLectureGlyphs) {
  FontPaths paths = find_dejavu_fonts();
  ASSERT_FALSE(paths.regular.empty());
  ImFontAtlas atlas;
  FontSet set = build_font_atlas(&atlas, 18.0f, paths);
  ASSERT_FALSE(set.fallback) << set.warning;
  ASSERT_NE(set.regular, nullptr);
  EXPECT_EQ(set.pixel_size, 18.0f);
  EXPECT_NE(set.bold, set.regular);
  // α β ε σ, precomposed ᾱ, combining tilde and macron, √ ≈ ≤ − ×, subscript t, superscript 2, ∞.
  const ImWchar needed[] = {0x03B1, 0x03B2, 0x03B5, 0x03C3, 0x1FB1, 0x0303, 0x0304, 0x221A,
                            0x2248, 0x2264, 0x2212, 0x00D7, 0x209C, 0x00B2, 0x221E, 0x25B6};
  for (ImWchar c : needed) {
    EXPECT_NE(set.regular->FindGlyphNoFallback(c), nullptr) << "U+" << std::hex << c;
  }
  int w = 0, h = 0;
  unsigned char* pixels = nullptr;
  atlas.GetTexDataAsRGBA32(&pixels, &w, &h);
  EXPECT_NE(pixels, nullptr);
  EXPECT_GT(w, 0);
}

TEST(Fonts, MissingFontFallsBackWithWarning) {
  ImFontAtlas atlas;
  FontPaths none;
  FontSet set = build_font_atlas(&atlas, 26.0f, none);
  EXPECT_TRUE(set.fallback);
  EXPECT_NE(set.regular, nullptr);
  EXPECT_FALSE(set.warning.empty());
  EXPECT_EQ(set.pixel_size, 26.0f);  // 2x the 13 px built-in font
  // A file that exists but is not a font.
  std::string junk = std::string(::testing::TempDir()) + "not_a_font.ttf";
  std::FILE* f = std::fopen(junk.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("this is not a TrueType file", f);
  std::fclose(f);
  FontPaths bogus{junk, "", ""};
  FontSet set2 = build_font_atlas(&atlas, 18.0f, bogus);
  EXPECT_TRUE(set2.fallback);
  EXPECT_NE(set2.warning.find(junk), std::string::npos) << set2.warning;
  std::remove(junk.c_str());
}
