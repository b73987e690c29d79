// Interruption (epoch style): how a host stops a guest that runs too long.
// The flag lives in each instance's vmctx (VmctxHeader::interruptFlag), which
// compiled code of both tiers compares at every loop header and at the entry
// of every function that calls (every cycle of the code or of calls passes
// one; a function that does neither ends in a time bounded by its length); a
// set flag makes the guest trap "interrupted" there, with its backtrace.
// Host functions see it when they return (hostDispatch), through a
// process-wide count of set flags, so a host call pays one load when nothing
// is interrupted. Thread-safe: the host sets flags from any thread.
#pragma once

#include <atomic>
#include <cstdint>

namespace weft::interruption {

namespace detail {
// How many vmctx flags are set, process-wide. Only set() and clear() write it.
extern std::atomic<uint32_t> gFlagsSet;
}  // namespace detail

// Each returns whether the flag changed.
bool set(void* vmctx);
bool clear(void* vmctx);
bool isSet(const void* vmctx);
// Some vmctx in the process has its flag set. Inline: every host call asks.
inline bool anySet() { return detail::gFlagsSet.load(std::memory_order_relaxed) != 0; }

}  // namespace weft::interruption
