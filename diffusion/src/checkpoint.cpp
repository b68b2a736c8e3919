// The checkpoint container (layout in checkpoint.hpp) and the 2D point model's metadata.
// Reading trusts nothing in the file: every length is checked against the bytes that remain
// before anything is allocated, and the FNV-1a hash (Fowler, Noll & Vo) catches damage that
// leaves the structure intact.
#include "diffusion/checkpoint.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>
#include <torch/version.h>

#include "checkpoint_detail.hpp"
#include "diffusion/log_snr.hpp"
#include "diffusion/version.hpp"
#include "diffusion/point_training.hpp"
#include "fileio/atomic_file.hpp"


namespace diffusion {
using checkpoint_detail::fail;
using checkpoint_detail::MetadataReader;
using checkpoint_detail::shape_string;
namespace {

using json = nlohmann::json;

constexpr char kMagic[16] = {'D', 'I', 'F', 'F', 'U', 'S', 'C', 'O',
                             'P', 'E', '-', 'C', 'K', 'P', 'T', '\n'};
constexpr std::uint32_t kFormatVersion = 1;
// Far above any checkpoint the app writes (the 2D models are ~100 KB); a bigger file is refused
// before it is read, so a wrong path to a huge file cannot exhaust memory.
constexpr std::uint64_t kMaxFileBytes = 256ull << 20;
constexpr std::uint32_t kMaxNameLength = 1024;
constexpr std::uint32_t kMaxRank = 8;
constexpr checkpoint_detail::ModelKind kPointModelKind{"point-model", "point-eps-model", "a 2D point model"};
constexpr checkpoint_detail::ModelKind kImageModelKind{"image-model", "image-eps-model", "an image model"};
// A flow-matching velocity model (flow_matching.hpp): same network and fields, no "target".
constexpr const char* kPointFlowModelKind = "point-flow-model";

bool host_is_little_endian() {
  const std::uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

std::uint64_t fnv1a64(const unsigned char* data, std::size_t size) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= data[i];
    hash *= 0x100000001b3ull;
  }
  return hash;
}

class ByteWriter {
 public:
  void unsigned_int(std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) data_.push_back(static_cast<char>((value >> (8 * i)) & 0xffu));
  }
  void u32(std::uint32_t value) { unsigned_int(value, 4); }
  void u64(std::uint64_t value) { unsigned_int(value, 8); }
  void i64(std::int64_t value) { unsigned_int(static_cast<std::uint64_t>(value), 8); }
  void raw(const void* bytes, std::size_t size) {
    data_.append(static_cast<const char*>(bytes), size);
  }
  void floats(const float* values, std::size_t count) {
    if (host_is_little_endian()) {
      raw(values, count * sizeof(float));
      return;
    }
    for (std::size_t i = 0; i < count; ++i) {
      std::uint32_t bits = 0;
      std::memcpy(&bits, &values[i], 4);
      u32(bits);
    }
  }
  std::string& data() { return data_; }

 private:
  std::string data_;
};

class ByteReader {
 public:
  ByteReader(const std::string& path, const std::vector<unsigned char>& bytes)
      : path_(path), bytes_(bytes) {}
  std::size_t position() const { return position_; }
  std::size_t remaining() const { return bytes_.size() - position_; }
  // Throws "truncated" unless `size` more bytes exist.
  void need(std::uint64_t size, const std::string& what) const {
    if (size > remaining()) {
      std::ostringstream out;
      out << "truncated (expected " << size << " bytes of " << what << ", the file ends after "
          << remaining() << ")";
      fail(path_, out.str());
    }
  }
  std::uint64_t unsigned_int(int bytes, const std::string& what) {
    need(static_cast<std::uint64_t>(bytes), what);
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i) value |= static_cast<std::uint64_t>(bytes_[position_ + i]) << (8 * i);
    position_ += static_cast<std::size_t>(bytes);
    return value;
  }
  std::uint32_t u32(const std::string& what) { return static_cast<std::uint32_t>(unsigned_int(4, what)); }
  std::uint64_t u64(const std::string& what) { return unsigned_int(8, what); }
  std::int64_t i64(const std::string& what) { return static_cast<std::int64_t>(unsigned_int(8, what)); }
  std::string text(std::uint64_t size, const std::string& what) {
    need(size, what);
    std::string out(reinterpret_cast<const char*>(bytes_.data() + position_), size);
    position_ += size;
    return out;
  }
  void floats(float* out, std::uint64_t count, const std::string& what) {
    need(count * 4, what);
    // A tensor with a zero size has no storage: its data pointer may be null, and memcpy from or to
    // null is undefined even for 0 bytes (found by tests/fuzz/fuzz_checkpoint).
    if (count == 0) return;
    const unsigned char* source = bytes_.data() + position_;
    if (host_is_little_endian()) {
      std::memcpy(out, source, count * 4);
    } else {
      for (std::uint64_t i = 0; i < count; ++i) {
        std::uint32_t bits = 0;
        for (int b = 0; b < 4; ++b) bits |= static_cast<std::uint32_t>(source[4 * i + b]) << (8 * b);
        std::memcpy(&out[i], &bits, 4);
      }
    }
    position_ += count * 4;
  }

 private:
  const std::string& path_;
  const std::vector<unsigned char>& bytes_;
  std::size_t position_ = 0;
};

