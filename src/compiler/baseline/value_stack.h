// Where the baseline compiler keeps each operand-stack value: in a register,
// as a constant not yet materialized, or in its canonical frame slot (one
// slot per stack depth). Values move to slots only when they must: when
// registers run out (the bottom-most register value goes), at control-flow
// merges and at calls (everything below a call's arguments goes; the
// arguments move straight to where the convention wants them). This is the
// "not a push/pop stack machine" part of the baseline tier.
//
// Locals live in their frame slots, and a local that was read or written
// stays cached in a register until the register is needed or a call
// clobbers it. Reading a cached local copies nothing: the operand value
// shares the local's register. Every register counts its users (a cached
// local, operand values); an operator that overwrites an operand gets a
// register no one else uses (a copy, if the value was shared), one that only
// reads it may take it shared (the *Shared pops); writing a local whose
// register operand values still share moves the local to another register,
// so the values keep the old one. A cached local may be dirty (its slot is stale): every branch
// writes dirty locals back first, so at every label each local's slot holds
// its value, but for the innermost loop's (below), which every edge to a
// label inside the loop brings in their loop registers, dirty or not. The end of a block that several edges reach keeps cached the
// locals every edge has cached in the same register. A loop header keeps
// the locals the loop uses most (a look-ahead over its body says which,
// loop_scan.h) in registers, its LoopHome: those already cached stay where
// they are, the others are loaded as the loop is entered, and caller-saved
// registers are traded for callee-saved ones then, so calls in the loop do
// not evict them. A branch back to it moves the locals there, so a loop's
// locals stay in registers from one iteration to the next.
//
// Arch-neutral: which registers operands may use, and the instructions that
// move values, come from the MacroAssembler. i32 values in registers are
// always zero-extended to 64 bits; f32 and f64 values use the low lane of a
// floating-point register, v128 values all of one. Slots are
// MacroAssembler::kSlotBytes (a v128 fits); an i32 or f32 uses the low 4
// bytes, other scalars 8.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cstdlib>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "compiler/baseline/loop_scan.h"
#include "compiler/baseline/macro_assembler.h"
#include "compiler/baseline/masm_types.h"
#include "compiler/baseline/parallel_move.h"
#include "format/types.h"
#include "support/bounded_vector.h"

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

// f32, f64 and v128 (0x7d, 0x7c, 0x7b) as one unsigned compare, so that a
// caller indexing by it need not branch.
inline bool inFpr(ValType t) {
  static_assert(uint8_t(ValType::F32) == 0x7d && uint8_t(ValType::F64) == 0x7c && uint8_t(ValType::V128) == 0x7b);
  return static_cast<uint8_t>(static_cast<uint8_t>(t) - 0x7b) < 3;
}

