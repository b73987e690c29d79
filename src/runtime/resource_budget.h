// The engine-wide budget for the bytes that linear memories and tables commit
// (DESIGN 11: a guest's allocation that cannot be satisfied becomes -1 from
// memory.grow/table.grow or an instantiation error, never an abort).
//
// Shared by the Engine and by every memory and table created under it, which
// may outlive the Engine, so it is held by shared_ptr. Any thread may take and
// give bytes at any time (memories of different instances grow concurrently).
// Address space that a guard memory reserves but does not commit is not
// counted: only what the guest can touch.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace weft {

class ResourceBudget {
 public:
  // {limitBytes} 0: no limit (growth still fails when the host is out of memory).
  explicit ResourceBudget(uint64_t limitBytes) : limit_(limitBytes) {}

  // Takes {bytes} from the budget; false (and nothing taken) past the limit.
  [[nodiscard]] bool take(uint64_t bytes) {
    uint64_t used = used_.load(std::memory_order_relaxed);
    do {
      if (limit_ && (bytes > limit_ || used > limit_ - bytes)) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  void give(uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  // "the engine's budget for memories and tables (X bytes, Y in use)"
  std::string describe() const {
    return "the engine's budget for memories and tables (" + std::to_string(limit_) + " bytes, " +
           std::to_string(used()) + " in use)";
  }

 private:
  std::atomic<uint64_t> used_{0};
  const uint64_t limit_;
};

}  // namespace weft
