// A vector of at most N trivially copyable elements, stored inline: for the
// compilers' small per-branch records (the locals cached in registers, at
// most one per register), which are made and dropped at every branch and
// block. The heap allocation a std::vector makes for each cost the baseline
// more than the records' contents. Going past N is a compiler bug, never a
// guest-controlled condition (callers bound their sizes by the number of
// registers); it still aborts in release builds rather than write past the
// storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

namespace weft {

template <typename T, uint32_t N>
class BoundedVector {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  static constexpr uint32_t capacity() { return N; }
  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T& operator[](uint32_t i) { return data()[i]; }
  const T& operator[](uint32_t i) const { return data()[i]; }
  T& front() { return data()[0]; }

  void clear() { size_ = 0; }
  void push_back(const T& item) {
    if (size_ >= N) [[unlikely]] std::abort();
    ::new (static_cast<void*>(storage_ + sizeof(T) * size_)) T(item);
    ++size_;
  }
  // Constructs in place (a temporary copied in is written in narrow stores
  // and read back in wide loads, which stalls store forwarding).
  template <typename... Args>
  void emplace_back(Args&&... args) {
    if (size_ >= N) [[unlikely]] std::abort();
    ::new (static_cast<void*>(storage_ + sizeof(T) * size_)) T{static_cast<Args&&>(args)...};
    ++size_;
  }
  // Removes the element at {at}; the order of the others is kept.
  void erase(T* at) {
    for (T* next = at + 1; next != end(); ++next) next[-1] = *next;
    --size_;
  }
  // Removes every element {drop} says to; the order of the others is kept.
  // {drop} may change the element it is given, a copy that is then kept
  // (changed in place, a field written narrow and the element then read
  // whole would stall store forwarding).
  // Every element is written back, kept or not, and the next one goes over
  // a dropped one: no branch on {drop}'s answer, which the data decides (the
  // compilers' records are kept or dropped in no pattern a predictor learns).
  template <typename Predicate>
  void eraseIf(Predicate drop) {
    T* kept = begin();
    for (T item : *this) {
      bool dropped = drop(item);
      *kept = item;
      kept += !dropped;
    }
    size_ = static_cast<uint32_t>(kept - begin());
  }
  // Removes every element equal to {value}, as eraseIf does.
  void eraseValue(const T& value) {
    eraseIf([&](const T& item) { return item == value; });
  }

  // Copies only the elements in use; the rest of the storage stays raw
  // (a std::array would construct all N elements on every copy).
  BoundedVector() = default;
  BoundedVector(const BoundedVector& other) : size_(other.size_) {
    std::memcpy(storage_, other.storage_, sizeof(T) * size_);
  }
  BoundedVector& operator=(const BoundedVector& other) {
    size_ = other.size_;
    std::memmove(storage_, other.storage_, sizeof(T) * size_);
    return *this;
  }

 private:
  T* data() { return std::launder(reinterpret_cast<T*>(storage_)); }
  const T* data() const { return std::launder(reinterpret_cast<const T*>(storage_)); }

  uint32_t size_ = 0;
  alignas(T) std::byte storage_[sizeof(T) * N];
};

}  // namespace weft
