#include "renderer/gif_writer.hpp"

#include <gif_lib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "fileio/atomic_file.hpp"

namespace renderer {
namespace {

using Rgb = std::array<std::uint8_t, 3>;

// One frame reduced to a palette (<= 256 colours) and one palette index per pixel.
struct IndexedFrame {
  std::vector<Rgb> palette;
  std::vector<GifPixelType> indices;
};

std::uint32_t pack_rgb(const std::uint8_t* pixel) {
  return (static_cast<std::uint32_t>(pixel[0]) << 16) | (static_cast<std::uint32_t>(pixel[1]) << 8) | pixel[2];
}

// Exact path: when the frame has at most 256 distinct colours (typical for UI with flat fills),
// use them as they are so the GIF reproduces the frame bit for bit. A small open-addressing table
// (1024 slots, at most 257 used) finds each pixel's colour; it gives up at the 257th colour.
bool index_exact_colours(const std::uint8_t* rgba, std::size_t pixel_count, IndexedFrame& out) {
  constexpr std::size_t kSlots = 1024;
  constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;  // never a packed 24-bit colour
  std::array<std::uint32_t, kSlots> keys;
  std::array<std::uint8_t, kSlots> slot_index{};
  keys.fill(kEmpty);
  out.palette.clear();
  out.indices.resize(pixel_count);

  std::uint32_t previous_colour = kEmpty;
  std::uint8_t previous_index = 0;
  for (std::size_t i = 0; i < pixel_count; ++i) {
    const std::uint32_t colour = pack_rgb(rgba + i * 4);
    if (colour == previous_colour) {  // runs of one colour are the common case in UI frames
      out.indices[i] = previous_index;
      continue;
    }
    std::size_t slot = (colour * 2654435761u) >> 22;  // Fibonacci hashing to 10 bits
    while (keys[slot] != kEmpty && keys[slot] != colour) slot = (slot + 1) & (kSlots - 1);
    if (keys[slot] == kEmpty) {
      if (out.palette.size() == 256) return false;
      keys[slot] = colour;
      slot_index[slot] = static_cast<std::uint8_t>(out.palette.size());
      out.palette.push_back({static_cast<std::uint8_t>(colour >> 16), static_cast<std::uint8_t>(colour >> 8),
                             static_cast<std::uint8_t>(colour)});
    }
    previous_colour = colour;
    previous_index = slot_index[slot];
    out.indices[i] = previous_index;
  }
  return true;
}

// One occupied cell of the 15-bit (5:5:5) colour histogram, with exact sums of the pixels in it.
struct HistogramBin {
  std::uint16_t key = 0;  // r5 << 10 | g5 << 5 | b5
  std::uint32_t count = 0;
  std::array<double, 3> sum{};  // per channel, 0..255 units
  double sum_squares = 0.0;     // sum over pixels of r^2 + g^2 + b^2
  std::array<double, 3> mean{};
};

// A median-cut box: a contiguous range of bins with its pixel statistics.
struct Box {
  std::size_t begin = 0, end = 0;
  double count = 0.0;
  std::array<double, 3> sum{};
  double sum_squares = 0.0;
  double squared_error() const {
    if (count <= 0.0) return 0.0;
    return sum_squares - (sum[0] * sum[0] + sum[1] * sum[1] + sum[2] * sum[2]) / count;
  }
};

Box make_box(const std::vector<HistogramBin>& bins, std::size_t begin, std::size_t end) {
  Box box;
  box.begin = begin;
  box.end = end;
  for (std::size_t i = begin; i < end; ++i) {
    box.count += bins[i].count;
    for (int c = 0; c < 3; ++c) box.sum[c] += bins[i].sum[c];
    box.sum_squares += bins[i].sum_squares;
  }
  return box;
}

// Splits `box` in two along its channel of largest spread. The cut is placed where the two halves'
// total squared error is smallest (a variance-minimising "median"), found with running sums.
std::pair<Box, Box> split_box(std::vector<HistogramBin>& bins, const Box& box) {
  std::array<double, 3> spread{};
  for (std::size_t i = box.begin; i < box.end; ++i) {
    for (int c = 0; c < 3; ++c) {
      const double d = bins[i].mean[c] - box.sum[c] / box.count;
      spread[c] += bins[i].count * d * d;
    }
  }
  const int axis = static_cast<int>(std::max_element(spread.begin(), spread.end()) - spread.begin());
  std::sort(bins.begin() + static_cast<std::ptrdiff_t>(box.begin), bins.begin() + static_cast<std::ptrdiff_t>(box.end),
            [axis](const HistogramBin& a, const HistogramBin& b) {
              if (a.mean[axis] != b.mean[axis]) return a.mean[axis] < b.mean[axis];
              return a.key < b.key;  // deterministic order for equal means
            });
  // Total error = sum_squares - |S_L|^2/N_L - |S_R|^2/N_R: maximise the last two terms.
  double left_count = 0.0;
  std::array<double, 3> left_sum{};
  double best_score = -1.0;
  std::size_t best_cut = box.begin + 1;
  for (std::size_t cut = box.begin + 1; cut < box.end; ++cut) {
    const HistogramBin& moved = bins[cut - 1];
    left_count += moved.count;
    for (int c = 0; c < 3; ++c) left_sum[c] += moved.sum[c];
    const double right_count = box.count - left_count;
    double left_term = 0.0, right_term = 0.0;
    for (int c = 0; c < 3; ++c) {
      const double right_sum = box.sum[c] - left_sum[c];
      left_term += left_sum[c] * left_sum[c];
      right_term += right_sum * right_sum;
    }
    const double score = left_term / left_count + right_term / right_count;
    if (score > best_score) {
      best_score = score;
      best_cut = cut;
    }
  }
  return {make_box(bins, box.begin, best_cut), make_box(bins, best_cut, box.end)};
}

std::size_t nearest_colour(const std::array<double, 3>& colour, const std::vector<std::array<double, 3>>& palette) {
  std::size_t best = 0;
  double best_distance = std::numeric_limits<double>::max();
  for (std::size_t p = 0; p < palette.size(); ++p) {
    const double dr = colour[0] - palette[p][0], dg = colour[1] - palette[p][1], db = colour[2] - palette[p][2];
    const double distance = dr * dr + dg * dg + db * db;
    if (distance < best_distance) {
      best_distance = distance;
      best = p;
    }
  }
  return best;
}

// Many colours: a 15-bit histogram, median cut to <= 256 boxes (each the weighted mean of its
// pixels), two Lloyd (k-means) passes over the bins to tighten the palette, then a 32768-entry
// table from 15-bit colour to the nearest palette entry. No dithering: it would make text ragged.
void index_quantised(const std::uint8_t* rgba, std::size_t pixel_count, IndexedFrame& out) {
  constexpr std::size_t kCells = 1u << 15;
  auto cell_of = [](const std::uint8_t* p) -> std::uint16_t {
    return static_cast<std::uint16_t>(((p[0] >> 3) << 10) | ((p[1] >> 3) << 5) | (p[2] >> 3));
  };
  std::vector<std::uint32_t> counts(kCells, 0);
  std::vector<std::array<std::uint64_t, 4>> sums(kCells, {0, 0, 0, 0});  // r, g, b, r^2+g^2+b^2
  for (std::size_t i = 0; i < pixel_count; ++i) {
    const std::uint8_t* p = rgba + i * 4;
    const std::uint16_t cell = cell_of(p);
    ++counts[cell];
    auto& s = sums[cell];
    s[0] += p[0];
    s[1] += p[1];
    s[2] += p[2];
    s[3] += static_cast<std::uint32_t>(p[0]) * p[0] + static_cast<std::uint32_t>(p[1]) * p[1] +
            static_cast<std::uint32_t>(p[2]) * p[2];
  }
  std::vector<HistogramBin> bins;
  for (std::size_t cell = 0; cell < kCells; ++cell) {
    if (counts[cell] == 0) continue;
    HistogramBin bin;
    bin.key = static_cast<std::uint16_t>(cell);
    bin.count = counts[cell];
    for (int c = 0; c < 3; ++c) {
      bin.sum[c] = static_cast<double>(sums[cell][c]);
      bin.mean[c] = bin.sum[c] / bin.count;
    }
    bin.sum_squares = static_cast<double>(sums[cell][3]);
    bins.push_back(bin);
  }

  std::vector<Box> boxes{make_box(bins, 0, bins.size())};
  while (boxes.size() < 256) {
    std::size_t worst = boxes.size();
    double worst_error = 0.0;
    for (std::size_t b = 0; b < boxes.size(); ++b) {
      const double error = boxes[b].squared_error();
      if (boxes[b].end - boxes[b].begin >= 2 && error > worst_error) {
        worst_error = error;
        worst = b;
      }
    }
    if (worst == boxes.size()) break;  // every box is a single bin or exact
    auto halves = split_box(bins, boxes[worst]);
    boxes[worst] = halves.first;
    boxes.push_back(halves.second);
  }

  std::vector<std::array<double, 3>> centres;
  for (const Box& box : boxes) centres.push_back({box.sum[0] / box.count, box.sum[1] / box.count, box.sum[2] / box.count});

  // Lloyd refinement: each bin (by its mean colour) joins its nearest centre; centres move to the
  // weighted mean of their pixels. A centre that loses every bin keeps its place.
  std::vector<std::size_t> assignment(bins.size());
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<double> weight(centres.size(), 0.0);
    std::vector<std::array<double, 3>> total(centres.size(), {0.0, 0.0, 0.0});
    for (std::size_t i = 0; i < bins.size(); ++i) {
      const std::size_t nearest = nearest_colour(bins[i].mean, centres);
      weight[nearest] += bins[i].count;
      for (int c = 0; c < 3; ++c) total[nearest][c] += bins[i].sum[c];
    }
    for (std::size_t p = 0; p < centres.size(); ++p) {
      if (weight[p] > 0.0) {
        for (int c = 0; c < 3; ++c) centres[p][c] = total[p][c] / weight[p];
      }
    }
  }

