#pragma once
// 2D toy datasets, generated in plain C++ from a seed (same seed, same points on every machine),
// scaled to roughly unit variance per coordinate.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace diffusion {

enum class Dataset2DKind { Moons, EightGaussians, SwissRoll, Checkerboard, Circles, Spiral, GaussianMixture };

const std::vector<Dataset2DKind>& all_dataset2d_kinds();
std::string_view to_string(Dataset2DKind kind);  // "moons", "8gaussians", "swiss_roll", ...
std::optional<Dataset2DKind> parse_dataset2d_kind(std::string_view name);

struct Dataset2D {
  Dataset2DKind kind = Dataset2DKind::Moons;
  std::vector<float> xy;      // interleaved x0, y0, x1, y1, ...
  std::vector<int> label;     // a component / class index per point, for colouring
  int size() const { return static_cast<int>(label.size()); }
};

// Throws std::invalid_argument if n < 1 or n > 10'000'000.
Dataset2D make_dataset2d(Dataset2DKind kind, int n, std::uint64_t seed);

// Classes, for conditional sampling and classifier-free guidance: numbered 0..count-1.
// Datasets with natural classes have them: 8gaussians 8 (the centre), moons 2 (the moon),
// gaussian_mixture 3 (the component), circles 2 (0 outer, 1 inner), spiral 2 (the arm),
// checkerboard 2 (the colour: the parity of the square's row, so squares that touch at a corner
// differ). A dataset without natural classes (swiss_roll, whose colour label only marks the
// position along the roll) has one class, 0, holding every point: "unlabelled" is one class.
int dataset2d_class_count(Dataset2DKind kind);
// The class of a point whose Dataset2D::label is `label`.
int dataset2d_class_of_label(Dataset2DKind kind, int label);
// "No class": what a conditional denoiser is given to be unconditional (classifier-free guidance).
inline constexpr int kNullClass = -1;
// The dataset name recorded for points that are not a named dataset (a drawing, a CSV file).
inline constexpr std::string_view kDrawnDatasetName = "drawn";

// Points with a class each: a dataset's classes (labelled_points), or a drawing read from CSV
// (point_csv.hpp). Invariant: class_id.size() == xy.size() / 2, every class in [0, num_classes).
struct LabelledPoints2D {
  std::vector<float> xy;      // interleaved x0, y0, x1, y1, ...
  std::vector<int> class_id;  // the class of each point
  int num_classes = 1;
  int size() const { return static_cast<int>(class_id.size()); }
};
LabelledPoints2D labelled_points(const Dataset2D& data);
// labelled_points(make_dataset2d(kind, n, seed)).
LabelledPoints2D make_labelled_dataset2d(Dataset2DKind kind, int n, std::uint64_t seed);

}  // namespace diffusion
