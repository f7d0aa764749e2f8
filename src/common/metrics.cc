#include "common/metrics.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <variant>

namespace scone::metrics {
namespace {

// A broken constant of the program (a metric's name, a label index): not input, so it
// aborts with a message rather than returning a Status nobody could act on.
[[noreturn]] void Broken(const std::string& what) {
  (void)std::fprintf(stderr, "metrics: %s\n", what.c_str());
  std::abort();
}

bool IsName(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// A sample value as the format writes it: the shortest text that reads back as the same
// double ("0.1", "3", "1e+20"); +Inf, -Inf and NaN spelled out.
std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), ec == std::errc() ? end : buf.data());
}

// `name{a="x",b="y"}` for the series at `flat` (and an extra label, e.g. le, if given).
std::string SeriesName(std::string_view name, const std::vector<Label>& labels, size_t flat,
                       std::string_view extra_name = {}, std::string_view extra_value = {}) {
  std::string out(name);
  if (labels.empty() && extra_name.empty()) return out;
  // Mixed radix, the last label varying fastest (see Family::Flatten).
  std::vector<size_t> idx(labels.size());
  for (size_t i = labels.size(); i-- > 0;) {
    idx[i] = flat % labels[i].values.size();
    flat /= labels[i].values.size();
  }
  out += '{';
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i != 0) out += ',';
    out += labels[i].name + "=\"" + EscapeLabelValue(labels[i].values[idx[i]]) + '"';
  }
  if (!extra_name.empty()) {
    if (!labels.empty()) out += ',';
    out += std::string(extra_name) + "=\"" + std::string(extra_value) + '"';
  }
  out += '}';
  return out;
}

}  // namespace

// ---- series ------------------------------------------------------------------------------

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  // The first bucket whose bound is >= value (le means "less than or equal").
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.cumulative.resize(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = total;
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

// ---- families ----------------------------------------------------------------------------

template <class Series>
Family<Series>::Family(std::string name, std::string help, std::vector<Label> labels,
                       const std::function<std::unique_ptr<Series>()>& make)
    : name_(std::move(name)), help_(std::move(help)), labels_(std::move(labels)) {
  size_t n = 1;
  for (const Label& l : labels_) n *= l.values.size();
  series_.reserve(n);
  for (size_t i = 0; i < n; ++i) series_.push_back(make());
}

template <class Series>
size_t Family<Series>::Flatten(const size_t* indexes, size_t n) const {
  if (n != labels_.size()) {
    Broken(name_ + " has " + std::to_string(labels_.size()) + " labels, not " + std::to_string(n));
  }
  size_t flat = 0;
  for (size_t i = 0; i < n; ++i) {
    if (indexes[i] >= labels_[i].values.size()) {
      Broken(name_ + ": label " + labels_[i].name + " has no value " + std::to_string(indexes[i]));
    }
    flat = flat * labels_[i].values.size() + indexes[i];
  }
  return flat;
}

template <class Series>
Series& Family<Series>::At(std::initializer_list<size_t> indexes) {
  return *series_[Flatten(indexes.begin(), indexes.size())];
}

template <class Series>
Series& Family<Series>::At(const std::vector<size_t>& indexes) {
  return *series_[Flatten(indexes.data(), indexes.size())];
}

template <class Series>
size_t Family<Series>::IndexOf(size_t label, std::string_view value) const {
  const auto& values = labels_.at(label).values;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] == value) return i;
  }
  return values.size() - 1;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

// ---- the registry ------------------------------------------------------------------------

struct Registry::Entry {
  std::variant<std::unique_ptr<Family<Counter>>, std::unique_ptr<Family<Gauge>>,
               std::unique_ptr<Family<Histogram>>>
      family;
};

Registry::Registry() = default;
Registry::~Registry() = default;

