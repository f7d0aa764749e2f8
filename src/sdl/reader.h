// Typed readers over the parsed YAML tree of one session file (internal to the sdl layer).
//
// A Reader turns YAML nodes into the model's typed values: strings (with variables
// substituted, see variables.h), hex digests, numbers, booleans, keywords, key hashes,
// and "one value or a list" fields. Every read is counted against ParseLimits::max_nodes
// (so that aliases cannot multiply the work), and every failure is recorded as the one
// Diagnostic of the parse (the first failure wins; callers return at once).
//
// The section parsers (sections.h) are built from these readers only; a new key of the
// language is one more call here, not new YAML handling.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "sdl/diagnostic.h"
#include "sdl/model.h"
#include "sdl/parser.h"
#include "sdl/variables.h"
#include "sdl/yaml_guard.h"

// Returns early on error; distinct names so that it can nest inside lambdas given to
// ForEachKey (SCONE_RETURN_IF_ERROR's local would shadow).
#define SDL_TRY_OUTER(expr)                                              \
  do {                                                                   \
    if (Status sdl_outer_ = (expr); !sdl_outer_.ok()) return sdl_outer_; \
  } while (false)
#define SDL_TRY_MID(expr)                                          \
  do {                                                             \
    if (Status sdl_mid_ = (expr); !sdl_mid_.ok()) return sdl_mid_; \
  } while (false)

namespace scone::sdl {

using Keys = std::initializer_list<std::string_view>;

// "a, b, c".
std::string JoinKeys(Keys keys);

// `s` in double quotes, cut to 40 characters, non-printable bytes as '?'. Used to echo
// keywords and keys in messages (never values that may be secret).
std::string Quoted(std::string_view s);

class Reader {
 public:
  using KeyHandler = std::function<Status(const std::string& key, const YamlNode& key_node,
                                          const YamlNode& value)>;

  // `text` (the whole file, for positions of variables) and `vars` must outlive the Reader.
  Reader(std::string_view text, std::string_view file_name, const Variables& vars,
         const ParseLimits& limits)
      : text_(text), file_(file_name), vars_(vars), limits_(limits) {}

  const Diagnostic& diagnostic() const { return diag_; }

  // Records the diagnostic and returns it as a Status.
  Status Fail(ErrorKind kind, Position pos, std::string message);
  Status Fail(ErrorKind kind, const YamlNode& n, std::string message) {
    return Fail(kind, n.position(), std::move(message));
  }

  // Counts one visited node; kTooLarge beyond ParseLimits::max_nodes.
  Status Visit(const YamlNode& n);

  // Calls `fn` for every key of the mapping `map`, in file order. Keys must be strings
  // among `allowed` (kUnknownKey) and given once (kDuplicateKey). `where` names the
  // mapping in messages ("a secret").
  Status ForEachKey(const YamlNode& map, std::string_view where, Keys allowed,
                    const KeyHandler& fn);

  // A scalar, with variables substituted. `what` names the value in messages.
  Status String(const YamlNode& n, std::string_view what, LString* out);
  Status OptString(const YamlNode& n, std::string_view what, std::optional<LString>* out);
  // Exactly `digits` hex digits (either case).
  Status Hex(const YamlNode& n, std::string_view what, size_t digits, LString* out);
  Status OptHex(const YamlNode& n, std::string_view what, size_t digits,
                std::optional<LString>* out);
  // A decimal number from 0 to `max`.
  Status Unsigned(const YamlNode& n, std::string_view what, uint64_t max, uint64_t* out,
                  Position* pos);
  Status U16(const YamlNode& n, std::string_view what, std::optional<Located<uint16_t>>* out);
  // true/True/TRUE or false/False/FALSE.
  Status Bool(const YamlNode& n, std::string_view what, std::optional<Located<bool>>* out);
  // One of `allowed`, spelled exactly.
  Status Keyword(const YamlNode& n, std::string_view what, Keys allowed, LString* out);
  // A key hash that decodes (crypto/key_hash.h).
  Status KeyHash(const YamlNode& n, std::string_view what, std::optional<LString>* out);

  // The language's "one value or a list" form: a sequence is read item by item with
  // `read_item`, any other node as the only item. Appends to `out`.
  template <typename T, typename ReadItem>
  Status OneOrList(const YamlNode& n, std::vector<T>* out, ReadItem&& read_item) {
    SCONE_RETURN_IF_ERROR(Visit(n));
    if (!n.IsSequence()) {
      T t;
      SCONE_RETURN_IF_ERROR(read_item(n, &t));
      out->push_back(std::move(t));
      return Status::Ok();
    }
    for (const YamlNode* item_node : n.items()) {
      const YamlNode& item = *item_node;
      T t;
      SCONE_RETURN_IF_ERROR(read_item(item, &t));
      out->push_back(std::move(t));
    }
    return Status::Ok();
  }
  // One string or a list of strings (replaces `*out`).
  Status StringList(const YamlNode& n, std::string_view what, std::vector<LString>* out);
  // One or a list of `digits`-hex-digit values (replaces `*out`).
  Status HexList(const YamlNode& n, std::string_view what, size_t digits,
                 std::vector<LString>* out);

  // A list whose items are read with `read_item`; `key:` with nothing after it is an
  // empty list.
  template <typename T, typename ReadItem>
  Status List(const YamlNode& n, std::string_view what, std::vector<T>* out, ReadItem&& read_item) {
    SCONE_RETURN_IF_ERROR(Visit(n));
    if (n.IsNull()) return Status::Ok();
    if (!n.IsSequence()) {
      return Fail(ErrorKind::kWrongType, n, std::string(what) + " must be a list");
    }
    for (const YamlNode* item : n.items()) {
      const YamlNode& i = *item;
      T t;
      SCONE_RETURN_IF_ERROR(read_item(i, &t));
      out->push_back(std::move(t));
    }
    return Status::Ok();
  }

 private:
  // Column of `$NAME` / `${NAME}` inside the scalar at `pos`, if it can be found on that
  // line of the source; `pos` otherwise.
  Position VariablePosition(Position pos, const SubstitutionError& e) const;
  Status CheckHex(const LString& s, std::string_view what, size_t digits);

  std::string_view text_;
  std::string_view file_;
  const Variables& vars_;
  ParseLimits limits_;
  Diagnostic diag_;
  size_t visited_ = 0;
};

}  // namespace scone::sdl
