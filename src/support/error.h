// Weft's one failure convention (DESIGN 10: errors, never crashes).
//
// Every fallible step that reads untrusted input reports an {Error}: the byte
// offset in the module where the problem was found, the reason, and where known
// the section and function it belongs to. No exceptions cross the public API and
// no input aborts the process. A {Result<T>} carries either a value or an Error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace weft {

// What kind of rejection: the spec distinguishes a module that cannot be decoded
// (malformed) from one that decodes but breaks a typing rule (invalid). A module
// that uses a proposal Weft does not implement yet is neither: it is unsupported.
enum class ErrorKind : uint8_t { Malformed, Invalid, Unsupported, LimitExceeded };

const char* errorKindName(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::Malformed;
  uint64_t offset = 0;           // byte offset in the module binary
  std::string message;           // the reason, in lower case, no trailing period
  std::optional<uint8_t> section;        // section id, when inside a section
  std::optional<uint32_t> functionIndex; // function index, when inside a body

  // "0x1a2b: in function 3: type mismatch: expected i32, got f64"
  std::string describe() const;
};

// An error that is not about a place in a module (offset 0).
inline Error makeError(ErrorKind kind, std::string message) {
  Error error;
  error.kind = kind;
  error.message = std::move(message);
  return error;
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// For steps that produce no value.
struct Ok {};
using Status = Result<Ok>;

}  // namespace weft
