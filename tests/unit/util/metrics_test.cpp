#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "util/metrics.hpp"

namespace ninja::util {
namespace {

TEST(CounterFamily, CountsPerLabelSet) {
  CounterFamily c("requests_total", "Requests.", {"route", "status"});
  c.inc({"/a", "200"});
  c.inc({"/a", "200"}, 4);
  c.inc({"/a", "404"});
  EXPECT_EQ(c.value({"/a", "200"}), 5u);
  EXPECT_EQ(c.value({"/a", "404"}), 1u);
  EXPECT_EQ(c.value({"/b", "200"}), 0u);
}

TEST(CounterFamily, LabelValuesAreNotConfusedByConcatenation) {
  CounterFamily c("x_total", "X.", {"a", "b"});
  c.inc({"ab", "c"});
  EXPECT_EQ(c.value({"a", "bc"}), 0u);
  EXPECT_EQ(c.value({"ab", "c"}), 1u);
}

TEST(CounterFamily, LongLabelValuesKeepTheirSeriesApart) {
  // Keys longer than the stack buffer take another path; they must count the same.
  CounterFamily c("x_total", "X.", {"route", "status"});
  const std::string long_route = "/" + std::string(300, 'r');
  c.inc({long_route, "200"});
  c.inc({long_route, "200"});
  c.inc({long_route + "x", "200"});
  EXPECT_EQ(c.value({long_route, "200"}), 2u);
  EXPECT_EQ(c.value({long_route + "x", "200"}), 1u);
  EXPECT_EQ(c.value({long_route, "201"}), 0u);
  std::string out;
  c.render(out);
  EXPECT_NE(out.find("route=\"" + long_route + "\",status=\"200\"} 2"), std::string::npos) << out;
}

TEST(CounterFamily, RendersHelpTypeAndSeries) {
  CounterFamily c("http_requests_total", "HTTP requests.", {"route", "method"});
  c.inc({"/v1/users", "GET"}, 3);
  std::string out;
  c.render(out);
  EXPECT_EQ(out,
            "# HELP http_requests_total HTTP requests.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{route=\"/v1/users\",method=\"GET\"} 3\n");
}

TEST(CounterFamily, RendersWithoutLabels) {
  CounterFamily c("events_total", "Events.", {});
  c.inc({}, 7);
  std::string out;
  c.render(out);
  EXPECT_EQ(out, "# HELP events_total Events.\n# TYPE events_total counter\nevents_total 7\n");
}

TEST(CounterFamily, EscapesLabelValues) {
  CounterFamily c("x_total", "X.", {"v"});
  c.inc({"a\"b\\c\nd"});
  std::string out;
  c.render(out);
  EXPECT_NE(out.find("x_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << out;
}

TEST(CounterFamily, ConcurrentIncrementsAreNotLost) {
  CounterFamily c("x_total", "X.", {"k"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&c, t] {
      for (int i = 0; i < 10000; ++i) c.inc({t % 2 == 0 ? "even" : "odd"});
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(c.value({"even"}), 20000u);
  EXPECT_EQ(c.value({"odd"}), 20000u);
}

TEST(HistogramFamily, BucketsAreCumulativeAndInclusive) {
  HistogramFamily h("latency_seconds", "Latency.", {"route"}, {0.5, 1, 2.5});
  h.observe({"/x"}, 0.25);
  h.observe({"/x"}, 1.0);  // equal to a bound: counts in that bucket (le)
  h.observe({"/x"}, 2.0);
  h.observe({"/x"}, 30.0);  // above every bound: only +Inf
  std::string out;
  h.render(out);
  EXPECT_EQ(out,
            "# HELP latency_seconds Latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"/x\",le=\"0.5\"} 1\n"
            "latency_seconds_bucket{route=\"/x\",le=\"1\"} 2\n"
            "latency_seconds_bucket{route=\"/x\",le=\"2.5\"} 3\n"
            "latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{route=\"/x\"} 33.25\n"
            "latency_seconds_count{route=\"/x\"} 4\n");
}

TEST(HistogramFamily, RendersWithoutLabels) {
  HistogramFamily h("d", "D.", {}, {1});
  h.observe({}, 0.5);
  std::string out;
  h.render(out);
  EXPECT_EQ(out,
            "# HELP d D.\n# TYPE d histogram\n"
            "d_bucket{le=\"1\"} 1\n"
            "d_bucket{le=\"+Inf\"} 1\n"
            "d_sum 0.5\n"
            "d_count 1\n");
}

TEST(HistogramFamily, SeparateSeriesPerLabel) {
  HistogramFamily h("d", "D.", {"r"}, {1});
  h.observe({"a"}, 0.1);
  h.observe({"b"}, 5);
  std::string out;
  h.render(out);
  EXPECT_NE(out.find("d_bucket{r=\"a\",le=\"1\"} 1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("d_bucket{r=\"b\",le=\"1\"} 0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("d_count{r=\"b\"} 1\n"), std::string::npos) << out;
}

TEST(MetricsRegistry, RendersCountersHistogramsThenGauges) {
  MetricsRegistry registry;
  auto& c = registry.counter("c_total", "C.", {});
  auto& h = registry.histogram("h_seconds", "H.", {}, {1});
  double level = 42;
  registry.gauge("g", "G.", [&level] { return level; });
  c.inc({});
  h.observe({}, 0.5);
  const std::string out = registry.render();
  const auto ci = out.find("# TYPE c_total counter\nc_total 1\n");
  const auto hi = out.find("# TYPE h_seconds histogram\n");
  const auto gi = out.find("# HELP g G.\n# TYPE g gauge\ng 42\n");
  ASSERT_NE(ci, std::string::npos) << out;
  ASSERT_NE(hi, std::string::npos) << out;
  ASSERT_NE(gi, std::string::npos) << out;
  EXPECT_LT(ci, hi);
  EXPECT_LT(hi, gi);
}

TEST(MetricsRegistry, GaugeIsReadOnEveryScrape) {
  MetricsRegistry registry;
  double level = 1.5;
  registry.gauge("lag", "Lag.", [&level] { return level; });
  EXPECT_NE(registry.render().find("\nlag 1.5\n"), std::string::npos);
  level = 7;
  EXPECT_NE(registry.render().find("\nlag 7\n"), std::string::npos);
}

TEST(MetricsRegistry, EmptyRegistryRendersNothing) { EXPECT_EQ(MetricsRegistry{}.render(), ""); }

TEST(LatencyBuckets, AscendingFrom100MicrosecondsTo10Seconds) {
  const auto b = latency_buckets();
  ASSERT_FALSE(b.empty());
  EXPECT_DOUBLE_EQ(b.front(), 0.0001);
  EXPECT_DOUBLE_EQ(b.back(), 10);
  EXPECT_TRUE(std::is_sorted(b.begin(), b.end()));
  EXPECT_EQ(std::adjacent_find(b.begin(), b.end()), b.end());
}

}  // namespace
}  // namespace ninja::util
