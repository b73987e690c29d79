// The baseline's arch-neutral function compiler: one pass over the validating
// operator iterator that decides control flow, calls, where each operand value
// lives (value_stack.h) and which operator family an operator belongs to, and
// leaves every instruction to the MacroAssembler of the target (DESIGN 8: the
// baseline tier). The families have a file each: emit_numeric.cpp,
// emit_memory.cpp (memory, tables, bulk operations, atomics), emit_simd.cpp;
// control flow and calls are here, in function_compiler.cpp.
//
// Nothing here names an instruction, a register or an instruction set: those
// are the backend's (x64/macro_assembler_x64.h).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "abi/builtins.h"
#include "abi/calling_convention.h"
#include "abi/compiled_code.h"
#include "abi/vmctx_layout.h"
#include "compiler/baseline/baseline_compiler.h"
#include "compiler/baseline/loop_scan.h"
#include "compiler/baseline/macro_assembler.h"
#include "compiler/baseline/value_stack.h"
#include "compiler/fuel_runs.h"
#include "format/module_info.h"
#include "support/error.h"
#include "support/reusable_pool.h"
#include "validation/operator_iterator.h"

namespace weft {

// One open block, loop, if or the function body, as the function compiler
// sees it. What only some blocks need is in the scratch's pools, by index
// (ReusablePool::kNone when absent): a block stays small.
struct ControlState {
  // User-provided, so that emplace_back() runs only the initializers below:
  // value-initializing a struct without one zeroes all of it first.
  ControlState() {}
  ControlKind kind = ControlKind::Block;
  Label label;      // block/if: the end (made by branchLabel); loop: the head
  Label elseLabel;  // if: the false path
  uint32_t mergeHeight = 0;  // where the block's parameters start; branch values land here
  uint32_t baseHeight = 0;   // the stack height the body may not pop below
  BlockSignature signature;
  bool entryReachable = true;
  bool endTargeted = false;  // a branch goes to the end
  bool hasElse = false;
  uint32_t home = ReusablePool<LoopHome>::kNone;  // loop: where its locals are cached at the head
  // The home of the innermost loop around this block (kNone outside every
  // loop): on an edge to the block's end its locals may stay dirty.
  uint32_t enclosingHome = ReusablePool<LoopHome>::kNone;
  uint32_t elseLocals = ReusablePool<LocalsSnapshot>::kNone;  // if: the locals' cache as the false path starts
  uint32_t endLocals = ReusablePool<LocalsSnapshot>::kNone;   // block, if: the locals every edge to the end
                                                              // has cached alike; made by the first edge
  // Memory 0's base in its register (MacroAssembler::memoryBaseCached) on
  // every edge to the end so far; on the if's false edge; at a loop's head
  // (then every back edge brings it there).
  bool baseAtEnd = true;
  bool baseAtElse = false;
  bool baseAtHead = false;
  const uint8_t* scannedEnd = nullptr;  // loop: where the look-ahead found its end (checked there)
  // A block's or if's one result (registerResult): the register every edge
  // to the end brings it in, chosen by the first edge; or in its slot.
  static constexpr int8_t kResultUndecided = -1, kResultInSlot = -2;
  int8_t resultRegister = kResultUndecided;
};

// Kept between functions: no regrowth per function.
struct BaselineScratch::Reused {
  MacroAssembler::Buffers buffers;
  std::vector<ControlState> controls;
  ReusablePool<LocalsSnapshot> snapshots;
  ReusablePool<LoopHome> homes;
  std::vector<call_abi::Location> argumentLocations;  // of the call being prepared, or of the parameters
  ValueStack::Storage values;
  std::vector<int32_t> localOffsets;
  LoopScanner loopScanner;
};

class FunctionCompiler {
 public:
  FunctionCompiler(const ModuleInfo& module, std::span<const uint8_t> bytes, uint32_t functionIndex,
                   const VmctxLayout& layout, const BaselineOptions& options, BaselineScratch& scratch);
  Result<CompiledFunction> compile();

