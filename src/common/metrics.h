// Metrics for operators, in the Prometheus text exposition format 0.0.4 (docs/metrics.md):
// counters, gauges and histograms, each a family of series over labels whose every value
// is fixed when the family is registered. One registry per program (`cas`, `las`); the
// metrics listener (net/metrics_listener.h) serves Registry::Render at GET /metrics.
//
// Bounded cardinality by construction: a label's values are listed at registration and a
// series is addressed by the index of each value, so no value a peer sends (a path, a
// session name, a key hash) can ever become a label or create a series. Whoever registers a
// family decides what its values reveal; nothing secret and no client identity belongs in
// one.
//
// Thread safety: registering families (Add*, OnCollect) happens at startup, before any
// other thread uses the registry. Afterwards Inc/Set/Observe are lock-free atomics, callable
// from any thread, and Render may run concurrently with them (it reads every value once; a
// histogram's _count is the sum of the bucket counts it read, so a scrape is consistent
// within each series).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace scone::metrics {

// A label: its name and every value it can take.
struct Label {
  std::string name;
  std::vector<std::string> values;
};

// A monotonically increasing count.
class Counter {
 public:
  void Inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down (open connections, bytes on disk).
class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Observations counted into buckets with fixed upper bounds (le), plus their sum. Stored per
// bucket; the exposition makes the counts cumulative and adds the +Inf bucket.
class Histogram {
 public:
  // `bounds` strictly increasing and finite (checked by Registry::AddHistogram).
  explicit Histogram(const std::vector<double>& bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // per bound, then +Inf (== count)
    double sum = 0;
  };
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // per bound, then the overflow bucket
  std::atomic<double> sum_{0};
};

// The series of one metric: one per combination of its labels' values, created at
// registration. Series are addressed by the index of each label's value, in label order.
template <class Series>
class Family {
 public:
  // The series for these value indexes (one per label; none for a family without labels).
  // An index out of range is a programming error: it aborts.
  Series& At(std::initializer_list<size_t> indexes);
  Series& At(const std::vector<size_t>& indexes);
  // The index of `value` among the values of label `label`; the last value's index if it is
  // not there (families that take outside values end their list with a catch-all: "other").
  size_t IndexOf(size_t label, std::string_view value) const;

 private:
  friend class Registry;
  Family(std::string name, std::string help, std::vector<Label> labels,
         const std::function<std::unique_ptr<Series>()>& make);
  size_t Flatten(const size_t* indexes, size_t n) const;

  std::string name_;
  std::string help_;
  std::vector<Label> labels_;
  std::vector<std::unique_ptr<Series>> series_;
};

class Registry {
 public:
  Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  ~Registry();

  // Registers a family. Names (of metrics and labels) must be valid Prometheus names and
  // unique, every label must have at least one value, histogram bounds strictly increasing:
  // these are constants of the program, so a violation aborts. The family lives as long as
  // the registry.
  Family<Counter>& AddCounter(std::string name, std::string help, std::vector<Label> labels = {});
  Family<Gauge>& AddGauge(std::string name, std::string help, std::vector<Label> labels = {});
  Family<Histogram>& AddHistogram(std::string name, std::string help, std::vector<double> bounds,
                                  std::vector<Label> labels = {});

  // Runs at the start of every Render, to set gauges that are read rather than tracked
  // (a file's size). Must be cheap and must not throw.
  void OnCollect(std::function<void()> collect);

  // The text exposition format 0.0.4: # HELP and # TYPE per family, one line per series,
  // families in registration order.
  std::string Render() const;

  // The Content-Type of Render's text.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

 private:
  void CheckNewName(const std::string& name, const std::vector<Label>& labels) const;

  struct Entry;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<std::function<void()>> collectors_;
};

// Latency buckets in seconds, 0.5 ms to 10 s, for request durations.
const std::vector<double>& LatencyBuckets();

// Text escaping of the exposition format, exposed for its tests: a label value escapes
// backslash, double quote and newline; a HELP text backslash and newline.
std::string EscapeLabelValue(std::string_view value);
std::string EscapeHelp(std::string_view help);

}  // namespace scone::metrics