std::vector<unsigned char> read_whole_file(const std::string& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) fail(path, "no such file");
  if (std::filesystem::is_directory(status)) fail(path, "is a directory, not a checkpoint file");
  const auto size = std::filesystem::file_size(path, error);
  if (error) fail(path, "cannot read its size (" + error.message() + ")");
  if (size == 0) fail(path, "is empty, not a checkpoint");
  if (size > kMaxFileBytes)
    fail(path, "is " + std::to_string(size) + " bytes, far larger than any checkpoint (limit " +
                   std::to_string(kMaxFileBytes) + ")");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, std::string("cannot open (") + std::strerror(errno) + ")");
  std::vector<unsigned char> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) fail(path, "could not read the whole file");
  return bytes;
}

json metadata_to_json(const PointCheckpointMetadata& m) {
  json model = {{"frequencies", m.model.frequencies},
                {"noise_features", m.model.noise_features},
                {"hidden", m.model.hidden},
                {"blocks", m.model.blocks}};
  // Written only for conditional models, so unconditional checkpoints stay byte-for-byte as before.
  if (m.model.num_classes > 0) model["classes"] = m.model.num_classes;
  const bool flow = m.process == ProcessFamily::Flow;
  json root{{"kind", flow ? std::string(kPointFlowModelKind) : m.kind},
             {"architecture", m.model.architecture()},
             {"model", model},
             {"dataset", m.dataset},
             {"log_snr_min", m.log_snr_min},
             {"log_snr_max", m.log_snr_max},
             {"seed", m.seed},
             {"steps", m.steps},
             {"final_loss", m.final_loss},
             {"batch_size", m.batch_size},
             {"learning_rate", m.learning_rate},
             {"library_version", m.library_version},
             {"command", m.command},
             {"created_utc", m.created_utc}};
  if (!flow) root["target"] = std::string(to_string(m.target));
  return root;
}

PointCheckpointMetadata point_metadata_from_json(const std::string& path, const std::string& text) {
  const json root = checkpoint_detail::parse_metadata_object(path, text);
  const MetadataReader top(path, root);
  PointCheckpointMetadata m;
  if (top.text("kind") == kPointFlowModelKind) {
    m.process = ProcessFamily::Flow;
    m.kind = kPointFlowModelKind;
  } else {
    m.target = checkpoint_detail::read_model_kind(path, top, kPointModelKind, kImageModelKind,
                                                  ": it is an image model; use it with --data, not --name");
    m.kind = kPointModelKind.kind;
  }
  const MetadataReader model(path, top.object("model"));
  m.model.frequencies = static_cast<int>(model.integer("frequencies", 1, 1 << 20));
  m.model.noise_features = static_cast<int>(model.integer("noise_features", 1, 1 << 20));
  m.model.hidden = static_cast<int>(model.integer("hidden", 1, 1 << 20));
  m.model.blocks = static_cast<int>(model.integer("blocks", 1, 1 << 20));
  // Absent: an unconditional model (every checkpoint written before classes existed).
  if (top.object("model").contains("classes"))
    m.model.num_classes = static_cast<int>(model.integer("classes", 1, 1 << 20));
  checkpoint_detail::check_stored_architecture(path, top, m.model);
  m.dataset = top.text("dataset");
  if (!parse_dataset2d_kind(m.dataset) && m.dataset != kDrawnDatasetName)
    fail(path, "unknown dataset '" + m.dataset + "'");
  m.log_snr_min = top.number("log_snr_min");
  m.log_snr_max = top.number("log_snr_max");
  m.seed = top.unsigned_integer("seed");
  m.steps = top.integer("steps", 0, std::numeric_limits<std::int64_t>::max());
  m.final_loss = top.number("final_loss");
  m.batch_size = static_cast<int>(top.integer("batch_size", 0, 1 << 30));
  m.learning_rate = top.number("learning_rate");
  m.library_version = top.text("library_version");
  m.command = top.text("command");
  m.created_utc = top.text("created_utc");
  return m;
}

}  // namespace

