// A minimal std::expected stand-in for standard libraries that lack it. Only the
// members the project uses are provided; semantics match std::expected for those.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace blockstack::util::detail {

template <class E>
class Unexpected {
 public:
  explicit Unexpected(E e) : m_error(std::move(e)) {}
  const E& error() const& { return m_error; }
  E& error() & { return m_error; }
  E&& error() && { return std::move(m_error); }

 private:
  E m_error;
};

template <class T, class E>
class Expected {
 public:
  using value_type = T;
  using error_type = E;

  Expected() requires std::is_default_constructible_v<T> : m_v(std::in_place_index<0>) {}
  template <class U = T>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, Expected> &&
             !std::is_same_v<std::decay_t<U>, Unexpected<E>>)
  Expected(U&& v) : m_v(std::in_place_index<0>, std::forward<U>(v)) {}  // NOLINT
  template <class G>
  Expected(const Unexpected<G>& u) : m_v(std::in_place_index<1>, u.error()) {}  // NOLINT
  template <class G>
  Expected(Unexpected<G>&& u) : m_v(std::in_place_index<1>, std::move(u).error()) {}  // NOLINT

  bool has_value() const { return m_v.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { assert(has_value()); return std::get<0>(m_v); }
  const T& value() const& { assert(has_value()); return std::get<0>(m_v); }
  T&& value() && { assert(has_value()); return std::get<0>(std::move(m_v)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  E& error() & { return std::get<1>(m_v); }
  const E& error() const& { return std::get<1>(m_v); }
  E&& error() && { return std::get<1>(std::move(m_v)); }
  template <class U>
  T value_or(U&& u) const& { return has_value() ? value() : static_cast<T>(std::forward<U>(u)); }

 private:
  std::variant<T, E> m_v;
};

template <class E>
class Expected<void, E> {
 public:
  using value_type = void;
  Expected() = default;
  template <class G>
  Expected(const Unexpected<G>& u) : m_err(u.error()), m_ok(false) {}  // NOLINT
  template <class G>
  Expected(Unexpected<G>&& u) : m_err(std::move(u).error()), m_ok(false) {}  // NOLINT
  bool has_value() const { return m_ok; }
  explicit operator bool() const { return m_ok; }
  void value() const { assert(m_ok); }
  void operator*() const {}
  E& error() & { return m_err; }
  const E& error() const& { return m_err; }
  E&& error() && { return std::move(m_err); }

 private:
  E m_err{};
  bool m_ok = true;
};

}  // namespace blockstack::util::detail
