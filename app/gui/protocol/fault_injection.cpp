// Parsing DIFFUSCOPE_INJECT_FAULT and throwing the injected faults (see fault_injection.hpp).
#include "gui/protocol/fault_injection.hpp"

#include <cstdlib>
#include <new>
#include <stdexcept>

namespace diffuscope::gui {
namespace {

std::optional<WorkerLane> lane_from(const std::string& s) {
  if (s == "forward") return WorkerLane::Forward;
  if (s == "reverse") return WorkerLane::Reverse;
  if (s == "images") return WorkerLane::Images;
  if (s == "training") return WorkerLane::Training;
  return std::nullopt;
}

std::optional<FaultKind> kind_from(const std::string& s) {
  if (s == "exception") return FaultKind::Exception;
  if (s == "nan") return FaultKind::NaN;
  if (s == "oom") return FaultKind::OutOfMemory;
  if (s == "torch-oom") return FaultKind::TorchOutOfMemory;
  return std::nullopt;
}

}  // namespace

std::string to_string(WorkerLane lane) {
  switch (lane) {
    case WorkerLane::Forward: return "forward";
    case WorkerLane::Reverse: return "reverse";
    case WorkerLane::Images: return "images";
    case WorkerLane::Training: return "training";
  }
  return "?";
}

std::string to_string(FaultKind kind) {
  switch (kind) {
    case FaultKind::Exception: return "exception";
    case FaultKind::NaN: return "nan";
    case FaultKind::OutOfMemory: return "oom";
    case FaultKind::TorchOutOfMemory: return "torch-oom";
  }
  return "?";
}

FaultSetting parse_fault_setting(const std::string& text) {
  FaultSetting setting;
  if (text.empty()) return setting;
  const auto colon = text.find(':');
  const auto lane = colon == std::string::npos ? std::nullopt : lane_from(text.substr(0, colon));
  const auto kind = colon == std::string::npos ? std::nullopt : kind_from(text.substr(colon + 1));
  if (!lane || !kind) {
    setting.error = std::string(kInjectFaultVariable) + "=" + text +
                    " is not understood (expected <forward|reverse|images|training>:"
                    "<exception|nan|oom|torch-oom>); no fault is injected";
    return setting;
  }
  setting.plan = FaultPlan{*lane, *kind};
  return setting;
}

FaultSetting fault_setting_from_environment() {
  const char* value = std::getenv(kInjectFaultVariable);
  return parse_fault_setting(value ? value : "");
}

void throw_injected_fault(FaultKind kind, const std::string& where) {
  switch (kind) {
    case FaultKind::OutOfMemory:
      throw std::bad_alloc();
    case FaultKind::TorchOutOfMemory:
      // The shape of LibTorch's message: the reason, then where it was raised and a backtrace.
      throw std::runtime_error(
          "CUDA out of memory. Tried to allocate 20.00 GiB (GPU 0; 15.78 GiB total capacity; "
          "1.02 GiB already allocated; 14.10 GiB free) [injected in " + where + "]\n"
          "Exception raised from malloc at ../c10/cuda/CUDACachingAllocator.cpp:913 (most recent "
          "call first):\nframe #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x57\n"
          "frame #1: <unknown function> + 0x2a0f1 (0x7f2b in libc10_cuda.so)\n");
    case FaultKind::Exception:
    case FaultKind::NaN:   // NaN is produced by the computation; thrown only if misused
      break;
  }
  throw std::runtime_error("injected fault (" + std::string(kInjectFaultVariable) + "): " +
                           "an exception in " + where);
}

}  // namespace diffuscope::gui
