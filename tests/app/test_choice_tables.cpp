// The enum tables (gui/choice_tables.hpp) are the one home of every value's key, label and tooltip:
// each value appears exactly once, keys round-trip, and the keys of diffusion's enums are
// diffusion's own words (which checkpoints, CSV files and older scenes use).
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "gui/state/choice_tables.hpp"

namespace diffuscope::gui {
namespace {

template <typename E>
void expect_complete_table(const std::vector<E>& every_value) {
  const auto& table = choices<E>();
  EXPECT_EQ(table.size(), every_value.size());
  std::set<std::string> keys;
  for (const Choice<E>& c : table) {
    EXPECT_TRUE(keys.insert(std::string(c.key)).second) << "key listed twice: " << c.key;
    EXPECT_FALSE(c.key.empty());
    EXPECT_STRNE(c.label, "") << c.key;
    ASSERT_TRUE(parse_key<E>(c.key).has_value()) << c.key;
    EXPECT_EQ(*parse_key<E>(c.key), c.value) << c.key;
  }
  for (E value : every_value) EXPECT_EQ(*parse_key<E>(key_of(value)), value);
  EXPECT_FALSE(parse_key<E>("no-such-key").has_value());
}

TEST(ChoiceTables, DiffusionEnumsUseDiffusionsOwnWords) {
  expect_complete_table(diffusion::all_schedule_kinds());
  expect_complete_table(diffusion::all_dataset2d_kinds());
  expect_complete_table(diffusion::all_prediction_targets());
  expect_complete_table(diffusion::all_ode_solvers());
  for (const auto& c : choices<diffusion::OdeSolver>()) EXPECT_EQ(diffusion::parse_ode_solver(c.key), c.value);
  for (const auto& c : choices<diffusion::ScheduleKind>()) EXPECT_EQ(diffusion::parse_schedule_kind(c.key), c.value);
  for (const auto& c : choices<diffusion::Dataset2DKind>()) EXPECT_EQ(diffusion::parse_dataset2d_kind(c.key), c.value);
  for (const auto& c : choices<diffusion::PredictionTarget>())
    EXPECT_EQ(diffusion::parse_prediction_target(c.key), c.value);
  for (const auto& c : choices<diffusion::SigmaKind>()) EXPECT_EQ(diffusion::parse_sigma_kind(c.key), c.value);
  for (const auto& c : choices<diffusion::Spacing>()) EXPECT_EQ(diffusion::parse_spacing(c.key), c.value);
  EXPECT_EQ(choices<diffusion::SigmaKind>().size(), 4u);
  EXPECT_EQ(choices<diffusion::Spacing>().size(), 3u);
}

TEST(ChoiceTables, AppEnumsRoundTrip) {
  expect_complete_table<AppView>({AppView::Forward, AppView::Reverse, AppView::Images});
  expect_complete_table<ForwardProcess>({ForwardProcess::ClosedForm, ForwardProcess::Markov, ForwardProcess::Naive});
  expect_complete_table<DenoiserKind>({DenoiserKind::Model, DenoiserKind::Exact});
  expect_complete_table<VectorField>({VectorField::None, VectorField::Score, VectorField::Eps});
  expect_complete_table(all_reverse_presets());
  EXPECT_EQ(*parse_key<ReversePreset>("ode"), ReversePreset::OdeSolverComparison);
  EXPECT_EQ(key_list<ForwardProcess>(), "closed, markov, naive");
}

TEST(ChoiceTables, OneViewKeysBelongToTheirView) {
  EXPECT_EQ(one_view_index(AppView::Forward, "curves"), 0);
  EXPECT_EQ(one_view_index(AppView::Forward, "image"), 3);
  EXPECT_EQ(one_view_index(AppView::Images, "selected"), 1);
  EXPECT_EQ(one_view_index(AppView::Reverse, "curves"), -1);  // a forward panel
  EXPECT_EQ(one_view_key_list(),
            "curves, points, marginal, image (forward), clouds (reverse), grids, selected (images)");
}

}  // namespace
}  // namespace diffuscope::gui
