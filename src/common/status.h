// The one error model of the code base.
//
// Every expected failure (bad input, missing file, failed verification, refused policy)
// is a Status or a Result<T>; exceptions from third-party parsers are caught at the call
// site and turned into one. Asserts are only for broken internal invariants.
//
// A Status carries a machine-checkable Code (tests assert on it, not on the text) and a
// message for people. Messages say what was wrong and, where there is one, what to do.
// Messages must never contain secret material: callers build them from names, sizes,
// offsets and public values only.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace scone {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // the caller's input is malformed (parse errors, bad flags)
  kNotFound,            // a named thing does not exist (file, session, CAS entry)
  kAlreadyExists,       // creating something that is there already
  kPermissionDenied,    // the caller is not allowed (access policy, file permissions)
  kFailedPrecondition,  // the system is not in a state where this can be done
  kVerificationFailed,  // a signature, chain, hash or attestation check failed
  kPolicyRejected,      // evidence verified but does not satisfy the policy
  kDataLoss,            // stored data is corrupt or was tampered with
  kUnavailable,         // a peer did not answer; may succeed when retried
  kIoError,             // the operating system refused a file or socket operation
  kInternal,            // a broken invariant or a library failure we cannot attribute
};

// Stable lower-case name of a code, used in JSON output and logs.
std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {
    assert(code != Code::kOk);
  }

  static Status Ok() { return {}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>", keeping the code.
  Status WithContext(std::string_view context) const;

  // "<code name>: <message>", or "ok".
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

// Shorthands for the common codes.
inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {Code::kFailedPrecondition, std::move(m)};
}
inline Status VerificationFailed(std::string m) {
  return {Code::kVerificationFailed, std::move(m)};
}
inline Status PolicyRejected(std::string m) { return {Code::kPolicyRejected, std::move(m)}; }
inline Status DataLoss(std::string m) { return {Code::kDataLoss, std::move(m)}; }
inline Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; an OK Status when there is a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  // Accessors require ok(); calling them on an error is a programming error.
  T& value() & {
    assert(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline Status AsStatus(Status s) { return s; }
template <typename T>
Status AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace scone

#define SCONE_CONCAT_INNER_(a, b) a##b
#define SCONE_CONCAT_(a, b) SCONE_CONCAT_INNER_(a, b)

// Returns the Status of `expr` (a Status or a Result) from the current function if it
// is an error.
#define SCONE_RETURN_IF_ERROR(expr)                                                    \
  do {                                                                                 \
    if (auto scone_status_ = ::scone::internal::AsStatus(expr); !scone_status_.ok()) { \
      return scone_status_;                                                            \
    }                                                                                  \
  } while (false)

// `SCONE_ASSIGN_OR_RETURN(auto x, F());` declares x from F()'s value, or returns its error.
// `lhs` is a declaration, so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define SCONE_ASSIGN_OR_RETURN(lhs, expr) \
  SCONE_ASSIGN_OR_RETURN_IMPL_(SCONE_CONCAT_(scone_result_, __LINE__), lhs, expr)
#define SCONE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