  out.palette.clear();
  for (const auto& centre : centres) {
    Rgb colour;
    for (int c = 0; c < 3; ++c) colour[c] = static_cast<std::uint8_t>(std::clamp(centre[c] + 0.5, 0.0, 255.0));
    out.palette.push_back(colour);
  }
  std::vector<std::array<double, 3>> rounded;
  for (const Rgb& colour : out.palette) rounded.push_back({double(colour[0]), double(colour[1]), double(colour[2])});
  std::vector<std::uint8_t> lookup(kCells, 0);
  for (const HistogramBin& bin : bins) lookup[bin.key] = static_cast<std::uint8_t>(nearest_colour(bin.mean, rounded));

  out.indices.resize(pixel_count);
  for (std::size_t i = 0; i < pixel_count; ++i) out.indices[i] = lookup[cell_of(rgba + i * 4)];
}

IndexedFrame index_frame(const std::uint8_t* rgba, std::size_t pixel_count) {
  IndexedFrame frame;
  if (!index_exact_colours(rgba, pixel_count, frame)) index_quantised(rgba, pixel_count, frame);
  return frame;
}

}  // namespace

struct GifWriter::State {
  std::string path;
  std::vector<char> buffer;  // stdio buffer of `file`'s stream; declared first, so it outlives it
  fileio::AtomicFile file;
  GifFileType* gif = nullptr;
  int width = 0;
  int height = 0;
  int delay_centiseconds = 0;
  int frames = 0;
  std::string error;         // set once a write has failed; later calls return it
  bool write_failed = false;  // set by the output callback
  int write_errno = 0;
  bool discard_output = false;  // cancelling: the trailer giflib writes on close is not wanted