void write_checkpoint(const std::string& path, const std::string& metadata_json,
                      const std::map<std::string, torch::Tensor>& tensors) {
  ByteWriter out;
  out.raw(kMagic, sizeof kMagic);
  out.u32(kFormatVersion);
  out.u64(metadata_json.size());
  out.raw(metadata_json.data(), metadata_json.size());
  out.u64(tensors.size());
  for (const auto& [name, tensor] : tensors) {
    if (name.empty() || name.size() > kMaxNameLength)
      throw std::invalid_argument("write_checkpoint: tensor name '" + name + "' must have 1.." +
                                  std::to_string(kMaxNameLength) + " characters");
    if (!tensor.defined() || static_cast<std::uint32_t>(tensor.dim()) > kMaxRank)
      throw std::invalid_argument("write_checkpoint: tensor '" + name +
                                  "' must be defined with rank <= " + std::to_string(kMaxRank));
    const auto values = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    out.u32(static_cast<std::uint32_t>(name.size()));
    out.raw(name.data(), name.size());
    out.u32(static_cast<std::uint32_t>(values.dim()));
    for (const auto size : values.sizes()) out.i64(size);
    out.floats(values.data_ptr<float>(), static_cast<std::size_t>(values.numel()));
  }
  auto& data = out.data();
  out.u64(fnv1a64(reinterpret_cast<const unsigned char*>(data.data()), data.size()));

  if (std::string error = fileio::write_file_atomically(path, data); !error.empty()) throw CheckpointError(error);
}

