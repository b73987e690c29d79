// Where the baseline compiler keeps each operand-stack value: in a register,
// as a constant not yet materialized, or in its canonical frame slot (one
// 8-byte slot per stack depth). Values move to slots only when they must:
// when registers run out (the bottom-most register value goes), at control-flow
// merges and at calls (everything goes). This is the "not a push/pop stack
// machine" part of the baseline tier.
//
// Register use: operands get rbx, rsi, rdi, r8-r10, r12, r15 and
// xmm1-xmm14. rax, rcx, rdx, r11, xmm0 and xmm15 are the emitter's scratch;
// r13 caches memory 0's base; r14 holds the vmctx; rbp and rsp the frame.
//
// i32 values in registers are always zero-extended to 64 bits; f32 and f64
// values use the low lane of an xmm register, v128 values all of one. Slots are
// 16 bytes (a v128 fits); an i32 or f32 uses the low 4, other scalars 8.
#pragma once

#include <asmjit/x86.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "format/types.h"

namespace weft {

enum class Loc : uint8_t { Slot, Gpr, Xmm, Const };

struct Val {
  ValType type = ValType::I32;
  Loc loc = Loc::Slot;
  uint8_t reg = 0;
  uint32_t depth = 0;  // set by pop(): the slot a Slot value still lives in
  uint64_t bits = 0;   // Const: the value's bits (i32/f32 zero-extended; v128 low half)
  uint64_t bitsHigh = 0;  // Const v128: the high half
};

inline bool inXmm(ValType t) { return t == ValType::F32 || t == ValType::F64 || t == ValType::V128; }

class ValueStack {
 public:
  explicit ValueStack(asmjit::x86::Assembler& a) : a_(a) {}

  static constexpr uint32_t kAllocatableGprs = (1u << 3) | (1u << 6) | (1u << 7) | (1u << 8) | (1u << 9) |
                                               (1u << 10) | (1u << 12) | (1u << 15);
  static constexpr uint32_t kAllocatableXmms = 0x7ffe;  // xmm1..xmm14

  void setSlotBase(int32_t offset) { slotBase_ = offset; }
  int32_t slotBase() const { return slotBase_; }
  uint32_t size() const { return static_cast<uint32_t>(stack_.size()); }
  uint32_t maxDepth() const { return maxDepth_; }
  static constexpr int32_t kSlotSize = 16;
  asmjit::x86::Mem slotMem(uint32_t depth) const {
    return asmjit::x86::qword_ptr(asmjit::x86::rbp, slotBase_ - kSlotSize * static_cast<int32_t>(depth));
  }
  asmjit::x86::Mem slotMem128(uint32_t depth) const {
    return asmjit::x86::xmmword_ptr(asmjit::x86::rbp, slotBase_ - kSlotSize * static_cast<int32_t>(depth));
  }
  // Copies a whole slot (16 bytes) through xmm0.
  void copySlot(uint32_t from, uint32_t to) {
    if (from == to) return;
    a_.movups(asmjit::x86::xmm0, slotMem128(from));
    a_.movups(slotMem128(to), asmjit::x86::xmm0);
  }

  // ---- registers ----
  // Caller-saved registers first: a function that never needs rbx, r12 or
  // r15 need not save them (the convention preserves them for its caller).
  static constexpr uint32_t kCallerSavedGprs = (1u << 6) | (1u << 7) | (1u << 8) | (1u << 9) | (1u << 10);
  asmjit::x86::Gp allocGpr() {
    if ((gprFree_ & kAllocatableGprs) == 0) spillOne(Loc::Gpr);
    uint32_t free = gprFree_ & kAllocatableGprs;
    uint32_t id = static_cast<uint32_t>(std::countr_zero((free & kCallerSavedGprs) ? free & kCallerSavedGprs : free));
    gprFree_ &= ~(1u << id);
    gprsUsed_ |= 1u << id;
    return asmjit::x86::gpq(id);
  }
  // Every general-purpose register handed out so far.
  uint32_t gprsUsed() const { return gprsUsed_; }
  asmjit::x86::Xmm allocXmm() {
    if ((xmmFree_ & kAllocatableXmms) == 0) spillOne(Loc::Xmm);
    uint32_t id = static_cast<uint32_t>(std::countr_zero(xmmFree_ & kAllocatableXmms));
    xmmFree_ &= ~(1u << id);
    return asmjit::x86::xmm(id);
  }
  void release(const asmjit::x86::Gp& reg) { gprFree_ |= 1u << reg.id(); }
  void release(const asmjit::x86::Xmm& reg) { xmmFree_ |= 1u << reg.id(); }

