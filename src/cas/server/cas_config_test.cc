#include "cas/server/cas_config.h"

#include <gtest/gtest.h>

namespace scone::cas {
namespace {

CasConfigDefaults Defaults() {
  CasConfigDefaults d;
  d.default_platform_dir = "/var/lib/scone/platform";
  return d;
}

TEST(CasConfig, DefaultsAndRelativeDatabasePath) {
  auto c = ParseCasConfig("[database]\npath = \"cas.db\"\n", "/etc/scone/cas.toml", Defaults());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->db_path, "/etc/scone/cas.db");
  EXPECT_EQ(c->api_listen.ToString(), "0.0.0.0:8081");
  EXPECT_EQ(c->enclave_listen.ToString(), "0.0.0.0:18765");
  EXPECT_EQ(c->las.unix_path, "/var/lib/scone/platform/las.sock");
}

TEST(CasConfig, LasAddressFromFileThenEnvironment) {
  auto d = Defaults();
  d.las_addr_env = "unix:/run/env.sock";
  auto from_env = ParseCasConfig("[database]\npath = \"/x.db\"\n", "c.toml", d);
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->las.unix_path, "/run/env.sock");
  auto from_file = ParseCasConfig(
      "[database]\npath = \"/x.db\"\n[las]\naddress = \"unix:/run/file.sock\"\n", "c.toml", d);
  ASSERT_TRUE(from_file.ok());
  EXPECT_EQ(from_file->las.unix_path, "/run/file.sock");
}

TEST(CasConfig, TcpLasIsRefusedWithTheReason) {
  auto c = ParseCasConfig("[database]\npath = \"/x.db\"\n[las]\naddress = \"127.0.0.1:18766\"\n",
                          "c.toml", Defaults());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("Unix socket"), std::string::npos);
}

TEST(CasConfig, MistakesNameTheLine) {
  auto unknown = ParseCasConfig("[database]\npath = \"/x.db\"\n[api]\napi_lisen = \"1.2.3.4:1\"\n",
                                "c.toml", Defaults());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message().rfind("c.toml:4:1: unknown key \"api_lisen\"", 0), 0U)
      << unknown.status().message();
  auto missing = ParseCasConfig("[api]\n", "c.toml", Defaults());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("[database] path is required"), std::string::npos);
  auto syntax = ParseCasConfig("[database\n", "c.toml", Defaults());
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().message().rfind("c.toml:1:", 0), 0U) << syntax.status().message();
  auto type = ParseCasConfig("[database]\npath = 3\n", "c.toml", Defaults());
  ASSERT_FALSE(type.ok());
  EXPECT_EQ(type.status().message().rfind("c.toml:2:", 0), 0U) << type.status().message();
  auto unix_api = ParseCasConfig("[database]\npath = \"/x\"\n[api]\napi_listen = \"unix:/a\"\n",
                                 "c.toml", Defaults());
  EXPECT_FALSE(unix_api.ok());
}

}  // namespace
}  // namespace scone::cas
