#include "runtime/atomic_wait.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

#include "runtime/instance.h"
#include "runtime/trap.h"

namespace weft {
namespace {

// A parked thread. It lives on the waiting thread's stack and is linked into
// its bucket's queue: parking allocates nothing, so a guest cannot make the
// helper throw through compiled code by waiting while the host is out of memory.
struct Waiter {
  std::condition_variable wake;
  uintptr_t cell = 0;
  bool notified = false;
  Waiter* next = nullptr;
  Waiter* previous = nullptr;
};

// Waiters of every cell whose address hashes here, oldest first, so notify
// wakes the waiters of one cell in the order they arrived.
struct Bucket {
  std::mutex lock;
  Waiter* head = nullptr;
  Waiter* tail = nullptr;

  void append(Waiter* waiter) {
    waiter->previous = tail;
    waiter->next = nullptr;
    (tail ? tail->next : head) = waiter;
    tail = waiter;
  }
  void unlink(Waiter* waiter) {
    (waiter->previous ? waiter->previous->next : head) = waiter->next;
    (waiter->next ? waiter->next->previous : tail) = waiter->previous;
    waiter->next = waiter->previous = nullptr;
  }
};

constexpr size_t kBuckets = 256;
Bucket buckets[kBuckets];

Bucket& bucketOf(uintptr_t cell) { return buckets[(cell >> 2) * 0x9e3779b97f4a7c15ull >> 56]; }

uint64_t trap(TrapKind kind) { return kBuiltinTrapBit | static_cast<uint64_t>(kind); }

// The awaited cell, or a trap: misaligned, out of bounds.
uint64_t locate(void* vmctx, uint32_t offset, uint32_t address, uint32_t size, uint8_t*& cell) {
  uint64_t effective = uint64_t{address} + offset;
  if (effective % size != 0) return trap(TrapKind::UnalignedAtomic);
  LinearMemory* memory = Instance::fromVmctx(vmctx)->memory(0);
  if (effective + size > memory->byteLength()) return trap(TrapKind::MemoryOutOfBounds);
  cell = memory->data() + effective;
  return 0;
}

template <typename T>
uint64_t wait(void* vmctx, uint32_t offset, uint32_t address, T expected, int64_t timeoutNs) {
  uint8_t* cell = nullptr;
  if (uint64_t failed = locate(vmctx, offset, address, sizeof(T), cell)) return failed;
  if (!Instance::fromVmctx(vmctx)->memory(0)->currentType().limits.shared)
    return trap(TrapKind::WaitOnUnsharedMemory);
  auto key = reinterpret_cast<uintptr_t>(cell);
  Bucket& bucket = bucketOf(key);
  std::unique_lock lock(bucket.lock);
  // Notifiers take the same lock, so none can slip between this load and parking.
  T current = std::atomic_ref<T>(*reinterpret_cast<T*>(cell)).load();
  if (current != expected) return 1;  // "not-equal"
  Waiter self;
  self.cell = key;
  bucket.append(&self);
  bool woken;
  // The deadline is computed once, saturating: now + a guest's timeout near
  // INT64_MAX overflows the clock's range (and would read as "already past").
  // A timeout the clock cannot represent is as good as infinite.
  using Clock = std::chrono::steady_clock;
  Clock::time_point now = Clock::now();
  std::chrono::nanoseconds timeout(timeoutNs);
  if (timeoutNs < 0 || timeout >= Clock::time_point::max() - now) {
    self.wake.wait(lock, [&] { return self.notified; });
    woken = true;
  } else {
    woken = self.wake.wait_until(lock, now + timeout, [&] { return self.notified; });
  }
  if (!self.notified) bucket.unlink(&self);
  return woken ? 0 : 2;  // "ok" or "timed-out"
}

}  // namespace

uint64_t atomicNotify(void* vmctx, uint32_t offset, uint32_t address, uint32_t count) {
  uint8_t* cell = nullptr;
  if (uint64_t failed = locate(vmctx, offset, address, 4, cell)) return failed;
  auto key = reinterpret_cast<uintptr_t>(cell);
  Bucket& bucket = bucketOf(key);
  std::lock_guard lock(bucket.lock);
  uint32_t woken = 0;
  for (Waiter* waiter = bucket.head; waiter && woken < count;) {
    Waiter* next = waiter->next;
    if (waiter->cell == key) {
      bucket.unlink(waiter);
      waiter->notified = true;
      waiter->wake.notify_one();
      ++woken;
    }
    waiter = next;
  }
  return woken;
}

uint64_t atomicWait32(void* vmctx, uint32_t offset, uint32_t address, uint32_t expected, int64_t timeoutNs) {
  return wait<uint32_t>(vmctx, offset, address, expected, timeoutNs);
}

uint64_t atomicWait64(void* vmctx, uint32_t offset, uint32_t address, uint64_t expected, int64_t timeoutNs) {
  return wait<uint64_t>(vmctx, offset, address, expected, timeoutNs);
}

}  // namespace weft
