// Weft's wasm calling convention (DESIGN 8): how every tier's functions, the
// host entry stub and host-function adapters call each other. Defined here
// once; the compilers emit it and the runtime's stubs follow it. It is the
// platform's C convention (System V on x86-64), so LLVM emits and calls it
// as it is, with the vmctx as the first argument:
//
//   results  f(vmctx, [results buffer,] params...)
//
//   vmctx            the first integer argument (rdi)
//   results buffer   only for two or more results: a pointer, the second
//                    integer argument (rsi); results are stored there in
//                    order, 8 bytes each (a v128 16, 16-aligned), and the
//                    function returns nothing
//   params           in order: i32 (zero-extended: a callee of either tier
//                    may use it as a 64-bit value), i64 and references in
//                    the next free integer argument register (rsi, rdx,
//                    rcx, r8, r9), f32,
//                    f64 and v128 in the next free xmm (xmm0-xmm7); the rest
//                    on the stack from [rsp+8] at entry, 8 bytes each (a v128
//                    16, 16-aligned), in order
//   one result       i32, i64 or a reference in rax (an i32 zero-extended),
//                    f32, f64 or v128 in xmm0
//   preserved        rbx, rbp, r12-r15; everything else may be clobbered;
//                    rsp is 16-aligned at every call. A tier may keep its
//                    vmctx in a caller-saved register and reload it from
//                    its frame slot after each call (the baseline does:
//                    saving a callee-saved one would cost every callee a
//                    store and a dependent reload)
//
// Frame (every tier, and the host entry stub): [rbp] the caller's rbp,
// [rbp+8] the return address, [rbp-8] the frame's own vmctx
// (vmctx::kFrameSlot), stored before anything else after rbp is set, so a
// walker finds each frame's instance at any instruction (DESIGN 4).
//
// Calls between functions of a module go through the module's entry table
// (entry_table.h), whose address is in every vmctx header.
#pragma once

#include <cstdint>

#include "format/types.h"

namespace weft {

namespace call_abi {

constexpr uint32_t kIntegerArgRegisters = 5;  // after the vmctx: rsi, rdx, rcx, r8, r9
constexpr uint32_t kFloatArgRegisters = 8;    // xmm0-xmm7

inline bool inFloatRegister(ValType type) {
  return type == ValType::F32 || type == ValType::F64 || type == ValType::V128;
}
inline uint32_t stackBytesOf(ValType type) { return type == ValType::V128 ? 16 : 8; }

enum class Where : uint8_t { IntegerRegister, FloatRegister, Stack };

struct Location {
  Where where = Where::Stack;
  uint8_t index = 0;         // the register's position in its class's list
  uint32_t stackOffset = 0;  // Stack: bytes from the first stack argument
};

// Hands out the places of arguments in order, as the convention says.
class ArgumentAssigner {
 public:
  // {resultsBuffer}: the function returns two or more results, so the buffer
  // pointer takes the first integer register.
  explicit ArgumentAssigner(bool resultsBuffer) : integers_(resultsBuffer ? 1 : 0) {}
  Location next(ValType type) {
    Location at;
    if (inFloatRegister(type) ? floats_ < kFloatArgRegisters : integers_ < kIntegerArgRegisters) {
      at.where = inFloatRegister(type) ? Where::FloatRegister : Where::IntegerRegister;
      at.index = static_cast<uint8_t>(inFloatRegister(type) ? floats_++ : integers_++);
      return at;
    }
    uint32_t size = stackBytesOf(type);
    stack_ = (stack_ + size - 1) / size * size;
    at.stackOffset = stack_;
    stack_ += size;
    return at;
  }
  // The stack arguments' area so far, rounded up to keep rsp 16-aligned.
  uint32_t stackBytes() const { return (stack_ + 15) & ~15u; }

 private:
  uint32_t integers_;
  uint32_t floats_ = 0;
  uint32_t stack_ = 0;
};

// Offsets of results in the results buffer, in order.
class ResultAssigner {
 public:
  uint32_t next(ValType type) {
    uint32_t size = stackBytesOf(type);
    offset_ = (offset_ + size - 1) / size * size;
    uint32_t at = offset_;
    offset_ += size;
    return at;
  }
  uint32_t bufferBytes() const { return (offset_ + 15) & ~15u; }

 private:
  uint32_t offset_ = 0;
};

inline bool usesResultsBuffer(const FuncType& type) { return type.results.size() > 1; }

}  // namespace call_abi

// The embedding API's argument/result slots (call(), callUnchecked(), host
// callbacks): 8 bytes per value, a v128 takes two.
inline uint32_t argumentSlotUnits(ValType type) { return type == ValType::V128 ? 2 : 1; }

}  // namespace weft
