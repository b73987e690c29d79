#include "runtime/code_registry.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace weft::code_registry {
namespace {

struct Range {
  uintptr_t start;
  uintptr_t end;
  const ModuleCode* owner;
};

struct Snapshot {
  std::vector<Range> ranges;  // sorted by start, disjoint
};

std::mutex writerLock;
std::atomic<Snapshot*> current{nullptr};
std::atomic<int> readers{0};

void publish(Snapshot* next) {
  Snapshot* old = current.exchange(next, std::memory_order_acq_rel);
  // A reader that loaded {old} incremented {readers} first; wait it out.
  while (readers.load(std::memory_order_acquire) != 0) std::this_thread::yield();
  delete old;
}

}  // namespace

void add(uintptr_t start, uintptr_t end, const ModuleCode* owner) {
  std::lock_guard guard(writerLock);
  Snapshot* old = current.load(std::memory_order_acquire);
  auto* next = new Snapshot(old ? *old : Snapshot{});
  Range range{start, end, owner};
  auto at = std::lower_bound(next->ranges.begin(), next->ranges.end(), range,
                             [](const Range& a, const Range& b) { return a.start < b.start; });
  next->ranges.insert(at, range);
  publish(next);
}

void remove(uintptr_t start) {
  std::lock_guard guard(writerLock);
  Snapshot* old = current.load(std::memory_order_acquire);
  if (!old) return;
  auto* next = new Snapshot(*old);
  std::erase_if(next->ranges, [&](const Range& r) { return r.start == start; });
  publish(next);
}

const ModuleCode* lookup(uintptr_t pc) {
  readers.fetch_add(1, std::memory_order_acq_rel);
  const ModuleCode* found = nullptr;
  if (Snapshot* snapshot = current.load(std::memory_order_acquire)) {
    const std::vector<Range>& ranges = snapshot->ranges;
    size_t lo = 0, hi = ranges.size();
    while (lo < hi) {  // first range with start > pc
      size_t mid = (lo + hi) / 2;
      if (ranges[mid].start <= pc) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && pc < ranges[lo - 1].end) found = ranges[lo - 1].owner;
  }
  readers.fetch_sub(1, std::memory_order_acq_rel);
  return found;
}

}  // namespace weft::code_registry