  // ---- pushing ----
  void pushGpr(ValType type, const asmjit::x86::Gp& reg) { push({type, Loc::Gpr, static_cast<uint8_t>(reg.id())}); }
  void pushXmm(ValType type, const asmjit::x86::Xmm& reg) { push({type, Loc::Xmm, static_cast<uint8_t>(reg.id())}); }
  void pushConst(ValType type, uint64_t bits, uint64_t bitsHigh = 0) {
    Val v{type, Loc::Const};
    v.bits = bits;
    v.bitsHigh = bitsHigh;
    push(v);
  }
  // A value that the emitter already stored in the slot of the new depth.
  void pushSlot(ValType type) { push({type, Loc::Slot}); }
  void pushSlotCopyOf(uint32_t depth) { push({stack_[depth].type, Loc::Slot}); }
  // Loads from memory into a fresh register.
  void pushLoaded(ValType type, asmjit::x86::Mem source) {
    if (inXmm(type)) {
      asmjit::x86::Xmm x = allocXmm();
      loadXmm(x, type, source);
      pushXmm(type, x);
    } else {
      asmjit::x86::Gp r = allocGpr();
      loadGpr(r, type, source);
      pushGpr(type, r);
    }
  }

  // ---- popping: the caller owns the register it gets ----
  Val pop() {
    Val v = stack_.back();
    v.depth = size() - 1;
    stack_.pop_back();
    return v;
  }
  asmjit::x86::Gp popToGpr() { return toGpr(pop()); }
  asmjit::x86::Xmm popToXmm() { return toXmm(pop()); }

  asmjit::x86::Gp toGpr(const Val& v) {
    if (v.loc == Loc::Gpr) return asmjit::x86::gpq(v.reg);
    asmjit::x86::Gp r = allocGpr();
    if (v.loc == Loc::Const) {
      if (is64Type(v.type)) a_.mov(r, v.bits);
      else a_.mov(r.r32(), static_cast<uint32_t>(v.bits));
    } else {
      loadGpr(r, v.type, slotMem(v.depth));
    }
    return r;
  }
  asmjit::x86::Xmm toXmm(const Val& v) {
    if (v.loc == Loc::Xmm) return asmjit::x86::xmm(v.reg);
    asmjit::x86::Xmm x = allocXmm();
    if (v.loc == Loc::Const) materializeXmm(x, v);
    else loadXmm(x, v.type, slotMem(v.depth));
    return x;
  }
  // A constant float or vector into {x} (through rax).
  void materializeXmm(const asmjit::x86::Xmm& x, const Val& v) {
    if (v.bits == 0 && v.bitsHigh == 0) {
      a_.xorps(x, x);
    } else if (v.type == ValType::V128) {
      a_.mov(asmjit::x86::rax, v.bits);
      a_.movq(x, asmjit::x86::rax);
      a_.mov(asmjit::x86::rax, v.bitsHigh);
      a_.pinsrq(x, asmjit::x86::rax, 1);
    } else if (v.type == ValType::F32) {
      a_.mov(asmjit::x86::eax, static_cast<uint32_t>(v.bits));
      a_.movd(x, asmjit::x86::eax);
    } else {
      a_.mov(asmjit::x86::rax, v.bits);
      a_.movq(x, asmjit::x86::rax);
    }
  }
  // The value at {depth}, where it is.
  const Val& at(uint32_t depth) const { return stack_[depth]; }
  void loadXmm(const asmjit::x86::Xmm& x, ValType type, asmjit::x86::Mem source) {
    if (type == ValType::F32) {
      source.setSize(4);
      a_.movss(x, source);
    } else if (type == ValType::F64) {
      source.setSize(8);
      a_.movsd(x, source);
    } else {
      source.setSize(16);
      a_.movdqu(x, source);
    }
  }

