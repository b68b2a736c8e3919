#include "renderer/fonts.hpp"

#include <fontconfig/fontconfig.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

namespace renderer {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return text;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Asks fontconfig for family/weight; returns the file only when the match really is that family,
// a TrueType file (ImGui's rasteriser reads TrueType outlines) and readable.
std::string match_font(FcConfig* config, const char* family, int weight) {
  FcPattern* pattern = FcPatternCreate();
  if (pattern == nullptr) return {};
  FcPatternAddString(pattern, FC_FAMILY, reinterpret_cast<const FcChar8*>(family));
  FcPatternAddInteger(pattern, FC_WEIGHT, weight);
  FcPatternAddInteger(pattern, FC_SLANT, FC_SLANT_ROMAN);
  FcConfigSubstitute(config, pattern, FcMatchPattern);
  FcDefaultSubstitute(pattern);
  FcResult result = FcResultNoMatch;
  FcPattern* match = FcFontMatch(config, pattern, &result);
  FcPatternDestroy(pattern);
  if (match == nullptr) return {};

  std::string path;
  FcChar8* file = nullptr;
  FcChar8* matched_family = nullptr;
  int matched_weight = 0;
  if (FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch &&
      FcPatternGetString(match, FC_FAMILY, 0, &matched_family) == FcResultMatch &&
      FcPatternGetInteger(match, FC_WEIGHT, 0, &matched_weight) == FcResultMatch) {
    std::string candidate = reinterpret_cast<const char*>(file);
    bool same_family = lower(reinterpret_cast<const char*>(matched_family)) == lower(family);
    // Bold must be bold; regular must not be (fontconfig substitutes the nearest weight).
    bool weight_ok = weight >= FC_WEIGHT_BOLD ? matched_weight >= FC_WEIGHT_DEMIBOLD
                                              : matched_weight < FC_WEIGHT_DEMIBOLD;
    bool truetype = ends_with(lower(candidate), ".ttf");
    if (same_family && weight_ok && truetype && std::ifstream(candidate, std::ios::binary).good()) {
      path = candidate;
    }
  }
  FcPatternDestroy(match);
  return path;
}

// The whole file when it looks like TrueType (sfnt version 0x00010000 or 'true'), else empty.
std::vector<char> read_truetype_file(const std::string& path) {
  if (path.empty()) return {};
  std::ifstream file(path, std::ios::binary);
  if (!file) return {};
  std::vector<char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (bytes.size() < 12) return {};
  const unsigned char* b = reinterpret_cast<const unsigned char*>(bytes.data());
  bool sfnt = (b[0] == 0 && b[1] == 1 && b[2] == 0 && b[3] == 0) ||
              (b[0] == 't' && b[1] == 'r' && b[2] == 'u' && b[3] == 'e');
  if (!sfnt) return {};
  return bytes;
}

void append_line(std::string* text, const std::string& line) {
  if (text == nullptr) return;
  if (!text->empty()) *text += '\n';
  *text += line;
}

}  // namespace

FontPaths find_dejavu_fonts(std::string* warning) {
  FontPaths paths;
  // A private configuration, destroyed after the three look-ups: FcInit's process-wide one would
  // stay loaded for the whole run only to answer them, and part of it is memory that
  // LeakSanitizer cannot trace back (it reported it as leaked until FcFini/FcConfigDestroy).
  std::unique_ptr<FcConfig, void (*)(FcConfig*)> config(FcInitLoadConfigAndFonts(), FcConfigDestroy);
  if (!config) {
    append_line(warning, "fontconfig could not be initialised: using ImGui's built-in font (no Greek letters).");
    return paths;
  }
  paths.regular = match_font(config.get(), "DejaVu Sans", FC_WEIGHT_REGULAR);
  paths.bold = match_font(config.get(), "DejaVu Sans", FC_WEIGHT_BOLD);
  paths.mono = match_font(config.get(), "DejaVu Sans Mono", FC_WEIGHT_REGULAR);
  if (paths.regular.empty()) {
    append_line(warning,
                "Font 'DejaVu Sans' not found through fontconfig (install fonts-dejavu-core): "
                "using ImGui's built-in font, which has no Greek letters.");
  }
  if (paths.bold.empty() && !paths.regular.empty()) {
    append_line(warning, "Font 'DejaVu Sans Bold' not found: bold text uses the regular face.");
  }
  if (paths.mono.empty() && !paths.regular.empty()) {
    append_line(warning, "Font 'DejaVu Sans Mono' not found: numbers use the regular face.");
  }
  return paths;
}

