// Status and Result<T>: how every Quiver layer reports an expected failure.
//
// Quiver never throws for expected failures (bad input, damaged files, full
// disks). A fallible function returns Status or Result<T>; both are
// [[nodiscard]]. Each Status carries a stable machine-readable code (see
// StatusCodeName) and a message that names what was wrong and where. The
// edges translate: http/ maps codes to HTTP statuses, the CLI to exit codes.
//
// Thread-safety: Status and Result are plain values; distinct objects may be
// used from distinct threads freely.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace quiver {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,   // malformed input, bad option, bad query
  kNotFound,          // no such table / column / file
  kAlreadyExists,     // table or pool exists
  kIOError,           // the OS refused an operation
  kCorruption,        // a checksum or structural check failed
  kOutOfSpace,        // pool capacity or disk exhausted
  kLocked,            // the pool has another writer
  kNotSupported,      // valid input we do not handle (e.g. a future version)
  kPermissionDenied,  // the OS or an auth check refused access
  kTypeError,         // a value or literal does not fit a type
  kOverflow,          // integer overflow in arithmetic (e.g. SUM)
  kCancelled,         // the caller cancelled (timeout, disconnect, signal)
  kResourceExhausted, // a configured limit was reached
  kInternal,          // a bug: an invariant did not hold
  kDataLoss,          // stored bytes fail their checksum: damaged at rest
};

// Stable lower-case name of a code, e.g. "corruption"; part of the HTTP API.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status Invalid(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status OutOfSpace(std::string m) { return {StatusCode::kOutOfSpace, std::move(m)}; }
  static Status Locked(std::string m) { return {StatusCode::kLocked, std::move(m)}; }
  static Status NotSupported(std::string m) { return {StatusCode::kNotSupported, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status TypeError(std::string m) { return {StatusCode::kTypeError, std::move(m)}; }
  static Status Overflow(std::string m) { return {StatusCode::kOverflow, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "corruption: meta slot 1 checksum mismatch at offset 4096".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

  // Marks a status as deliberately ignored.
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok()) {
      v_ = Status::Internal("Result constructed from an OK Status");
    }
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The value, or `fallback` if this holds an error.
  T ValueOr(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<Status, T> v_;
};

namespace internal {
inline const Status& ToStatus(const Status& s) { return s; }
template <typename T>
const Status& ToStatus(const Result<T>& r) { return r.status(); }
}  // namespace internal

}  // namespace quiver

#define QUIVER_CONCAT_IMPL(a, b) a##b
#define QUIVER_CONCAT(a, b) QUIVER_CONCAT_IMPL(a, b)

// Returns the Status of `expr` (a Status or Result) from the enclosing
// function if it is not OK.
#define QUIVER_RETURN_NOT_OK(expr)                                  \
  do {                                                              \
    const auto& _quiver_s = (expr);                                 \
    if (!::quiver::internal::ToStatus(_quiver_s).ok())              \
      return ::quiver::internal::ToStatus(_quiver_s);               \
  } while (false)

#define QUIVER_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

// `QUIVER_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result or
// returns its error.
#define QUIVER_ASSIGN_OR_RETURN(lhs, rexpr) \
  QUIVER_ASSIGN_OR_RETURN_IMPL(QUIVER_CONCAT(_quiver_r_, __LINE__), lhs, rexpr)
