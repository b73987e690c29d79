// The function compiler's pass, frame, control flow, calls, locals and
// globals, and the dispatch to the operator families (see the header).
#include "compiler/baseline/function_compiler.h"

#include <array>
#include <cassert>

#include "abi/calling_convention.h"
#include "abi/entry_table.h"
#include "abi/trap_kind.h"

namespace weft {
namespace {

bool isControl(Opcode op) {
  switch (op) {
    case Opcode::Block: case Opcode::Loop: case Opcode::If: case Opcode::Else: case Opcode::End:
      return true;
    default:
      return false;
  }
}

}  // namespace

FunctionCompiler::FunctionCompiler(const ModuleInfo& module, std::span<const uint8_t> bytes, uint32_t functionIndex,
                                   const VmctxLayout& layout, const BaselineOptions& options,
                                   BaselineScratch& scratch)
    : module_(module),
      layout_(layout),
      functionIndex_(functionIndex),
      type_(module.functionType(functionIndex)),
      it_(module, bytes, functionIndex, scratch.validator),
      masm_(scratch.reused->buffers, layout, options.memoryStrategy),
      values_(masm_, scratch.reused->values),
      controls_(scratch.reused->controls),
      snapshots_(scratch.reused->snapshots),
      homes_(scratch.reused->homes),
      argumentLocations_(scratch.reused->argumentLocations),
      countsFuel_(options.countsFuel),
      debugging_(options.debugging),
      localOffsets_(scratch.reused->localOffsets),
      loopScanner_(scratch.reused->loopScanner) {
  controls_.clear();
  snapshots_.reset();
  homes_.reset();
}

Result<CompiledFunction> FunctionCompiler::compile() {
  if (!it_.readLocals()) return it_.error();
  if (!emitEntry()) return it_.error();
  if (countsFuel_) fuel_ = {true, masm_.chargeFuel(module_.functions[functionIndex_].body.offset), 0};
  Operator op;
  while (it_.next(op)) {
    if (!reachable_ && !isControl(op.opcode)) continue;
    if (debugging_ && reachable_) emitDebugSite(op.offset);
    if (countsFuel_)
      fuel_.before(op.opcode, reachable_, [&](uint32_t at, uint32_t operators) { masm_.setFuelPrice(at, operators); });
    if (!emit(op)) return failure_ ? *failure_ : it_.error();
    if (countsFuel_) fuel_.after(reachable_, [&] { return masm_.chargeFuel(op.offset); });
    if (masm_.failed()) return internalError(op.offset, "assembler: " + masm_.errorText());
  }
  if (it_.failed()) return it_.error();
  uint32_t frameBytes = MacroAssembler::kFrameHeaderBytes + localsBytes_ +
                        ValueStack::kSlotSize * values_.maxDepth() + maxOutgoingBytes_;
  CompiledFunction out;
  masm_.finish(values_.gprsUsed(), frameBytes, out);
  if (masm_.failed()) return internalError(0, "assembler: " + masm_.errorText());
  if (debugging_) finishDebugInfo(out);
  return out;
}

void FunctionCompiler::emitDebugSite(uint32_t bytecodeOffset) {
  if (!debugInfo_) debugInfo_ = std::make_shared<DebugFunctionInfo>();
  values_.spillAll();
  values_.flushLocals();
  DebugSite site;
  site.codeOffset = masm_.debugSite();  // a body offset until finishDebugInfo
  site.bytecodeOffset = bytecodeOffset;
  site.stackHeight = values_.size();
  site.stackTypesAt = static_cast<uint32_t>(debugInfo_->stackTypes.size());
  for (uint32_t d = 0; d < values_.size(); ++d) debugInfo_->stackTypes.push_back(values_.at(d).type);
  debugInfo_->sites.push_back(site);
}

void FunctionCompiler::finishDebugInfo(CompiledFunction& out) {
  if (!debugInfo_) debugInfo_ = std::make_shared<DebugFunctionInfo>();  // no reachable operator
  for (DebugSite& site : debugInfo_->sites) site.codeOffset += masm_.bodyStart();
  std::span<const ValType> locals = it_.locals();
  debugInfo_->localTypes.assign(locals.begin(), locals.end());
  debugInfo_->localOffsets.assign(localOffsets_.begin(), localOffsets_.end());
  debugInfo_->stackSlotBase = values_.slotBase();
  debugInfo_->stackSlotBytes = ValueStack::kSlotSize;
  out.debug = std::move(debugInfo_);
}

Error FunctionCompiler::internalError(uint32_t offset, std::string message) const {
  Error error;
  error.kind = ErrorKind::LimitExceeded;
  error.offset = offset;
  error.functionIndex = functionIndex_;
  error.message = "baseline compiler: " + std::move(message);
  return error;
}

bool FunctionCompiler::unsupported(const Operator& op, const std::string& what) {
  Error error;
  error.kind = ErrorKind::Unsupported;
  error.offset = op.offset;
  error.functionIndex = functionIndex_;
  error.message = "unsupported: " + what;
  failure_ = error;
  return false;
}

// ---- frame ----

// The start of the body: parameters that arrived in registers go to their
// local slots (and stay cached in the registers the value stack may use),
// declared locals are zeroed. Below the frame header: the locals
// (8 bytes, 16 for v128), then one slot per operand-stack depth, then the
// outgoing area. The frame itself is set up by the prologue, which the
// macro-assembler assembles last and places first.
bool FunctionCompiler::emitEntry() {
  std::span<const ValType> locals = it_.locals();
  localOffsets_.resize(locals.size());
  call_abi::ArgumentAssigner arguments(call_abi::usesResultsBuffer(type_));
  std::vector<call_abi::Location>& paramAt = argumentLocations_;  // no call is being prepared
  paramAt.resize(numParams());
  uint32_t below = MacroAssembler::kFrameHeaderBytes;
  for (uint32_t i = 0; i < numParams(); ++i) {
    paramAt[i] = arguments.next(locals[i]);
    if (paramAt[i].where == call_abi::Where::Stack) {
      localOffsets_[i] = static_cast<int32_t>(MacroAssembler::kIncomingStackArgsOffset + paramAt[i].stackOffset);
    } else {
      below += 8 * argumentSlotUnits(locals[i]);
      localOffsets_[i] = -static_cast<int32_t>(below);
    }
  }
  uint32_t firstDeclared = below;
  for (uint32_t i = numParams(); i < locals.size(); ++i) {
    below += 8 * argumentSlotUnits(locals[i]);
    localOffsets_[i] = -static_cast<int32_t>(below);
  }
  localsBytes_ = below - MacroAssembler::kFrameHeaderBytes;
  values_.setSlotBase(-static_cast<int32_t>(below + ValueStack::kSlotSize));
  masm_.beginFunction(module_.functions[functionIndex_].body.offset, module_.functions[functionIndex_].body.size,
                      call_abi::usesResultsBuffer(type_));
  values_.setLocals(locals, [&](uint32_t i) { return local(i); });
  for (uint32_t i = 0; i < numParams(); ++i) {
    masm_.storeRegisterParameter(paramAt[i], locals[i], local(i));
    if (std::optional<uint8_t> reg = MacroAssembler::allocatableParameterRegister(paramAt[i]))
      values_.adoptParameter(i, *reg);
  }
  masm_.zeroLocals(-static_cast<int32_t>(below), (below - firstDeclared) / 8);
  ControlState& function = controls_.emplace_back();
  function.kind = ControlKind::Function;
  function.signature.results = type_.results.data();
  function.signature.numResults = static_cast<uint32_t>(type_.results.size());
  return true;
}

// ---- control flow ----

void FunctionCompiler::becomeUnreachable() {
  values_.truncate(controls_.back().baseHeight);
  reachable_ = false;
}

// Moves the top {count} values (all in slots) to the slots from {height}.
void FunctionCompiler::moveTopTo(uint32_t count, uint32_t height) {
  uint32_t from = values_.size() - count;
  if (from == height) return;
  for (uint32_t i = 0; i < count; ++i) values_.copySlot(from + i, height + i);
}

// Leaves the function with the top results. Values may be anywhere.
void FunctionCompiler::emitReturn() {
  emitReturnValues();
  masm_.jumpToEpilogue();
}

// The top results where the convention wants them.
void FunctionCompiler::emitReturnValues() {
  uint32_t count = static_cast<uint32_t>(type_.results.size());
  uint32_t from = values_.size() - count;
  if (count == 1) {
    ValType type = type_.results[0];
    const Val& v = values_.at(from);
    if (inFpr(type)) {
      FpReg result = MacroAssembler::returnFpr();
      if (v.loc == Loc::Fpr) masm_.moveFpr(result, FpReg{v.reg});
      else if (v.loc == Loc::Slot) masm_.loadFpr(result, type, masm_.operand(values_.slot(from)));
      else masm_.loadConstant(result, type, v.bits, v.bitsHigh);
    } else {
      GpReg result = MacroAssembler::returnGpr();
      if (v.loc == Loc::Gpr) masm_.moveGpr(result, GpReg{v.reg}, type != ValType::I32);
      else if (v.loc == Loc::Const) masm_.loadConstant(result, type, v.bits);
      else masm_.loadGpr(result, type, masm_.operand(values_.slot(from)));
    }
  } else if (count > 1) {
    GpReg buffer = masm_.loadResultsBufferPointer();
    call_abi::ResultAssigner results;
    for (uint32_t i = 0; i < count; ++i)
      values_.storeTo(from + i, {buffer, static_cast<int32_t>(results.next(type_.results[i]))});
  }
}

// Jumps to the label of {depth} with the values it expects; values spilled.
void FunctionCompiler::emitBranchTo(uint32_t depth) {
  ControlState& target = control(depth);
  if (target.kind == ControlKind::Function) {
    emitReturn();
    return;
  }
  arriveAt(target);
  masm_.jump(branchLabel(target));
}

// The edge's part before the jump: locals and values where {target}'s label
// wants them, and the edge noted.
void FunctionCompiler::arriveAt(ControlState& target) {
  uint32_t count = static_cast<uint32_t>(target.kind == ControlKind::Loop ? target.signature.numParams
                                                                           : target.signature.numResults);
  prepareEdgeTo(target);
  if (registerResult(target)) deliverResult(target);
  else moveTopTo(count, target.mergeHeight);
  if (target.kind != ControlKind::Loop) noteBranchToEnd(target);
}

uint32_t FunctionCompiler::homeRegistersOf(const ControlState& target, bool fpr) const {
  uint32_t home = labelHome(target);
  return home == ReusablePool<LoopHome>::kNone ? 0 : values_.homeRegisters(homes_[home], fpr);
}

bool FunctionCompiler::topInHomeRegister(const ControlState& target) const {
  const Val& v = values_.at(values_.size() - 1);
  bool fpr = inFpr(v.type);
  return v.loc == (fpr ? Loc::Fpr : Loc::Gpr) && ((homeRegistersOf(target, fpr) >> v.reg) & 1);
}

void FunctionCompiler::prepareResultEdge(ControlState& target) {
  if (target.resultRegister == ControlState::kResultInSlot || topInHomeRegister(target)) values_.spillTop();
}

void FunctionCompiler::deliverResult(ControlState& target) {
  uint32_t top = values_.size() - 1;
  const Val v = values_.at(top);
  bool fpr = inFpr(v.type);
  bool inRegister = v.loc == (fpr ? Loc::Fpr : Loc::Gpr);
  if (target.resultRegister == ControlState::kResultUndecided) {
    int32_t chosen = inRegister && !topInHomeRegister(target) ? v.reg
                                                              : values_.pickMergeRegister(fpr, homeRegistersOf(target, fpr));
    target.resultRegister = chosen >= 0 ? static_cast<int8_t>(chosen) : ControlState::kResultInSlot;
  }
  if (target.resultRegister == ControlState::kResultInSlot) {
    values_.spillTop();
    moveTopTo(1, target.mergeHeight);
    return;
  }
  auto reg = static_cast<uint8_t>(target.resultRegister);
  values_.evictLocalIn(reg, fpr);  // clean: the edge flushed every local outside the home
  if (fpr) {
    FpReg to{reg};
    if (v.loc == Loc::Fpr) {
      if (v.reg != reg) masm_.moveFpr(to, FpReg{v.reg});
    } else if (v.loc == Loc::Const) {
      masm_.loadConstant(to, v.type, v.bits, v.bitsHigh);
    } else {
      masm_.loadFpr(to, v.type, masm_.operand(values_.slot(top)));
    }
  } else {
    GpReg to{reg};
    if (v.loc == Loc::Gpr) {
      if (v.reg != reg) masm_.moveGpr(to, GpReg{v.reg}, v.type != ValType::I32);
    } else if (v.loc == Loc::Const) {
      masm_.loadConstant(to, v.type, v.bits);
    } else {
      masm_.loadGpr(to, v.type, masm_.operand(values_.slot(top)));
    }
  }
}

// At every label, each local's slot holds its value, but for the locals of
// the innermost loop's home (labelHome) that every edge brings in their
// home registers, dirty or not: a loop that keeps changing one then stores
// it once, after the loop, not on every branch inside it.
void FunctionCompiler::flushLocalsOutside(uint32_t home) {
  if (home == ReusablePool<LoopHome>::kNone) values_.flushLocals();
  else values_.flushLocalsOutside(homes_[home]);
}

void FunctionCompiler::prepareEdgeTo(ControlState& target) {
  uint32_t home = labelHome(target);
  flushLocalsOutside(home);
  if (home != ReusablePool<LoopHome>::kNone) values_.moveLocalsTo(homes_[home]);
  if (target.kind == ControlKind::Loop && target.baseAtHead) masm_.cacheMemoryBase();
}

bool FunctionCompiler::hasLocalsToFlushFor(ControlState& target) {
  if (target.kind == ControlKind::Function) return false;
  uint32_t home = labelHome(target);
  static const LoopHome kNoHome{};  // named: `cond ? LoopHome{} : homes_[home]` would copy the home each time
  return values_.hasDirtyLocalsOutside(home == ReusablePool<LoopHome>::kNone ? kNoHome : homes_[home]);
}

bool FunctionCompiler::falseEdgeReady(const ControlState& state) {
  if (state.enclosingHome == ReusablePool<LoopHome>::kNone) return true;
  const LocalsSnapshot& atIf = snapshots_[state.elseLocals];
  for (const LocalHome& h : homes_[state.enclosingHome]) {
    auto saved = std::find_if(atIf.begin(), atIf.end(), [&](const SavedLocal& s) { return s.local == h.local; });
    if (saved == atIf.end() || saved->state.reg != h.reg) return false;
  }
  return true;
}

// A block's or if's end gets a label only when something jumps there: an
// end only the fall-through reaches is no merge.
Label FunctionCompiler::branchLabel(ControlState& target) {
  if (!target.label.isValid()) target.label = masm_.newLabel();
  return target.label;
}

bool FunctionCompiler::branchNeedsMoves(uint32_t depth) {
  ControlState& target = control(depth);
  if (target.kind == ControlKind::Function || registerResult(target)) return true;
  uint32_t count = static_cast<uint32_t>(target.kind == ControlKind::Loop ? target.signature.numParams
                                                                           : target.signature.numResults);
  uint32_t home = labelHome(target);
  return values_.size() - count != target.mergeHeight ||
         (home != ReusablePool<LoopHome>::kNone && !values_.localsAt(homes_[home])) ||
         (target.kind == ControlKind::Loop && target.baseAtHead && !masm_.memoryBaseCached());
}

// A branch (or the fall-through) about to reach the end of {target}, after
// prepareEdgeTo: at the end, a local stays cached only where every edge has
// it cached in the same register (the slots hold every other value), and is
// dirty if any edge brings it dirty (only the loop's locals can be, and
// every edge brings those in their home registers).
void FunctionCompiler::noteBranchToEnd(ControlState& target) {
  target.baseAtEnd &= masm_.memoryBaseCached();
  if (target.endLocals != ReusablePool<LocalsSnapshot>::kNone) {
    values_.intersectWithCurrentLocals(snapshots_[target.endLocals]);
    target.endTargeted = true;
  } else {
    intersectEdge(target, values_.saveLocals());
  }
}

void FunctionCompiler::intersectEdge(ControlState& target, const LocalsSnapshot& edge) {
  if (target.endLocals == ReusablePool<LocalsSnapshot>::kNone) {
    target.endLocals = snapshots_.acquire();
    LocalsSnapshot& kept = snapshots_[target.endLocals];
    kept = edge;
  } else {
    ValueStack::intersectLocals(snapshots_[target.endLocals], edge);
  }
  target.endTargeted = true;
}

bool FunctionCompiler::emitBlockStart(const Operator& op) {
  ControlKind kind = op.opcode == Opcode::Block ? ControlKind::Block
                     : op.opcode == Opcode::Loop ? ControlKind::Loop
                                                 : ControlKind::If;
  Condition condition;
  if (reachable_ && kind == ControlKind::If) condition = popCondition();
  uint32_t around = controls_.empty() ? ReusablePool<LoopHome>::kNone : labelHome(controls_.back());
  ControlState& state = controls_.emplace_back();  // built in place: it is not small
  state.kind = kind;
  state.signature = op.block;
  state.enclosingHome = around;
  if (!reachable_) {
    state.entryReachable = false;
    state.mergeHeight = state.baseHeight = values_.size();
    return true;
  }
  values_.spillAll();
  // A loop's head is a label no edge has prepared for: every local there is
  // in its slot but those of its home (loopHome stores the others). An if's
  // false edge keeps the loop's locals as they are.
  if (state.kind == ControlKind::If) flushLocalsOutside(around);
  uint32_t params = op.block.numParams;
  state.mergeHeight = state.baseHeight = values_.size() - params;
  if (state.kind == ControlKind::Loop) {
    // The loop's locals, and memory 0's base if the loop accesses memory,
    // go to registers before the head: every back edge brings them there.
    bool hinted = loopScanner_.scan(it_.remainingBody(), static_cast<uint32_t>(it_.locals().size()));
    state.scannedEnd = loopScanner_.loopEnd();
    state.home = homes_.acquire();
    homes_[state.home] = values_.loopHome(hinted ? loopScanner_.locals() : std::span<const LoopLocalUse>{}, hinted);
    state.baseAtHead = !module_.memories.empty() && (!hinted || loopScanner_.accessesMemory());
    if (state.baseAtHead) masm_.cacheMemoryBase();
    state.label = masm_.newLabel();
    masm_.bindLoopHeader(state.label);
    masm_.setMemoryBaseCached(state.baseAtHead);
    values_.markDirty(homes_[state.home]);  // back edges do not store them
    masm_.interruptCheck(op.offset);
  }
  if (state.kind == ControlKind::If) {
    state.elseLabel = masm_.newLabel();
    masm_.branchIf(condition, false, state.elseLabel);
    state.baseAtElse = masm_.memoryBaseCached();
    release(condition);
    state.elseLocals = snapshots_.acquire();
    snapshots_[state.elseLocals] = values_.saveLocals();
    // The else branch needs the parameters as they were: the then branch
    // works on copies above them.
    for (uint32_t i = 0; i < params; ++i) {
      uint32_t from = state.mergeHeight + i;
      values_.pushSlotCopyOf(from);
      values_.copySlot(from, values_.size() - 1);
    }
    state.baseHeight = state.mergeHeight + params;
  }
  return true;
}

bool FunctionCompiler::emitElse() {
  ControlState& state = controls_.back();
  state.hasElse = true;
  if (!state.entryReachable) return true;
  if (reachable_) {
    fallThroughEdgeTo(state);
    masm_.jump(branchLabel(state));
  }
  masm_.bindMerge(state.elseLabel);
  masm_.setMemoryBaseCached(state.baseAtElse);
  values_.truncate(state.mergeHeight);
  values_.restoreLocals(snapshots_[state.elseLocals]);  // only the if's branch reaches here
  for (uint32_t i = 0; i < state.signature.numParams; ++i) values_.pushSlot(state.signature.params[i]);
  state.baseHeight = state.mergeHeight;
  reachable_ = true;
  return true;
}

// The state is dropped last: nothing here opens or looks up another block.
bool FunctionCompiler::emitEnd() {
  ControlState& state = controls_.back();
  // The look-ahead read operator lengths alone; the iterator decoded them.
  assert(state.scannedEnd == nullptr || state.scannedEnd == it_.remainingBody().data() - 1);
  if (state.kind == ControlKind::Function) {
    if (reachable_) emitReturnValues();
    masm_.emitEpilogue(values_.gprsUsed());
    controls_.pop_back();
    return true;
  }
  if (!state.entryReachable) {  // still unreachable
    releasePooled(state);
    controls_.pop_back();
    return true;
  }
  // An if without else whose false edge would bring the loop's locals
  // elsewhere than their home registers gets an empty else to move them.
  if (state.kind == ControlKind::If && !state.hasElse && !falseEdgeReady(state)) emitElse();
  // Does a branch reach the end besides the fall-through? Then only the
  // locals every edge has cached alike stay cached there.
  bool merges = state.endTargeted || (state.kind == ControlKind::If && !state.hasElse);
  // An end only the fall-through reaches leaves the values where they are.
  if (reachable_ && merges) fallThroughEdgeTo(state);  // the fall-through is one more edge
  if (state.kind == ControlKind::If && !state.hasElse) {
    intersectEdge(state, snapshots_[state.elseLocals]);
    state.baseAtEnd &= state.baseAtElse;
  }
  bool endReachable = reachable_ || state.endTargeted;
  if (state.kind == ControlKind::If && !state.hasElse) {
    // The false path starts where the end is: the then branch falls through.
    masm_.bindMerge(state.elseLabel);  // parameters equal results: already in place
    endReachable = true;
  }
  if (state.kind != ControlKind::Loop && state.label.isValid()) masm_.bindMerge(state.label);
  if (merges) masm_.setMemoryBaseCached(state.baseAtEnd);
  if (!merges && reachable_) {  // the results are where the fall-through left them
    releasePooled(state);
    controls_.pop_back();
    return true;
  }
  values_.truncate(state.mergeHeight);
  if (merges) values_.restoreLocals(snapshots_[state.endLocals]);
  reachable_ = endReachable;
  if (reachable_ && registerResult(state) && state.resultRegister >= 0) {
    ValType type = state.signature.results[0];
    auto reg = static_cast<uint8_t>(state.resultRegister);
    if (inFpr(type)) values_.pushFpr(type, values_.claim(FpReg{reg}));
    else values_.pushGpr(type, values_.claim(GpReg{reg}));
  } else if (reachable_) {
    for (uint32_t i = 0; i < state.signature.numResults; ++i) values_.pushSlot(state.signature.results[i]);
  }
  releasePooled(state);
  controls_.pop_back();
  return true;
}

void FunctionCompiler::releasePooled(ControlState& state) {
  snapshots_.release(state.elseLocals);
  snapshots_.release(state.endLocals);
  homes_.release(state.home);
}

// The end of {state}'s then branch or body, reached by falling through, as
// one more edge to its end.
void FunctionCompiler::fallThroughEdgeTo(ControlState& state) {
  spillForEdgeTo(state);
  arriveAt(state);
}

// Before an edge to {target} whose values are on top: everything to its
// slot, but a result that goes in a register stays where it is.
void FunctionCompiler::spillForEdgeTo(ControlState& target) {
  if (!registerResult(target)) return values_.spillAll();
  values_.spillAllBut(1);
  prepareResultEdge(target);
}

bool FunctionCompiler::emitBr(const Operator& op) {
  spillForEdgeTo(control(op.index));
  emitBranchTo(op.index);
  becomeUnreachable();
  return true;
}

bool FunctionCompiler::emitBrIf(const Operator& op) {
  Condition condition = popCondition();
  spillForEdgeTo(control(op.index));
  release(condition);  // no register is handed out before the branch
  // Dirty locals are stored on the taken path only (below): a loop whose
  // body leaves by a br_if then does not store its locals every iteration.
  if (!branchNeedsMoves(op.index) && !hasLocalsToFlushFor(control(op.index))) {
    ControlState& target = control(op.index);
    if (target.kind != ControlKind::Loop) noteBranchToEnd(target);
    masm_.branchIf(condition, true, branchLabel(target));
    return true;
  }
  // The stores of dirty locals and the moves (values, and locals into a
  // loop's registers) happen on the taken path only: the fall-through keeps
  // the cache as it was. A branch back to a loop is the likely path: its
  // stub is inline, and the fall-through jumps over it. A branch forward
  // (out of a block or loop) is the unlikely one: its stub is out of line,
  // and the fall-through jumps over nothing.
  LocalsSnapshot fallThrough = values_.saveLocals();
  bool baseFallThrough = masm_.memoryBaseCached();
  Label label = masm_.newLabel();
  if (control(op.index).kind == ControlKind::Loop) {
    masm_.branchIf(condition, false, label);
    emitBranchTo(op.index);
    masm_.bind(label);
  } else {
    masm_.branchIf(condition, true, label);
    masm_.beginOutOfLine();
    emitBranchTo(op.index);
    masm_.endOutOfLine(label);
  }
  values_.restoreLocals(fallThrough);
  masm_.setMemoryBaseCached(baseFallThrough);
  return true;
}

bool FunctionCompiler::emitBrTable() {
  GpReg index = values_.popToGpr();
  values_.spillAll();
  flushLocalsOutside(labelHome(controls_.back()));  // each target's stub prepares its edge
  std::span<const uint32_t> targets = it_.brTableTargets();
  // One stub per distinct depth: each moves values and jumps. A depth whose
  // edge needs no move and no store gets no stub: its cases jump straight to
  // the target (as br_if's do), and the target notes the edge once.
  std::vector<std::pair<uint32_t, Label>> stubs;
  std::vector<Label> labelOfDepth(controls_.size());
  auto stubFor = [&](uint32_t depth) {
    if (!labelOfDepth[depth].isValid()) {
      ControlState& target = control(depth);
      if (!branchNeedsMoves(depth) && !hasLocalsToFlushFor(target)) {
        if (target.kind != ControlKind::Loop) noteBranchToEnd(target);
        labelOfDepth[depth] = branchLabel(target);
      } else {
        labelOfDepth[depth] = masm_.newLabel();
        stubs.emplace_back(depth, labelOfDepth[depth]);
      }
    }
    return labelOfDepth[depth];
  };
  uint32_t numCases = static_cast<uint32_t>(targets.size()) - 1;
  Label defaultLabel = stubFor(targets.back());
  if (numCases <= 4) {
    for (uint32_t i = 0; i < numCases; ++i) masm_.branchIfEqual(index, i, stubFor(targets[i]));
    masm_.jump(defaultLabel);
  } else {
    std::vector<Label> caseLabels;
    caseLabels.reserve(numCases);
    for (uint32_t i = 0; i < numCases; ++i) caseLabels.push_back(stubFor(targets[i]));
    masm_.jumpTable(index, caseLabels, defaultLabel);
  }
  values_.release(index);
  // Each stub starts from the dispatch's state. A stub's edge may store
  // locals (a target outside the current loop) and move a loop's locals to
  // its home registers, so the next stub starts over from the dispatch.
  LocalsSnapshot atDispatch = values_.saveLocals();
  bool baseAtDispatch = masm_.memoryBaseCached();
  bool first = true;
  for (auto& [depth, label] : stubs) {
    masm_.bind(label);
    masm_.setMemoryBaseCached(baseAtDispatch);
    if (!first) values_.restoreLocals(atDispatch);
    first = false;
    emitBranchTo(depth);
  }
  becomeUnreachable();
  return true;
}

void FunctionCompiler::release(const Condition& condition) {
  if (condition.kind == Condition::Kind::FloatCompare) {
    values_.release(condition.floatLhs);
    values_.release(condition.floatRhs);
    return;
  }
  values_.release(condition.lhs);
  if (condition.kind == Condition::Kind::Compare && condition.rhs.kind == IntOperand::Kind::Register)
    values_.release(condition.rhs.reg);
}

bool FunctionCompiler::nextOperatorTests() const {
  int next = it_.peekOpcodeByte();
  return !countsFuel_ && !debugging_ && (next == opcodeCode(Opcode::BrIf) || next == opcodeCode(Opcode::If) ||
                          next == opcodeCode(Opcode::Select) || next == opcodeCode(Opcode::SelectTyped));
}

void FunctionCompiler::resultMayReplaceLocal(uint32_t depth) {
  if (countsFuel_ || debugging_) return;
  if (std::optional<uint32_t> local = it_.peekLocalWrite()) values_.yieldLocalRegister(depth, *local);
}

bool FunctionCompiler::emitSelect() {
  Condition condition = popCondition();
  Val b = values_.pop();
  Val a = values_.pop();
  if (inFpr(a.type)) {
    FpReg xb = values_.toFprShared(b);  // only read
    FpReg xa = values_.toFpr(a);
    masm_.select(condition, xa, xb);
    values_.release(xb);
    release(condition);
    values_.pushFpr(a.type, xa);
  } else {
    GpReg rb = values_.toGprShared(b);  // only read
    GpReg ra = values_.toGpr(a);
    masm_.select(condition, ra, rb);
    values_.release(rb);
    release(condition);
    values_.pushGpr(a.type, ra);
  }
  return true;
}

// ---- calls ----

// Everything below the arguments to its slot, then the top {callee.params}
// values from where they are to where the convention wants them: argument
// registers, or the outgoing stack area. The results buffer, if any, follows
// the stack arguments. The callee's vmctx is left for the call itself to pass.
FunctionCompiler::OutgoingCall FunctionCompiler::prepareCallArgs(const FuncType& callee) {
  uint32_t from = values_.size() - static_cast<uint32_t>(callee.params.size());
  values_.spillForCall(from);
  OutgoingCall call;
  bool buffer = call_abi::usesResultsBuffer(callee);
  call_abi::ArgumentAssigner arguments(buffer);
  std::vector<call_abi::Location>& at = argumentLocations_;
  at.resize(callee.params.size());
  for (uint32_t i = 0; i < callee.params.size(); ++i) at[i] = arguments.next(callee.params[i]);
  call.stackBytes = arguments.stackBytes();
  uint32_t bufferBytes = 0;
  if (buffer) {
    call_abi::ResultAssigner results;
    for (ValType t : callee.results) results.next(t);
    bufferBytes = results.bufferBytes();
  }
  maxOutgoingBytes_ = std::max(maxOutgoingBytes_, call.stackBytes + bufferBytes);
  // Stack arguments first: copying them goes through the scratch registers only.
  for (uint32_t i = 0; i < callee.params.size(); ++i)
    if (at[i].where == call_abi::Where::Stack)
      values_.storeTo(from + i, {MacroAssembler::kStackPointer, static_cast<int32_t>(at[i].stackOffset)});
  placeRegisterArguments(from, at);
  if (buffer) masm_.passResultsBuffer(call.stackBytes);
  values_.truncate(from);
  return call;
}

// Arguments in registers move first, as one parallel move (parallel_move.h):
// an argument register may hold another argument's value (rsi, r8, r9 and
// xmm1-xmm7 are operand registers too), and one value may go to several
// arguments. Arguments in slots or constants load last, into registers no
// pending value is in.
void FunctionCompiler::placeRegisterArguments(uint32_t from, std::span<const call_abi::Location> at) {
  RegisterMoves moves;
  for (uint32_t i = 0; i < at.size(); ++i) {
    const Val& v = values_.at(from + i);
    if (at[i].where == call_abi::Where::Stack || (v.loc != Loc::Gpr && v.loc != Loc::Fpr)) continue;
    moves.push_back({v.loc == Loc::Fpr, v.reg, MacroAssembler::argumentRegister(at[i]), v.type != ValType::I32});
  }
  emitParallelMoves(masm_, moves);
  for (uint32_t i = 0; i < at.size(); ++i) {
    const Val& v = values_.at(from + i);
    if (at[i].where == call_abi::Where::Stack || v.loc == Loc::Gpr || v.loc == Loc::Fpr) continue;
    ValType type = v.type;
    uint8_t reg = MacroAssembler::argumentRegister(at[i]);
    bool fpr = at[i].where == call_abi::Where::FloatRegister;
    if (v.loc == Loc::Slot) masm_.loadArgument(at[i], type, values_.slot(from + i));
    else if (fpr) masm_.loadConstant(FpReg{reg}, type, v.bits, v.bitsHigh);
    else masm_.loadConstant(GpReg{reg}, type, v.bits);
  }
}

void FunctionCompiler::pushCallResults(const std::vector<ValType>& results, const OutgoingCall& call) {
  if (results.size() == 1) {
    if (inFpr(results[0])) {
      FpReg x = values_.allocFpr();
      masm_.moveFromReturnFpr(x);
      values_.pushFpr(results[0], x);
    } else {
      GpReg r = values_.allocGpr();
      masm_.moveFromReturnGpr(r, results[0] != ValType::I32);
      values_.pushGpr(results[0], r);
    }
    return;
  }
  call_abi::ResultAssigner offsets;
  for (ValType type : results)
    values_.pushLoaded(type, {MacroAssembler::kStackPointer, static_cast<int32_t>(call.stackBytes + offsets.next(type))});
}

bool FunctionCompiler::emitCall(const Operator& op) {
  const FuncType& callee = module_.functionType(op.index);
  OutgoingCall call = prepareCallArgs(callee);
  if (op.index < module_.numImportedFunctions) {
    masm_.loadFuncRef(layout_.funcRefPtr(op.index));
    masm_.callFuncRef(op.offset);
  } else {
    masm_.callThroughEntryTable(entryTableOffset(op.index, module_.numImportedFunctions), op.offset);
  }
  pushCallResults(callee.results, call);
  return true;
}

// The FuncRef is found and checked before any argument is placed.
bool FunctionCompiler::emitCallIndirect(const Operator& op) {
  const FuncType& callee = module_.types[op.index];
  GpReg index = values_.popToGpr();
  masm_.loadIndirectFuncRef(index, layout_.table(op.index2), layout_.sigId(op.index), op.offset);
  values_.release(index);
  OutgoingCall call = prepareCallArgs(callee);
  masm_.callFuncRef(op.offset);
  pushCallResults(callee.results, call);
  return true;
}

void FunctionCompiler::emitBuiltinCall(BuiltinId id, std::initializer_list<uint64_t> immediates,
                                       uint32_t stackArgs) {
  values_.spillAllForCall();
  uint32_t from = values_.size() - stackArgs;
  Address operands[3];
  for (uint32_t i = 0; i < stackArgs; ++i) operands[i] = values_.slot(from + i);
  masm_.builtinArguments(immediates, std::span<const Address>(operands, stackArgs));
  values_.truncate(from);
  masm_.callBuiltin(id);
}

void FunctionCompiler::pushBuiltinResultI32() {
  GpReg r = values_.allocGpr();
  masm_.moveFromReturnGpr(r, false);
  values_.pushGpr(ValType::I32, r);
}

void FunctionCompiler::emitNumericBuiltin(BuiltinId id, ValType argType, ValType resultType) {
  values_.spillAllForCall();
  masm_.numericBuiltinArgument(argType, values_.slot(values_.size() - 1));
  values_.truncate(values_.size() - 1);
  masm_.callBuiltin(id);
  if (inFpr(resultType)) {
    FpReg result = values_.allocFpr();
    masm_.moveFromReturnFpr(result);
    values_.pushFpr(resultType, result);
  } else {
    GpReg result = values_.allocGpr();
    masm_.moveFromReturnGpr(result, true);
    values_.pushGpr(resultType, result);
  }
}

// ---- locals and globals ----

bool FunctionCompiler::emitLocalGet(const Operator& op) {
  values_.pushLocal(op.index);
  return true;
}

bool FunctionCompiler::emitLocalSet(const Operator& op, bool tee) {
  values_.setLocal(op.index, tee);
  return true;
}

// An imported global is reached through its pointer, loaded into {scratch}.
Address FunctionCompiler::globalAddress(uint32_t index, GpReg scratch) {
  Address inVmctx{MacroAssembler::kVmctx, layout_.global(index)};
  if (!layout_.globalIsImported(index)) return inVmctx;
  masm_.loadPointer(scratch, inVmctx);
  return {scratch, 0};
}

bool FunctionCompiler::emitGlobalGet(const Operator& op) {
  ValType type = module_.globals[op.index].type.type;
  values_.pushLoaded(type, globalAddress(op.index, MacroAssembler::kScratchGpr));
  return true;
}

// The store may need the scratch register for a constant: the address of an
// imported global goes to the other one.
bool FunctionCompiler::emitGlobalSet(const Operator& op) {
  uint32_t top = values_.size() - 1;
  values_.storeTo(top, globalAddress(op.index, MacroAssembler::kAddressScratchGpr));
  values_.truncate(top);
  return true;
}

// ---- the dispatch ----

namespace {

// Which emitter takes each opcode: one table read and one jump per operator.
// (A switch on the opcode for the few handled here, then tests of its family
// and immediates for the rest, branched on the guest's operator sequence at
// every operator, and those branches mispredicted.)
enum class Emitter : uint8_t {
  Unsupported, Unreachable, Nop, BlockStart, Else, End, Br, BrIf, BrTable, Return, Call, CallIndirect, Drop,
  Select, LocalGet, LocalSet, LocalTee, GlobalGet, GlobalSet, RefNull, RefIsNull, RefFunc,
  Simd, Atomic, Memory, Numeric,
};

constexpr std::array<Emitter, kOpcodeSpace> kEmitters = [] {
  std::array<Emitter, kOpcodeSpace> table{};
  for (size_t key = 0; key < kOpcodeSpace; ++key) {
    if (kOpcodeInfo[key].name == nullptr) continue;
    auto op = static_cast<Opcode>(key);
    switch (opcodeFamily(op)) {
      case OpcodeFamily::Simd: table[key] = Emitter::Simd; break;
      case OpcodeFamily::Atomic: table[key] = Emitter::Atomic; break;
      case OpcodeFamily::Core:
      case OpcodeFamily::Misc: table[key] = isMemoryOrTableOperator(op) ? Emitter::Memory : Emitter::Numeric; break;
    }
  }
  using O = Opcode;
  auto set = [&](Opcode op, Emitter emitter) { table[static_cast<uint16_t>(op)] = emitter; };
  set(O::Unreachable, Emitter::Unreachable);
  set(O::Nop, Emitter::Nop);
  set(O::Block, Emitter::BlockStart);
  set(O::Loop, Emitter::BlockStart);
  set(O::If, Emitter::BlockStart);
  set(O::Else, Emitter::Else);
  set(O::End, Emitter::End);
  set(O::Br, Emitter::Br);
  set(O::BrIf, Emitter::BrIf);
  set(O::BrTable, Emitter::BrTable);
  set(O::Return, Emitter::Return);
  set(O::Call, Emitter::Call);
  set(O::CallIndirect, Emitter::CallIndirect);
  set(O::Drop, Emitter::Drop);
  set(O::Select, Emitter::Select);
  set(O::SelectTyped, Emitter::Select);
  set(O::LocalGet, Emitter::LocalGet);
  set(O::LocalSet, Emitter::LocalSet);
  set(O::LocalTee, Emitter::LocalTee);
  set(O::GlobalGet, Emitter::GlobalGet);
  set(O::GlobalSet, Emitter::GlobalSet);
  set(O::RefNull, Emitter::RefNull);
  set(O::RefIsNull, Emitter::RefIsNull);
  set(O::RefFunc, Emitter::RefFunc);
  return table;
}();

}  // namespace

bool FunctionCompiler::emit(const Operator& op) {
  switch (kEmitters[static_cast<uint16_t>(op.opcode) & (kOpcodeSpace - 1)]) {
    case Emitter::Unreachable:
      masm_.trap(TrapKind::Unreachable, op.offset);
      becomeUnreachable();
      return true;
    case Emitter::Nop: return true;
    case Emitter::BlockStart: return emitBlockStart(op);
    case Emitter::Else: return emitElse();
    case Emitter::End: return emitEnd();
    case Emitter::Br: return emitBr(op);
    case Emitter::BrIf: return emitBrIf(op);
    case Emitter::BrTable: return emitBrTable();
    case Emitter::Return:
      emitReturn();
      becomeUnreachable();
      return true;
    case Emitter::Call: return emitCall(op);
    case Emitter::CallIndirect: return emitCallIndirect(op);
    case Emitter::Drop: values_.truncate(values_.size() - 1); return true;
    case Emitter::Select: return emitSelect();
    case Emitter::LocalGet: return emitLocalGet(op);
    case Emitter::LocalSet: return emitLocalSet(op, false);
    case Emitter::LocalTee: return emitLocalSet(op, true);
    case Emitter::GlobalGet: return emitGlobalGet(op);
    case Emitter::GlobalSet: return emitGlobalSet(op);
    case Emitter::RefNull: values_.pushConst(op.type, 0); return true;
    case Emitter::RefIsNull: {
      GpReg r = values_.popToGpr();
      masm_.isNull(r);
      values_.pushGpr(ValType::I32, r);
      return true;
    }
    case Emitter::RefFunc: {
      GpReg r = values_.allocGpr();
      masm_.loadPointer(r, {MacroAssembler::kVmctx, layout_.funcRefPtr(op.index)});
      values_.pushGpr(ValType::FuncRef, r);
      return true;
    }
    case Emitter::Simd: return emitSimd(op);
    case Emitter::Atomic: return emitAtomic(op);
    case Emitter::Memory: return emitMemory(op);
    case Emitter::Numeric: return emitNumeric(op);
    case Emitter::Unsupported: break;
  }
  return unsupported(op, std::string("operator ") + (opcodeName(op.opcode) ? opcodeName(op.opcode) : "?") +
                             " in the baseline compiler");
}

}  // namespace weft
