#include "sdl/yaml_tree.h"

#include <gtest/gtest.h>

#include <string>

namespace scone::sdl {
namespace {

struct Built {
  std::unique_ptr<YamlTree> tree = std::make_unique<YamlTree>();
  YamlTreeError error;
  bool ok = false;
};

Built Build(std::string_view text, YamlTreeLimits limits = {}) {
  Built b;
  b.ok = BuildYamlTree(text, limits, b.tree.get(), &b.error).ok();
  return b;
}

TEST(YamlTreeTest, MappingsKeepFileOrderAndDuplicateKeys) {
  Built b = Build("b: 1\na: 2\nb: 3\n");
  ASSERT_TRUE(b.ok) << b.error.message;
  const YamlNode& root = b.tree->root();
  ASSERT_TRUE(root.IsMap());
  ASSERT_EQ(root.size(), 3u);
  EXPECT_EQ(root.entries()[0].key->Scalar(), "b");
  EXPECT_EQ(root.entries()[1].key->Scalar(), "a");
  EXPECT_EQ(root.entries()[2].key->Scalar(), "b");
  EXPECT_EQ(root.entries()[2].value->Scalar(), "3");
}

TEST(YamlTreeTest, PlainNullsAreNullAndQuotedOrTaggedOnesAreText) {
  Built b =
      Build("a:\nb: ~\nc: null\nd: Null\ne: NULL\nf: \"null\"\ng: ''\nh: !!str null\ni: nULL\n");
  ASSERT_TRUE(b.ok) << b.error.message;
  auto entries = b.tree->root().entries();
  ASSERT_EQ(entries.size(), 9u);
  for (size_t i = 0; i < 5; ++i) EXPECT_TRUE(entries[i].value->IsNull()) << i;
  EXPECT_EQ(entries[5].value->Scalar(), "null");
  EXPECT_TRUE(entries[6].value->IsScalar());
  EXPECT_EQ(entries[6].value->Scalar(), "");
  EXPECT_EQ(entries[7].value->Scalar(), "null");
  EXPECT_EQ(entries[8].value->Scalar(), "nULL");
  EXPECT_TRUE(entries[0].value->Scalar().empty());
}

TEST(YamlTreeTest, ScalarsAreTextWithEscapesAndBlockStylesApplied) {
  Built b = Build("- 0x10\n- \"a\\tb\\u00e9\"\n- |\n  one\n  two\n- >\n  one\n  two\n- true\n");
  ASSERT_TRUE(b.ok) << b.error.message;
  auto items = b.tree->root().items();
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[0]->Scalar(), "0x10");
  EXPECT_EQ(items[1]->Scalar(), "a\tb\xc3\xa9");
  EXPECT_EQ(items[2]->Scalar(), "one\ntwo\n");
  EXPECT_EQ(items[3]->Scalar(), "one two\n");
  EXPECT_EQ(items[4]->Scalar(), "true");
}

// Where yaml-cpp 0.7 (the parser before) was wrong, the tree follows the YAML spec (and
// PyYAML): a folded block keeps its trailing blank lines with `+`, and the escapes \_ \N
// \L \P are UTF-8 (yaml-cpp wrote a raw byte for \_, which is not).
TEST(YamlTreeTest, KeepChompingAndUnicodeEscapesFollowTheSpec) {
  Built b = Build("- >+\n  a\n  b\n\n- x\n- \"\\_\\N\\L\\P\"\n");
  ASSERT_TRUE(b.ok) << b.error.message;
  auto items = b.tree->root().items();
  EXPECT_EQ(items[0]->Scalar(), "a b\n\n");
  EXPECT_EQ(items[2]->Scalar(), "\xc2\xa0\xc2\x85\xe2\x80\xa8\xe2\x80\xa9");
}

TEST(YamlTreeTest, AByteOrderMarkIsSkipped) {
  Built b = Build("\xef\xbb\xbfname: x\n");
  ASSERT_TRUE(b.ok) << b.error.message;
  EXPECT_EQ(b.tree->root().entries()[0].key->Scalar(), "name");
}

TEST(YamlTreeTest, PositionsAreOneBasedStartsOfNodes) {
  Built b = Build("name: x\nlist:\n  - a\n  - {k: v}\n");
  ASSERT_TRUE(b.ok) << b.error.message;
  const YamlNode& root = b.tree->root();
  EXPECT_EQ(root.position(), (Position{1, 1}));
  EXPECT_EQ(root.entries()[0].value->position(), (Position{1, 7}));
  const YamlNode& list = *root.entries()[1].value;
  EXPECT_EQ(list.position(), (Position{3, 3}));
  EXPECT_EQ(list.items()[1]->position(), (Position{4, 5}));
  EXPECT_EQ(list.items()[1]->entries()[0].value->position(), (Position{4, 9}));
}

TEST(YamlTreeTest, AnEmptyDocumentHasANullRoot) {
  for (std::string_view text : {"", "# only a comment\n", "---\n", "~\n"}) {
    Built b = Build(text);
    ASSERT_TRUE(b.ok) << text << ": " << b.error.message;
    EXPECT_TRUE(b.tree->root().IsNull()) << text;
  }
}

TEST(YamlTreeTest, AnAliasIsTheAnchoredNodeShared) {
  Built b = Build("a: &x {k: v}\nb: *x\nc: &s text\nd: *s\n");
  ASSERT_TRUE(b.ok) << b.error.message;
  auto entries = b.tree->root().entries();
  EXPECT_EQ(entries[0].value, entries[1].value);
  EXPECT_EQ(entries[3].value->Scalar(), "text");
}

TEST(YamlTreeTest, AnAliasToAnUnknownOrUnfinishedAnchorIsRefused) {
  Built unknown = Build("a: *nowhere\n");
  EXPECT_FALSE(unknown.ok);
  EXPECT_FALSE(unknown.error.too_large);
  EXPECT_NE(unknown.error.message.find("*nowhere"), std::string::npos);
  EXPECT_EQ(unknown.error.position, (Position{1, 4}));
  // A node cannot contain itself.
  Built cycle = Build("a: &x [1, *x]\n");
  EXPECT_FALSE(cycle.ok);
  Built map_cycle = Build("a: &x\n  b: *x\n");
  EXPECT_FALSE(map_cycle.ok);
}

TEST(YamlTreeTest, ALaterAnchorOfTheSameNameReplacesTheEarlierOne) {
  Built b = Build("- &x one\n- &x two\n- *x\n");
  ASSERT_TRUE(b.ok) << b.error.message;
  EXPECT_EQ(b.tree->root().items()[2]->Scalar(), "two");
}

TEST(YamlTreeTest, DepthBeyondTheLimitIsTooLarge) {
  std::string deep(10, '[');
  deep += std::string(10, ']');
  EXPECT_TRUE(Build(deep, {10, 1000}).ok);
  Built b = Build(deep, {9, 1000});
  EXPECT_FALSE(b.ok);
  EXPECT_TRUE(b.error.too_large);
  EXPECT_EQ(b.error.position, (Position{1, 10}));
}

TEST(YamlTreeTest, NodesBeyondTheLimitAreTooLargeAndAliasesAddNone) {
  EXPECT_TRUE(Build("[a, b, c]", {64, 4}).ok);
  Built b = Build("[a, b, c, d]", {64, 4});
  EXPECT_FALSE(b.ok);
  EXPECT_TRUE(b.error.too_large);
  EXPECT_TRUE(Build("[&a a, *a, *a, *a, *a]", {64, 2}).ok);
}

TEST(YamlTreeTest, SyntaxErrorsSayWhatAndWhere) {
  Built b = Build("a: b\n  c: d\n");
  EXPECT_FALSE(b.ok);
  EXPECT_FALSE(b.error.too_large);
  EXPECT_EQ(b.error.position.line, 2);
  EXPECT_FALSE(b.error.message.empty());
  Built unclosed = Build("a: [1, 2\n");
  EXPECT_FALSE(unclosed.ok);
  EXPECT_GE(unclosed.error.position.line, 1);
}

TEST(YamlTreeTest, ASecondDocumentIsRefused) {
  Built b = Build("a: 1\n---\nb: 2\n");
  EXPECT_FALSE(b.ok);
  EXPECT_EQ(b.error.position.line, 2);
}

}  // namespace
}  // namespace scone::sdl
