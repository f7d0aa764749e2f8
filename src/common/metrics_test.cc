#include "common/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace scone::metrics {
namespace {

// The lines of `text` that start with `prefix`.
std::vector<std::string> LinesWith(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    std::string line = text.substr(at, end - at);
    if (line.starts_with(prefix)) out.push_back(line);
    at = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

TEST(MetricsTest, CounterWithoutLabelsHasHelpTypeAndValue) {
  Registry r;
  auto& c = r.AddCounter("x_total", "Things.");
  c.At({}).Inc();
  c.At({}).Inc(4);
  EXPECT_EQ(r.Render(), "# HELP x_total Things.\n# TYPE x_total counter\nx_total 5\n");
}

TEST(MetricsTest, EverySeriesOfTheLabelProductIsListedLastLabelFastest) {
  Registry r;
  auto& c = r.AddCounter("req_total", "Requests.",
                         {{"endpoint", {"a", "b"}}, {"status", {"200", "404", "other"}}});
  c.At({1, 2}).Inc(3);
  c.At({0, 1}).Inc();
  auto lines = LinesWith(r.Render(), "req_total{");
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "req_total{endpoint=\"a\",status=\"200\"} 0");
  EXPECT_EQ(lines[1], "req_total{endpoint=\"a\",status=\"404\"} 1");
  EXPECT_EQ(lines[5], "req_total{endpoint=\"b\",status=\"other\"} 3");
}

TEST(MetricsTest, IndexOfFallsBackToTheLastValue) {
  Registry r;
  auto& c = r.AddCounter("s_total", "S.", {{"status", {"200", "404", "other"}}});
  EXPECT_EQ(c.IndexOf(0, "404"), 1u);
  EXPECT_EQ(c.IndexOf(0, "418"), 2u);
}

TEST(MetricsTest, LabelValuesAndHelpAreEscaped) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(EscapeHelp("a\\b\"c\nd"), "a\\\\b\"c\\nd");
  Registry r;
  auto& g = r.AddGauge("g", "Two\nlines \\ here.", {{"path", {"x\"y\\z\nw"}}});
  g.At({0}).Set(-7);
  EXPECT_EQ(r.Render(),
            "# HELP g Two\\nlines \\\\ here.\n# TYPE g gauge\n"
            "g{path=\"x\\\"y\\\\z\\nw\"} -7\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  auto& h = r.AddHistogram("d_seconds", "Durations.", {0.1, 1}, {{"endpoint", {"a"}}});
  h.At({0}).Observe(0.05);
  h.At({0}).Observe(0.1);  // le is inclusive
  h.At({0}).Observe(0.5);
  h.At({0}).Observe(7);
  EXPECT_EQ(r.Render(),
            "# HELP d_seconds Durations.\n# TYPE d_seconds histogram\n"
            "d_seconds_bucket{endpoint=\"a\",le=\"0.1\"} 2\n"
            "d_seconds_bucket{endpoint=\"a\",le=\"1\"} 3\n"
            "d_seconds_bucket{endpoint=\"a\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{endpoint=\"a\"} 7.65\n"
            "d_seconds_count{endpoint=\"a\"} 4\n");
}

TEST(MetricsTest, HistogramWithoutLabelsPutsOnlyLeInBraces) {
  Registry r;
  auto& h = r.AddHistogram("h", "H.", {2});
  h.At({}).Observe(1);
  auto lines = LinesWith(r.Render(), "h_");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "h_bucket{le=\"2\"} 1");
  EXPECT_EQ(lines[1], "h_bucket{le=\"+Inf\"} 1");
  EXPECT_EQ(lines[2], "h_sum 1");
  EXPECT_EQ(lines[3], "h_count 1");
}

TEST(MetricsTest, CollectorsRunBeforeEachRender) {
  Registry r;
  auto& g = r.AddGauge("bytes", "B.");
  int64_t size = 10;
  r.OnCollect([&] { g.At({}).Set(size); });
  EXPECT_EQ(LinesWith(r.Render(), "bytes ")[0], "bytes 10");
  size = 12;
  EXPECT_EQ(LinesWith(r.Render(), "bytes ")[0], "bytes 12");
}

TEST(MetricsTest, ConcurrentIncrementsAreAllCounted) {
  Registry r;
  auto& c = r.AddCounter("n_total", "N.");
  auto& h = r.AddHistogram("t", "T.", {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c.At({}).Inc();
        h.At({}).Observe(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.At({}).value(), 40000u);
  EXPECT_EQ(h.At({}).Read().cumulative.back(), 40000u);
  EXPECT_EQ(h.At({}).Read().sum, 40000.0);
}

TEST(MetricsDeathTest, BrokenRegistrationsAbort) {
  EXPECT_DEATH(Registry().AddCounter("bad name", "x"), "not a metric name");
  EXPECT_DEATH(Registry().AddCounter("x", "x", {{"le", {"1"}}}), "not a label name");
  EXPECT_DEATH(Registry().AddCounter("x", "x", {{"a", {}}}), "no values");
  EXPECT_DEATH(Registry().AddHistogram("x", "x", {1, 1}), "strictly increasing");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddCounter("x", "x");
        r.AddGauge("x", "x");
      },
      "registered twice");
  EXPECT_DEATH(
      {
        Registry r;
        r.AddCounter("x", "x", {{"a", {"1"}}}).At({1});
      },
      "no value 1");
}

}  // namespace
}  // namespace scone::metrics
