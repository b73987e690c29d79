// A pool of objects handed out by index and handed back, whose storage is
// kept from one use to the next (reset() makes every object free again, it
// frees no memory). For the baseline's per-block records that only some
// blocks need (the locals' cache at an if's else, at a block's end, at a loop
// head): kept in the block itself they made every block large, and the deep
// block nesting of real code (a br_table dispatch opens hundreds) then
// spread the compiler's working set over many cache lines.
// References stay valid while other objects are acquired (a deque never
// moves what it holds).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

namespace weft {

template <typename T>
class ReusablePool {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // An object not in use, as its last user left it.
  uint32_t acquire() {
    if (!free_.empty()) {
      uint32_t index = free_.back();
      free_.pop_back();
      return index;
    }
    if (used_ == items_.size()) items_.emplace_back();
    return used_++;
  }
  // Gives {index} back (kNone is ignored) and sets it to kNone.
  void release(uint32_t& index) {
    if (index != kNone) free_.push_back(index);
    index = kNone;
  }
  void reset() {
    used_ = 0;
    free_.clear();
  }
  T& operator[](uint32_t index) { return items_[index]; }

 private:
  std::deque<T> items_;
  std::vector<uint32_t> free_;
  uint32_t used_ = 0;
};

}  // namespace weft