  std::string prefix() const { return "cannot write GIF '" + path + "': "; }

  // giflib's output callback: plain buffered writes whose failures (disk full) are remembered.
  static int write_bytes(GifFileType* gif, const GifByteType* data, int length) {
    auto* self = static_cast<State*>(gif->UserData);
    if (self->discard_output) return length;
    if (self->write_failed || !self->file.is_open()) return 0;
    const std::size_t written = std::fwrite(data, 1, static_cast<std::size_t>(length), self->file.stream());
    if (written != static_cast<std::size_t>(length)) {
      self->write_failed = true;
      self->write_errno = errno;
    }
    return static_cast<int>(written);
  }

  // Frees giflib's encoder and closes the file, removing the temporary file.
  void discard() {
    if (gif != nullptr) {
      discard_output = true;
      int ignored = 0;
      EGifCloseFile(gif, &ignored);  // frees the encoder even when it reports an error
      gif = nullptr;
    }
    file.discard();
  }

  // Records a failure (the first one wins), discards the temporary file and returns the message.
  std::string fail_with_message(const std::string& message) {
    if (error.empty()) error = message;
    discard();
    return error;
  }
  std::string fail(const std::string& reason) { return fail_with_message(prefix() + reason); }

  std::string giflib_failure(const std::string& what, int code) {
    if (write_failed) return fail(what + ": " + std::strerror(write_errno));
    const char* text = GifErrorString(code);
    return fail(what + ": " + (text != nullptr ? text : "giflib error " + std::to_string(code)));
  }
};

