#include "runtime/linear_memory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "runtime/memory_image.h"
#include "runtime/memory_pool.h"

namespace weft {
namespace {

Error tooLarge(std::string message) { return makeError(ErrorKind::LimitExceeded, std::move(message)); }

std::string pagesText(uint64_t pages) {
  return std::to_string(pages) + " pages (" + std::to_string(pages * kPageSize) + " bytes)";
}

}  // namespace

Result<std::shared_ptr<LinearMemory>> LinearMemory::create(const MemoryType& type, MemoryStrategy strategy,
                                                           uint64_t maxPagesAllowed,
                                                           std::shared_ptr<ResourceBudget> budget, bool fixedBase,
                                                           std::shared_ptr<MemoryPool> pool) {
  std::shared_ptr<LinearMemory> memory(new LinearMemory());
  memory->strategy_ = strategy;
  memory->pagesAllowed_ = std::min(maxPagesAllowed, kMaxMemory32Pages);
  memory->budget_ = std::move(budget);
  if (type.limits.min > memory->pagesAllowed_)
    return tooLarge("a memory of " + pagesText(type.limits.min) + " exceeds the engine's limit of " +
                    std::to_string(memory->pagesAllowed_) + " pages");
  memory->maxPages_ = type.limits.max;
  memory->shared_ = type.limits.shared;
  // A shared memory is accessed by other threads while it grows, so its base
  // must never move: reserve its maximum up front even when bounds-checked.
  memory->fixedBase_ = strategy == MemoryStrategy::Guard || type.limits.shared || fixedBase;
  uint64_t minBytes = type.limits.min * kPageSize;
  bool poolable = pool && !type.limits.shared && (strategy == MemoryStrategy::Guard || !fixedBase);
  if (poolable && (strategy == MemoryStrategy::Guard || minBytes > 0)) {
    if (memory->budget_ && !memory->budget_->take(minBytes))
      return tooLarge("a memory of " + pagesText(type.limits.min) + " exceeds " + memory->budget_->describe());
    if (std::optional<MemoryPool::Mapping> mapping = pool->take(strategy, minBytes)) {
      memory->definition_.base = mapping->base;
      memory->definition_.byteLength = minBytes;
      memory->reserved_ = mapping->mappedBytes;
      memory->pool_ = std::move(pool);
      return memory;
    }
    if (memory->budget_) memory->budget_->give(minBytes);
  }
  if (poolable) memory->pool_ = std::move(pool);
  if (memory->fixedBase_) {
    uint64_t reserve = kGuardReservation;
    if (strategy == MemoryStrategy::BoundsChecked)
      reserve = std::max<uint64_t>(kPageSize, std::min(type.limits.max.value_or(kMaxMemory32Pages), kMaxMemory32Pages) * kPageSize);
    void* reservation = mmap(nullptr, reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (reservation == MAP_FAILED) {
      std::string why = std::strerror(errno);
      if (strategy == MemoryStrategy::Guard)
        return tooLarge("cannot reserve " + std::to_string(reserve) +
                        " bytes of address space for a guarded memory (" + why +
                        "); the bounds-checked memory strategy needs no reservation");
      return tooLarge("cannot reserve " + std::to_string(reserve) + " bytes of address space for " +
                      (type.limits.shared ? "a shared memory's" : "a specialized instance's memory's") +
                      " maximum (" + why + ")");
    }
    memory->definition_.base = static_cast<uint8_t*>(reservation);
    memory->reserved_ = reserve;
  }
  if (type.limits.min > 0) {
    if (memory->budget_) {  // asked first only to name the reason
      if (!memory->budget_->take(type.limits.min * kPageSize))
        return tooLarge("a memory of " + pagesText(type.limits.min) + " exceeds " + memory->budget_->describe());
      memory->budget_->give(type.limits.min * kPageSize);
    }
    if (memory->grow(type.limits.min) < 0)
      return tooLarge("cannot allocate a memory of " + pagesText(type.limits.min) + ": out of host memory");
  }
  return memory;
}

LinearMemory::~LinearMemory() {
  if (definition_.base && reserved_) {
    if (pool_ && !imageMapped_) pool_->give(strategy_, {definition_.base, reserved_, definition_.byteLength});
    else munmap(definition_.base, reserved_);
  }
  if (budget_) budget_->give(definition_.byteLength);
}

MemoryType LinearMemory::currentType() const {
  MemoryType type;
  type.limits.min = pages();
  type.limits.max = maxPages_;
  type.limits.shared = shared_;
  return type;
}

int64_t LinearMemory::grow(uint64_t deltaPages) {
  std::lock_guard lock(growLock_);
  uint64_t old = pages();
  uint64_t limit = maxPages_ ? std::min(*maxPages_, pagesAllowed_) : pagesAllowed_;
  if (deltaPages > limit || old + deltaPages > limit) return -1;
  if (deltaPages == 0) return static_cast<int64_t>(old);
  uint64_t newBytes = (old + deltaPages) * kPageSize;
  uint64_t extraBytes = deltaPages * kPageSize;
  if (budget_ && !budget_->take(extraBytes)) return -1;
  auto refuse = [&] {
    if (budget_) budget_->give(extraBytes);
    return -1;
  };
  if (fixedBase_) {
    if (newBytes > reserved_) return refuse();
    if (mprotect(definition_.base, newBytes, PROT_READ | PROT_WRITE) != 0) {
      // Nothing past the old length may stay writable: a pool zeroes only
      // up to the length when the memory goes.
      mprotect(definition_.base + old * kPageSize, extraBytes, PROT_NONE);
      return refuse();
    }
  } else {
    void* moved;
    if (reserved_ == 0) {
      moved = mmap(nullptr, newBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    } else if (fromImage_) {
      moved = mmap(nullptr, newBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (moved != MAP_FAILED) {
        std::memcpy(moved, definition_.base, definition_.byteLength);
        munmap(definition_.base, reserved_);
        fromImage_ = false;
      }
    } else {
      moved = mremap(definition_.base, reserved_, newBytes, MREMAP_MAYMOVE);
    }
    if (moved == MAP_FAILED) return refuse();
    definition_.base = static_cast<uint8_t*>(moved);
    reserved_ = newBytes;
  }
  std::atomic_ref<uint64_t>(definition_.byteLength).store(newBytes, std::memory_order_release);
  if (mirror_) {
    mirror_->base = definition_.base;
    std::atomic_ref<uint64_t>(mirror_->byteLength).store(newBytes, std::memory_order_release);
  }
  return static_cast<int64_t>(old);
}

bool LinearMemory::mapImage(const MemoryImage& image) {
  std::lock_guard lock(growLock_);
  if (shared_ || image.size() > definition_.byteLength) return false;
  if (!image.mapOver(definition_.base)) return false;
  fromImage_ = !fixedBase_;
  imageMapped_ = true;
  return true;
}

}  // namespace weft
