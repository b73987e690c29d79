#include "runtime/atomic_wait.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <list>
#include <map>
#include <mutex>

#include "runtime/instance.h"
#include "runtime/trap.h"

namespace weft {
namespace {

struct Waiter {
  std::condition_variable wake;
  bool notified = false;
};

std::mutex parkingLock;
std::map<uintptr_t, std::list<Waiter*>> parked;

uint64_t trap(TrapKind kind) { return kHelperTrapBit | static_cast<uint64_t>(kind); }

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
  std::unique_lock lock(parkingLock);
  T current = std::atomic_ref<T>(*reinterpret_cast<T*>(cell)).load();
  if (current != expected) return 1;  // "not-equal"
  Waiter self;
  auto& queue = parked[reinterpret_cast<uintptr_t>(cell)];
  auto position = queue.insert(queue.end(), &self);
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
  if (!self.notified) {
    queue.erase(position);
    if (queue.empty()) parked.erase(reinterpret_cast<uintptr_t>(cell));
  }
  return woken ? 0 : 2;  // "ok" or "timed-out"
}

}  // namespace

uint64_t atomicNotify(void* vmctx, uint32_t offset, uint32_t address, uint32_t count) {
  uint8_t* cell = nullptr;
  if (uint64_t failed = locate(vmctx, offset, address, 4, cell)) return failed;
  std::lock_guard lock(parkingLock);
  auto found = parked.find(reinterpret_cast<uintptr_t>(cell));
  if (found == parked.end()) return 0;
  uint32_t woken = 0;
  auto& queue = found->second;
  while (!queue.empty() && woken < count) {
    Waiter* waiter = queue.front();
    queue.pop_front();
    waiter->notified = true;
    waiter->wake.notify_one();
    ++woken;
  }
  if (queue.empty()) parked.erase(found);
  return woken;
}

uint64_t atomicWait32(void* vmctx, uint32_t offset, uint32_t address, uint32_t expected, int64_t timeoutNs) {
  return wait<uint32_t>(vmctx, offset, address, expected, timeoutNs);
}

uint64_t atomicWait64(void* vmctx, uint32_t offset, uint32_t address, uint64_t expected, int64_t timeoutNs) {
  return wait<uint64_t>(vmctx, offset, address, expected, timeoutNs);
}

}  // namespace weft
