#include "las/las_protocol.h"

#include <gtest/gtest.h>

#include <string>

namespace scone::las {
namespace {
using nlohmann::json;

// Found by las_protocol_fuzz: an answer with a member besides "key" was refused before the
// key's text was wiped.
TEST(SealKeyResponse, WipesTheKeyTextEvenWhenTheAnswerIsRefused) {
  json j = {{"key", std::string(64, 'a')}, {"extra", 1}};
  auto r = SealKeyResponse::FromJson(j);
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(j["key"].get<std::string>(), std::string(64, '\0'));
}

TEST(SealKeyResponse, ItsAnswerIsSensitiveAndReadsBack) {
  SealKeyResponse key{SecretBytes::CopyFrom(Bytes(kSealKeySize, 0x5a))};
  net::HttpResponse answer = key.ToHttpResponse();
  EXPECT_TRUE(answer.sensitive);
  auto back = ParseBody<SealKeyResponse>(answer.body);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(back->key == key.key);
}

}  // namespace
}  // namespace scone::las
