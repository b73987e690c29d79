// The value stack's register allocation and locals cache (value_stack.h):
// out of line, so that the many operator emitters share one copy of each
// step instead of an inlined one each: the baseline's hot code then shares
// the instruction cache with asmjit's encoder without evicting it.
#include "compiler/baseline/value_stack.h"

#include <cassert>

namespace weft {

GpReg ValueStack::allocGpr() {
  constexpr uint32_t kAllocatable = MacroAssembler::kAllocatableGprs;
  constexpr uint32_t kCallerSaved = MacroAssembler::kCallerSavedGprs;
  while ((free_[0] & kAllocatable) == 0) freeOne(false);
  uint32_t free = free_[0] & kAllocatable;
  auto id = static_cast<uint8_t>(std::countr_zero((free & kCallerSaved) ? free & kCallerSaved : free));
  addUse(id, false);
  return GpReg{id};
}

FpReg ValueStack::allocFpr() {
  while ((free_[1] & MacroAssembler::kAllocatableFprs) == 0) freeOne(true);
  auto id = static_cast<uint8_t>(std::countr_zero(free_[1] & MacroAssembler::kAllocatableFprs));
  addUse(id, true);
  return FpReg{id};
}

void ValueStack::pushLoaded(ValType type, Address source) {
  uint8_t reg = loadIntoNewRegister(type, source);
  push(type, inFpr(type) ? Loc::Fpr : Loc::Gpr, reg);
}

uint8_t ValueStack::loadIntoNewRegister(ValType type, Address source) {
  if (inFpr(type)) {
    FpReg x = allocFpr();
    masm_.loadFpr(x, type, masm_.operand(source));
    return x.code;
  }
  GpReg r = allocGpr();
  masm_.loadGpr(r, type, masm_.operand(source));
  return r.code;
}

GpReg ValueStack::toGpr(const Val& v) {
  if (v.loc == Loc::Gpr && uses_[0][v.reg] == 1) return GpReg{v.reg};
  GpReg r = allocGpr();
  if (v.loc == Loc::Gpr) {
    masm_.moveGpr(r, GpReg{v.reg}, v.type != ValType::I32);
    dropUse(v.reg, false);
  } else if (v.loc == Loc::Const) {
    masm_.loadConstant(r, v.type, v.bits);
  } else {
    masm_.loadGpr(r, v.type, masm_.operand(slot(v.depth)));
  }
  return r;
}

FpReg ValueStack::toFpr(const Val& v) {
  if (v.loc == Loc::Fpr && uses_[1][v.reg] == 1) return FpReg{v.reg};
  FpReg x = allocFpr();
  if (v.loc == Loc::Fpr) {
    masm_.moveFpr(x, FpReg{v.reg});
    dropUse(v.reg, true);
  } else if (v.loc == Loc::Const) {
    masm_.loadConstant(x, v.type, v.bits, v.bitsHigh);
  } else {
    masm_.loadFpr(x, v.type, masm_.operand(slot(v.depth)));
  }
  return x;
}

void ValueStack::truncate(uint32_t height) {
  while (stack_.size() > height) {
    releaseVal(stack_.back());
    stack_.pop_back();
  }
}

void ValueStack::storeTo(uint32_t depth, Address dest) {
  const Val& v = stack_[depth];
  MacroAssembler::MemOperand to = masm_.operand(dest);
  switch (v.loc) {
    case Loc::Gpr: masm_.storeGpr(to, GpReg{v.reg}, v.type); break;
    case Loc::Fpr: masm_.storeFpr(to, FpReg{v.reg}, v.type); break;
    case Loc::Const: masm_.storeConstant(to, v.type, v.bits, v.bitsHigh); break;
    case Loc::Slot: masm_.copySlotValue(to, slot(depth), v.type); break;
  }
}

void ValueStack::spillAll() {
  for (uint32_t d = 0; d < stack_.size(); ++d)
    if (stack_[d].loc != Loc::Slot) spill(d);
}

void ValueStack::spillAllBut(uint32_t keep) {
  for (uint32_t d = 0; d + keep < stack_.size(); ++d)
    if (stack_[d].loc != Loc::Slot) spill(d);
}

int32_t ValueStack::pickMergeRegister(bool fpr, uint32_t avoid) const {
  uint32_t candidates = (fpr ? MacroAssembler::kAllocatableFprs : MacroAssembler::kAllocatableGprs) & ~avoid;
  if (uint32_t free = free_[fpr] & candidates) return std::countr_zero(free);
  for (uint32_t i : cachedLocals_) {
    const CachedLocal& c = locals_[i];
    if (inFpr(localTypes_[i]) == fpr && !c.dirty && uses(c.reg, fpr) == 1 && ((candidates >> c.reg) & 1)) return c.reg;
  }
  return -1;
}

void ValueStack::evictLocalIn(uint8_t reg, bool fpr) {
  int32_t holder = localIn(reg, fpr);
  if (holder >= 0) evictLocal(static_cast<uint32_t>(holder));
}

uint32_t ValueStack::homeRegisters(const LoopHome& home, bool fpr) const {
  uint32_t registers = 0;
  for (const LocalHome& h : home) registers |= static_cast<uint32_t>(inFpr(localTypes_[h.local]) == fpr) << h.reg;
  return registers;
}

void ValueStack::spillForCall(uint32_t keep) {
  for (uint32_t d = 0; d < keep; ++d)
    if (stack_[d].loc != Loc::Slot) spill(d);
  CachedLocalList clobbered = cachedLocalsWhere([&](uint32_t i) {
    return inFpr(localTypes_[i]) | ((MacroAssembler::kCallerSavedGprs >> locals_[i].reg) & 1);
  });
  for (uint32_t i : clobbered) evictLocal(i);
}

void ValueStack::adoptParameter(uint32_t index, uint8_t reg) {
  addUse(reg, inFpr(localTypes_[index]));
  markCached(index, {true, false, reg, ++tick_});
}

void ValueStack::pushLocal(uint32_t index) {
  ValType type = localTypes_[index];
  bool fpr = inFpr(type);
  // A read caches the local only in a register nobody needs: evicting one
  // local to cache another thrashes in functions with many locals.
  if (!locals_[index].cached && hasFree(fpr)) cacheLocal(index);
  CachedLocal& local = locals_[index];
  local.lastUse = ++tick_;
  if (local.cached) {
    addUse(local.reg, fpr);
    push(type, fpr ? Loc::Fpr : Loc::Gpr, local.reg);
  } else {
    pushLoaded(type, localHomes_[index]);
  }
}

bool ValueStack::yieldLocalRegister(uint32_t depth, uint32_t index) {
  if (index >= locals_.size()) return false;  // the write is invalid: validation fails next
  const Val& v = stack_[depth];
  const CachedLocal& local = locals_[index];
  bool fpr = v.loc == Loc::Fpr;
  if ((v.loc != Loc::Gpr && !fpr) || !local.cached || local.reg != v.reg || inFpr(localTypes_[index]) != fpr ||
      uses(v.reg, fpr) != 2)
    return false;
  releaseLocal(index);
  return true;
}

void ValueStack::setLocal(uint32_t index, bool tee) {
  ValType type = localTypes_[index];
  bool fpr = inFpr(type);
  uint32_t top = size() - 1;
  CachedLocal& local = locals_[index];
  // Values still share the local's register: they keep the old value
  // there, and the local goes elsewhere (its old value needs no write-back).
  if (local.cached && uses(local.reg, fpr) > 1) releaseLocal(index);
  const Val& value = stack_[top];
  bool inRegister = value.loc == Loc::Gpr || value.loc == Loc::Fpr;
  if (!local.cached && inRegister && !isShared(top)) {
    // The value's register becomes the local's: no move. A tee's value
    // shares it with the local.
    markCached(index, {true, true, value.reg, ++tick_});
    if (tee) addUse(value.reg, fpr);
    else stack_.pop_back();
    return;
  }
  // A constant goes to the slot unless a register is spare: `i = 0` before
  // a loop is worth a register, as the loop then keeps it in one.
  if (!local.cached && stack_[top].loc == Loc::Const && !hasFree(fpr)) {
    storeTo(top, localHomes_[index]);
    if (!tee) truncate(top);
    return;
  }
  if (!local.cached) {
    uint8_t reg = fpr ? allocFpr().code : allocGpr().code;  // may spill the top value
    markCached(index, {true, false, reg, 0});
  }
  CachedLocal& cached = locals_[index];
  const Val& v = stack_[top];
  if (inFpr(type)) {
    FpReg to{cached.reg};
    if (v.loc == Loc::Fpr) masm_.moveFpr(to, FpReg{v.reg});
    else if (v.loc == Loc::Const) masm_.loadConstant(to, type, v.bits, v.bitsHigh);
    else masm_.loadFpr(to, type, masm_.operand(slot(top)));
  } else {
    GpReg to{cached.reg};
    if (v.loc == Loc::Gpr) masm_.moveGpr(to, GpReg{v.reg}, type != ValType::I32);
    else if (v.loc == Loc::Const) masm_.loadConstant(to, type, v.bits);
    else masm_.loadGpr(to, type, masm_.operand(slot(top)));
  }
  dirtyLocals_ += !cached.dirty;
  cached.dirty = true;
  cached.lastUse = ++tick_;
  if (!tee) truncate(top);
}

std::array<uint32_t, 2> ValueStack::registersOfCachedLocals(const LoopHome& home) const {
  std::array<uint32_t, 2> registers{};
  for (const LocalHome& h : home) {
    const CachedLocal& c = locals_[h.local];
    registers[inFpr(localTypes_[h.local])] |= static_cast<uint32_t>(c.cached) << c.reg;
  }
  return registers;
}

void ValueStack::flushLocalsOutside(const LoopHome& home) {
  assert(dirtyLocals_ == countDirtyLocals());
  if (dirtyLocals_ == 0) return;
  std::array<uint32_t, 2> homeRegisters = registersOfCachedLocals(home);
  for (uint32_t i : cachedLocalsWhere([&](uint32_t i) { return dirtyOutside(i, homeRegisters); })) writeBack(i);
}

bool ValueStack::hasDirtyLocalsOutside(const LoopHome& home) const {
  assert(dirtyLocals_ == countDirtyLocals());
  if (dirtyLocals_ == 0) return false;
  std::array<uint32_t, 2> homeRegisters = registersOfCachedLocals(home);
  uint32_t any = 0;
  for (uint32_t i : cachedLocals_) any |= dirtyOutside(i, homeRegisters);
  return any != 0;
}

void ValueStack::markDirty(const LoopHome& home) {
  for (const LocalHome& h : home) {
    dirtyLocals_ += !locals_[h.local].dirty;
    locals_[h.local].dirty = true;
  }
}

void ValueStack::flushLocals() {
  assert(dirtyLocals_ == countDirtyLocals());
  if (dirtyLocals_ == 0) return;
  for (uint32_t i : cachedLocalsWhere([&](uint32_t i) { return locals_[i].dirty; })) writeBack(i);
}

void ValueStack::intersectLocals(LocalsSnapshot& into, const LocalsSnapshot& other) {
  into.eraseIf([&](SavedLocal& kept) {
    for (const auto& [i, state] : other)
      if (i == kept.local) {
        kept.state.dirty |= state.dirty;
        assert(!kept.state.dirty || state.reg == kept.state.reg);
        return state.reg != kept.state.reg;
      }
    assert(!kept.state.dirty);
    return true;
  });
}

void ValueStack::intersectWithCurrentLocals(LocalsSnapshot& into) const {
  into.eraseIf([&](SavedLocal& kept) {
    const CachedLocal& now = locals_[kept.local];
    kept.state.dirty |= now.cached && now.dirty;
    bool dropped = !now.cached || now.reg != kept.state.reg;
    assert(!dropped || !kept.state.dirty);
    return dropped;
  });
}

LocalsSnapshot ValueStack::saveLocals() const {
  LocalsSnapshot saved;
  for (uint32_t i : cachedLocals_) saved.emplace_back(i, locals_[i]);
  return saved;
}

void ValueStack::restoreLocals(const LocalsSnapshot& saved) {
  if (sameLocalsIn(saved)) {  // no register changes hands: only the flags and ages
    dirtyLocals_ = 0;
    for (const auto& [i, state] : saved) {
      dirtyLocals_ += state.dirty;
      locals_[i] = state;
    }
    return;
  }
  for (uint32_t i : cachedLocals_) {
    dropUse(locals_[i].reg, inFpr(localTypes_[i]));
    locals_[i] = CachedLocal{};
  }
  cachedLocals_.clear();
  dirtyLocals_ = 0;
  for (const auto& [i, state] : saved) {
    cachedLocals_.push_back(i);  // none is cached now: markCached's test is not needed
    dirtyLocals_ += state.dirty;
    locals_[i] = state;
    addUse(state.reg, inFpr(localTypes_[i]));
  }
}

bool ValueStack::sameLocalsIn(const LocalsSnapshot& saved) const {
  if (saved.size() != cachedLocals_.size()) return false;
  uint32_t differs = 0;
  for (uint32_t k = 0; k < saved.size(); ++k)
    differs |= (saved[k].local ^ cachedLocals_[k]) | static_cast<uint32_t>(saved[k].state.reg ^ locals_[saved[k].local].reg);
  return differs == 0;
}

LoopHome ValueStack::loopHome(std::span<const LoopLocalUse> wanted, bool hinted) {
  int gprRoom = std::popcount(MacroAssembler::kAllocatableGprs) / 2;
  int fprRoom = std::popcount(MacroAssembler::kAllocatableFprs) / 2;
  CachedLocalList kept;
  auto take = [&](uint32_t i) {
    int& room = inFpr(localTypes_[i]) ? fprRoom : gprRoom;
    if (room == 0) return false;
    --room;
    kept.push_back(i);
    return true;
  };
  if (hinted)
    for (const LoopLocalUse& use : wanted) {
      if (gprRoom == 0 && fprRoom == 0) break;
      take(use.local);
    }
  // Room left keeps the most recently used cached locals where they are (a
  // loop the hint says does not use them then need not store them as it is
  // entered and reload them after).
  CachedLocalList cached = cachedLocals_;
  std::sort(cached.begin(), cached.end(),
            [&](uint32_t a, uint32_t b) { return locals_[a].lastUse > locals_[b].lastUse; });
  for (uint32_t i : cached)
    if (std::find(kept.begin(), kept.end(), i) == kept.end() && !take(i)) evictLocal(i);
  LoopHome home;
  for (uint32_t i : kept) {
    bool fpr = inFpr(localTypes_[i]);
    if (!locals_[i].cached) {  // the loop wants it: loaded once here rather than per iteration
      uint8_t reg = fpr ? allocFpr().code : allocLoopGpr().code;
      if (fpr) masm_.loadFpr(FpReg{reg}, localTypes_[i], masm_.operand(localHomes_[i]));
      else masm_.loadGpr(GpReg{reg}, localTypes_[i], masm_.operand(localHomes_[i]));
      markCached(i, {true, false, reg, ++tick_});
    } else if (!fpr) {
      preferCalleeSaved(i);
    }
    home.push_back({i, locals_[i].reg});
  }
  return home;
}

GpReg ValueStack::allocLoopGpr() {
  uint32_t free = free_[0] & MacroAssembler::kAllocatableGprs & ~MacroAssembler::kCallerSavedGprs;
  if (free == 0) return allocGpr();
  auto id = static_cast<uint8_t>(std::countr_zero(free));
  addUse(id, false);
  return GpReg{id};
}

bool ValueStack::localsAt(const LoopHome& home) const {
  uint32_t elsewhere = 0;
  for (const LocalHome& h : home)
    elsewhere |= static_cast<uint32_t>(!locals_[h.local].cached) | static_cast<uint32_t>(locals_[h.local].reg ^ h.reg);
  return elsewhere == 0;
}

void ValueStack::moveLocalsTo(const LoopHome& home) {
  if (localsAt(home)) return;
  RegisterMoves moves;
  BoundedVector<bool, kMaxCachedLocals> wasCached, wasDirty;
  for (const LocalHome& h : home) {
    const CachedLocal& c = locals_[h.local];
    ValType type = localTypes_[h.local];
    wasCached.push_back(c.cached);
    wasDirty.push_back(c.dirty);
    if (c.cached && c.reg != h.reg) moves.push_back({inFpr(type), c.reg, h.reg, type != ValType::I32});
  }
  emitParallelMoves(masm_, moves);
  for (const LocalHome& h : home)
    if (locals_[h.local].cached) releaseLocal(h.local);
  for (const LocalHome& h : home) {  // the locals whose registers the moves overwrote
    int32_t holder = localIn(h.reg, inFpr(localTypes_[h.local]));
    if (holder >= 0) releaseLocal(static_cast<uint32_t>(holder));
  }
  for (uint32_t k = 0; k < home.size(); ++k) {
    const LocalHome& h = home[k];
    ValType type = localTypes_[h.local];
    bool fpr = inFpr(type);
    if (!wasCached[k] && fpr) masm_.loadFpr(FpReg{h.reg}, type, masm_.operand(localHomes_[h.local]));
    else if (!wasCached[k]) masm_.loadGpr(GpReg{h.reg}, type, masm_.operand(localHomes_[h.local]));
    addUse(h.reg, fpr);
    markCached(h.local, {true, wasDirty[k], h.reg, ++tick_});
  }
}

void ValueStack::spill(uint32_t depth) {
  storeTo(depth, slot(depth));
  releaseVal(stack_[depth]);
  stack_[depth].loc = Loc::Slot;
}

bool ValueStack::spillOne(Loc kind) {
  for (uint32_t d = 0; d < stack_.size(); ++d)
    if (stack_[d].loc == kind) {
      spill(d);
      return true;
    }
  return false;
}

void ValueStack::freeOne(bool fpr) {
  // The least recently used clean local, else dirty one, whose register no
  // popped value shares. Without branches on the locals' state (the guest's
  // code decides it, so they mispredicted): only selects.
  // (Masks, not ternaries: the compiler turned those back into branches.)
  int32_t clean = -1, dirty = -1;
  uint32_t cleanUse = UINT32_MAX, dirtyUse = UINT32_MAX;
  for (uint32_t i : cachedLocals_) {
    const CachedLocal& c = locals_[i];
    auto bit = [](bool b) { return static_cast<uint32_t>(b); };
    uint32_t eligible = bit(inFpr(localTypes_[i]) == fpr) & bit(uses(c.reg, fpr) <= 1);
    uint32_t use = c.lastUse | (eligible - 1);  // UINT32_MAX when not eligible
    uint32_t betterClean = -(bit(!c.dirty) & bit(use < cleanUse));
    uint32_t betterDirty = -(bit(c.dirty) & bit(use < dirtyUse));
    cleanUse ^= (cleanUse ^ use) & betterClean;
    clean ^= static_cast<int32_t>((static_cast<uint32_t>(clean) ^ i) & betterClean);
    dirtyUse ^= (dirtyUse ^ use) & betterDirty;
    dirty ^= static_cast<int32_t>((static_cast<uint32_t>(dirty) ^ i) & betterDirty);
  }
  if (clean >= 0) return releaseLocal(static_cast<uint32_t>(clean));
  if (dirty >= 0) return evictLocal(static_cast<uint32_t>(dirty));
  if (spillOne(fpr ? Loc::Fpr : Loc::Gpr)) return;
  // Only registers popped values share with locals are left: the locals
  // give them up (an operator holds at most a few popped values, far fewer
  // than there are registers, so this ends before they run out).
  for (uint32_t i : cachedLocals_)
    if (inFpr(localTypes_[i]) == fpr) return evictLocal(i);
  std::abort();  // every register held by popped values: a compiler bug
}

void ValueStack::writeBack(uint32_t index) {
  CachedLocal& c = locals_[index];
  MacroAssembler::MemOperand to = masm_.operand(localHomes_[index]);
  if (inFpr(localTypes_[index])) masm_.storeFpr(to, FpReg{c.reg}, localTypes_[index]);
  else masm_.storeGpr(to, GpReg{c.reg}, localTypes_[index]);
  dirtyLocals_ -= c.dirty;
  c.dirty = false;
}

void ValueStack::releaseLocal(uint32_t index) {
  CachedLocal& c = locals_[index];
  dropUse(c.reg, inFpr(localTypes_[index]));
  dirtyLocals_ -= c.dirty;
  c.cached = false;
  c.dirty = false;
  cachedLocals_.eraseValue(index);
}

void ValueStack::evictLocal(uint32_t index) {
  if (locals_[index].dirty) writeBack(index);
  releaseLocal(index);
}

void ValueStack::preferCalleeSaved(uint32_t index) {
  constexpr uint32_t kCallerSaved = MacroAssembler::kCallerSavedGprs;
  CachedLocal& c = locals_[index];
  uint32_t free = free_[0] & MacroAssembler::kAllocatableGprs & ~kCallerSaved;
  if ((kCallerSaved & (1u << c.reg)) == 0 || free == 0) return;
  auto id = static_cast<uint8_t>(std::countr_zero(free));
  masm_.moveGpr(GpReg{id}, GpReg{c.reg}, localTypes_[index] != ValType::I32);
  dropUse(c.reg, false);
  addUse(id, false);
  c.reg = id;
}

void ValueStack::cacheLocal(uint32_t index) {
  uint8_t reg = loadIntoNewRegister(localTypes_[index], localHomes_[index]);
  markCached(index, {true, false, reg, ++tick_});
}

uint32_t ValueStack::countDirtyLocals() const {
  uint32_t count = 0;
  for (uint32_t i : cachedLocals_) count += locals_[i].dirty;
  return count;
}

int32_t ValueStack::localIn(uint8_t reg, bool fpr) const {
  for (uint32_t i : cachedLocals_)
    if (inFpr(localTypes_[i]) == fpr && locals_[i].reg == reg) return static_cast<int32_t>(i);
  return -1;
}

}  // namespace weft
