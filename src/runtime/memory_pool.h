// Linear memories kept for reuse when their instance goes (DESIGN 7's
// strategies, made cheap to start): instantiating a small module costs
// mostly mmap, munmap and page faults, so a dropped memory's mapping is kept
// and zeroed, and the engine's next memory of that shape reuses it with no
// system call (a guard reservation whose accessible size differs is fixed
// with one mprotect), as engines with a pooling allocator do.
//
// Isolation: before a mapping is handed out again every byte an earlier
// instance could write reads zero: up to {keepResidentBytes} by memset (those
// pages stay resident, so the next instance takes no page faults there), the
// rest by madvise(MADV_DONTNEED), which gives anonymous memory back
// zero-filled. A guard reservation keeps everything past its accessible size
// inaccessible, so an access past the new memory's end faults as in a fresh
// one. Memories mapped from an image (a file), shared memories and
// bounds-checked memories reserved at their maximum (specialized instances)
// never enter the pool. When the pool is full the oldest mapping it holds
// makes room for the newest.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "abi/memory_strategy.h"

namespace weft {

class MemoryPool {
 public:
  struct Mapping {
    uint8_t* base = nullptr;
    uint64_t mappedBytes = 0;      // reserved (guard) or mapped (bounds-checked)
    uint64_t accessibleBytes = 0;  // readable and writable from base
  };

  MemoryPool(uint32_t slots, uint64_t keepResidentBytes) : slots_(slots), keepResidentBytes_(keepResidentBytes) {}
  ~MemoryPool();
  MemoryPool(const MemoryPool&) = delete;
  MemoryPool& operator=(const MemoryPool&) = delete;

  // A zeroed mapping with exactly {accessibleBytes} accessible (guard: of
  // the guard reservation's size; bounds-checked: mapped to that size), or
  // nothing when the pool holds none that fits.
  std::optional<Mapping> take(MemoryStrategy strategy, uint64_t accessibleBytes);
  // Zeroes {mapping} and keeps it (unmapping the oldest kept one if full).
  void give(MemoryStrategy strategy, const Mapping& mapping);

  uint32_t held() const;
  uint64_t residentBytes() const;  // the zeroed windows of the mappings held
  uint64_t reuses() const;  // mappings handed out again so far

 private:
  struct Slot {
    MemoryStrategy strategy;
    Mapping mapping;
    uint64_t residentBytes;
  };
  const uint32_t slots_;
  const uint64_t keepResidentBytes_;
  mutable std::mutex lock_;
  std::vector<Slot> free_;
  uint64_t reuses_ = 0;
};

}  // namespace weft
