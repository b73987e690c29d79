// The runtime's builtins: the C++ functions compiled code calls for work too
// large to inline (memory.grow, bulk memory, table operations, traps, atomics'
// wait/notify, the rarer SIMD operators). Listed once, typed, here: the
// compilers take the ids and the signatures from this list, the runtime fills
// the table with functions the compiler checks against the same signatures
// (runtime/helpers.cpp). Code reaches them through the table every vmctx
// header points to (DESIGN 3): no absolute address is ever written into code.
//
// Conventions: a builtin that needs the instance takes the caller's vmctx
// first. One that can fail returns 0 for success or a TrapKind (uint32_t), or
// for 64-bit results kBuiltinTrapBit | TrapKind; the calling code raises the
// trap, a builtin never unwinds through compiled frames. They are called with
// the platform's C convention (System V on x86-64).
#pragma once

#include <cstddef>
#include <cstdint>

namespace weft {

//  V(Id, result type, parameter types...)
#define WEFT_BUILTINS(V)                                                                                      \
  /* (kind, bytecode offset or UINT32_MAX, the trapping frame's fp, its pc); never returns */                \
  V(RaiseTrap, void, uint32_t, uint32_t, uintptr_t, uintptr_t)                                             \
  /* (vmctx, memory, delta pages) -> old pages or -1 */                                                     \
  V(MemoryGrow, uint32_t, void*, uint32_t, uint32_t)                                                        \
  /* (vmctx, memory, dst, value, length) -> trap */                                                         \
  V(MemoryFill, uint32_t, void*, uint32_t, uint32_t, uint32_t, uint32_t)                                    \
  /* (vmctx, dst memory, src memory, dst, src, length) -> trap */                                           \
  V(MemoryCopy, uint32_t, void*, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t)                          \
  /* (vmctx, memory, data segment, dst, src, length) -> trap */                                             \
  V(MemoryInit, uint32_t, void*, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t)                          \
  /* (vmctx, data segment) */                                                                               \
  V(DataDrop, void, void*, uint32_t)                                                                        \
  /* (vmctx, table, init element, delta) -> old length or -1 */                                             \
  V(TableGrow, uint32_t, void*, uint32_t, uintptr_t, uint32_t)                                              \
  /* (vmctx, table, dst, element, length) -> trap */                                                        \
  V(TableFill, uint32_t, void*, uint32_t, uint32_t, uintptr_t, uint32_t)                                    \
  /* (vmctx, dst table, src table, dst, src, length) -> trap */                                             \
  V(TableCopy, uint32_t, void*, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t)                           \
  /* (vmctx, table, element segment, dst, src, length) -> trap */                                           \
  V(TableInit, uint32_t, void*, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t)                           \
  /* (vmctx, element segment) */                                                                            \
  V(ElemDrop, void, void*, uint32_t)                                                                        \
  /* saturating truncations and unsigned 64-bit conversions: pure, no vmctx */                             \
  V(I64TruncSatF32S, uint64_t, float)                                                                       \
  V(I64TruncSatF32U, uint64_t, float)                                                                       \
  V(I64TruncSatF64S, uint64_t, double)                                                                      \
  V(I64TruncSatF64U, uint64_t, double)                                                                      \
  V(I32TruncSatF32S, uint64_t, float)                                                                       \
  V(I32TruncSatF32U, uint64_t, float)                                                                       \
  V(I32TruncSatF64S, uint64_t, double)                                                                      \
  V(I32TruncSatF64U, uint64_t, double)                                                                      \
  V(F32ConvertI64U, float, uint64_t)                                                                        \
  V(F64ConvertI64U, double, uint64_t)                                                                       \
  /* (vmctx, offset, address, count) -> woken, or kBuiltinTrapBit | trap */                                 \
  V(AtomicNotify, uint64_t, void*, uint32_t, uint32_t, uint32_t)                                            \
  /* (vmctx, offset, address, expected, timeout ns, negative: forever) -> 0 ok, 1 not-equal, 2 timed-out */ \
  V(AtomicWait32, uint64_t, void*, uint32_t, uint32_t, uint32_t, int64_t)                                   \
  V(AtomicWait64, uint64_t, void*, uint32_t, uint32_t, uint64_t, int64_t)

enum class BuiltinId : uint32_t {
#define WEFT_BUILTIN_ID(id, ...) id,
  WEFT_BUILTINS(WEFT_BUILTIN_ID)
#undef WEFT_BUILTIN_ID
  Count
};

// builtin::Id is the function-pointer type of builtin Id.
namespace builtin {
#define WEFT_BUILTIN_TYPE(id, result, ...) using id = result (*)(__VA_ARGS__);
WEFT_BUILTINS(WEFT_BUILTIN_TYPE)
#undef WEFT_BUILTIN_TYPE
}  // namespace builtin

constexpr size_t kBuiltinCount = static_cast<size_t>(BuiltinId::Count);
constexpr uint64_t kBuiltinTrapBit = uint64_t{1} << 63;

// Byte offset of a builtin's entry in the table.
constexpr int32_t builtinTableOffset(BuiltinId id) { return static_cast<int32_t>(8 * static_cast<uint32_t>(id)); }

}  // namespace weft
