#include "runtime/atomic_wait.h"

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <mutex>

#include "runtime/instance.h"
#include "runtime/interruption.h"
#include "runtime/trap.h"

namespace weft {
namespace {

// A parked thread. It lives on the waiting thread's stack and is linked into
// its bucket's queue: parking allocates nothing, so a guest cannot make the
// helper throw through compiled code by waiting while the host is out of memory.
// It sleeps on its own futex word, outside the bucket's lock: a notify is one
// futex wake and the woken thread takes no lock on its way out, which is what
// makes a wait/notify round trip cost what a futex round trip does.
// {notified}: 0 while parked, kNotified once a notify took it, kInterrupted
// once its instance was interrupted (wakeInterruptedWaiters).
constexpr uint32_t kNotified = 1, kInterrupted = 2;
struct Waiter {
  std::atomic<uint32_t> notified{0};
  uintptr_t cell = 0;
  const void* vmctx = nullptr;  // of the instance waiting
  Waiter* next = nullptr;
  Waiter* previous = nullptr;
};

// Sleeps while {word} is 0, at most {timeout} (none: until woken); returns
// early on a wake or a signal, which the callers' loops absorb.
void futexWait(std::atomic<uint32_t>& word, const timespec* timeout) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, 0, timeout, nullptr, 0);
}

// The waiter may already have seen its word and returned (its frame gone):
// the wake then hits an address nothing waits on, or at worst wakes another
// futex sleeper spuriously, which every sleeper here absorbs.
void futexWake(std::atomic<uint32_t>& word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

// A bucket's lock guards a few pointer moves, never a system call: spinning
// costs less than sleeping on a mutex, which in a wait/notify ping-pong (the
// woken thread notifying back while the other is still parking) would add a
// futex round trip of its own. A holder that is not running is waited for
// with sched_yield.
class SpinLock {
 public:
  void lock() {
    for (uint32_t spins = 0; held_.exchange(true, std::memory_order_acquire); ++spins) {
      while (held_.load(std::memory_order_relaxed)) {
        if (++spins < 128)
          __builtin_ia32_pause();
        else
          sched_yield();
      }
    }
  }
  bool try_lock() { return !held_.exchange(true, std::memory_order_acquire); }
  void unlock() { held_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> held_{false};
};

// Waiters of every cell whose address hashes here, oldest first, so notify
// wakes the waiters of one cell in the order they arrived.
struct Bucket {
  SpinLock lock;
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
  self.vmctx = vmctx;
  bucket.append(&self);
  lock.unlock();
  // An interrupt that set the flag before the append went through this
  // bucket before it too, and did not see this waiter: the flag tells.
  if (interruption::isSet(vmctx)) {
    lock.lock();
    if (self.notified.load(std::memory_order_acquire) == 0) bucket.unlink(&self);
    return self.notified.load(std::memory_order_acquire) == kNotified ? 0 : trap(TrapKind::Interrupted);
  }
  // The deadline is computed once, saturating: now + a guest's timeout near
  // INT64_MAX overflows the clock's range (and would read as "already past").
  // A timeout the clock cannot represent is as good as infinite.
  using Clock = std::chrono::steady_clock;
  Clock::time_point now = Clock::now();
  std::chrono::nanoseconds timeout(timeoutNs);
  bool forever = timeoutNs < 0 || timeout >= Clock::time_point::max() - now;
  Clock::time_point deadline = forever ? Clock::time_point::max() : now + timeout;
  while (!self.notified.load(std::memory_order_acquire)) {
    if (forever) {
      futexWait(self.notified, nullptr);
      continue;
    }
    std::chrono::nanoseconds left = deadline - Clock::now();
    if (left.count() <= 0) break;
    timespec relative{static_cast<time_t>(std::min<int64_t>(left.count() / 1000000000, INT_MAX)),
                      static_cast<long>(left.count() % 1000000000)};
    futexWait(self.notified, &relative);
  }
  auto woken = [&]() -> uint64_t {
    return self.notified.load(std::memory_order_acquire) == kNotified ? 0 /* "ok" */ : trap(TrapKind::Interrupted);
  };
  if (self.notified.load(std::memory_order_acquire)) return woken();
  // Timed out, unless a notify or an interrupt takes it first: under the
  // lock, it is one or the other.
  lock.lock();
  if (self.notified.load(std::memory_order_acquire)) return woken();
  bucket.unlink(&self);
  return 2;  // "timed-out"
}

}  // namespace

uint64_t atomicNotify(void* vmctx, uint32_t offset, uint32_t address, uint32_t count) {
  uint8_t* cell = nullptr;
  if (uint64_t failed = locate(vmctx, offset, address, 4, cell)) return failed;
  auto key = reinterpret_cast<uintptr_t>(cell);
  Bucket& bucket = bucketOf(key);
  // The first few wakes are made after the lock is released: a woken waiter
  // that notifies back at once (a ping-pong) would otherwise find the lock
  // still held through this thread's wake system call and sleep on it.
  constexpr uint32_t kWakeAfterUnlock = 16;
  std::atomic<uint32_t>* toWake[kWakeAfterUnlock];
  uint32_t woken = 0;
  {
    std::lock_guard lock(bucket.lock);
    for (Waiter* waiter = bucket.head; waiter && woken < count;) {
      Waiter* next = waiter->next;
      if (waiter->cell == key) {
        bucket.unlink(waiter);
        // The address first: once notified, the waiter may return at once.
        std::atomic<uint32_t>* word = &waiter->notified;
        word->store(kNotified, std::memory_order_release);
        if (woken < kWakeAfterUnlock)
          toWake[woken] = word;
        else
          futexWake(*word);
        ++woken;
      }
      waiter = next;
    }
  }
  for (uint32_t i = 0; i < std::min(woken, kWakeAfterUnlock); ++i) futexWake(*toWake[i]);
  return woken;
}

void wakeInterruptedWaiters() {
  for (Bucket& bucket : buckets) {
    std::lock_guard lock(bucket.lock);
    for (Waiter* waiter = bucket.head; waiter;) {
      Waiter* next = waiter->next;
      if (interruption::isSet(waiter->vmctx)) {
        bucket.unlink(waiter);
        waiter->notified.store(kInterrupted, std::memory_order_release);
        futexWake(waiter->notified);
      }
      waiter = next;
    }
  }
}

uint64_t atomicWait32(void* vmctx, uint32_t offset, uint32_t address, uint32_t expected, int64_t timeoutNs) {
  return wait<uint32_t>(vmctx, offset, address, expected, timeoutNs);
}

uint64_t atomicWait64(void* vmctx, uint32_t offset, uint32_t address, uint64_t expected, int64_t timeoutNs) {
  return wait<uint64_t>(vmctx, offset, address, expected, timeoutNs);
}

}  // namespace weft
