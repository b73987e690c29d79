// memory.atomic.wait32 / wait64 / notify (threads proposal): a process-wide
// parking lot keyed by the host address of the awaited cell, so waiters and
// notifiers in different instances sharing one memory find each other.
// Helpers return their i32 result, or kBuiltinTrapBit | TrapKind.
#pragma once

#include <cstdint>

#include "abi/builtins.h"

namespace weft {

// Every thread in a memory.atomic.wait whose instance's interrupt flag is
// set (runtime/interruption.h) stops waiting, and its wait traps
// "interrupted": a guest waiting with no timeout (or an enormous one) is no
// way around Engine/Instance::interrupt. The host calls it after setting
// flags; a wait that parks after this looks at its flag itself.
void wakeInterruptedWaiters();

uint64_t atomicNotify(void* vmctx, uint32_t offset, uint32_t address, uint32_t count);
uint64_t atomicWait32(void* vmctx, uint32_t offset, uint32_t address, uint32_t expected, int64_t timeoutNs);
uint64_t atomicWait64(void* vmctx, uint32_t offset, uint32_t address, uint64_t expected, int64_t timeoutNs);

}  // namespace weft