  // Drops values above {height}, freeing their registers.
  void truncate(uint32_t height) {
    while (stack_.size() > height) {
      releaseVal(stack_.back());
      stack_.pop_back();
    }
  }

  // Stores the value at {depth} to {dest} (16 bytes for v128, 8 for other
  // 64-bit values, 4 for i32/f32); the value keeps its location. May use rax
  // and xmm0.
  void storeTo(uint32_t depth, asmjit::x86::Mem dest) {
    const Val& v = stack_[depth];
    bool wide = is64Type(v.type);
    dest.setSize(v.type == ValType::V128 ? 16 : wide ? 8 : 4);
    switch (v.loc) {
      case Loc::Gpr:
        a_.mov(dest, wide ? asmjit::x86::Gp(asmjit::x86::gpq(v.reg)) : asmjit::x86::Gp(asmjit::x86::gpd(v.reg)));
        break;
      case Loc::Xmm:
        if (v.type == ValType::F32) a_.movss(dest, asmjit::x86::xmm(v.reg));
        else if (v.type == ValType::F64) a_.movsd(dest, asmjit::x86::xmm(v.reg));
        else a_.movdqu(dest, asmjit::x86::xmm(v.reg));
        break;
      case Loc::Const:
        if (v.type == ValType::V128) {
          dest.setSize(8);
          storeConst64(dest, v.bits);
          asmjit::x86::Mem high = dest;
          high.addOffset(8);
          storeConst64(high, v.bitsHigh);
        } else if (!wide) {
          a_.mov(dest, static_cast<int32_t>(static_cast<uint32_t>(v.bits)));
        } else {
          storeConst64(dest, v.bits);
        }
        break;
      case Loc::Slot:
        if (v.type == ValType::V128) {
          a_.movups(asmjit::x86::xmm0, slotMem128(depth));
          a_.movups(dest, asmjit::x86::xmm0);
        } else {
          dest.setSize(8);
          a_.mov(asmjit::x86::rax, slotMem(depth));
          a_.mov(dest, asmjit::x86::rax);
        }
        break;
    }
  }

  // Every value to its slot: the state at every merge point and call.
  void spillAll() {
    for (uint32_t d = 0; d < stack_.size(); ++d)
      if (stack_[d].loc != Loc::Slot) spill(d);
  }

 private:
  static bool is64Type(ValType t) { return t != ValType::I32 && t != ValType::F32; }
  void storeConst64(const asmjit::x86::Mem& dest, uint64_t bits) {
    if (static_cast<int64_t>(bits) >= INT32_MIN && static_cast<int64_t>(bits) <= INT32_MAX) {
      a_.mov(dest, static_cast<int64_t>(bits));
    } else {
      a_.mov(asmjit::x86::rax, bits);
      a_.mov(dest, asmjit::x86::rax);
    }
  }

  void push(Val v) {
    stack_.push_back(v);
    maxDepth_ = std::max(maxDepth_, size());
  }
  void loadGpr(const asmjit::x86::Gp& r, ValType type, asmjit::x86::Mem source) {
    if (is64Type(type)) {
      source.setSize(8);
      a_.mov(r.r64(), source);
    } else {
      source.setSize(4);
      a_.mov(r.r32(), source);
    }
  }
  void releaseVal(const Val& v) {
    if (v.loc == Loc::Gpr) gprFree_ |= 1u << v.reg;
    if (v.loc == Loc::Xmm) xmmFree_ |= 1u << v.reg;
  }
  void spill(uint32_t depth) {
    storeTo(depth, slotMem(depth));
    releaseVal(stack_[depth]);
    stack_[depth].loc = Loc::Slot;
  }
  void spillOne(Loc kind) {
    for (uint32_t d = 0; d < stack_.size(); ++d)
      if (stack_[d].loc == kind) {
        spill(d);
        return;
      }
  }

  asmjit::x86::Assembler& a_;
  std::vector<Val> stack_;
  uint32_t gprFree_ = kAllocatableGprs;
  uint32_t gprsUsed_ = 0;
  uint32_t xmmFree_ = kAllocatableXmms;
  uint32_t maxDepth_ = 0;
  int32_t slotBase_ = 0;
};

}  // namespace weft