GifWriter::GifWriter() = default;
GifWriter::GifWriter(GifWriter&&) noexcept = default;
GifWriter& GifWriter::operator=(GifWriter&& other) noexcept {
  if (this != &other) {
    cancel();
    state_ = std::move(other.state_);
  }
  return *this;
}

GifWriter::~GifWriter() { cancel(); }

bool GifWriter::is_open() const { return state_ != nullptr && state_->gif != nullptr; }

int GifWriter::frame_count() const { return state_ != nullptr ? state_->frames : 0; }

std::string GifWriter::open(const std::string& path, int width, int height, int delay_centiseconds, bool loop) {
  if (is_open()) return "cannot write GIF '" + path + "': this writer is still writing '" + state_->path + "'";
  state_ = std::make_unique<State>();
  State& s = *state_;
  s.path = path;
  if (path.empty()) return s.fail("the output path is empty");
  if (width < 1 || height < 1 || width > 65535 || height > 65535) {
    return s.fail("size " + std::to_string(width) + "x" + std::to_string(height) + " (expected 1..65535 each)");
  }
  s.width = width;
  s.height = height;
  s.delay_centiseconds = std::clamp(delay_centiseconds, 0, 65535);

  if (std::string error = s.file.open(path); !error.empty()) return s.fail_with_message(error);
  s.buffer.resize(1 << 18);  // fewer, larger writes (glibc ignores a size given without a buffer)
  std::setvbuf(s.file.stream(), s.buffer.data(), _IOFBF, s.buffer.size());

  int error_code = 0;
  s.gif = EGifOpen(&s, &State::write_bytes, &error_code);
  if (s.gif == nullptr) return s.giflib_failure("cannot start the encoder", error_code);
  EGifSetGifVersion(s.gif, true);  // GIF89a: needed for the animation extensions
  // No global colour table: every frame carries its own palette.
  if (EGifPutScreenDesc(s.gif, width, height, 8, 0, nullptr) == GIF_ERROR) {
    return s.giflib_failure("writing the header failed", s.gif->Error);
  }
  if (loop) {
    // NETSCAPE2.0 application extension: sub-block 1, loop count 0 = forever.
    static const GifByteType kApplication[] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
    static const GifByteType kLoopForever[] = {1, 0, 0};
    if (EGifPutExtensionLeader(s.gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
        EGifPutExtensionBlock(s.gif, sizeof kApplication, kApplication) == GIF_ERROR ||
        EGifPutExtensionBlock(s.gif, sizeof kLoopForever, kLoopForever) == GIF_ERROR ||
        EGifPutExtensionTrailer(s.gif) == GIF_ERROR) {
      return s.giflib_failure("writing the loop extension failed", s.gif->Error);
    }
  }
  if (s.write_failed) return s.fail(std::string("write failed: ") + std::strerror(s.write_errno));
  return {};
}

std::string GifWriter::add_frame(const std::uint8_t* rgba, int width, int height) {
  if (state_ == nullptr) return "cannot add a GIF frame: no file is open";
  State& s = *state_;
  if (!s.error.empty()) return s.error;
  if (s.gif == nullptr) return s.prefix() + "the file is already finished or cancelled";
  if (rgba == nullptr) return s.fail("frame " + std::to_string(s.frames + 1) + " has no pixels");
  if (width != s.width || height != s.height) {
    return s.fail("frame " + std::to_string(s.frames + 1) + " is " + std::to_string(width) + "x" +
                  std::to_string(height) + ", the GIF is " + std::to_string(s.width) + "x" + std::to_string(s.height));
  }

  const std::size_t pixel_count = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  IndexedFrame frame = index_frame(rgba, pixel_count);

  // Colour tables hold a power of two (>= 2) entries; unused entries are black.
  int table_size = 2;
  while (table_size < static_cast<int>(frame.palette.size())) table_size *= 2;
  std::vector<GifColorType> colours(static_cast<std::size_t>(table_size), GifColorType{0, 0, 0});
  for (std::size_t i = 0; i < frame.palette.size(); ++i) {
    colours[i] = GifColorType{frame.palette[i][0], frame.palette[i][1], frame.palette[i][2]};
  }
  ColorMapObject* colour_map = GifMakeMapObject(table_size, colours.data());
  if (colour_map == nullptr) return s.fail("out of memory for the colour table");

  // Graphics control extension: disposal "do not dispose" (1 << 2), no transparency, the delay.
  const GifByteType control[4] = {1 << 2, static_cast<GifByteType>(s.delay_centiseconds & 0xFF),
                                  static_cast<GifByteType>(s.delay_centiseconds >> 8), 0};
  const bool header_ok = EGifPutExtension(s.gif, GRAPHICS_EXT_FUNC_CODE, sizeof control, control) != GIF_ERROR &&
                         EGifPutImageDesc(s.gif, 0, 0, width, height, false, colour_map) != GIF_ERROR;
  GifFreeMapObject(colour_map);  // giflib keeps its own copy
  if (!header_ok) return s.giflib_failure("writing frame " + std::to_string(s.frames + 1) + " failed", s.gif->Error);
  for (int y = 0; y < height; ++y) {
    GifPixelType* row = frame.indices.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(width);
    if (EGifPutLine(s.gif, row, width) == GIF_ERROR || s.write_failed) {
      return s.giflib_failure("writing frame " + std::to_string(s.frames + 1) + " failed", s.gif->Error);
    }
  }
  ++s.frames;
  return {};
}

std::string GifWriter::finish() {
  if (state_ == nullptr) return "cannot finish a GIF: no file is open";
  State& s = *state_;
  if (!s.error.empty()) return s.error;
  if (s.gif == nullptr) return s.prefix() + "the file is already finished or cancelled";
  if (s.frames == 0) return s.fail("no frames were added");

  int error_code = 0;
  const int close_result = EGifCloseFile(s.gif, &error_code);  // writes the trailer, frees the encoder
  s.gif = nullptr;
  if (close_result == GIF_ERROR || s.write_failed) return s.giflib_failure("writing the trailer failed", error_code);
  if (std::string error = s.file.commit(); !error.empty()) return s.fail_with_message(error);
  return {};
}

void GifWriter::cancel() {
  if (state_ != nullptr) state_->discard();
}

}  // namespace renderer
