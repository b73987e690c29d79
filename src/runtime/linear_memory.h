// A linear memory and its strategy (DESIGN 7).
//  guard: 8 GiB of address space reserved up front (any 32-bit index plus
//    32-bit offset lands inside it); pages are made accessible as the memory
//    grows, the base never moves, and an access past the end faults.
//  bounds-checked: only the current size is mapped; growing may move it
//    (except a shared memory, whose maximum is reserved so that it never
//    moves under another thread); compiled code compares against
//    MemoryDefinition::byteLength.
// Compiled code sees the memory only through its MemoryDefinition. The owning
// instance keeps a copy in its vmctx (one load fewer); grow() updates both.
//
// A shared memory is used by many threads at once (wasi-threads): grows are
// serialized, the pages are accessible before the new length is published
// (a release store; C++ readers load it with acquire), so a thread that sees
// the length can use every byte below it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "abi/memory_strategy.h"
#include "format/types.h"
#include "runtime/resource_budget.h"
#include "abi/vmctx_layout.h"
#include "support/error.h"

namespace weft {

class MemoryImage;
class MemoryPool;

class LinearMemory {
 public:
  // Any 32-bit index plus 32-bit offset plus an access of up to 16 bytes lands
  // inside: 2 * (2^32 - 1) + 16 < 8 GiB + one 64 KiB guard.
  static constexpr uint64_t kGuardReservation = (uint64_t{8} << 30) + (uint64_t{64} << 10);

  // A LimitExceeded error when the minimum exceeds {maxPagesAllowed}, the
  // budget refuses its bytes, or the host cannot reserve or commit them.
  // {fixedBase}: a bounds-checked memory reserves its maximum too, so that
  // its base never moves (for code that has the base as a constant).
  // {pool}: where the mapping may come from, and goes when the memory does
  // (runtime/memory_pool.h), unless it cannot be pooled.
  static Result<std::shared_ptr<LinearMemory>> create(const MemoryType& type, MemoryStrategy strategy,
                                                      uint64_t maxPagesAllowed = kMaxMemory32Pages,
                                                      std::shared_ptr<ResourceBudget> budget = nullptr,
                                                      bool fixedBase = false,
                                                      std::shared_ptr<MemoryPool> pool = nullptr);
  ~LinearMemory();
  LinearMemory(const LinearMemory&) = delete;
  LinearMemory& operator=(const LinearMemory&) = delete;

  MemoryStrategy strategy() const { return strategy_; }
  uint8_t* data() const { return definition_.base; }
  uint64_t byteLength() const {
    return std::atomic_ref<uint64_t>(const_cast<uint64_t&>(definition_.byteLength)).load(std::memory_order_acquire);
  }
  uint64_t pages() const { return byteLength() / kPageSize; }
  // The type as it is now, for import matching: min is the current size.
  MemoryType currentType() const;
  // Address space reserved (guard) or mapped (bounds-checked).
  uint64_t reservedBytes() const { return reserved_; }
  // The base stays where it is for the memory's life (it grows in place).
  bool baseNeverMoves() const { return fixedBase_; }
  // It can never grow past its current size.
  bool sizeIsFinal() const { return maxPages_ && *maxPages_ <= pages(); }

  // Returns the old size in pages, or -1 if the memory cannot grow so far (its
  // maximum, the engine's limits, or the host's memory).
  int64_t grow(uint64_t deltaPages);

  MemoryDefinition* definition() { return &definition_; }
  // Maps {image} (runtime/memory_image.h) over the memory's start, before
  // anything else has written to it; false when it does not fit or the
  // mapping fails (the memory is then as it was).
  bool mapImage(const MemoryImage& image);
  // Under the grow lock: a grow on another thread (a shared memory) must not
  // write through a mirror whose instance is going away.
  void setMirror(MemoryDefinition* mirror) {
    std::lock_guard lock(growLock_);
    mirror_ = mirror;
  }

 private:
  LinearMemory() = default;
  MemoryDefinition definition_;
  MemoryDefinition* mirror_ = nullptr;
  std::mutex growLock_;
  std::optional<uint64_t> maxPages_;
  uint64_t pagesAllowed_ = kMaxMemory32Pages;  // the engine's limit
  bool shared_ = false;
  bool fixedBase_ = false;  // guard strategy, or shared: grows in place
  // Its first bytes are a memory image's private mapping: mremap would
  // stretch that mapping past the image's end (SIGBUS there), so the next
  // grow of a moving memory copies it into one anonymous mapping instead.
  bool fromImage_ = false;
  bool imageMapped_ = false;  // some of it maps an image's file: never pooled
  MemoryStrategy strategy_ = MemoryStrategy::Guard;
  uint64_t reserved_ = 0;
  std::shared_ptr<ResourceBudget> budget_;  // committed bytes are taken from it
  std::shared_ptr<MemoryPool> pool_;         // set only for a memory that can be pooled
};

}  // namespace weft
