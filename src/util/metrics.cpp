#include "util/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

namespace ninja::util {
namespace {

constexpr char kSeparator = '\x1f';

// The key of one series: its label values, each followed by the separator. Built on the stack when
// it fits, so counting into a series that exists allocates nothing (every request counts twice).
class SeriesKey {
 public:
  explicit SeriesKey(LabelValues labels) {
    size_t size = 0;
    for (auto v : labels) size += v.size() + 1;
    char* out = size <= sizeof small_ ? small_ : (large_.resize(size), large_.data());
    view_ = std::string_view(out, size);
    for (auto v : labels) {
      out = std::copy(v.begin(), v.end(), out);
      *out++ = kSeparator;
    }
  }
  SeriesKey(const SeriesKey&) = delete;
  SeriesKey& operator=(const SeriesKey&) = delete;
  std::string_view view() const { return view_; }

 private:
  char small_[128];
  std::string large_;
  std::string_view view_;
};

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

// Renders `{a="x",b="y"` (no closing brace, so callers can append `le`) from a series key.
std::string label_text(const std::vector<std::string>& names, std::string_view key) {
  std::string out;
  size_t i = 0;
  for (const auto& name : names) {
    const size_t end = key.find(kSeparator);
    out.append(out.empty() ? "{" : ",");
    out.append(name).append("=\"");
    append_escaped(out, key.substr(0, end));
    out.push_back('"');
    key.remove_prefix(end + 1);
    ++i;
  }
  return out;
}

std::string closed(std::string labels) { return labels.empty() ? labels : labels + "}"; }

std::string format_value(double v) { return fmt::format("{}", v); }

template <class T, class Make>
T& find_or_create(std::shared_mutex& mutex, std::map<std::string, std::unique_ptr<T>, std::less<>>& series,
                  LabelValues labels, Make make) {
  const SeriesKey key(labels);
  {
    std::shared_lock lock(mutex);
    if (auto it = series.find(key.view()); it != series.end()) return *it->second;
  }
  std::unique_lock lock(mutex);
  auto& slot = series.try_emplace(std::string(key.view())).first->second;
  if (!slot) slot = make();
  return *slot;
}

}  // namespace

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void CounterFamily::inc(LabelValues labels, uint64_t by) {
  find_or_create(mutex_, series_, labels, [] {
    return std::make_unique<std::atomic<uint64_t>>(0);
  }).fetch_add(by, std::memory_order_relaxed);
}

uint64_t CounterFamily::value(LabelValues labels) const {
  std::shared_lock lock(mutex_);
  auto it = series_.find(SeriesKey(labels).view());
  return it == series_.end() ? 0 : it->second->load(std::memory_order_relaxed);
}

void CounterFamily::render(std::string& out) const {
  out.append(fmt::format("# HELP {} {}\n# TYPE {} counter\n", name_, help_, name_));
  std::shared_lock lock(mutex_);
  for (const auto& [key, value] : series_) {
    out.append(fmt::format("{}{} {}\n", name_, closed(label_text(label_names_, key)), value->load()));
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                                 std::vector<double> upper_bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      bounds_(std::move(upper_bounds)) {}

void HistogramFamily::observe(LabelValues labels, double value) {
  auto& s = find_or_create(mutex_, series_, labels, [this] { return std::make_unique<Series>(bounds_.size()); });
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) {
      s.counts[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  s.count.fetch_add(1, std::memory_order_relaxed);
  s.sum.fetch_add(value, std::memory_order_relaxed);
}

void HistogramFamily::render(std::string& out) const {
  out.append(fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name_, help_, name_));
  std::shared_lock lock(mutex_);
  for (const auto& [key, s] : series_) {
    const std::string labels = label_text(label_names_, key);
    const std::string prefix = labels.empty() ? "{" : labels + ",";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += s->counts[i].load(std::memory_order_relaxed);
      out.append(fmt::format("{}_bucket{}le=\"{}\"}} {}\n", name_, prefix, format_value(bounds_[i]), cumulative));
    }
    const uint64_t count = s->count.load(std::memory_order_relaxed);
    out.append(fmt::format("{}_bucket{}le=\"+Inf\"}} {}\n", name_, prefix, count));
    out.append(fmt::format("{}_sum{} {}\n", name_, closed(labels), format_value(s->sum.load())));
    out.append(fmt::format("{}_count{} {}\n", name_, closed(labels), count));
  }
}

CounterFamily& MetricsRegistry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  counters_.push_back(std::make_unique<CounterFamily>(std::move(name), std::move(help), std::move(label_names)));
  return *counters_.back();
}

HistogramFamily& MetricsRegistry::histogram(std::string name, std::string help, std::vector<std::string> label_names,
                                            std::vector<double> upper_bounds) {
  std::lock_guard lock(mutex_);
  histograms_.push_back(std::make_unique<HistogramFamily>(std::move(name), std::move(help), std::move(label_names),
                                                          std::move(upper_bounds)));
  return *histograms_.back();
}

void MetricsRegistry::gauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string MetricsRegistry::render() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& c : counters_) c->render(out);
  for (const auto& h : histograms_) h->render(out);
  for (const auto& g : gauges_) {
    out.append(
        fmt::format("# HELP {} {}\n# TYPE {} gauge\n{} {}\n", g.name, g.help, g.name, g.name, format_value(g.read())));
  }
  return out;
}

std::vector<double> latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

}  // namespace ninja::util
