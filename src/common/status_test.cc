#include "common/status.h"

#include <gtest/gtest.h>

namespace scone {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  SCONE_ASSIGN_OR_RETURN(int h, Half(x));
  SCONE_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  SCONE_RETURN_IF_ERROR(Half(x));
  return Status::Ok();
}

TEST(Status, PropagatesErrorsThroughMacros) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_FALSE(CheckEven(3).ok());
}

TEST(Status, WithContextKeepsCode) {
  Status s = NotFound("no such file").WithContext("reading config");
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "reading config: no such file");
  EXPECT_EQ(s.ToString(), "not_found: reading config: no such file");
}

}  // namespace
}  // namespace scone
