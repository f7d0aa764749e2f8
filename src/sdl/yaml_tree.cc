#include "sdl/yaml_tree.h"

#include <yaml.h>

#include <map>
#include <utility>

#include "sdl/reader.h"

namespace scone::sdl {

// Builds a YamlTree from libyaml's events, without recursion: `open_` holds the containers
// not yet ended, innermost last.
class YamlTreeBuilder {
 public:
  YamlTreeBuilder(const YamlTreeLimits& limits, YamlTree* tree, YamlTreeError* error)
      : limits_(limits), tree_(*tree), error_(*error) {}

  // Takes one event; false (with the error filled in) to stop.
  bool Take(const yaml_event_t& e) {
    Position at{static_cast<int>(e.start_mark.line) + 1, static_cast<int>(e.start_mark.column) + 1};
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT:
        if (++documents_ > 1) {
          return Fail(false, at, std::string(kOneDocumentMessage));
        }
        return true;
      case YAML_SCALAR_EVENT: {
        YamlNode* n = New(at);
        if (n == nullptr) return false;
        const auto& s = e.data.scalar;
        std::string_view text(reinterpret_cast<const char*>(s.value), s.length);
        bool plain = s.style == YAML_PLAIN_SCALAR_STYLE && s.tag == nullptr;
        if (plain &&
            (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")) {
          n->kind_ = YamlNode::Kind::kNull;
        } else {
          n->kind_ = YamlNode::Kind::kScalar;
          n->scalar_.assign(text);
        }
        return Complete(n, s.anchor);
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (open_.size() >= static_cast<size_t>(limits_.max_depth)) {
          return Fail(true, at,
                      "nesting deeper than " + std::to_string(limits_.max_depth) +
                          " levels; a session never needs that");
        }
        YamlNode* n = New(at);
        if (n == nullptr) return false;
        bool seq = e.type == YAML_SEQUENCE_START_EVENT;
        n->kind_ = seq ? YamlNode::Kind::kSequence : YamlNode::Kind::kMap;
        const yaml_char_t* anchor =
            seq ? e.data.sequence_start.anchor : e.data.mapping_start.anchor;
        open_.push_back({n, nullptr, anchor != nullptr ? Text(anchor) : std::string()});
        return true;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: {
        // libyaml pairs the events, and a mapping never ends between a key and its value;
        // an end without a start would be libyaml's bug, refused rather than trusted.
        if (open_.empty()) return Fail(false, at, "an end of a collection that never started");
        Open o = std::move(open_.back());
        open_.pop_back();
        return Complete(o.node, o.anchor);
      }
      case YAML_ALIAS_EVENT: {
        std::string name = Text(e.data.alias.anchor);
        auto it = anchors_.find(name);
        if (it == anchors_.end()) {
          return Fail(false, at,
                      "the alias " + Quoted("*" + name) +
                          " names no anchor; an alias must follow its &anchor, outside of it");
        }
        return Add(it->second);
      }
      default:
        return true;  // stream start and end, document end, no event
    }
  }

 private:
  struct Open {
    YamlNode* node;
    const YamlNode* key;  // a mapping's key still waiting for its value
    std::string anchor;
  };

  static std::string Text(const yaml_char_t* s) { return reinterpret_cast<const char*>(s); }

  bool Fail(bool too_large, Position at, std::string message) {
    error_ = {too_large, at, std::move(message)};
    return false;
  }

  YamlNode* New(Position at) {
    if (tree_.nodes_.size() >= limits_.max_nodes) {
      Fail(true, at, "the session has more than " + std::to_string(limits_.max_nodes) + " nodes");
      return nullptr;
    }
    YamlNode& n = tree_.nodes_.emplace_back();
    n.position_ = at;
    return &n;
  }

  bool Complete(const YamlNode* n, const yaml_char_t* anchor) {
    return Complete(n, anchor != nullptr ? Text(anchor) : std::string());
  }
  bool Complete(const YamlNode* n, const std::string& anchor) {
    // A later anchor of the same name replaces an earlier one (YAML).
    if (!anchor.empty()) anchors_[anchor] = n;
    return Add(n);
  }

  // Puts a complete node where it belongs: the root, a sequence's next item, a mapping's
  // next key or the value of its pending key.
  bool Add(const YamlNode* n) {
    if (open_.empty()) {
      tree_.root_ = n;
      return true;
    }
    Open& o = open_.back();
    if (o.node->kind_ == YamlNode::Kind::kSequence) {
      o.node->items_.push_back(n);
    } else if (o.key == nullptr) {
      o.key = n;
    } else {
      o.node->entries_.push_back({o.key, n});
      o.key = nullptr;
    }
    return true;
  }

  const YamlTreeLimits& limits_;
  YamlTree& tree_;
  YamlTreeError& error_;
  std::vector<Open> open_;
  std::map<std::string, const YamlNode*, std::less<>> anchors_;
  int documents_ = 0;
};

Status BuildYamlTree(std::string_view text, const YamlTreeLimits& limits, YamlTree* tree,
                     YamlTreeError* error) {
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0) {
    *error = {false, Position{}, "out of memory"};
    return InvalidArgument(error->message);
  }
  struct Release {
    yaml_parser_t* p;
    ~Release() { yaml_parser_delete(p); }
  } release{&parser};
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  // No yaml_parser_set_encoding: libyaml then detects the encoding, which skips a UTF-8
  // byte order mark (LoadDocument has checked that the text is UTF-8).
  YamlTreeBuilder builder(limits, tree, error);
  for (;;) {
    struct Event {
      yaml_event_t e{};
      ~Event() { yaml_event_delete(&e); }
    } owned;
    yaml_event_t& event = owned.e;
    if (yaml_parser_parse(&parser, &event) == 0) {
      std::string message = parser.problem != nullptr ? parser.problem : "cannot parse";
      if (parser.context != nullptr) message += std::string(", ") + parser.context;
      *error = {false,
                Position{static_cast<int>(parser.problem_mark.line) + 1,
                         static_cast<int>(parser.problem_mark.column) + 1},
                std::move(message)};
      return InvalidArgument(error->message);
    }
    if (!builder.Take(event)) return InvalidArgument(error->message);
    if (event.type == YAML_STREAM_END_EVENT) return Status::Ok();
  }
}

}  // namespace scone::sdl
