// Point CSV: round trips (text and file) and every bad file, with the file, line and column named.
#include <gtest/gtest.h>

#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <string>

#include "diffusion/point_csv.hpp"

namespace diffusion {
namespace {

std::string temp_folder() {
  char pattern[] = "/tmp/point_csv_test.XXXXXX";
  const char* folder = ::mkdtemp(pattern);
  EXPECT_NE(folder, nullptr);
  return folder ? folder : "/tmp";
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The error of parsing `text` as "f.csv"; a test failure if it parsed.
std::string error_of(const std::string& text) {
  const PointCsvResult result = parse_point_csv(text, "f.csv");
  EXPECT_FALSE(result.ok()) << "parsed: " << text;
  return result.error;
}

TEST(PointCsv, RoundTripThroughAFileKeepsEveryFloatAndClass) {
  LabelledPoints2D points = make_labelled_dataset2d(Dataset2DKind::GaussianMixture, 3000, 5);
  // Awkward floats too: the smallest normal, a denormal, the largest allowed coordinate, -0.
  points.xy.insert(points.xy.end(), {std::numeric_limits<float>::min(), 1e-40f, 1e4f, -0.0f});
  points.class_id.insert(points.class_id.end(), {2, 0});
  const std::string path = temp_folder() + "/points.csv";
  ASSERT_EQ(write_point_csv(path, points), "");
  const PointCsvResult back = read_point_csv(path);
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(back.points.xy, points.xy);  // bit for bit (9 significant digits)
  EXPECT_EQ(back.points.class_id, points.class_id);
  EXPECT_EQ(back.points.num_classes, 3);
  EXPECT_EQ(read_all(path).substr(0, 10), "x,y,class\n");
  std::remove(path.c_str());
}

TEST(PointCsv, TwoColumnsWithoutHeaderAreOneClass) {
  const PointCsvResult result = parse_point_csv("0.5,-1\r\n\n  2e-1 , 3 \n", "f.csv");
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.points.xy, (std::vector<float>{0.5f, -1.0f, 0.2f, 3.0f}));
  EXPECT_EQ(result.points.class_id, (std::vector<int>{0, 0}));
  EXPECT_EQ(result.points.num_classes, 1);
}

TEST(PointCsv, ByteOrderMarkIsNotAHeader) {
  const PointCsvResult result = parse_point_csv("\xEF\xBB\xBF" "1,2\n3,4\n", "f.csv");
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.points.size(), 2);
}

TEST(PointCsv, HeaderAndClassesGiveTheLargestClassPlusOne) {
  const PointCsvResult result = parse_point_csv("x,y,class\n0,0,4\n1,1,0\n", "f.csv");
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.points.class_id, (std::vector<int>{4, 0}));
  EXPECT_EQ(result.points.num_classes, 5);
}

TEST(PointCsv, ExactlyTheLimitIsAccepted) {
  std::string text = "x,y\n";
  for (int i = 0; i < kMaxPointCsvPoints; ++i) text += std::to_string(i % 7) + ",1\n";
  const PointCsvResult result = parse_point_csv(text, "f.csv");
  ASSERT_TRUE(result.ok()) << result.error;
  EXPECT_EQ(result.points.size(), kMaxPointCsvPoints);
}

TEST(PointCsv, MoreThanTheLimitNamesTheLine) {
  std::string text = "x,y\n";
  for (int i = 0; i <= kMaxPointCsvPoints; ++i) text += "1,2\n";
  // The header is line 1, so point 10,001 is on line 10,002.
  EXPECT_EQ(error_of(text), "f.csv: line 10002: more than 10000 points (the limit)");
}

TEST(PointCsv, MissingColumns) {
  EXPECT_EQ(error_of("1\n"), "f.csv: line 1, column 2 (y): missing column (expected x,y)");
  EXPECT_EQ(error_of("x,y\n1,2\n3,\n"), "f.csv: line 3, column 2 (y): missing column (expected x,y)");
  EXPECT_EQ(error_of("1,2,0\n3,4\n"), "f.csv: line 2, column 3 (class): missing column (expected x,y,class)");
  EXPECT_EQ(error_of("x,y,class\n1,2\n"), "f.csv: line 2, column 3 (class): missing column (expected x,y,class)");
  EXPECT_EQ(error_of("x\n1,2\n"), "f.csv: line 1, column 2 (y): missing column: the header must be x,y or x,y,class");
}

