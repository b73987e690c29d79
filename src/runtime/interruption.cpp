#include "runtime/interruption.h"

#include <atomic>
#include <cstdint>

#include "abi/vmctx_layout.h"

namespace weft::interruption {

std::atomic<uint32_t> detail::gFlagsSet{0};
using detail::gFlagsSet;

namespace {

// Compiled code reads the flag with plain loads; the host's side is atomic.
std::atomic_ref<uint32_t> flagOf(void* vmctx) { return std::atomic_ref<uint32_t>(static_cast<VmctxHeader*>(vmctx)->interruptFlag); }

}  // namespace

bool set(void* vmctx) {
  if (flagOf(vmctx).exchange(1) != 0) return false;
  gFlagsSet.fetch_add(1);
  return true;
}

bool clear(void* vmctx) {
  if (flagOf(vmctx).exchange(0) == 0) return false;
  gFlagsSet.fetch_sub(1);
  return true;
}

bool isSet(const void* vmctx) { return flagOf(const_cast<void*>(vmctx)).load(std::memory_order_relaxed) != 0; }

}  // namespace weft::interruption
