#include "cas/owner_config.h"

#include <gtest/gtest.h>

namespace scone::cas {
namespace {

using nlohmann::json;

TEST(OwnerConfig, ThreeFormatsGiveTheSameObject) {
  auto t =
      ParseOwnerConfig("name = \"prod\"\n[limits]\nsessions = 10\n", ConfigFormat::kToml, "c.toml");
  auto j = ParseOwnerConfig(R"({"name": "prod", "limits": {"sessions": 10}})", ConfigFormat::kJson,
                            "c.json");
  auto y = ParseOwnerConfig("name: prod\nlimits:\n  sessions: 10\n", ConfigFormat::kYaml, "c.yaml");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(*t, *j);
  EXPECT_EQ(*y, *j);
}

TEST(OwnerConfig, ErrorsNameSourceLineAndColumn) {
  auto t = ParseOwnerConfig("a = 1\nb = \n", ConfigFormat::kToml, "c.toml");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message().rfind("c.toml:2:", 0), 0U) << t.status().message();
  auto j = ParseOwnerConfig("{\n  \"a\": 1,\n  \"b\": \n}", ConfigFormat::kJson, "c.json");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().message().rfind("c.json:4:", 0), 0U) << j.status().message();
  auto y = ParseOwnerConfig("a: 1\nb: [1, 2\n", ConfigFormat::kYaml, "c.yaml");
  ASSERT_FALSE(y.ok());
  EXPECT_EQ(y.status().message().rfind("c.yaml:", 0), 0U) << y.status().message();
  auto dup = ParseOwnerConfig("a: 1\na: 2\n", ConfigFormat::kYaml, "c.yaml");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), "c.yaml:2:1: duplicate key \"a\"");
}

TEST(OwnerConfig, TopLevelMustBeATable) {
  EXPECT_FALSE(ParseOwnerConfig("[1, 2]", ConfigFormat::kJson, "c.json").ok());
  EXPECT_FALSE(ParseOwnerConfig("- a\n- b\n", ConfigFormat::kYaml, "c.yaml").ok());
  EXPECT_FALSE(ParseOwnerConfig("just text", ConfigFormat::kYaml, "c.yaml").ok());
}

// Found by owner_config_fuzz: toml++ asserts on a NUL inside a date-time, and nlohmann throws
// out_of_range (not parse_error) for a number beyond a double.
TEST(OwnerConfig, ControlCharactersAndHugeNumbersAreRefusedWithTheirPlace) {
  auto nul =
      ParseOwnerConfig(std::string("created = 2026-11-30T\0\n", 23), ConfigFormat::kToml, "c.toml");
  EXPECT_EQ(nul.status().code(), Code::kInvalidArgument);
  EXPECT_NE(nul.status().message().find("c.toml:1:22"), std::string::npos)
      << nul.status().message();
  EXPECT_EQ(ParseOwnerConfig("a: \x1b[31m\n", ConfigFormat::kYaml, "c.yaml").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(ParseOwnerConfig(R"({"a": 1e999})", ConfigFormat::kJson, "c.json").status().code(),
            Code::kInvalidArgument);
  EXPECT_TRUE(ParseOwnerConfig("a = 1\r\n\tb = 2\r\n", ConfigFormat::kToml, "c.toml").ok());
}

TEST(OwnerConfig, AliasBombIsRefused) {
  std::string doc = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c) {
    doc += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) doc += std::string(i ? ", " : "") + "*" + prev;
    doc += "]\n";
    prev = c;
  }
  auto r = ParseOwnerConfig(doc, ConfigFormat::kYaml, "bomb.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("too many"), std::string::npos);
}

TEST(OwnerConfig, DeepNestingIsRefusedWhileParsing) {
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto j = ParseOwnerConfig(deep, ConfigFormat::kJson, "deep.json");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("nested"), std::string::npos) << j.status().message();
  std::string yaml = "a: " + std::string(50, '[') + std::string(50, ']') + "\n";
  EXPECT_FALSE(ParseOwnerConfig(yaml, ConfigFormat::kYaml, "deep.yaml").ok());
}

TEST(OwnerConfig, LongScalarRepeatedByAliasesIsRefused) {
  std::string doc = "a: &x \"" + std::string(200000, 'x') + "\"\nb: [";
  for (int i = 0; i < 100; ++i) doc += std::string(i ? ", " : "") + "*x";
  doc += "]\n";
  auto r = ParseOwnerConfig(doc, ConfigFormat::kYaml, "big.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("too much text"), std::string::npos);
}

TEST(OwnerConfig, TextMustBeUtf8) {
  auto r = ParseOwnerConfig("a: \"\xff\xfe\"\n", ConfigFormat::kYaml, "bad.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("UTF-8"), std::string::npos) << r.status().message();
}

TEST(OwnerConfig, SizeLimitAndFormatNames) {
  EXPECT_FALSE(
      ParseOwnerConfig(std::string(kMaxOwnerConfigSize + 1, ' '), ConfigFormat::kJson, "x").ok());
  EXPECT_EQ(*ConfigFormatOfFile("a/b.TOML"), ConfigFormat::kToml);
  EXPECT_EQ(*ConfigFormatOfFile("b.yml"), ConfigFormat::kYaml);
  EXPECT_FALSE(ConfigFormatOfFile("b.ini").ok());
  EXPECT_EQ(*ParseConfigFormat("json"), ConfigFormat::kJson);
}

}  // namespace
}  // namespace scone::cas