const ImWchar* lecture_glyph_ranges() {
  static const ImWchar ranges[] = {
      0x0020, 0x00FF,  // Basic Latin, Latin-1 (², ³, ¹, ·, ×, ±)
      0x0100, 0x017F,  // Latin Extended-A
      0x0300, 0x036F,  // combining marks: U+0303 tilde (β̃), U+0304 macron (ᾱ)
      0x0370, 0x03FF,  // Greek
      0x1F00, 0x1FFF,  // Greek Extended: U+1FB1 ᾱ precomposed
      0x2000, 0x206F,  // general punctuation (– — … ′ •)
      0x2070, 0x209F,  // superscripts and subscripts
      0x2100, 0x214F,  // letterlike symbols (ℕ ℝ)
      0x2190, 0x21FF,  // arrows
      0x2200, 0x22FF,  // mathematical operators: √ ≈ ≤ ≥ − ∈ ∞ ∑ ∏
      0x2300, 0x23FF,  // miscellaneous technical
      0x25A0, 0x25FF,  // geometric shapes (▶ ◀ ■ ● for the timeline buttons)
      0x26A0, 0x26A0,  // ⚠ for warnings
      0,
  };
  return ranges;
}

namespace {
// DejaVu's combining tilde (U+0303) sits at x-height, so over β it merges with the letter's top and
// β̃ reads as β. Move the mark up (only its quad: the atlas pixels are unchanged) so it clears
// ascenders. Only β carries it in the app.
void raise_combining_marks(const FontSet& fonts) {
  if (fonts.fallback) return;
  for (ImFont* font : {fonts.regular, fonts.bold, fonts.mono, fonts.large}) {
    if (!font) continue;
    const ImFontGlyph* glyph = font->FindGlyphNoFallback(0x0303);
    const ImFontGlyph* beta = font->FindGlyphNoFallback(0x03B2);
    if (!glyph || !beta) continue;
    // Bottom of the tilde just above the top of β, with a small gap.
    const float shift = glyph->Y1 - beta->Y0 + 0.04f * font->FontSize;
    if (shift <= 0.0f) continue;
    auto* editable = const_cast<ImFontGlyph*>(glyph);
    editable->Y0 -= shift;
    editable->Y1 -= shift;
  }
}

}  // namespace

FontSet build_font_atlas(ImFontAtlas* atlas, float pixel_size, const FontPaths& paths) {
  FontSet set;
  if (atlas == nullptr) {
    set.fallback = true;
    set.warning = "build_font_atlas: no font atlas given.";
    return set;
  }
  if (!std::isfinite(pixel_size)) pixel_size = 18.0f;
  pixel_size = std::clamp(pixel_size, 8.0f, 96.0f);
  atlas->Clear();

  auto add = [&](const std::string& path, float size) -> ImFont* {
    std::vector<char> bytes = read_truetype_file(path);
    if (bytes.empty()) return nullptr;
    ImFontConfig config;
    // Horizontal oversampling only pays off for small sizes; it triples the atlas width.
    config.OversampleH = size < 24.0f ? 2 : 1;
    config.OversampleV = 1;
    config.PixelSnapH = false;
    // The atlas owns (and frees) the copy; ImGui's own file loader asserts on unreadable files.
    void* data = IM_ALLOC(bytes.size());
    std::memcpy(data, bytes.data(), bytes.size());
    return atlas->AddFontFromMemoryTTF(data, static_cast<int>(bytes.size()), size, &config,
                                       lecture_glyph_ranges());
  };

  set.regular = add(paths.regular, pixel_size);
  if (set.regular != nullptr) {
    set.pixel_size = pixel_size;
    set.bold = add(paths.bold, pixel_size);
    set.mono = add(paths.mono, pixel_size);
    set.large = add(paths.regular, std::round(pixel_size * 1.5f));
    if (set.bold == nullptr) set.bold = set.regular;
    if (set.mono == nullptr) set.mono = set.regular;
    if (set.large == nullptr) set.large = set.regular;
    if (atlas->Build()) {
      raise_combining_marks(set);
      return set;
    }
    // A font file that loads but does not build: start again with the built-in font.
    atlas->Clear();
    set.warning = "Could not build the font atlas from '" + paths.regular + "'. ";
  } else if (!paths.regular.empty()) {
    set.warning = "Could not load font '" + paths.regular + "'. ";
  } else {
    set.warning = "DejaVu Sans not found. ";
  }

  // ImGui's built-in ProggyClean is a 13 px pixel font: scale by whole multiples to keep it crisp.
  set.warning += "Using ImGui's built-in font (no Greek letters or math symbols).";
  ImFontConfig config;
  config.SizePixels = 13.0f * std::max(1.0f, std::round(pixel_size / 13.0f));
  set.regular = atlas->AddFontDefault(&config);
  set.bold = set.mono = set.large = set.regular;
  set.pixel_size = config.SizePixels;
  set.fallback = true;
  atlas->Build();
  return set;
}

}  // namespace renderer
