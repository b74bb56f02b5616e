#pragma once
// A small Prometheus registry: counter and histogram families with labels, gauges read on scrape,
// rendered in the text exposition format 0.0.4. Hot-path updates take a shared lock and an atomic add.
#include <atomic>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ninja::util {

using LabelValues = std::initializer_list<std::string_view>;

class CounterFamily {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
  void inc(LabelValues labels, uint64_t by = 1);
  uint64_t value(LabelValues labels) const;
  void render(std::string& out) const;

 private:
  std::string name_, help_;
  std::vector<std::string> label_names_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::unique_ptr<std::atomic<uint64_t>>, std::less<>> series_;
};

class HistogramFamily {
 public:
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> upper_bounds);
  void observe(LabelValues labels, double value);
  void render(std::string& out) const;

 private:
  struct Series {
    explicit Series(size_t buckets) : counts(buckets) {}
    std::vector<std::atomic<uint64_t>> counts;  // per bucket, not cumulative; +Inf is count
    std::atomic<uint64_t> count{0};
    std::atomic<double> sum{0.0};
  };
  std::string name_, help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::unique_ptr<Series>, std::less<>> series_;
};

class MetricsRegistry {
 public:
  CounterFamily& counter(std::string name, std::string help, std::vector<std::string> label_names);
  HistogramFamily& histogram(std::string name, std::string help, std::vector<std::string> label_names,
                             std::vector<double> upper_bounds);
  // A gauge computed when scraped (e.g. outbox lag); `read` must be cheap and thread-safe.
  void gauge(std::string name, std::string help, std::function<double()> read);
  std::string render() const;

 private:
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<CounterFamily>> counters_;
  std::vector<std::unique_ptr<HistogramFamily>> histograms_;
  std::vector<Gauge> gauges_;
};

// Latency buckets in seconds suited to an in-memory/SQLite request path (100 µs … 10 s).
std::vector<double> latency_buckets();

}  // namespace ninja::util
