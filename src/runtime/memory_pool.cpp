#include "runtime/memory_pool.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>

namespace weft {

MemoryPool::~MemoryPool() {
  for (const Slot& slot : free_) munmap(slot.mapping.base, slot.mapping.mappedBytes);
}

std::optional<MemoryPool::Mapping> MemoryPool::take(MemoryStrategy strategy, uint64_t accessibleBytes) {
  Mapping mapping;
  {
    std::lock_guard hold(lock_);
    // Guard: any reservation will do, one of the same accessible size is
    // ready as it is. Bounds-checked: the mapping is the memory, so only one
    // of the same size.
    auto fits = [&](const Slot& slot) {
      return slot.strategy == strategy && (strategy == MemoryStrategy::Guard ||
                                           slot.mapping.accessibleBytes == accessibleBytes);
    };
    auto same = std::find_if(free_.begin(), free_.end(), [&](const Slot& slot) {
      return fits(slot) && slot.mapping.accessibleBytes == accessibleBytes;
    });
    auto found = same != free_.end() ? same : std::find_if(free_.begin(), free_.end(), fits);
    if (found == free_.end()) return std::nullopt;
    mapping = found->mapping;
    *found = free_.back();
    free_.pop_back();
    ++reuses_;
  }
  if (mapping.accessibleBytes != accessibleBytes) {  // guard only
    // Cut back: the pages past the new size are replaced by fresh
    // inaccessible ones (not kept resident for nothing).
    bool adjusted =
        accessibleBytes > mapping.accessibleBytes
            ? mprotect(mapping.base + mapping.accessibleBytes, accessibleBytes - mapping.accessibleBytes,
                       PROT_READ | PROT_WRITE) == 0
            : mmap(mapping.base + accessibleBytes, mapping.accessibleBytes - accessibleBytes, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) != MAP_FAILED;
    if (!adjusted) {
      munmap(mapping.base, mapping.mappedBytes);
      return std::nullopt;
    }
    mapping.accessibleBytes = accessibleBytes;
  }
  return mapping;
}

void MemoryPool::give(MemoryStrategy strategy, const Mapping& mapping) {
  if (slots_ == 0) {
    munmap(mapping.base, mapping.mappedBytes);
    return;
  }
  // The window in whole wasm pages (madvise wants a page-aligned start;
  // accessible sizes are whole wasm pages).
  constexpr uint64_t kWasmPage = 64 * 1024;
  uint64_t window = keepResidentBytes_ > UINT64_MAX - kWasmPage ? keepResidentBytes_
                                                                 : (keepResidentBytes_ + kWasmPage - 1) / kWasmPage * kWasmPage;
  uint64_t resident = std::min(mapping.accessibleBytes, window);
  std::memset(mapping.base, 0, resident);
  if (mapping.accessibleBytes > resident &&
      madvise(mapping.base + resident, mapping.accessibleBytes - resident, MADV_DONTNEED) != 0) {
    munmap(mapping.base, mapping.mappedBytes);  // it cannot be zeroed: never reused
    return;
  }
  // Full: the oldest mapping makes room (it may be of a size no new memory
  // asks for, a bounds-checked one that grew).
  Mapping evicted;
  {
    std::lock_guard hold(lock_);
    if (free_.size() >= slots_) {
      evicted = free_.front().mapping;
      free_.erase(free_.begin());
    }
    free_.push_back({strategy, mapping, resident});
  }
  if (evicted.base) munmap(evicted.base, evicted.mappedBytes);
}

uint32_t MemoryPool::held() const {
  std::lock_guard hold(lock_);
  return static_cast<uint32_t>(free_.size());
}

uint64_t MemoryPool::residentBytes() const {
  std::lock_guard hold(lock_);
  uint64_t total = 0;
  for (const Slot& slot : free_) total += slot.residentBytes;
  return total;
}

uint64_t MemoryPool::reuses() const {
  std::lock_guard hold(lock_);
  return reuses_;
}

}  // namespace weft
