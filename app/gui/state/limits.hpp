#pragma once
// The ranges of the app's settings, in one place: the widgets clamp to them, scene files are
// checked against them and the command line's flags are too. Header-only and free of GL, ImGui and
// LibTorch so that the command line (built without the GUI too) reads the same numbers. The
// schedule's own ranges (T, β, ...) are diffusion::validate's; sizes and counts the worker's jobs
// carry (panels, images) live beside those jobs (reverse_jobs.hpp, image_jobs.hpp).
#include <cstdint>

namespace diffuscope::gui {

// Text and widget scale (the font atlas is rebuilt at 18 px times this).
inline constexpr float kMinUiScale = 1.0f;
inline constexpr float kMaxUiScale = 3.0f;

// Timeline playback, in timesteps per second.
inline constexpr double kMinPlaybackSpeed = 1.0;
inline constexpr double kMaxPlaybackSpeed = 2000.0;

// Points of the forward and reverse clouds: the workers' limits.
inline constexpr int kMaxForwardPoints = 1000000;
inline constexpr int kMaxReversePoints = 20000;

// Clicked points the reverse view follows at once.
inline constexpr int kMaxTrackedPoints = 8;

// A drawn dataset (drawing.hpp): at most as many points as a point CSV holds; the brush adds
// 1..kMaxBrushPoints points per dab, scattered with a standard deviation (data units) in
// kMinBrushSpread..kMaxBrushSpread; right-drag erases within kEraseRadiusPerSpread times the spread
// (at least kMinEraseRadius); a class of 0..kMaxBrushClass (the class palette's colours); undo
// remembers kMaxDrawingUndo edits.
inline constexpr int kMaxDrawnPoints = 10000;
inline constexpr int kMaxBrushPoints = 50;
inline constexpr double kMinBrushSpread = 0.0;
inline constexpr double kMaxBrushSpread = 1.0;
inline constexpr double kMinEraseRadius = 0.1;
inline constexpr double kEraseRadiusPerSpread = 2.0;
inline constexpr int kMaxBrushClass = 7;
inline constexpr int kMaxDrawingUndo = 64;

// Classifier-free guidance of a reverse panel: its class is -1 (none) or 0..kMaxPanelClass (a
// conditional model has at most 1024 classes, point_model.hpp), its scale w in 0..kMaxPanelGuidance,
// which is diffusion::kMaxGuidanceScale repeated torch-free (compute/guided_denoisers.cpp checks).
inline constexpr int kMaxPanelClass = 1023;
inline constexpr double kMaxPanelGuidance = 10.0;

// Steps of in-app training.
inline constexpr std::int64_t kMinTrainingSteps = 100;
inline constexpr std::int64_t kMaxTrainingSteps = 1000000;

// The Fashion-MNIST test set has 10000 images.
inline constexpr int kMaxFashionIndex = 9999;

// Exports: picture size in pixels, and animation frames.
inline constexpr int kExportMinSize = 64;
inline constexpr int kExportMaxWidth = 7680;
inline constexpr int kExportMaxHeight = 4320;
inline constexpr int kExportMaxFrames = 10000;

}  // namespace diffuscope::gui
