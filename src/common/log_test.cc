#include "common/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>
#include <string>

namespace scone {
namespace {

// What a logger with the production formatter writes for one message.
std::string LogLine(spdlog::level::level_enum level, const std::string& value) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  spdlog::logger logger("las", sink);
  logger.set_formatter(NewLogFormatter());
  logger.log(level, "quote to {}", value);
  return out.str();
}

TEST(Log, LineHasTheDocumentedFields) {
  std::string line = LogLine(spdlog::level::info, "pid 42");
  // "<date>T<time>Z INFO las: quote to pid 42\n"
  ASSERT_GT(line.size(), 21u);
  EXPECT_EQ(line[10], 'T');
  EXPECT_EQ(line[19], 'Z');
  EXPECT_EQ(line.substr(20), " INFO las: quote to pid 42\n");
}

TEST(Log, ValueWithNewlineCannotForgeALine) {
  std::string line =
      LogLine(spdlog::level::warn, "/tmp/x\n2026-11-27T17:30:01Z INFO las: forged\x1b[2K");
  EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
  EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  EXPECT_NE(line.find("WARN las: quote to /tmp/x\\n2026-11-27T17:30:01Z INFO las: forged\\x1b[2K"),
            std::string::npos)
      << line;
}

TEST(Log, InvalidUtf8IsEscaped) {
  std::string line = LogLine(spdlog::level::info, "\xff\xc2\x9b");
  EXPECT_NE(line.find("quote to \\xff\\u{009b}\n"), std::string::npos) << line;
}

}  // namespace
}  // namespace scone
