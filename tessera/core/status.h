// Errors are values. Library code returns Result<T>; only app/ turns an Error
// into an exit code (ErrorKind::BadInput -> 2, Infeasible -> 3, Internal -> 1).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace tessera {

enum class ErrorKind {
  BadInput,    // a file, flag, key or value the user gave is wrong (exit 2)
  Infeasible,  // the deployment cannot run, e.g. does not fit in memory (exit 3)
  Internal,    // a bug (exit 1)
};

struct Error {
  ErrorKind kind = ErrorKind::Internal;
  std::string message;  // one line: names the file/flag, the key and the value
};

inline Error bad_input(std::string msg) { return Error{ErrorKind::BadInput, std::move(msg)}; }
inline Error infeasible(std::string msg) { return Error{ErrorKind::Infeasible, std::move(msg)}; }
inline Error internal_error(std::string msg) { return Error{ErrorKind::Internal, std::move(msg)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT: implicit by design

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  [[nodiscard]] const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void> equivalent.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error e) : err_(std::move(e)), ok_(false) {}  // NOLINT: implicit by design
  [[nodiscard]] bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  [[nodiscard]] const Error& error() const { assert(!ok_); return err_; }

 private:
  Error err_;
  bool ok_ = true;
};

// Propagate an error from an expression returning Result<T> or Status.
#define TESSERA_TRY(expr)                       \
  do {                                          \
    auto&& tessera_try_r_ = (expr);             \
    if (!tessera_try_r_.ok()) return tessera_try_r_.error(); \
  } while (0)

}  // namespace tessera
