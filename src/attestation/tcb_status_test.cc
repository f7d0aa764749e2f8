#include "attestation/tcb_status.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace scone::attestation {
namespace {

// Metrics label their series by a status's index in TcbStatusNames (docs/metrics.md), so the
// list must follow the enum and every name must parse back to its own status.
TEST(TcbStatusNames, FollowTheEnumAndParseBack) {
  const std::vector<std::string> names = TcbStatusNames();
  ASSERT_EQ(names.size(), static_cast<size_t>(TcbStatus::kRevoked) + 1);
  for (size_t i = 0; i < names.size(); ++i) {
    const auto status = static_cast<TcbStatus>(i);
    EXPECT_EQ(names[i], TcbStatusName(status));
    auto parsed = ParseTcbStatus(names[i]);
    ASSERT_TRUE(parsed.ok()) << names[i];
    EXPECT_EQ(*parsed, status);
  }
}

}  // namespace
}  // namespace scone::attestation
