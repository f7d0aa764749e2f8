#include "sdl/variables.h"

#include <gtest/gtest.h>

namespace scone::sdl {
namespace {

Variables Vars() {
  Variables v;
  v.Set("NAME", "value");
  v.Set("EMPTY", "");
  return v;
}

TEST(SubstituteTest, ReplacesPlainAndBracedNames) {
  auto r = Substitute("a=$NAME, b=${NAME}x, c=$EMPTY.", Vars());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "a=value, b=valuex, c=.");
}

TEST(SubstituteTest, LeavesSecretPlaceholdersAlone) {
  auto r = Substitute("$$SCONE::NAME$$ and $$SCONE::cert:crt$$ then $NAME", Vars());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "$$SCONE::NAME$$ and $$SCONE::cert:crt$$ then value");
}

TEST(SubstituteTest, CopiesDollarsThatStartNoName) {
  auto r = Substitute("cost $5, a$, $$NAME, $-x", Vars());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "cost $5, a$, $$NAME, $-x");
}

TEST(SubstituteTest, DoesNotRescanSubstitutedValues) {
  Variables v;
  v.Set("A", "$B");
  auto r = Substitute("$A", v);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "$B");
}

TEST(SubstituteTest, ReportsUndefinedVariableWithOffset) {
  SubstitutionError e;
  auto r = Substitute("abc ${MISSING} $NAME", Vars(), &e);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(e.kind, ErrorKind::kUndefinedVariable);
  EXPECT_EQ(e.name, "MISSING");
  EXPECT_EQ(e.offset, 4u);
  EXPECT_NE(r.status().message().find("MISSING"), std::string::npos);
}

TEST(SubstituteTest, RejectsMalformedBraces) {
  for (const char* text : {"${NAME", "${}", "${1A}", "${A B}"}) {
    SubstitutionError e;
    auto r = Substitute(text, Vars(), &e);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(e.kind, ErrorKind::kMalformedVariable) << text;
  }
}

TEST(VariablesTest, ExplicitValueWinsOverEnvironment) {
  Variables v;
  v.UseEnvironment([](const std::string& n) -> std::optional<std::string> {
    if (n == "X" || n == "Y") return "from-env";
    return std::nullopt;
  });
  ASSERT_TRUE(v.AddAssignment("X=explicit=1").ok());
  EXPECT_EQ(v.Get("X"), "explicit=1");
  EXPECT_EQ(v.Get("Y"), "from-env");
  EXPECT_EQ(v.Get("Z"), std::nullopt);
}

TEST(VariablesTest, EnvironmentIsNotUsedWithoutUseEnv) {
  Variables v;
  EXPECT_EQ(v.Get("PATH"), std::nullopt);
  v.UseEnvironment();
  EXPECT_NE(v.Get("PATH"), std::nullopt);
}

TEST(VariablesTest, RejectsBadAssignments) {
  Variables v;
  EXPECT_FALSE(v.AddAssignment("NOEQUALS").ok());
  EXPECT_FALSE(v.AddAssignment("=x").ok());
  EXPECT_FALSE(v.AddAssignment("1A=x").ok());
  EXPECT_TRUE(v.AddAssignment("A=").ok());
  EXPECT_EQ(v.Get("A"), "");
}

}  // namespace
}  // namespace scone::sdl
