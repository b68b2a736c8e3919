#pragma once
// Injected faults, to check that a failing job shows a message and leaves the app usable
// (tests, and the app-level check through the environment):
//
//   DIFFUSCOPE_INJECT_FAULT=<job>:<kind>
//     job:  forward | reverse | images | training
//     kind: exception | nan | oom | torch-oom
//   exception: a std::runtime_error inside the job; nan: the job's numbers become NaN inside the
//   computation (the non-finite checks must catch it); oom: std::bad_alloc; torch-oom: an error
//   worded as LibTorch's out-of-memory c10::Error (message plus backtrace).
// Read once when a Worker is constructed; fires in the first such job only. Torch-free.
#include <optional>
#include <string>

namespace diffuscope::gui {

enum class WorkerLane { Forward, Reverse, Images, Training };
enum class FaultKind { Exception, NaN, OutOfMemory, TorchOutOfMemory };

struct FaultPlan {
  WorkerLane lane = WorkerLane::Forward;
  FaultKind kind = FaultKind::Exception;
};

// A parsed setting: no plan and no error when unset or empty.
struct FaultSetting {
  std::optional<FaultPlan> plan;
  std::string error;   // why the text was not understood ("" when fine)
};

inline constexpr const char* kInjectFaultVariable = "DIFFUSCOPE_INJECT_FAULT";

FaultSetting parse_fault_setting(const std::string& text);
FaultSetting fault_setting_from_environment();   // reads kInjectFaultVariable
std::string to_string(WorkerLane lane);          // "forward", ...
std::string to_string(FaultKind kind);           // "exception", ...

// Throws the fault `kind` (not NaN: that one is produced by the computation itself) as happening
// in `where` ("a reverse step"). Used by the computers and by the tests' fake back end.
[[noreturn]] void throw_injected_fault(FaultKind kind, const std::string& where);

// One armed fault per lane, fired once (what each computer keeps). Not thread-safe: lives with
// its computer on the worker thread.
class ArmedFault {
 public:
  void arm(FaultKind kind) { kind_ = kind; }
  // The armed kind, disarming it (fires once); nullopt when none.
  std::optional<FaultKind> take() {
    auto k = kind_;
    kind_.reset();
    return k;
  }
  bool armed() const { return kind_.has_value(); }

 private:
  std::optional<FaultKind> kind_;
};

}  // namespace diffuscope::gui
