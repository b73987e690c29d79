// Runtime helpers: the C++ functions compiled code calls for work too large to
// inline (memory.grow, bulk memory, table operations, traps). Code reaches them
// through the helper table that every vmctx points to (DESIGN 3): no absolute
// address is ever written into code, so code stays position-independent.
//
// Every helper takes the caller's vmctx first. Helpers that can fail return 0
// for success or a TrapKind, and the code that called them raises the trap:
// a helper never unwinds through its own C++ frame.
#pragma once

#include <cstdint>

namespace weft {

enum class HelperId : uint32_t {
  RaiseTrap,      // (TrapKind kind, uint32_t bytecodeOffset, uintptr_t fp, uintptr_t pc) noreturn
  MemoryGrow,     // (vmctx, uint32_t memory, uint32_t deltaPages) -> old pages or -1
  MemoryFill,     // (vmctx, uint32_t memory, uint32_t dst, uint32_t value, uint32_t length) -> trap
  MemoryCopy,     // (vmctx, uint32_t dstMemory, uint32_t srcMemory, uint32_t dst, uint32_t src, uint32_t length) -> trap
  MemoryInit,     // (vmctx, uint32_t memory, uint32_t segment, uint32_t dst, uint32_t src, uint32_t length) -> trap
  DataDrop,       // (vmctx, uint32_t segment)
  TableGrow,      // (vmctx, uint32_t table, uintptr_t init, uint32_t delta) -> old length or -1
  TableFill,      // (vmctx, uint32_t table, uint32_t dst, uintptr_t value, uint32_t length) -> trap
  TableCopy,      // (vmctx, uint32_t dstTable, uint32_t srcTable, uint32_t dst, uint32_t src, uint32_t length) -> trap
  TableInit,      // (vmctx, uint32_t table, uint32_t segment, uint32_t dst, uint32_t src, uint32_t length) -> trap
  ElemDrop,       // (vmctx, uint32_t segment)
  I64TruncSatF32S, I64TruncSatF32U, I64TruncSatF64S, I64TruncSatF64U,  // (float|double) -> uint64_t
  I32TruncSatF32S, I32TruncSatF32U, I32TruncSatF64S, I32TruncSatF64U,  // (float|double) -> uint32_t
  F32ConvertI64U, F64ConvertI64U,                                      // (uint64_t) -> float|double
  SimdOperation,  // (opcode, lane, out, a, b, c): runtime/simd_helpers.h
  AtomicNotify, AtomicWait32, AtomicWait64,  // runtime/atomic_wait.h
  Count,
};

// The table every vmctx's header points to.
const void* const* helperTable();

}  // namespace weft
