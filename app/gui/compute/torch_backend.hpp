#pragma once
// The Worker's LibTorch back end: the forward, reverse, training and image computers and the model
// stores, on one device (worker_backend.hpp). Torch-free header; the computers' headers are too.
#include <memory>

#include "gui/protocol/worker_backend.hpp"

namespace diffuscope::gui {

// Builds nothing yet: the computers are made in start(), on the worker thread.
std::unique_ptr<WorkerBackend> make_torch_backend();

}  // namespace diffuscope::gui
