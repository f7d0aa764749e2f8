#include "cas/owner_config.h"

#include <gtest/gtest.h>

namespace scone::cas {
namespace {

using nlohmann::json;

TEST(OwnerConfig, ThreeFormatsGiveTheSameObject) {
  auto t =
      ParseOwnerConfig("[api_identity]\ncommon_name = \"cas\"\n[ias]\nlinkable_quotes = true\n",
                       ConfigFormat::kToml, "c.toml");
  auto j = ParseOwnerConfig(
      R"({"api_identity": {"common_name": "cas"}, "ias": {"linkable_quotes": true}})",
      ConfigFormat::kJson, "c.json");
  auto y = ParseOwnerConfig("api_identity:\n  common_name: cas\nias:\n  linkable_quotes: true\n",
                            ConfigFormat::kYaml, "c.yaml");
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
  EXPECT_TRUE(
      ParseOwnerConfig("[ias]\r\n\tlinkable_quotes = false\r\n", ConfigFormat::kToml, "c.toml")
          .ok());
}

// Found by owner_config_fuzz: toml++ asserts when "#" opens a table header's key.
TEST(OwnerConfig, CommentInATableHeaderIsAnErrorNotAnAbort) {
  EXPECT_EQ(
      ParseOwnerConfig("[# a comment\nname: x", ConfigFormat::kToml, "c.toml").status().code(),
      Code::kInvalidArgument);
}

// Found by owner_config_fuzz: toml++ reaches __builtin_unreachable() on some non-ASCII text.
TEST(OwnerConfig, TomlMustBeAsciiAndEscapesStillWork) {
  auto r = ParseOwnerConfig("f\xcf\x85s = [\"x\"]\n", ConfigFormat::kToml, "c.toml");
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("c.toml:1:2"), std::string::npos) << r.status().message();
  auto ok = ParseOwnerConfig("[api_identity]\ncommon_name = \"caf\\u00e9\"\n", ConfigFormat::kToml,
                             "c.toml");
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ((*ok)["api_identity"]["common_name"], "caf\xc3\xa9");
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

constexpr char kFullToml[] = R"([api_identity]
common_name = "cas"
alt_names = ["cas", "localhost", "127.0.0.1", "::1", "cas.example.test"]
country_name = "DE"
org_name = "scontain GmbH"
state_or_province = "Saxony"
locality = "Dresden"
email = "info@scontain.com"

[ias]
spid = "32C2D32CD4F1C873625BBE65D973A702"
linkable_quotes = true
sp_key = "1c8b569cffd94a85ad11342bfad5a3ad"
base_uri = "https://api.trustedservices.intel.com/sgx/dev/attestation/v3"

[dcap]
subscription_key = "00000000000000000000000000000000"
)";

TEST(OwnerConfig, FullConfigurationOfThePublicRecordIsAccepted) {
  auto c = ParseOwnerConfig(kFullToml, ConfigFormat::kToml, "c.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto id = ApiIdentityOf(*c);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE(id->has_value());
  const ApiIdentity& a = **id;
  EXPECT_EQ(a.common_name, "cas");
  EXPECT_EQ(a.country_name, "DE");
  EXPECT_EQ(a.org_name, "scontain GmbH");
  EXPECT_EQ(a.state_or_province, "Saxony");
  EXPECT_EQ(a.locality, "Dresden");
  EXPECT_EQ(a.email, "info@scontain.com");
  EXPECT_EQ(SubjectAltNames(a),
            (std::vector<std::string>{"DNS:cas", "DNS:localhost", "IP:127.0.0.1", "IP:::1",
                                      "DNS:cas.example.test"}));
}

TEST(OwnerConfig, EmptyConfigurationAndDcapOrIasAloneAreAccepted) {
  for (const char* text :
       {"", "[dcap]\n", "[ias]\nspid = \"32C2D32CD4F1C873625BBE65D973A702\"\n"}) {
    auto c = ParseOwnerConfig(text, ConfigFormat::kToml, "c.toml");
    ASSERT_TRUE(c.ok()) << text << ": " << c.status().ToString();
    auto id = ApiIdentityOf(*c);
    ASSERT_TRUE(id.ok());
    EXPECT_FALSE(id->has_value());
  }
}

// Each entry: a TOML document and the start of the error it must give.
TEST(OwnerConfig, EachInvalidFieldIsRefusedWithItsPlace) {
  const std::pair<const char*, const char*> cases[] = {
      {"[limits]\nsessions = 5\n", "c.toml:1:1: unknown section \"limits\""},
      {"name = \"prod\"\n", "c.toml:1:8: unknown section \"name\""},
      {"[api.identity]\ncommon_name = \"x\"\n", "c.toml:1:1: unknown section \"api\""},
      {"[api_identity]\nalt_names = [\"a\"]\n", "c.toml:1:1: api_identity needs a common_name"},
      {"api_identity = 5\n", "c.toml:1:16: api_identity must be a table"},
      {"[api_identity]\ncommon_name = 1\n",
       "c.toml:2:15: api_identity.common_name must be a string"},
      {"[api_identity]\ncommon_name = \"\"\n",
       "c.toml:2:15: api_identity.common_name must have 1 to 64"},
      {"[api_identity]\ncommon_name = \"a\\tb\"\n",
       "c.toml:2:15: api_identity.common_name contains a control"},
      {"[api_identity]\ncommon_name = \"x\"\norg_name = \"\"\n",
       "c.toml:3:12: api_identity.org_name must have"},
      {"[api_identity]\ncommon_name = \"x\"\ncountry_name = \"de\"\n",
       "c.toml:3:16: api_identity.country_name must be two capital"},
      {"[api_identity]\ncommon_name = \"x\"\ncountry_name = \"DEU\"\n",
       "c.toml:3:16: api_identity.country_name"},
      {"[api_identity]\ncommon_name = \"x\"\nemail = \"nobody\"\n",
       "c.toml:3:9: api_identity.email must be an e-mail"},
      {"[api_identity]\ncommon_name = \"x\"\nemail = \"a@b@c\"\n",
       "c.toml:3:9: api_identity.email"},
      {"[api_identity]\ncommon_name = \"x\"\nlocality = true\n",
       "c.toml:3:12: api_identity.locality must be a string"},
      {"[api_identity]\ncommon_name = \"x\"\nalt_names = \"cas\"\n",
       "c.toml:3:13: api_identity.alt_names must be a list"},
      {"[api_identity]\ncommon_name = \"x\"\nalt_names = [\"ok\", \"bad name\"]\n",
       "c.toml:3:20: api_identity.alt_names[1] must be a DNS name"},
      {"[api_identity]\ncommon_name = \"x\"\nalt_names = [\"-x.test\"]\n",
       "c.toml:3:14: api_identity.alt_names[0]"},
      {"[api_identity]\ncommon_name = \"x\"\nalt_names = [\"*.x.test\"]\n",
       "c.toml:3:14: api_identity.alt_names[0]"},
      {"[api_identity]\ncommon_name = \"x\"\nalt_names = [\"a..b\"]\n",
       "c.toml:3:14: api_identity.alt_names[0]"},
      {"[api_identity]\ncommon_name = \"x\"\nalt_names = [\"300.1.1.1.1\"]\n",
       "c.toml:3:14: api_identity.alt_names[0]"},
      {"[api_identity]\ncommon_name = \"x\"\nalt_names = [1]\n",
       "c.toml:3:14: api_identity.alt_names[0]"},
      {"[api_identity]\ncommon_name = \"x\"\norg_unit = \"y\"\n",
       "c.toml:3:12: unknown field api_identity.org_unit"},
      {"[ias]\nspid = \"abc\"\n", "c.toml:2:8: ias.spid must be 32 hex digits"},
      {"[ias]\nlinkable_quotes = \"yes\"\n",
       "c.toml:2:19: ias.linkable_quotes must be true or false"},
      {"[ias]\nbase_uri = \"http://x\"\n", "c.toml:2:12: ias.base_uri must be an https:// URL"},
      {"[ias]\nkey = 1\n", "c.toml:2:7: unknown field ias.key"},
      {"[dcap]\nsubscription_key = 5\n",
       "c.toml:2:20: dcap.subscription_key must be 32 hex digits"},
      {"[dcap]\nkey = \"x\"\n", "c.toml:2:7: unknown field dcap.key"},
  };
  for (const auto& [text, error] : cases) {
    auto c = ParseOwnerConfig(text, ConfigFormat::kToml, "c.toml");
    if (c.ok()) {
      ADD_FAILURE() << "accepted: " << text;
      continue;
    }
    EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(c.status().message().rfind(error, 0), 0U)
        << text << "\nwant: " << error << "\ngot:  " << c.status().message();
  }
  std::string many = "[api_identity]\ncommon_name = \"x\"\nalt_names = [";
  for (int i = 0; i < 65; ++i) many += std::string(i ? ", " : "") + "\"a\"";
  auto c = ParseOwnerConfig(many + "]\n", ConfigFormat::kToml, "c.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("more than 64 names"), std::string::npos);
  auto long_name = ParseOwnerConfig(
      "[api_identity]\ncommon_name = \"" + std::string(65, 'a') + "\"\n", ConfigFormat::kToml, "c");
  EXPECT_FALSE(long_name.ok());
}

TEST(OwnerConfig, UnknownSectionIsNamedInEveryFormat) {
  auto j = ParseOwnerConfig("{\"api_identity\": {\"common_name\": \"x\"},\n \"limits\": {}}",
                            ConfigFormat::kJson, "c.json");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().message().rfind("c.json:2:2: unknown section \"limits\"", 0), 0U)
      << j.status().message();
  auto y = ParseOwnerConfig("api_identity:\n  common_name: x\n  alt_names: [ok, \"b d\"]\n",
                            ConfigFormat::kYaml, "c.yaml");
  ASSERT_FALSE(y.ok());
  EXPECT_EQ(y.status().message().rfind("c.yaml:3:19: api_identity.alt_names[1]", 0), 0U)
      << y.status().message();
  auto stored = ApiIdentityOf(json{{"limits", json::object()}});
  ASSERT_FALSE(stored.ok());
  EXPECT_NE(stored.status().message().find("unknown section \"limits\""), std::string::npos);
}

}  // namespace
}  // namespace scone::cas
