#include "renderer/frame_damage.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace renderer {

namespace {

// Textures whose content changed since the last compute (a handful per frame at most).
std::vector<ImTextureID>& changed_textures() {
  static std::vector<ImTextureID> textures;
  return textures;
}

DamageRect united(const DamageRect& a, const DamageRect& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return DamageRect{std::min(a.x0, b.x0), std::min(a.y0, b.y0), std::max(a.x1, b.x1), std::max(a.y1, b.y1)};
}

DamageRect intersected(const DamageRect& a, const DamageRect& b) {
  return DamageRect{std::max(a.x0, b.x0), std::max(a.y0, b.y0), std::min(a.x1, b.x1), std::min(a.y1, b.y1)};
}

DamageRect rect_of(const ImVec4& clip) { return DamageRect{clip.x, clip.y, clip.z, clip.w}; }

bool texture_changed(ImTextureID texture) {
  const auto& changed = changed_textures();
  return std::find(changed.begin(), changed.end(), texture) != changed.end();
}

// Whole framebuffer pixels: the backend truncates scissor boxes to integers, so a damage edge
// inside a pixel would leave a sliver of it old.
DamageRect to_whole_pixels(const DamageRect& r, ImVec2 origin, ImVec2 scale) {
  if (r.empty()) return DamageRect{};
  const float sx = scale.x > 0 ? scale.x : 1.0f, sy = scale.y > 0 ? scale.y : 1.0f;
  return DamageRect{origin.x + std::floor((r.x0 - origin.x) * sx) / sx, origin.y + std::floor((r.y0 - origin.y) * sy) / sy,
                    origin.x + std::ceil((r.x1 - origin.x) * sx) / sx, origin.y + std::ceil((r.y1 - origin.y) * sy) / sy};
}

const char* owner_of(const ImDrawList& list) { return list._OwnerName ? list._OwnerName : ""; }

// The clip rectangle says where a command may draw (for a window's background it is the whole
// display); its vertices say where it does. Triangles never leave their vertices' bounding box.
DamageRect vertex_bounds(const ImDrawVert* vertices, int count) {
  if (count <= 0) return DamageRect{};
  DamageRect r{vertices[0].pos.x, vertices[0].pos.y, vertices[0].pos.x, vertices[0].pos.y};
  for (int i = 1; i < count; ++i) {
    r.x0 = std::min(r.x0, vertices[i].pos.x);
    r.y0 = std::min(r.y0, vertices[i].pos.y);
    r.x1 = std::max(r.x1, vertices[i].pos.x);
    r.y1 = std::max(r.y1, vertices[i].pos.y);
  }
  return r;
}

DamageRect command_bounds(const ImDrawList& list, const ImDrawCmd& cmd) {
  DamageRect r;
  bool first = true;
  for (unsigned int k = 0; k < cmd.ElemCount; ++k) {
    const unsigned int index = cmd.IdxOffset + k;
    if (index >= static_cast<unsigned int>(list.IdxBuffer.Size)) break;
    const unsigned int vertex = cmd.VtxOffset + list.IdxBuffer[static_cast<int>(index)];
    if (vertex >= static_cast<unsigned int>(list.VtxBuffer.Size)) continue;
    const ImVec2 p = list.VtxBuffer[static_cast<int>(vertex)].pos;
    if (first) {
      r = DamageRect{p.x, p.y, p.x, p.y};
      first = false;
    } else {
      r = DamageRect{std::min(r.x0, p.x), std::min(r.y0, p.y), std::max(r.x1, p.x), std::max(r.y1, p.y)};
    }
  }
  return r;
}

}  // namespace

void note_texture_changed(ImTextureID texture) {
  auto& changed = changed_textures();
  if (std::find(changed.begin(), changed.end(), texture) == changed.end()) changed.push_back(texture);
}

bool FrameDamage::Command::operator==(const Command& o) const {
  return clip.x == o.clip.x && clip.y == o.clip.y && clip.z == o.clip.z && clip.w == o.clip.w &&
         texture == o.texture && vertex_offset == o.vertex_offset && index_offset == o.index_offset &&
         element_count == o.element_count && has_callback == o.has_callback;
}

