// Where the baseline compiler keeps each operand-stack value: in a register,
// as a constant not yet materialized, or in its canonical frame slot (one
// slot per stack depth). Values move to slots only when they must: when
// registers run out (the bottom-most register value goes), at control-flow
// merges and at calls (everything goes). This is the "not a push/pop stack
// machine" part of the baseline tier.
//
// Arch-neutral: which registers operands may use, and the instructions that
// move values, come from the MacroAssembler. i32 values in registers are
// always zero-extended to 64 bits; f32 and f64 values use the low lane of a
// floating-point register, v128 values all of one. Slots are
// MacroAssembler::kSlotBytes (a v128 fits); an i32 or f32 uses the low 4
// bytes, other scalars 8.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "compiler/baseline/macro_assembler.h"
#include "compiler/baseline/masm_types.h"
#include "format/types.h"

namespace weft {

enum class Loc : uint8_t { Slot, Gpr, Fpr, Const };

struct Val {
  ValType type = ValType::I32;
  Loc loc = Loc::Slot;
  uint8_t reg = 0;
  uint32_t depth = 0;  // set by pop(): the slot a Slot value still lives in
  uint64_t bits = 0;   // Const: the value's bits (i32/f32 zero-extended; v128 low half)
  uint64_t bitsHigh = 0;  // Const v128: the high half
};

inline bool inFpr(ValType t) { return t == ValType::F32 || t == ValType::F64 || t == ValType::V128; }

class ValueStack {
 public:
  explicit ValueStack(MacroAssembler& masm) : masm_(masm) {}

  static constexpr int32_t kSlotSize = MacroAssembler::kSlotBytes;

  void setSlotBase(int32_t offset) { slotBase_ = offset; }
  int32_t slotBase() const { return slotBase_; }
  uint32_t size() const { return static_cast<uint32_t>(stack_.size()); }
  uint32_t maxDepth() const { return maxDepth_; }
  Address slot(uint32_t depth) const {
    return {MacroAssembler::kFramePointer, slotBase_ - kSlotSize * static_cast<int32_t>(depth)};
  }
  // Copies a whole slot.
  void copySlot(uint32_t from, uint32_t to) {
    if (from != to) masm_.copySlot(slot(from), slot(to));
  }

  // ---- registers ----
  GpReg allocGpr() {
    constexpr uint32_t kAllocatable = MacroAssembler::kAllocatableGprs;
    constexpr uint32_t kCallerSaved = MacroAssembler::kCallerSavedGprs;
    if ((gprFree_ & kAllocatable) == 0) spillOne(Loc::Gpr);
    uint32_t free = gprFree_ & kAllocatable;
    uint32_t id = static_cast<uint32_t>(std::countr_zero((free & kCallerSaved) ? free & kCallerSaved : free));
    gprFree_ &= ~(1u << id);
    gprsUsed_ |= 1u << id;
    return GpReg{static_cast<uint8_t>(id)};
  }
  // Every general-purpose register handed out so far.
  uint32_t gprsUsed() const { return gprsUsed_; }
  FpReg allocFpr() {
    if ((fprFree_ & MacroAssembler::kAllocatableFprs) == 0) spillOne(Loc::Fpr);
    uint32_t id = static_cast<uint32_t>(std::countr_zero(fprFree_ & MacroAssembler::kAllocatableFprs));
    fprFree_ &= ~(1u << id);
    return FpReg{static_cast<uint8_t>(id)};
  }
  void release(GpReg reg) { gprFree_ |= 1u << reg.code; }
  void release(FpReg reg) { fprFree_ |= 1u << reg.code; }

  // ---- pushing ----
  void pushGpr(ValType type, GpReg reg) { push({type, Loc::Gpr, reg.code}); }
  void pushFpr(ValType type, FpReg reg) { push({type, Loc::Fpr, reg.code}); }
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
  void pushLoaded(ValType type, Address source) {
    if (inFpr(type)) {
      FpReg x = allocFpr();
      masm_.loadFpr(x, type, masm_.operand(source));
      pushFpr(type, x);
    } else {
      GpReg r = allocGpr();
      masm_.loadGpr(r, type, masm_.operand(source));
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
  GpReg popToGpr() { return toGpr(pop()); }
  FpReg popToFpr() { return toFpr(pop()); }

  GpReg toGpr(const Val& v) {
    if (v.loc == Loc::Gpr) return GpReg{v.reg};
    GpReg r = allocGpr();
    if (v.loc == Loc::Const) masm_.loadConstant(r, v.type, v.bits);
    else masm_.loadGpr(r, v.type, masm_.operand(slot(v.depth)));
    return r;
  }
  FpReg toFpr(const Val& v) {
    if (v.loc == Loc::Fpr) return FpReg{v.reg};
    FpReg x = allocFpr();
    if (v.loc == Loc::Const) masm_.loadConstant(x, v.type, v.bits, v.bitsHigh);
    else masm_.loadFpr(x, v.type, masm_.operand(slot(v.depth)));
    return x;
  }
  // The value at {depth}, where it is.
  const Val& at(uint32_t depth) const { return stack_[depth]; }

  // Drops values above {height}, freeing their registers.
  void truncate(uint32_t height) {
    while (stack_.size() > height) {
      releaseVal(stack_.back());
      stack_.pop_back();
    }
  }

  // Stores the value at {depth} to {dest} (16 bytes for v128, 8 for other
  // 64-bit values, 4 for i32/f32); the value keeps its location. May use the
  // macro-assembler's scratch registers.
  void storeTo(uint32_t depth, Address dest) {
    const Val& v = stack_[depth];
    MacroAssembler::MemOperand to = masm_.operand(dest);
    switch (v.loc) {
      case Loc::Gpr: masm_.storeGpr(to, GpReg{v.reg}, v.type); break;
      case Loc::Fpr: masm_.storeFpr(to, FpReg{v.reg}, v.type); break;
      case Loc::Const: masm_.storeConstant(to, v.type, v.bits, v.bitsHigh); break;
      case Loc::Slot: masm_.copySlotValue(to, slot(depth), v.type); break;
    }
  }

  // Every value to its slot: the state at every merge point and call.
  void spillAll() {
    for (uint32_t d = 0; d < stack_.size(); ++d)
      if (stack_[d].loc != Loc::Slot) spill(d);
  }

 private:
  void push(Val v) {
    stack_.push_back(v);
    maxDepth_ = std::max(maxDepth_, size());
  }
  void releaseVal(const Val& v) {
    if (v.loc == Loc::Gpr) gprFree_ |= 1u << v.reg;
    if (v.loc == Loc::Fpr) fprFree_ |= 1u << v.reg;
  }
  void spill(uint32_t depth) {
    storeTo(depth, slot(depth));
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

  MacroAssembler& masm_;
  std::vector<Val> stack_;
  uint32_t gprFree_ = MacroAssembler::kAllocatableGprs;
  uint32_t gprsUsed_ = 0;
  uint32_t fprFree_ = MacroAssembler::kAllocatableFprs;
  uint32_t maxDepth_ = 0;
  int32_t slotBase_ = 0;
};

}  // namespace weft