TEST(PointCsv, ExtraColumns) {
  EXPECT_EQ(error_of("1,2\n1,2,3\n"), "f.csv: line 2, column 3 (class): unexpected extra column '3' (expected x,y)");
  EXPECT_EQ(error_of("1,2,3,4\n"), "f.csv: line 1, column 4: unexpected extra column '4' (expected x,y,class)");
}

TEST(PointCsv, NonNumbers) {
  EXPECT_EQ(error_of("x,y\n1,2\nabc,2\n"), "f.csv: line 3, column 1 (x): 'abc' is not a number");
  EXPECT_EQ(error_of("1,2x\n"), "f.csv: line 1, column 2 (y): '2x' is not a number");
  EXPECT_EQ(error_of("1,2,one\n"), "f.csv: line 1, column 3 (class): 'one' is not a number");
}

TEST(PointCsv, NaNAndInfinityAndHugeValues) {
  EXPECT_EQ(error_of("1,nan\n"), "f.csv: line 1, column 2 (y): 'nan' is not a finite number");
  EXPECT_EQ(error_of("x,y\n-inf,0\n"), "f.csv: line 2, column 1 (x): '-inf' is not a finite number");
  EXPECT_EQ(error_of("1e400,0\n"), "f.csv: line 1, column 1 (x): '1e400' is not a finite number");
  EXPECT_EQ(error_of("0,20000\n"),
            "f.csv: line 1, column 2 (y): 20000 is out of range: coordinates must lie in [-10000, 10000]");
}

TEST(PointCsv, BadClasses) {
  EXPECT_EQ(error_of("1,2,-1\n"), "f.csv: line 1, column 3 (class): '-1' is not a class: classes are whole numbers 0..99");
  EXPECT_EQ(error_of("1,2,1.5\n"), "f.csv: line 1, column 3 (class): '1.5' is not a class: classes are whole numbers 0..99");
  EXPECT_EQ(error_of("1,2,100\n"), "f.csv: line 1, column 3 (class): '100' is not a class: classes are whole numbers 0..99");
  EXPECT_EQ(error_of("1,2,nan\n"), "f.csv: line 1, column 3 (class): 'nan' is not a class: classes are whole numbers 0..99");
}

TEST(PointCsv, EmptyFileAndHeaderOnly) {
  EXPECT_EQ(error_of(""), "f.csv: line 1: no points (the file is empty)");
  EXPECT_EQ(error_of("\n \n"), "f.csv: line 2: no points (expected lines x,y or x,y,class)");
  EXPECT_EQ(error_of("x,y,class\n"), "f.csv: line 1: no points (expected lines x,y or x,y,class)");
}

TEST(PointCsv, UnreadableFileIsNamed) {
  const PointCsvResult missing = read_point_csv("/nonexistent-folder/drawing.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error.rfind("/nonexistent-folder/drawing.csv: cannot read: ", 0), 0u) << missing.error;
  const std::string folder = temp_folder();
  const PointCsvResult directory = read_point_csv(folder);  // a folder opens but does not read
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.error.rfind(folder + ": ", 0), 0u) << directory.error;
}

TEST(PointCsv, WritingABadPointSetLeavesTheFileAlone) {
  const std::string path = temp_folder() + "/keep.csv";
  { std::ofstream(path) << "old\n"; }
  LabelledPoints2D bad;
  bad.xy = {0.0f, std::nanf("")};
  bad.class_id = {0};
  const std::string error = write_point_csv(path, bad);
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("not finite"), std::string::npos) << error;
  EXPECT_EQ(read_all(path), "old\n");
  bad.xy = {0.0f, 1.0f};
  bad.class_id = {-3};
  EXPECT_NE(write_point_csv(path, bad).find("class -3"), std::string::npos);
  EXPECT_EQ(read_all(path), "old\n");
  EXPECT_NE(write_point_csv("/nonexistent-folder/out.csv", make_labelled_dataset2d(Dataset2DKind::Moons, 3, 0)),
            "");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace diffusion