void Registry::CheckNewName(const std::string& name, const std::vector<Label>& labels) const {
  if (!IsName(name, true)) Broken("\"" + name + "\" is not a metric name");
  for (const auto& e : entries_) {
    std::visit(
        [&](const auto& f) {
          if (f->name_ == name) Broken(name + " is registered twice");
        },
        e->family);
  }
  for (const Label& l : labels) {
    if (!IsName(l.name, false) || l.name.starts_with("__") || l.name == "le") {
      Broken(name + ": \"" + l.name + "\" is not a label name");
    }
    if (l.values.empty()) Broken(name + ": label " + l.name + " has no values");
  }
}

Family<Counter>& Registry::AddCounter(std::string name, std::string help,
                                      std::vector<Label> labels) {
  CheckNewName(name, labels);
  std::unique_ptr<Family<Counter>> f(
      new Family<Counter>(std::move(name), std::move(help), std::move(labels),
                          [] { return std::make_unique<Counter>(); }));
  Family<Counter>& ref = *f;
  entries_.push_back(std::make_unique<Entry>(Entry{std::move(f)}));
  return ref;
}

Family<Gauge>& Registry::AddGauge(std::string name, std::string help, std::vector<Label> labels) {
  CheckNewName(name, labels);
  std::unique_ptr<Family<Gauge>> f(new Family<Gauge>(std::move(name), std::move(help),
                                                     std::move(labels),
                                                     [] { return std::make_unique<Gauge>(); }));
  Family<Gauge>& ref = *f;
  entries_.push_back(std::make_unique<Entry>(Entry{std::move(f)}));
  return ref;
}

Family<Histogram>& Registry::AddHistogram(std::string name, std::string help,
                                          std::vector<double> bounds, std::vector<Label> labels) {
  CheckNewName(name, labels);
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      Broken(name + ": bucket bounds must be finite and strictly increasing");
    }
  }
  std::unique_ptr<Family<Histogram>> f(
      new Family<Histogram>(std::move(name), std::move(help), std::move(labels),
                            [&bounds] { return std::make_unique<Histogram>(bounds); }));
  Family<Histogram>& ref = *f;
  entries_.push_back(std::make_unique<Entry>(Entry{std::move(f)}));
  return ref;
}

void Registry::OnCollect(std::function<void()> collect) {
  collectors_.push_back(std::move(collect));
}

std::string Registry::Render() const {
  for (const auto& collect : collectors_) collect();
  std::string out;
  for (const auto& e : entries_) {
    std::visit(
        [&out](const auto& f) {
          using F = std::decay_t<decltype(*f)>;
          const char* type = std::is_same_v<F, Family<Counter>> ? "counter"
                             : std::is_same_v<F, Family<Gauge>> ? "gauge"
                                                                : "histogram";
          out += "# HELP " + f->name_ + " " + EscapeHelp(f->help_) + "\n";
          out += "# TYPE " + f->name_ + " " + type + "\n";
          for (size_t i = 0; i < f->series_.size(); ++i) {
            if constexpr (std::is_same_v<F, Family<Histogram>>) {
              const Histogram& h = *f->series_[i];
              Histogram::Snapshot s = h.Read();
              const std::string bucket = f->name_ + "_bucket";
              for (size_t b = 0; b < h.bounds().size(); ++b) {
                out += SeriesName(bucket, f->labels_, i, "le", FormatValue(h.bounds()[b])) + " " +
                       std::to_string(s.cumulative[b]) + "\n";
              }
              out += SeriesName(bucket, f->labels_, i, "le", "+Inf") + " " +
                     std::to_string(s.cumulative.back()) + "\n";
              out += SeriesName(f->name_ + "_sum", f->labels_, i) + " " + FormatValue(s.sum) + "\n";
              out += SeriesName(f->name_ + "_count", f->labels_, i) + " " +
                     std::to_string(s.cumulative.back()) + "\n";
            } else {
              out += SeriesName(f->name_, f->labels_, i) + " " +
                     std::to_string(f->series_[i]->value()) + "\n";
            }
          }
        },
        e->family);
  }
  return out;
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace scone::metrics
