// The YAML tree of one session file (internal to the sdl layer), built from libyaml's events.
//
// libyaml (Debian's libyaml-dev, the C parser behind PyYAML) parses without recursion and
// hands over events; BuildYamlTree turns them into this small immutable tree. The tree has
// what the session language reads and nothing more: nulls, scalars (as text; the readers
// decide what a value means), sequences and mappings in file order (duplicate keys kept,
// so that the readers can refuse them), and the position of every node. Tags are not
// kept. An alias is the node its anchor names, shared, not copied; an alias may only name
// a node that is complete, so a tree never contains itself (reader.h bounds the walk over
// shared nodes).
#pragma once

#include <cstddef>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sdl/diagnostic.h"

namespace scone::sdl {

class YamlNode;

// One key and its value in a mapping.
struct YamlEntry {
  const YamlNode* key;
  const YamlNode* value;
};

class YamlNode {
 public:
  enum class Kind { kNull, kScalar, kSequence, kMap };

  Kind kind() const { return kind_; }
  // A plain (unquoted, untagged) empty, `~`, `null`, `Null` or `NULL` is null, as in the
  // YAML core schema; anything quoted is a scalar.
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsScalar() const { return kind_ == Kind::kScalar; }
  bool IsSequence() const { return kind_ == Kind::kSequence; }
  bool IsMap() const { return kind_ == Kind::kMap; }

  // The text of a scalar; empty for every other kind.
  const std::string& Scalar() const { return scalar_; }
  // Where the node starts (1-based line and column).
  Position position() const { return position_; }
  // The items of a sequence (empty otherwise).
  std::span<const YamlNode* const> items() const { return items_; }
  // The entries of a mapping, in file order (empty otherwise).
  std::span<const YamlEntry> entries() const { return entries_; }
  // Items of a sequence, entries of a mapping, 0 otherwise.
  size_t size() const { return kind_ == Kind::kMap ? entries_.size() : items_.size(); }

 private:
  friend class YamlTreeBuilder;
  Kind kind_ = Kind::kNull;
  Position position_;
  std::string scalar_;
  std::vector<const YamlNode*> items_;
  std::vector<YamlEntry> entries_;
};

// A parsed document: owns every node. Not copyable or movable (nodes point at each other).
class YamlTree {
 public:
  YamlTree() = default;
  YamlTree(const YamlTree&) = delete;
  YamlTree& operator=(const YamlTree&) = delete;

  // The document's root; a null node for an empty document.
  const YamlNode& root() const { return root_ != nullptr ? *root_ : empty_; }

 private:
  friend class YamlTreeBuilder;
  std::deque<YamlNode> nodes_;
  const YamlNode* root_ = nullptr;
  YamlNode empty_;
};

// The message for a text with a second YAML document (LoadDocument's check before parsing
// and BuildYamlTree's while parsing say the same).
inline constexpr std::string_view kOneDocumentMessage =
    "a session file holds one YAML document; remove this document marker and what follows, "
    "or put that session in a file of its own";

// Why BuildYamlTree failed.
struct YamlTreeError {
  bool too_large = false;  // beyond YamlTreeLimits; a syntax error otherwise
  Position position;
  std::string message;
};

struct YamlTreeLimits {
  int max_depth = 64;         // containers inside containers
  size_t max_nodes = 250000;  // nodes in the tree (an alias adds none)
};

// Parses the one document of `text` (UTF-8) into `*tree`; a second document is an error.
// Beyond `limits` the text is refused (too_large).
// On failure fills `*error` and returns InvalidArgument; `*tree` is then unspecified.
Status BuildYamlTree(std::string_view text, const YamlTreeLimits& limits, YamlTree* tree,
                     YamlTreeError* error);

}  // namespace scone::sdl
