#pragma once
// Fonts: DejaVu Sans found through fontconfig, loaded into the ImGui atlas with the glyphs the
// lecture needs (Greek, ᾱ, β̃, √, ≈, sub/superscripts). The built-in ImGui font is a 13 px bitmap
// without Greek, so it is only a fallback.
#include <imgui.h>

#include <string>

namespace renderer {

struct FontPaths {
  std::string regular;   // DejaVu Sans (empty when not found)
  std::string bold;      // DejaVu Sans Bold (empty when not found)
  std::string mono;      // DejaVu Sans Mono (empty when not found)
};

// Asks fontconfig for "DejaVu Sans" (regular, bold) and "DejaVu Sans Mono". A match is accepted
// only when its family really is DejaVu (fontconfig always returns *some* font). Appends a
// human-readable line to *warning for each face not found.
FontPaths find_dejavu_fonts(std::string* warning = nullptr);

// The glyph ranges (zero-terminated pairs) loaded into the atlas: Basic Latin, Latin-1, Greek,
// Greek Extended (U+1FB1 ᾱ), combining marks U+0300..036F (tilde, macron), general punctuation,
// super/subscripts U+2070..209F, arrows, mathematical operators (√ ≈ ≤ ≥ − × · ∈ ∞).
const ImWchar* lecture_glyph_ranges();

struct FontSet {
  ImFont* regular = nullptr;   // the default font (io.FontDefault)
  ImFont* bold = nullptr;      // == regular when no bold face was found
  ImFont* mono = nullptr;      // == regular when no mono face was found
  ImFont* large = nullptr;     // regular at 1.5x size, for titles; == regular on fallback
  float pixel_size = 13.0f;
  bool fallback = false;       // true when ImGui's built-in font is used
  std::string warning;         // non-empty when something was missing: show it in the UI
};

// Clears `atlas` and adds the fonts at pixel_size (e.g. 18 * ui_scale). Builds the atlas
// (CPU only). With an ImGui GL backend running, recreate its font texture afterwards
// (ImGui_ImplOpenGL3_DestroyFontsTexture / CreateFontsTexture) — not between NewFrame and Render.
// Falls back to ImGui's default font (scaled to about pixel_size) with a warning.
// DejaVu's combining tilde is raised so that β̃ does not read as β.
FontSet build_font_atlas(ImFontAtlas* atlas, float pixel_size, const FontPaths& paths);

}  // namespace renderer