CheckpointContents read_checkpoint(const std::string& path) {
  const auto bytes = read_whole_file(path);
  if (bytes.size() < sizeof kMagic) {
    if (std::memcmp(bytes.data(), kMagic, bytes.size()) == 0)
      fail(path, "truncated (" + std::to_string(bytes.size()) + " bytes, shorter than the header)");
    fail(path, "not a Diffuscope checkpoint (wrong magic bytes)");
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    fail(path, "not a Diffuscope checkpoint (wrong magic bytes)");
  ByteReader in(path, bytes);
  in.text(sizeof kMagic, "header");
  const std::uint32_t version = in.u32("format version");
  if (version != kFormatVersion)
    fail(path, "format version " + std::to_string(version) + " is not supported (this build reads version " +
                   std::to_string(kFormatVersion) + ")");

  CheckpointContents contents;
  const std::uint64_t metadata_size = in.u64("metadata length");
  // The app writes under 1 KB of metadata, and a JSON parser may hold ~75 times its text (4 MB of
  // "[[[[" took 300 MB): past this bound the header justifies no parse. "Truncated" comes first,
  // as it says more about a damaged file.
  constexpr std::uint64_t kMaxMetadataBytes = 1u << 20;
  in.need(metadata_size, "metadata");
  if (metadata_size > kMaxMetadataBytes)
    fail(path, "has " + std::to_string(metadata_size) + " bytes of metadata, more than the " +
                   std::to_string(kMaxMetadataBytes) + " a checkpoint may hold");
  contents.metadata_json = in.text(metadata_size, "metadata");
  const std::uint64_t count = in.u64("tensor count");
  // Each tensor takes at least 4 (name length) + 1 (name) + 4 (rank) bytes.
  if (count > in.remaining() / 9)
    fail(path, "claims " + std::to_string(count) + " tensors, more than its " +
                   std::to_string(in.remaining()) + " remaining bytes could hold");
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string which = "tensor " + std::to_string(i);
    const std::uint32_t name_size = in.u32(which + "'s name length");
    if (name_size == 0 || name_size > kMaxNameLength)
      fail(path, which + " has a name length of " + std::to_string(name_size) + " (must be 1.." +
                     std::to_string(kMaxNameLength) + ")");
    const std::string name = in.text(name_size, which + "'s name");
    const std::uint32_t rank = in.u32("the rank of '" + name + "'");
    if (rank > kMaxRank)
      fail(path, "tensor '" + name + "' has rank " + std::to_string(rank) + " (at most " +
                     std::to_string(kMaxRank) + ")");
    std::vector<std::int64_t> sizes;
    std::uint64_t numel = 1;
    for (std::uint32_t d = 0; d < rank; ++d) {
      const std::int64_t size = in.i64("the sizes of '" + name + "'");
      if (size < 0) fail(path, "tensor '" + name + "' has a negative size " + std::to_string(size));
      // Checked before multiplying: numel stays within what the file could hold, no overflow.
      if (size > 0 && numel > in.remaining() / 4 / static_cast<std::uint64_t>(size)) {
        numel = std::numeric_limits<std::uint64_t>::max();
      } else if (numel != std::numeric_limits<std::uint64_t>::max()) {
        numel *= static_cast<std::uint64_t>(size);
      }
      sizes.push_back(size);
    }
    if (numel == std::numeric_limits<std::uint64_t>::max())
      fail(path, "truncated (tensor '" + name + "' of shape " + shape_string(sizes) +
                     " needs more bytes than the " + std::to_string(in.remaining()) + " that remain)");
    if (contents.tensors.count(name)) fail(path, "tensor '" + name + "' appears twice");
    in.need(numel * 4, "tensor data for '" + name + "'");
    auto tensor = torch::empty(sizes, torch::kFloat32);
    in.floats(tensor.data_ptr<float>(), numel, "tensor data for '" + name + "'");
    contents.tensors.emplace(name, tensor);
  }
  const std::size_t hashed = in.position();
  const std::uint64_t stored_hash = in.u64("checksum");
  if (in.remaining() != 0)
    fail(path, std::to_string(in.remaining()) + " unexpected bytes after the checksum: the file is damaged");
  if (fnv1a64(bytes.data(), hashed) != stored_hash) fail(path, "checksum mismatch: the file is damaged");
  return contents;
}

std::string checkpoint_library_version() {
  return std::string("diffuscope ") + diffusion::diffuscope_version() + ", LibTorch " + TORCH_VERSION;
}

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

PointCheckpointMetadata point_checkpoint_metadata(const PointTrainer& trainer, const std::string& command) {
  PointCheckpointMetadata m;
  m.model = trainer.model_config();
  m.process = trainer.config().process;
  m.kind = m.process == ProcessFamily::Flow ? kPointFlowModelKind : kPointModelKind.kind;
  m.target = trainer.config().target;
  m.dataset = std::string(trainer.config().data_points.empty() ? to_string(trainer.config().dataset)
                                                                : kDrawnDatasetName);
  m.log_snr_min = kModelLogSnrMin;
  m.log_snr_max = kModelLogSnrMax;
  m.seed = trainer.config().seed;
  m.steps = trainer.steps_done();
  m.final_loss = trainer.recent_loss();
  m.batch_size = trainer.config().batch_size;
  m.learning_rate = trainer.config().learning_rate;
  m.library_version = checkpoint_library_version();
  m.command = command;
  m.created_utc = utc_timestamp();
  return m;
}

void save_point_model(const std::string& path, PointModel& model, const PointCheckpointMetadata& metadata) {
  if (!model) throw std::invalid_argument("save_point_model: the model is not set");
  if (metadata.model != model->config())
    throw std::invalid_argument("save_point_model: metadata.model (" + metadata.model.architecture() +
                                ") differs from the model's config (" + model->config().architecture() + ")");
  if (!std::isfinite(metadata.final_loss))
    throw std::invalid_argument("save_point_model: final_loss must be finite");
  const auto tensors = checkpoint_detail::finite_parameters(*model, "save_point_model");
  write_checkpoint(path, metadata_to_json(metadata).dump(2), tensors);
}

