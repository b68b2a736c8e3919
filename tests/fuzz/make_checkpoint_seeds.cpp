// Writes the seeds of corpus/fuzz_checkpoint: the smallest valid point and image checkpoints
// (so that the fuzzer starts from files that load), each prefixed with fuzz_checkpoint's mode
// byte. Usage: make_checkpoint_seeds OUT_DIR
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "diffusion/checkpoint.hpp"
#include "diffusion/image_checkpoint.hpp"

namespace {

void prefixed_copy(const std::string& from, const std::string& to, char mode) {
  std::ifstream in(from, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream out(to, std::ios::binary);
  out.put(mode);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_checkpoint_seeds OUT_DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  torch::manual_seed(0);

  diffusion::PointModelConfig point_config;
  point_config.frequencies = 1;
  point_config.noise_features = 1;
  point_config.hidden = 2;
  point_config.blocks = 1;
  diffusion::PointModel point(point_config);
  diffusion::PointCheckpointMetadata point_meta;
  point_meta.model = point_config;
  point_meta.dataset = "moons";
  point_meta.library_version = "fuzz seed";
  point_meta.created_utc = "2024-01-01T00:00:00Z";
  const std::string point_path = dir + "/point.tmp";
  diffusion::save_point_model(point_path, point, point_meta);

  diffusion::ImageModelConfig image_config;
  image_config.image_channels = 1;
  image_config.base_channels = 2;
  image_config.multiplier_1 = 1;
  image_config.multiplier_2 = 1;
  image_config.groups = 1;
  image_config.noise_features = 1;
  image_config.attention = false;
  diffusion::ImageUNet image(image_config);
  diffusion::ImageCheckpointMetadata image_meta;
  image_meta.model = image_config;
  image_meta.dataset = "fashion-mnist";
  image_meta.image_height = 28;
  image_meta.image_width = 28;
  image_meta.library_version = "fuzz seed";
  image_meta.created_utc = "2024-01-01T00:00:00Z";
  const std::string image_path = dir + "/image.tmp";
  diffusion::save_image_model(image_path, image, image_meta);

  // Mode bytes: 0 raw / 1 checksum fixed, +2 for the image loader.
  prefixed_copy(point_path, dir + "/point-raw", 0);
  prefixed_copy(point_path, dir + "/point-fixed", 1);
  prefixed_copy(image_path, dir + "/image-raw", 2);
  prefixed_copy(image_path, dir + "/image-fixed", 3);
  prefixed_copy(point_path, dir + "/point-as-image", 3);  // a point model given to the image loader
  std::remove(point_path.c_str());
  std::remove(image_path.c_str());
  return 0;
}
