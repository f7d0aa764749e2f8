#include "runtime/runtime_env.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

namespace scone::runtime {
namespace {

Result<RuntimeEnvironment> Read(const std::map<std::string, std::string>& vars) {
  return ReadRuntimeEnvironment([&vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

TEST(RuntimeEnvironment, NothingSetRunsWithoutCas) {
  auto env = Read({{"SCONE_LAS_ADDR", "unix:/run/las.sock"}});
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_FALSE(env->print_hash);
  EXPECT_FALSE(env->config_id.has_value());
  EXPECT_FALSE(env->cas.has_value());
  EXPECT_EQ(env->las.unix_path, "/run/las.sock");
}

TEST(RuntimeEnvironment, DefaultLasIsTheDefaultPlatformsSocket) {
  auto env = Read({});
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_TRUE(env->las.is_unix());
  EXPECT_EQ(std::filesystem::path(env->las.unix_path).filename(), "las.sock");
}

TEST(RuntimeEnvironment, HashIsOneOrZero) {
  EXPECT_TRUE(Read({{"SCONE_HASH", "1"}})->print_hash);
  EXPECT_FALSE(Read({{"SCONE_HASH", "0"}})->print_hash);
  EXPECT_FALSE(Read({{"SCONE_HASH", ""}})->print_hash);
  EXPECT_EQ(Read({{"SCONE_HASH", "yes"}}).status().code(), Code::kInvalidArgument);
}

TEST(RuntimeEnvironment, ConfigIdNeedsACasAddressWithTheEnclavePortByDefault) {
  EXPECT_EQ(Read({{"SCONE_CONFIG_ID", "session/service"}}).status().code(), Code::kInvalidArgument);
  auto env = Read({{"SCONE_CONFIG_ID", "ns/session/service"},
                   {"SCONE_CAS_ADDR", "cas.local"},
                   {"SCONE_CAS_KEY_HASH", "abc"}});
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  EXPECT_EQ(env->config_id, std::optional<std::string>("ns/session/service"));
  EXPECT_EQ(env->cas->host, "cas.local");
  EXPECT_EQ(env->cas->port, 18765);
  EXPECT_EQ(env->cas_key_hash, std::optional<std::string>("abc"));
  EXPECT_EQ(Read({{"SCONE_CAS_ADDR", "127.0.0.1:9000"}})->cas->port, 9000);
}

TEST(RuntimeEnvironment, RefusesMalformedValuesNamingTheVariable) {
  for (const char* id : {"session", "session/", "/service", "a//b"}) {
    auto env = Read({{"SCONE_CONFIG_ID", id}, {"SCONE_CAS_ADDR", "cas"}});
    EXPECT_EQ(env.status().code(), Code::kInvalidArgument) << id;
    EXPECT_NE(env.status().message().find("SCONE_CONFIG_ID"), std::string::npos);
  }
  auto cas = Read({{"SCONE_CAS_ADDR", "cas:notaport"}});
  EXPECT_EQ(cas.status().code(), Code::kInvalidArgument);
  EXPECT_NE(cas.status().message().find("SCONE_CAS_ADDR"), std::string::npos);
  EXPECT_EQ(Read({{"SCONE_CAS_ADDR", "unix:/x"}}).status().code(), Code::kInvalidArgument);
  auto las = Read({{"SCONE_LAS_ADDR", "127.0.0.1:18766"}});
  EXPECT_EQ(las.status().code(), Code::kInvalidArgument);
  EXPECT_NE(las.status().message().find("SCONE_LAS_ADDR"), std::string::npos);
}

}  // namespace
}  // namespace scone::runtime
