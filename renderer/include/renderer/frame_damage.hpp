#pragma once
// Redraw only what changed (issue 16). The lecture window keeps its last picture in an offscreen
// framebuffer; each frame, FrameDamage compares ImGui's draw data with the data of the picture
// held there, list by list (one ImGui window is one list), and names the rectangle whose pixels
// can differ: the old and new extent of every list whose vertices, indices or commands changed,
// of lists that appeared or went away, and the clip rectangle of every command that samples a
// texture whose content changed since (see note_texture_changed). Only that rectangle is cleared
// and drawn again (clip_draw_data_to); an empty one means the picture on screen is still right.
//
// Pure CPU over ImDrawData: no GL, so it is unit-tested with a headless ImGui context. UI thread
// only (the texture registry is a plain static, like GL's own context).
#include <imgui.h>

#include <string>
#include <vector>

namespace renderer {

// A rectangle in ImGui display coordinates (those of ImDrawCmd::ClipRect).
struct DamageRect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool empty() const { return !(x1 > x0 && y1 > y0); }
  float area() const { return empty() ? 0.0f : (x1 - x0) * (y1 - y0); }
  bool operator==(const DamageRect& o) const { return x0 == o.x0 && y0 == o.y0 && x1 == o.x1 && y1 == o.y1; }
};

// The pixels of this GL texture changed (an upload, a render into its framebuffer): commands
// that sample it must be drawn again. Called by ImageTexture and RenderTarget.
void note_texture_changed(ImTextureID texture);

class FrameDamage {
 public:
  // The rectangle to draw again for this frame's draw data, clamped to the display and widened to
  // whole framebuffer pixels. The whole display when nothing was drawn before, when the display's
  // size, position or scale changed, when the lists were reordered, or after invalidate().
  // Remembers the data as the picture now held, and forgets the changed textures.
  DamageRect compute(const ImDrawData& data);
  // Forget the held picture (the offscreen framebuffer was recreated, the fonts rebuilt, an
  // export drew something else): the next compute returns the whole display.
  void invalidate() { valid_ = false; }

 private:
  struct Command {
    ImVec4 clip;
    ImTextureID texture;
    unsigned int vertex_offset, index_offset, element_count;
    bool has_callback;
    bool operator==(const Command& o) const;
  };
  struct ListCopy {
    std::string owner;                 // the ImGui window that drew it ("" for the viewport's own lists)
    std::vector<ImDrawVert> vertices;
    std::vector<ImDrawIdx> indices;
    std::vector<Command> commands;
    DamageRect extent;                 // union of the commands' clip rectangles
  };
  static ListCopy copy_of(const ImDrawList& list, const DamageRect& display);
  static bool same_content(const ImDrawList& list, const ListCopy& held);

  bool valid_ = false;
  ImVec2 display_pos_{0, 0}, display_size_{0, 0}, framebuffer_scale_{1, 1};
  std::vector<ListCopy> held_;
};

// Intersects every command's clip rectangle with `damage` (commands outside it get an empty one,
// which the OpenGL backend skips), so that rendering the data redraws exactly the damaged pixels.
void clip_draw_data_to(ImDrawData& data, const DamageRect& damage);

}  // namespace renderer