FrameDamage::ListCopy FrameDamage::copy_of(const ImDrawList& list, const DamageRect& display) {
  ListCopy copy;
  copy.owner = owner_of(list);
  copy.vertices.assign(list.VtxBuffer.Data, list.VtxBuffer.Data + list.VtxBuffer.Size);
  copy.indices.assign(list.IdxBuffer.Data, list.IdxBuffer.Data + list.IdxBuffer.Size);
  copy.commands.reserve(static_cast<std::size_t>(list.CmdBuffer.Size));
  DamageRect clips;
  bool callback = false;
  for (const ImDrawCmd& cmd : list.CmdBuffer) {
    copy.commands.push_back(Command{cmd.ClipRect, cmd.TextureId, cmd.VtxOffset, cmd.IdxOffset, cmd.ElemCount,
                                    cmd.UserCallback != nullptr});
    clips = united(clips, rect_of(cmd.ClipRect));
    callback = callback || cmd.UserCallback != nullptr;
  }
  // A callback may draw anywhere: it damages the whole display when its list changes.
  copy.extent = callback ? display
                         : intersected(intersected(vertex_bounds(list.VtxBuffer.Data, list.VtxBuffer.Size), clips), display);
  return copy;
}

bool FrameDamage::same_content(const ImDrawList& list, const ListCopy& held) {
  if (held.owner != owner_of(list)) return false;
  if (static_cast<std::size_t>(list.VtxBuffer.Size) != held.vertices.size() ||
      static_cast<std::size_t>(list.IdxBuffer.Size) != held.indices.size() ||
      static_cast<std::size_t>(list.CmdBuffer.Size) != held.commands.size()) {
    return false;
  }
  for (int i = 0; i < list.CmdBuffer.Size; ++i) {
    const ImDrawCmd& cmd = list.CmdBuffer[i];
    const Command now{cmd.ClipRect, cmd.TextureId, cmd.VtxOffset, cmd.IdxOffset, cmd.ElemCount, cmd.UserCallback != nullptr};
    if (!(now == held.commands[static_cast<std::size_t>(i)])) return false;
  }
  return std::memcmp(list.VtxBuffer.Data, held.vertices.data(), held.vertices.size() * sizeof(ImDrawVert)) == 0 &&
         std::memcmp(list.IdxBuffer.Data, held.indices.data(), held.indices.size() * sizeof(ImDrawIdx)) == 0;
}

DamageRect FrameDamage::compute(const ImDrawData& data) {
  const DamageRect display{data.DisplayPos.x, data.DisplayPos.y, data.DisplayPos.x + data.DisplaySize.x,
                           data.DisplayPos.y + data.DisplaySize.y};
  const int count = data.CmdListsCount;
  bool whole = !valid_ || data.DisplayPos.x != display_pos_.x || data.DisplayPos.y != display_pos_.y ||
               data.DisplaySize.x != display_size_.x || data.DisplaySize.y != display_size_.y ||
               data.FramebufferScale.x != framebuffer_scale_.x || data.FramebufferScale.y != framebuffer_scale_.y;
  // Lists are drawn in order; when windows change their stacking, everything they overlap can
  // change. Lists are matched by position and owner: a new, closed or restacked window shows up
  // as a different owner at some position.
  if (!whole && static_cast<std::size_t>(count) != held_.size()) whole = true;
  for (int i = 0; i < count && !whole; ++i) {
    if (held_[static_cast<std::size_t>(i)].owner != owner_of(*data.CmdLists[i])) whole = true;
  }

  DamageRect damage = whole ? display : DamageRect{};
  std::vector<ListCopy> now;
  now.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const ImDrawList& list = *data.CmdLists[i];
    ListCopy* held = i < static_cast<int>(held_.size()) ? &held_[static_cast<std::size_t>(i)] : nullptr;
    if (held && !whole && same_content(list, *held)) {
      now.push_back(std::move(*held));
      // Same commands, but a texture they sample may show new pixels.
      for (const ImDrawCmd& cmd : list.CmdBuffer) {
        if (!cmd.UserCallback && texture_changed(cmd.TextureId)) {
          damage = united(damage, intersected(intersected(command_bounds(list, cmd), rect_of(cmd.ClipRect)), display));
        }
      }
      continue;
    }
    now.push_back(copy_of(list, display));
    if (!whole) damage = united(damage, united(now.back().extent, held ? held->extent : DamageRect{}));
  }
  held_ = std::move(now);
  valid_ = true;
  display_pos_ = data.DisplayPos;
  display_size_ = data.DisplaySize;
  framebuffer_scale_ = data.FramebufferScale;
  changed_textures().clear();
  return to_whole_pixels(intersected(damage, display), data.DisplayPos, data.FramebufferScale);
}

void clip_draw_data_to(ImDrawData& data, const DamageRect& damage) {
  for (int i = 0; i < data.CmdListsCount; ++i) {
    for (ImDrawCmd& cmd : data.CmdLists[i]->CmdBuffer) {
      if (cmd.UserCallback) continue;
      const DamageRect clip = intersected(rect_of(cmd.ClipRect), damage);
      cmd.ClipRect = clip.empty() ? ImVec4(damage.x0, damage.y0, damage.x0, damage.y0)
                                  : ImVec4(clip.x0, clip.y0, clip.x1, clip.y1);
    }
  }
}

}  // namespace renderer
