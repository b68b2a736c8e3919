#pragma once
// Which trained model the reverse view's run uses while a training publishes new ones (about every
// 2 s, TrainingComputer). A new model restarts the run from x_T; restarting at every publish would
// keep a run of K = 1000 (or its playback) from ever reaching x_0 while training goes on. So a run
// is played to its end first: a newer model is taken once the shown run has played out (or nothing
// runs yet, or the training has ended), and every run the lecturer watches reaches x_0, each with
// a newer model than the last. Pure, unit-tested (tests/app/test_drawing.cpp).
#include <cstdint>

namespace diffuscope::gui {

// newest: the worker's revision for the data shown (Worker::model_revision or
// drawn_model_revision); in_run: the revision of the run shown (of the last job sent for the same
// data; pass newest when the data changed); played_out: no run was sent yet, or the shown run has
// played to its end (the cursor no longer follows it); training_running: a training is under way.
std::uint64_t followed_model_revision(std::uint64_t newest, std::uint64_t in_run, bool played_out,
                                      bool training_running);

}  // namespace diffuscope::gui