 private:

  // Stack bytes of a call's arguments (its results buffer follows them).
  struct OutgoingCall {
    uint32_t stackBytes = 0;
  };

  Error internalError(uint32_t offset, std::string message) const;
  bool unsupported(const Operator& op, const std::string& what);

  // ---- frame ----
  uint32_t numParams() const { return static_cast<uint32_t>(type_.params.size()); }
  Address local(uint32_t index) const { return {MacroAssembler::kFramePointer, localOffsets_[index]}; }
  ValType localType(uint32_t index) const { return it_.locals()[index]; }
  bool emitEntry();
  // Debug mode: a debug site before the operator at {bytecodeOffset}, with
  // every value and local stored where the debugger reads them.
  void emitDebugSite(uint32_t bytecodeOffset);
  void finishDebugInfo(CompiledFunction& out);

  // ---- control flow ----
  ControlState& control(uint32_t depth) { return controls_[controls_.size() - 1 - depth]; }
  void becomeUnreachable();
  void moveTopTo(uint32_t count, uint32_t height);
  void emitReturn();
  void emitReturnValues();
  void emitBranchTo(uint32_t depth);
  bool branchNeedsMoves(uint32_t depth);
  void noteBranchToEnd(ControlState& target);
  // The loop home whose locals an edge to {target}'s label leaves dirty in
  // their registers: a loop's own, else the innermost loop's around the
  // label (ReusablePool::kNone outside every loop). It is also the home of
  // the code inside {target}.
  static uint32_t labelHome(const ControlState& target) {
    return target.kind == ControlKind::Loop ? target.home : target.enclosingHome;
  }
  // Every dirty local to its slot but those of loop home {home}.
  void flushLocalsOutside(uint32_t home);
  // Before an edge to {target}'s label: the state every edge to it brings.
  void prepareEdgeTo(ControlState& target);
  bool hasLocalsToFlushFor(ControlState& target);
  // Whether edges to {target}'s end bring its result in a register: a block
  // or an if with one result and no parameters.
  static bool registerResult(const ControlState& target) {
    return (target.kind == ControlKind::Block || target.kind == ControlKind::If) &&
           target.signature.numResults == 1 && target.signature.numParams == 0;
  }
  // Before prepareEdgeTo on a fall-through edge whose result is the top
  // value, wherever it is: a result in one of the label home's registers
  // goes to its slot (the home's moves may overwrite it there).
  void prepareResultEdge(ControlState& target);
  // After prepareEdgeTo: the top value into the end's result register
  // (choosing it on the first edge), or its slot.
  void deliverResult(ControlState& target);
  void spillForEdgeTo(ControlState& target);
  void arriveAt(ControlState& target);
  // The registers of {target}'s label home, of the kind; whether the top
  // value is in one of them.
  uint32_t homeRegistersOf(const ControlState& target, bool fpr) const;
  bool topInHomeRegister(const ControlState& target) const;
  void fallThroughEdgeTo(ControlState& state);
  // Whether the false edge of an if without else brings the state its end
  // wants without moves.
  bool falseEdgeReady(const ControlState& state);
  void releasePooled(ControlState& state);
  Label branchLabel(ControlState& target);
  void intersectEdge(ControlState& target, const LocalsSnapshot& edge);
  bool emitBlockStart(const Operator& op);
  bool emitElse();
  bool emitEnd();
  bool emitBr(const Operator& op);
  bool emitBrIf(const Operator& op);
  bool emitBrTable();
  bool emitSelect();
  // The condition br_if, `if` or select tests: the comparison fused into it,
  // or the top value, tested in place (a local's register too: nothing
  // writes a register between the pop and the test, as the branch's moves
  // come after it). Its registers are the caller's to release. Inline:
  // returned through memory from a call, the condition was written field by
  // field and read back whole, a store-forwarding stall at every if and br_if.
  Condition popCondition() {
    if (!fusedCondition_) return Condition::nonZero(values_.popToGprShared());
    Condition condition = *fusedCondition_;
    fusedCondition_.reset();
    return condition;
  }
  void release(const Condition& condition);
  // Whether the next operator tests the comparison being emitted (br_if, if,
  // select), so that it can take it as flags. Not with fuel: its charge
  // between the two would change the flags.
  bool nextOperatorTests() const;
  // Before an operator that cannot trap and overwrites its operand at
  // {depth}: `local.get x ... op local.set x` (`i += 4`, `sum += a[i]`) then
  // works in x's register instead of a copy moved back into it. Not when
  // debugging or counting fuel: a site or a charge between the two would see
  // x without its value.
  void resultMayReplaceLocal(uint32_t depth);

