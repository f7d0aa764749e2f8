#include "attestation/timestamp.h"

#include <gtest/gtest.h>

namespace scone::attestation {
namespace {

TEST(Timestamp, ParsesRfc3339) {
  EXPECT_EQ(*ParseRfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseRfc3339("2025-07-19T10:01:17Z"), 1752919277);
  EXPECT_EQ(*ParseRfc3339("2025-07-19t10:01:17z"), 1752919277);
  EXPECT_EQ(*ParseRfc3339("2025-07-19T12:01:17+02:00"), 1752919277);
  EXPECT_EQ(*ParseRfc3339("2025-07-19T09:01:17.999-01:00"), 1752919277);
  EXPECT_EQ(*ParseRfc3339("2024-02-29T00:00:00Z"), 1709164800);
  EXPECT_EQ(*ParseRfc3339("1969-12-31T23:59:59Z"), -1);
}

TEST(Timestamp, RejectsMalformedTimes) {
  for (const char* bad :
       {"", "2025-07-19", "2025-07-19T10:01:17", "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
        "2025-04-31T00:00:00Z", "2025-07-19T24:00:00Z", "2025-07-19T10:60:00Z",
        "2025-07-19T10:01:17Zx", "2025-07-19T10:01:17.Z", "2025-07-19T10:01:17+2:00",
        "2025/07/19T10:01:17Z", "+025-07-19T10:01:17Z"}) {
    auto t = ParseRfc3339(bad);
    EXPECT_FALSE(t.ok()) << bad;
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), Code::kInvalidArgument);
    }
  }
}

TEST(Timestamp, VerificationTimeAcceptsUnixSecondsOrRfc3339) {
  EXPECT_EQ(*ParseVerificationTime("1752919277"), 1752919277);
  EXPECT_EQ(*ParseVerificationTime("2025-07-19T10:01:17Z"), 1752919277);
  EXPECT_FALSE(ParseVerificationTime("-5").ok());
  EXPECT_FALSE(ParseVerificationTime("17529192771234567").ok());
  EXPECT_FALSE(ParseVerificationTime("yesterday").ok());
}

TEST(Timestamp, FormatsAndRoundTrips) {
  EXPECT_EQ(FormatRfc3339(1752919277), "2025-07-19T10:01:17Z");
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59Z");
  for (int64_t t : {int64_t{951782400}, int64_t{4102444800}, int64_t{1709164800}}) {
    EXPECT_EQ(*ParseRfc3339(FormatRfc3339(t)), t);
  }
}

}  // namespace
}  // namespace scone::attestation
