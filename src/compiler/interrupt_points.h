// Where compiled code of both tiers checks the vmctx interrupt flag, so that a
// guest sees Engine/Instance::interrupt within a bounded amount of work, even
// a guest written to resist it. Every loop header checks (but innermost loops
// the optimizing tier bounds to little work, interrupt_checks.h), and so does
// the entry of every function but a short one that calls nothing and has no
// such unchecked loop: that one ends within about its length. A long one
// checks anyway, or a caller could call it a million times between two
// checks; so does one with unchecked loops, for the same reason.
#pragma once

#include <cstdint>

namespace weft {

// The longest body (bytes of bytecode) of a function that may skip the check
// at its entry.
constexpr uint32_t kUncheckedEntryMaxBodyBytes = 256;

constexpr bool needsEntryInterruptCheck(bool callsOut, bool hasUncheckedLoops, uint32_t bodyBytes) {
  return callsOut || hasUncheckedLoops || bodyBytes > kUncheckedEntryMaxBodyBytes;
}

}  // namespace weft