LoadedPointModel load_point_model(const std::string& path, const torch::Device& device,
                                  const std::string& expected_dataset, ProcessFamily expected_process) {
  // The process and the dataset are checked with the metadata, before any parameter is read.
  const auto read_metadata = [&expected_dataset, expected_process](const std::string& file,
                                                                   const std::string& text) {
    PointCheckpointMetadata m = point_metadata_from_json(file, text);
    if (m.process != expected_process && m.process == ProcessFamily::Flow)
      fail(file, "holds a flow-matching velocity model ('point-flow-model'), not a DDPM denoiser; "
                 "use it with --process flow");
    if (m.process != expected_process)
      fail(file, "holds a DDPM denoiser (" + std::string(to_string(m.target)) +
                     "-prediction), not a flow-matching velocity model; use it with --process ddpm, or "
                     "train a flow model with `diffuscope train --process flow`");
    if (!expected_dataset.empty() && m.dataset != expected_dataset)
      fail(file, "trained on '" + m.dataset + "', not '" + expected_dataset + "'");
    return m;
  };
  return checkpoint_detail::load_module_checkpoint<LoadedPointModel, PointModel>(path, device, read_metadata);
}

namespace checkpoint_detail {

json parse_metadata_object(const std::string& path, const std::string& text) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {
    fail(path, std::string("metadata is not valid JSON (") + e.what() + ")");
  }
  if (!root.is_object()) fail(path, "metadata must be a JSON object");
  return root;
}

PredictionTarget read_model_kind(const std::string& path, const MetadataReader& top, const ModelKind& expected,
                                 const ModelKind& other, const std::string& other_hint) {
  const std::string kind = top.text("kind");
  if (kind == expected.legacy_kind) return PredictionTarget::Eps;
  if (kind != expected.kind) {
    const bool is_other = kind == other.kind || kind == other.legacy_kind;
    fail(path, "holds a '" + kind + "', not " + expected.what + " ('" + expected.kind + "')" +
                   (is_other ? other_hint : ""));
  }
  const std::string target = top.text("target");
  const auto parsed = parse_prediction_target(target);
  if (!parsed) fail(path, "metadata field 'target' = '" + target + "' is not one of eps, x0, v");
  return *parsed;
}

void load_parameters(const std::string& path, torch::nn::Module& module,
                     const std::map<std::string, torch::Tensor>& tensors, const std::string& architecture) {
  torch::NoGradGuard no_grad;
  std::set<std::string> used;
  for (auto& item : module.named_parameters()) {
    const auto found = tensors.find(item.key());
    if (found == tensors.end()) fail(path, "parameter '" + item.key() + "' is missing");
    const auto& stored = found->second;
    if (stored.sizes() != item.value().sizes())
      fail(path, "parameter '" + item.key() + "' has shape " + shape_string(stored.sizes()) +
                     ", expected " + shape_string(item.value().sizes()));
    if (!torch::isfinite(stored).all().item<bool>())
      fail(path, "parameter '" + item.key() + "' contains NaN or infinite values");
    item.value().copy_(stored);
    used.insert(item.key());
  }
  for (const auto& entry : tensors)
    if (!used.count(entry.first))
      fail(path, "unexpected tensor '" + entry.first + "' (not a parameter of " + architecture + ")");
}

std::map<std::string, torch::Tensor> finite_parameters(torch::nn::Module& module, const std::string& caller) {
  std::map<std::string, torch::Tensor> tensors;
  torch::NoGradGuard no_grad;
  for (const auto& item : module.named_parameters()) {
    if (!torch::isfinite(item.value()).all().item<bool>())
      throw std::invalid_argument(caller + ": parameter '" + item.key() + "' contains NaN or infinite values");
    tensors.emplace(item.key(), item.value());
  }
  return tensors;
}

}  // namespace checkpoint_detail
}  // namespace diffusion
