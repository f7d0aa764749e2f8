#include "common/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "common/printable.h"

namespace scone {
namespace {

// spdlog's %l prints "info"; the documented format has "INFO".
class UpperLevelFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*unused*/,
              spdlog::memory_buf_t& dest) override {
    static constexpr const char* kNames[] = {"TRACE", "DEBUG", "INFO", "WARN",
                                             "ERROR", "FATAL", "OFF"};
    const char* name = kNames[static_cast<size_t>(msg.level)];
    dest.append(name, name + std::char_traits<char>::length(name));
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<UpperLevelFlag>();
  }
};

// The message with control characters, ESC sequences and invalid UTF-8 escaped
// (common/printable.h): messages carry values from peers, files and arguments, and none of
// them may start a line of its own or reach a terminal raw. The common case, nothing to
// escape, copies the message as it is.
class PrintableMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*unused*/,
              spdlog::memory_buf_t& dest) override {
    std::string_view text(msg.payload.data(), msg.payload.size());
    if (!NeedsEscaping(text)) {
      dest.append(text.data(), text.data() + text.size());
      return;
    }
    std::string escaped = PrintableText(text);
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<PrintableMessageFlag>();
  }
};

}  // namespace

std::unique_ptr<spdlog::formatter> NewLogFormatter() {
  // One field for date and time (ISO 8601, UTC), so that the value of "cas: CAS key hash:
  // VALUE" is the 7th whitespace-separated field (docs/cas.md, "Log format decision").
  // %v (the raw message) is never used: '~' is the escaped message.
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<UpperLevelFlag>('*').add_flag<PrintableMessageFlag>('~').set_pattern(
      "%Y-%m-%dT%H:%M:%SZ %* %n: %~");
  return formatter;
}

void InitLogging(const std::string& component) {
  auto logger = std::make_shared<spdlog::logger>(component,
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_formatter(NewLogFormatter());
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace scone
