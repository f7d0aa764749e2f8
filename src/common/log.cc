#include "common/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

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

}  // namespace

void InitLogging(const std::string& component) {
  auto logger = std::make_shared<spdlog::logger>(component,
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  // One field for date and time (ISO 8601, UTC), so that the value of "cas: CAS key hash:
  // VALUE" is the 7th whitespace-separated field (docs/cas.md, "Log format decision").
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<UpperLevelFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%SZ %* %n: %v");
  logger->set_formatter(std::move(formatter));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace scone
