#pragma once
// IDX files (LeCun's MNIST format, as shipped by Debian's dataset-fashion-mnist): a big-endian
// header (magic, then one uint32 per dimension) followed by unsigned bytes, usually gzip'ed.
// Read and validated here through zlib (gzread also passes uncompressed files through). Torch-free.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace diffusion {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
inline constexpr const char* kFashionMnistTrainImages =
    "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
inline constexpr const char* kFashionMnistTrainLabels =
    "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz";
inline constexpr const char* kFashionMnistTestImages =
    "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
inline constexpr const char* kFashionMnistTestLabels =
    "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";

// Every read failure; the message names the file and what is wrong (missing, not IDX, wrong
// magic, implausible dimensions, truncated, corrupt, trailing data).
class IdxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// 8-bit grey images from an IDX3 file (magic 0x00000803).
struct IdxImages {
  int count = 0;
  int rows = 0;
  int cols = 0;
  std::vector<std::uint8_t> bytes;  // count * rows * cols, image-major, row-major
  std::size_t image_size() const { return static_cast<std::size_t>(rows) * cols; }
};

// Reads at most max_count images (<= 0: all). When that is every image the header declares, data
// after them is an error too. Throws IdxError.
IdxImages read_idx_images(const std::string& path, int max_count = 0);
// Reads an IDX1 label file (magic 0x00000801), at most max_count labels, with the same rule for
// trailing data. Throws IdxError.
std::vector<std::uint8_t> read_idx_labels(const std::string& path, int max_count = 0);

// "T-shirt/top", "Trouser", ... "Ankle boot" for 0..9; "?" otherwise.
std::string_view fashion_mnist_class_name(int label);

}  // namespace diffusion