// An integer constant as the imm32 of an instruction of its width: a 32-bit
// operation takes any i32 (it reads the low 32 bits, which a constant's
// zero-extended bits are), a 64-bit one sign-extends its imm32, so takes
// only values in int32's range.
inline std::optional<int32_t> immediateOf(const Val& v, bool wide) {
  if (v.loc != Loc::Const) return std::nullopt;
  auto value = static_cast<int64_t>(v.bits);
  if (!wide) return static_cast<int32_t>(static_cast<uint32_t>(v.bits));
  if (value < INT32_MIN || value > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(value);
}

// Where a local is cached: {reg} holds its value when {cached}; {dirty}: the
// slot does not (yet).
struct CachedLocal {
  bool cached = false;
  bool dirty = false;
  uint8_t reg = 0;
  uint32_t lastUse = 0;
};
// At most one cached local per register that operands may use.
inline constexpr uint32_t kMaxCachedLocals =
    std::popcount(MacroAssembler::kAllocatableGprs) + std::popcount(MacroAssembler::kAllocatableFprs);
// The registers a loop header expects its locals in.
struct LocalHome {
  uint32_t local;
  uint8_t reg;
};
using LoopHome = BoundedVector<LocalHome, kMaxCachedLocals>;
// One cached local at one point of the code: which local, and its state.
struct SavedLocal {
  uint32_t local;
  CachedLocal state;
};
using LocalsSnapshot = BoundedVector<SavedLocal, kMaxCachedLocals>;

class ValueStack {
  using CachedLocalList = BoundedVector<uint32_t, kMaxCachedLocals>;

 public:
  // The stack's and the locals' lists, kept by the compiling thread from
  // function to function (emptied, their memory kept).
  struct Storage {
    std::vector<Val> stack;
    std::vector<ValType> localTypes;
    std::vector<Address> localHomes;
    std::vector<CachedLocal> locals;
  };
  ValueStack(MacroAssembler& masm, Storage& storage)
      : masm_(masm),
        stack_(storage.stack),
        localTypes_(storage.localTypes),
        localHomes_(storage.localHomes),
        locals_(storage.locals) {
    stack_.clear();
  }

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
  GpReg allocGpr();
  // Every general-purpose register handed out so far.
  uint32_t gprsUsed() const { return used_[0]; }
  FpReg allocFpr();
  // A use of {reg}, which nothing uses: where the edges to a merge left a value.
  GpReg claim(GpReg reg) {
    assert(uses_[0][reg.code] == 0);
    addUse(reg.code, false);
    return reg;
  }
  FpReg claim(FpReg reg) {
    assert(uses_[1][reg.code] == 0);
    addUse(reg.code, true);
    return reg;
  }
  // Gives up the caller's use of a register it got from a pop or an alloc.
  void release(GpReg reg) { dropUse(reg.code, false); }
  void release(FpReg reg) { dropUse(reg.code, true); }

  // ---- pushing ----
  void pushGpr(ValType type, GpReg reg) { push(type, Loc::Gpr, reg.code); }
  void pushFpr(ValType type, FpReg reg) { push(type, Loc::Fpr, reg.code); }
  void pushConst(ValType type, uint64_t bits, uint64_t bitsHigh = 0) {
    Val& v = push(type, Loc::Const, 0);
    v.bits = bits;
    v.bitsHigh = bitsHigh;
  }
  // A value that the emitter already stored in the slot of the new depth.
  void pushSlot(ValType type) { push(type, Loc::Slot, 0); }
  void pushSlotCopyOf(uint32_t depth) { push(stack_[depth].type, Loc::Slot, 0); }
  // Loads from memory into a fresh register.
  void pushLoaded(ValType type, Address source);
  // A fresh register of {type}'s kind, loaded from {source}; its code.
  uint8_t loadIntoNewRegister(ValType type, Address source);

  // ---- popping: the caller holds a use of the register it gets, and
  // releases it when done. toGpr and toFpr (and the pops to a register)
  // give a register no one else uses, to overwrite; the *Shared ones may
  // give one a local or another value also uses, only to read.
  Val pop() {
    Val v = stack_.back();
    v.depth = size() - 1;
    stack_.pop_back();
    return v;
  }
  GpReg popToGpr() { return toGpr(pop()); }
  FpReg popToFpr() { return toFpr(pop()); }

  GpReg toGpr(const Val& v);
  FpReg toFpr(const Val& v);
  GpReg toGprShared(const Val& v) { return v.loc == Loc::Gpr ? GpReg{v.reg} : toGpr(v); }
  FpReg toFprShared(const Val& v) { return v.loc == Loc::Fpr ? FpReg{v.reg} : toFpr(v); }
  GpReg popToGprShared() { return toGprShared(pop()); }
  // Whether the value at {depth} is in a register that something else (a
  // local, another value) also uses.
  bool isShared(uint32_t depth) const {
    const Val& v = stack_[depth];
    if (v.loc == Loc::Gpr) return uses_[0][v.reg] > 1;
    if (v.loc == Loc::Fpr) return uses_[1][v.reg] > 1;
    return false;
  }
  // The value at {depth}, where it is.
  const Val& at(uint32_t depth) const { return stack_[depth]; }

  // Drops values above {height}, freeing their registers.
  void truncate(uint32_t height);

  // Stores the value at {depth} to {dest} (16 bytes for v128, 8 for other
  // 64-bit values, 4 for i32/f32); the value keeps its location. May use the
  // macro-assembler's scratch registers.
  void storeTo(uint32_t depth, Address dest);

  // Every value to its slot: the state at every merge point and call.
  void spillAll();
  // Every value but the top {keep} to its slot.
  void spillAllBut(uint32_t keep);
  // The top value to its slot.
  void spillTop() {
    if (stack_.back().loc != Loc::Slot) spill(size() - 1);
  }
  // For a block's result on an edge to its end (after the edge's flush): a
  // register of the kind, not in {avoid}, that is free or holds only a clean
  // local (which evictLocalIn then drops); -1 when there is none.
  int32_t pickMergeRegister(bool fpr, uint32_t avoid) const;
  // {reg} holds no local afterwards: one cached there is dropped. At an
  // edge, after the flush, such a local is clean.
  void evictLocalIn(uint8_t reg, bool fpr);
  // The registers of {home}'s locals, of the kind.
  uint32_t homeRegisters(const LoopHome& home, bool fpr) const;
  // Before a call: every value to its slot, and every local cached in a
  // register the call clobbers back to its slot. Values from {keep} up (a
  // wasm call's arguments) stay where they are: the call sequence moves them
  // straight to where the convention wants them.
  void spillAllForCall() { spillForCall(size()); }
  void spillForCall(uint32_t keep);

  // ---- locals ----
  // The function's locals, each at {home(i)} in the frame.
  template <typename HomeOf>
  void setLocals(std::span<const ValType> types, HomeOf home) {
    localTypes_.assign(types.begin(), types.end());
    localHomes_.resize(types.size());
    for (uint32_t i = 0; i < types.size(); ++i) localHomes_[i] = home(i);
    locals_.assign(types.size(), CachedLocal{});
    cachedLocals_.clear();
    dirtyLocals_ = 0;
  }
  // Parameter {index} arrived in {reg} and was stored to its slot: it stays
  // cached there.
  void adoptParameter(uint32_t index, uint8_t reg);
  // local.get: the value shares the local's register when the local is
  // cached; else it loads into a register of its own.
  void pushLocal(uint32_t index);
  // local.set and local.tee: the top value becomes the local's, in the
  // register the local is cached in (or, popped from a register, in that
  // register).
  void setLocal(uint32_t index, bool tee);
  // Before an operator that overwrites the value at {depth} with its result,
  // which local {index} is written with next: when the value shares only that
  // local's register, the local gives the register up, unstored (its old
  // value is dead), so that the operator works in it and the write after
  // moves nothing. Returns whether it did.
  bool yieldLocalRegister(uint32_t depth, uint32_t index);
  // Every dirty local to its slot; they stay cached. Before every branch.
  void flushLocals();
  // The same but for the locals of {home}: a branch back to a loop leaves
  // them dirty in their registers, as the loop head counts them.
  void flushLocalsOutside(const LoopHome& home);
  bool hasDirtyLocalsOutside(const LoopHome& home) const;
  // The locals of {home} count as dirty (at a loop head: the back edges
  // bring them so); where they must be in their slots, they are stored.
  void markDirty(const LoopHome& home);
  // Keeps in {into} the locals {other} has cached in the same register:
  // what a label several edges reach may still count as cached; dirty if
  // either is. Only a loop's locals may be dirty on an edge, and every edge
  // brings those in the same registers, so no dirty local is dropped.
  static void intersectLocals(LocalsSnapshot& into, const LocalsSnapshot& other);
  // The same, with the locals cached here and now as {other}: what a branch
  // to a label adds, with no snapshot made.
  void intersectWithCurrentLocals(LocalsSnapshot& into) const;
  // Which local is cached where, to return to at a label one edge reaches.
  LocalsSnapshot saveLocals() const;
  // Back to a saved state, at a label: the operand values are in their
  // slots, and no operator holds a popped register.
  void restoreLocals(const LocalsSnapshot& saved);
  // Whether {saved} caches the locals cached now, in the same order and
  // registers.
  bool sameLocalsIn(const LocalsSnapshot& saved) const;
  // At a loop header: the locals the loop keeps in registers from one
  // iteration to the next, at most half the registers of each kind, so that
  // the body has registers of its own and need not evict the locals that
  // every back edge would then have to reload. With a look-ahead ({hinted},
  // loop_scan.h): the heaviest of {wanted}, loaded now if not cached; then,
  // with or without, the most recently used cached locals. The other cached
  // locals go to their slots (stored if dirty); the kept ones may stay dirty.
  LoopHome loopHome(std::span<const LoopLocalUse> wanted, bool hinted);
  bool localsAt(const LoopHome& home) const;
  // Moves (or loads) every local of {home} into its register, at a branch
  // to the loop: the locals are clean (flushed) and no operand value is in a
  // register, so a register the home needs may be taken from any other
  // local. The moves between locals' registers are one parallel move.
  void moveLocalsTo(const LoopHome& home);

 private:
  // Writes the new value in place: a Val built aside and copied in would be
  // written in narrow stores and read back in wide loads, which the
  // processor cannot forward (a stall on every push).
  Val& push(ValType type, Loc loc, uint8_t reg) {
    Val& v = stack_.emplace_back();
    v.type = type;
    v.loc = loc;
    v.reg = reg;
    maxDepth_ = std::max(maxDepth_, size());
    return v;
  }
  void releaseVal(const Val& v) {
    if (v.loc == Loc::Gpr) dropUse(v.reg, false);
    if (v.loc == Loc::Fpr) dropUse(v.reg, true);
  }
  // Indexed by the register's kind (0: general-purpose, 1: floating-point),
  // not branched on: which kind comes from the guest's types.
  uint8_t uses(uint8_t reg, bool fpr) const { return uses_[fpr][reg]; }
  void addUse(uint8_t reg, bool fpr) {
    ++uses_[fpr][reg];
    free_[fpr] &= ~(1u << reg);
    used_[fpr] |= 1u << reg;
  }
  void dropUse(uint8_t reg, bool fpr) { free_[fpr] |= static_cast<uint32_t>(--uses_[fpr][reg] == 0) << reg; }
  void spill(uint32_t depth);
  bool spillOne(Loc kind);
  // No register of the kind is free: drop the least recently used clean
  // local no value shares (free), else such a dirty one (one store), else
  // spill the bottom-most operand value (a store and a reload later). The
  // callers repeat until a register is free: dropping a use of a shared
  // register frees nothing yet.
  void freeOne(bool fpr);
  // Two free registers of the kind: one to cache a local in, and one still
  // left for the operator that reads it (its result, or a copy to overwrite).
  bool hasFree(bool fpr) const {
    uint32_t free = free_[fpr] & (fpr ? MacroAssembler::kAllocatableFprs : MacroAssembler::kAllocatableGprs);
    return (free & (free - 1)) != 0;  // two bits or more
  }
  void writeBack(uint32_t index);
  void releaseLocal(uint32_t index);
  void markCached(uint32_t index, CachedLocal state) {
    if (!locals_[index].cached) cachedLocals_.push_back(index);
    dirtyLocals_ += state.dirty - (locals_[index].cached && locals_[index].dirty);
    locals_[index] = state;
  }
  // dirtyLocals_ recounted (for assertions).
  uint32_t countDirtyLocals() const;
  void evictLocal(uint32_t index);
  // A loop's local in a register calls clobber moves to a free one they
  // preserve, once, as the loop is entered: a call in the loop would evict
  // it, and every back edge would reload it. (A function saves the
  // callee-saved registers it uses, in its prologue.)
  void preferCalleeSaved(uint32_t index);
  // A free register for a loop's local: a callee-saved one first (see
  // preferCalleeSaved).
  GpReg allocLoopGpr();
  // Loads a local into a register of its own.
  void cacheLocal(uint32_t index);
  // The cached locals {pick} says yes to, in cachedLocals_'s order. Taken
  // without a branch on the answer: which locals are dirty or where they
  // sit is the guest's doing, and a branch per local mispredicted at every
  // branch and call the guest makes.
  template <typename Pick>
  CachedLocalList cachedLocalsWhere(Pick pick) const {
    CachedLocalList picked = cachedLocals_;
    picked.eraseIf([&](uint32_t i) { return !pick(i); });
    return picked;
  }
  // Per register kind, the registers in which locals of {home} are cached
  // now. A register caches at most one local, so a cached local is one of
  // {home}'s exactly when its register is in these.
  std::array<uint32_t, 2> registersOfCachedLocals(const LoopHome& home) const;
  // 1 when cached local {index} is dirty and not one of the home's whose
  // registers are {homeRegisters}, else 0 (an integer: callers combine it
  // without branching).
  uint32_t dirtyOutside(uint32_t index, const std::array<uint32_t, 2>& homeRegisters) const {
    const CachedLocal& c = locals_[index];
    return static_cast<uint32_t>(c.dirty) & ~(homeRegisters[inFpr(localTypes_[index])] >> c.reg) & 1u;
  }
  // The local cached in register {reg} of the kind, or -1.
  int32_t localIn(uint8_t reg, bool fpr) const;

  MacroAssembler& masm_;
  std::vector<Val>& stack_;
  // Per kind: the free registers, and every register handed out so far.
  uint32_t free_[2] = {MacroAssembler::kAllocatableGprs, MacroAssembler::kAllocatableFprs};
  uint32_t used_[2] = {};
  // Users of each register (cached local, operand values, a caller holding
  // a popped one); free (bit set in free_) exactly when zero.
  uint8_t uses_[2][16] = {};
  uint32_t maxDepth_ = 0;
  int32_t slotBase_ = 0;
  std::vector<ValType>& localTypes_;
  std::vector<Address>& localHomes_;
  std::vector<CachedLocal>& locals_;
  // The cached ones (at most one per allocatable register): what every
  // branch, call and merge walks, so their cost does not grow with the
  // function's number of locals.
  CachedLocalList cachedLocals_;
  // How many of them are dirty: most branches and calls find none, and then
  // skip the walk (whose tests of each local's flag mispredict).
  uint32_t dirtyLocals_ = 0;
  uint32_t tick_ = 0;
};

}  // namespace weft