  // ---- calls ----
  OutgoingCall prepareCallArgs(const FuncType& callee);
  void placeRegisterArguments(uint32_t from, std::span<const call_abi::Location> at);
  void pushCallResults(const std::vector<ValType>& results, const OutgoingCall& call);
  bool emitCall(const Operator& op);
  bool emitCallIndirect(const Operator& op);
  // A runtime builtin with the vmctx, then {immediates}, then the top
  // {stackArgs} operands (all spilled first, so no argument register is
  // live). Returns with the operands popped; the result is in the return
  // register.
  void emitBuiltinCall(BuiltinId id, std::initializer_list<uint64_t> immediates, uint32_t stackArgs);
  // A builtin's i32 result onto the stack.
  void pushBuiltinResultI32();
  // A pure numeric builtin: one float/double or integer argument, no vmctx.
  void emitNumericBuiltin(BuiltinId id, ValType argType, ValType resultType);

  // ---- locals and globals ----
  bool emitLocalGet(const Operator& op);
  bool emitLocalSet(const Operator& op, bool tee);
  Address globalAddress(uint32_t index, GpReg scratch);
  bool emitGlobalGet(const Operator& op);
  bool emitGlobalSet(const Operator& op);

  // ---- the operator families (one file each) ----
  bool emit(const Operator& op);
  bool emitNumeric(const Operator& op);  // emit_numeric.cpp
  void emitIntBinary(IntBinaryOp op, ValType type);
  void emitShift(ShiftOp op, ValType type);
  void emitCompare(IntCondition condition, ValType type);
  void emitTruncate(const Operator& op, ValType from, ValType to, bool isSigned);
  bool emitMemory(const Operator& op);   // emit_memory.cpp
  bool topIsConstantAddress(const Operator& op, uint32_t size) const;
  bool emitLoad(const Operator& op, uint32_t size, ValType type, bool signExtend);
  bool emitStore(const Operator& op, uint32_t size, ValType type);
  bool emitAtomic(const Operator& op);
  bool emitSimd(const Operator& op);     // emit_simd.cpp

  const ModuleInfo& module_;
  const VmctxLayout& layout_;
  uint32_t functionIndex_;
  const FuncType& type_;
  OperatorIterator it_;
  MacroAssembler masm_;
  ValueStack values_;
  std::vector<ControlState>& controls_;  // the scratch's, emptied for each function
  ReusablePool<LocalsSnapshot>& snapshots_;  // the scratch's, all free for each function
  ReusablePool<LoopHome>& homes_;
  std::vector<call_abi::Location>& argumentLocations_;  // the scratch's
  bool reachable_ = true;
  std::optional<Condition> fusedCondition_;  // a comparison the next operator tests
  bool countsFuel_ = false;
  bool debugging_ = false;
  std::shared_ptr<DebugFunctionInfo> debugInfo_;  // debug mode
  FuelRun<uint32_t> fuel_;  // price: the code offset of the charge's immediate
  uint32_t maxOutgoingBytes_ = 0;
  uint32_t localsBytes_ = 0;
  std::vector<int32_t>& localOffsets_;  // the scratch's
  LoopScanner& loopScanner_;            // the scratch's
  std::optional<Error> failure_;
};

}  // namespace weft
