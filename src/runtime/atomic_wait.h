// memory.atomic.wait32 / wait64 / notify (threads proposal): a process-wide
// parking lot keyed by the host address of the awaited cell, so waiters and
// notifiers in different instances sharing one memory find each other.
// Helpers return their i32 result, or kBuiltinTrapBit | TrapKind.
#pragma once

#include <cstdint>

#include "abi/builtins.h"

namespace weft {

uint64_t atomicNotify(void* vmctx, uint32_t offset, uint32_t address, uint32_t count);
uint64_t atomicWait32(void* vmctx, uint32_t offset, uint32_t address, uint32_t expected, int64_t timeoutNs);
uint64_t atomicWait64(void* vmctx, uint32_t offset, uint32_t address, uint64_t expected, int64_t timeoutNs);

}  // namespace weft
