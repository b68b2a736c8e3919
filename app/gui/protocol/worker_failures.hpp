#pragma once
// How the worker words a failed job for the lecturer, and what it refuses to publish: a frame
// whose numbers went non-finite is never shown silently (design.md, "Threads"; issue 7, faults).
// Torch-free.
#include <exception>
#include <string>

#include "gui/protocol/jobs.hpp"
#include "gui/protocol/reverse_jobs.hpp"

namespace diffuscope::gui {

// One line for the error banner: std::bad_alloc and LibTorch's out-of-memory errors (CUDA
// "out of memory", CPU "can't allocate memory") say "out of memory" and what to try; LibTorch's
// "Exception raised from ..." backtrace is cut off; an empty message becomes "failed".
std::string failure_message(const std::exception& error);

// "" when every number the frame shows is finite; otherwise what went non-finite, e.g.
// "x_t of schedule A at t = 300 is non-finite (NaN or infinity)".
std::string nonfinite_part(const ForwardFrame& frame);

// A panel whose shown numbers (cloud, arrows, x0_hat, trajectories, posterior) went non-finite
// gets an error naming them and loses them. Returns the number of panels changed.
int reject_nonfinite_panels(ReverseFrame& frame);

}  // namespace diffuscope::gui
