// The baseline's x86-64 backend: every instruction the baseline emits on
// x86-64 is chosen here, with asmjit as the encoder. The arch-neutral function
// compiler (compiler/baseline/function_compiler.h) decides what happens to
// values and control; this class decides how, for each operator family.
// An arm64 backend is a second class with the same members.
//
// It keeps DESIGN 1 and 3: every instance value is read through the vmctx
// register (r10), calls go through the module's entry table or a FuncRef,
// builtins through the vmctx's builtin table; nothing absolute is embedded.
//
// Register roles: operands get rsi, rdi, r8, r9 first, then the callee-saved
// rbx, r12, r13, r15 (saved only when a function uses them), and xmm1-xmm14;
// rax, rcx (shift counts, an imported memory's definition), rdx (division,
// results-buffer pointer), xmm0 and xmm15 are scratch; r10 holds the vmctx
// and r11 caches memory 0's base (or holds the FuncRef a call goes through);
// rbp, rsp the frame. Both r10 and r11 are caller-saved and reloaded after
// every call (the vmctx from the frame slot): a callee saves nothing for
// them, and they are not argument registers, so they survive the argument
// moves of a call.
//
// Frame (abi/calling_convention.h): [rbp+16+k] stack parameters, [rbp+8]
// return address, [rbp] the caller's rbp, [rbp-8] vmctx (vmctx::kFrameSlot),
// [rbp-24..-48] r13, r12, rbx, r15 when used, [rbp-56] the results
// buffer pointer; then locals, one 16-byte slot per operand-stack depth, and
// the outgoing area at [rsp].
#pragma once

#include <asmjit/x86.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "abi/builtins.h"
#include "abi/calling_convention.h"
#include "abi/compiled_code.h"
#include "abi/memory_strategy.h"
#include "abi/trap_kind.h"
#include "abi/vmctx_layout.h"
#include "compiler/baseline/division_by_constant.h"
#include "compiler/baseline/masm_types.h"
#include "compiler/baseline/x64/fast_encoder.h"
#include "format/opcodes.h"
#include "format/types.h"
#include "support/bounded_vector.h"
#include "validation/operator_iterator.h"

namespace weft {

class MacroAssemblerX64 {
  struct TrapStub {
    Label label;
    TrapKind kind = TrapKind::None;  // None: the kind is in eax (a builtin's result)
    uint32_t bytecodeOffset = 0;
  };
  struct OutOfLineStub {
    Label entry;
    uint32_t begin = 0, end = 0;  // its instructions in the out-of-line section
    Label then;                  // where it jumps after them
  };
  struct ForwardJump {
    uint32_t rel32At;  // in the text section
    Label target;
  };

 public:
  // What a compiling thread keeps from body to body: the body's and the
  // prologue's code buffers (the prologue is assembled last, once the frame
  // size and the registers the body used are known, and placed first), and
  // the lists a body fills as it is assembled, emptied for the next one but
  // keeping their memory (growing them anew was a malloc a few operators).
  struct Buffers {
    asmjit::CodeHolder code;
    asmjit::x86::Assembler assembler;
    asmjit::CodeHolder prologueCode;
    asmjit::x86::Assembler prologue;
    std::vector<TrapStub> traps;
    std::vector<ForwardJump> forwardJumps;
    std::vector<OutOfLineStub> outOfLine;
    std::vector<CodeSite> sites;
    std::vector<uint32_t> vmctxReloads;
    std::vector<int32_t> labelOffsets;  // by Label::id; kUnbound until bound
    asmjit::Section* outOfLineSection = nullptr;  // in {code}, made by the first body that needs it
  };
  // A memory operand (a frame slot, a local, a wasm memory access), opaque
  // to the function compiler.
  using MemOperand = x64::FastMem;

  static constexpr GpReg kStackPointer{4};
  static constexpr GpReg kFramePointer{5};
  static constexpr GpReg kVmctx{10};
  // Free for one instruction sequence; the value-stack moves may use it.
  static constexpr GpReg kScratchGpr{0};
  // Free, and never used by the value-stack moves: holds an address while a
  // value is stored through it.
  static constexpr GpReg kAddressScratchGpr{2};
  static constexpr uint32_t kAllocatableGprs =
      (1u << 3) | (1u << 6) | (1u << 7) | (1u << 8) | (1u << 9) | (1u << 12) | (1u << 13) | (1u << 15);
  // Handed out first: a function that never needs rbx, r12 or r15 need not
  // save them (the convention preserves them for its caller).
  static constexpr uint32_t kCallerSavedGprs = (1u << 6) | (1u << 7) | (1u << 8) | (1u << 9);
  static constexpr uint32_t kAllocatableFprs = 0x7ffe;  // xmm1..xmm14
  static constexpr int32_t kFrameHeaderBytes = 64;
  static constexpr int32_t kIncomingStackArgsOffset = 16;  // above the return address and saved rbp
  static constexpr int32_t kSlotBytes = 16;                // an operand-stack slot: a v128 fits
  // A function that calls nothing and whose frame is at most this big skips
  // the stack-limit check: the limit leaves a larger margin below it (the
  // trap raiser and signal handlers run there too); a --max-wasm-stack limit
  // may be overshot by at most this much.
  static constexpr uint32_t kLeafFrameWithoutStackCheck = 1024;

  MacroAssemblerX64(Buffers& buffers, const VmctxLayout& layout, MemoryStrategy strategy);
  ~MacroAssemblerX64();
  MacroAssemblerX64(const MacroAssemblerX64&) = delete;
  MacroAssemblerX64& operator=(const MacroAssemblerX64&) = delete;

  bool failed() const { return errors_.failed; }
  const std::string& errorText() const { return errors_.text; }
  // Marks the next instruction as the one for {bytecodeOffset} (a trap or a
  // call's return address maps back to it).
  void recordSite(uint32_t bytecodeOffset);
  // A debug site (abi/compiled_code.h): a 4-byte no-op at the next 4-aligned
  // offset of the body. Returns its body offset; bodyStart() turns that into
  // a code offset once finish() has placed the prologue.
  uint32_t debugSite();
  uint32_t bodyStart() const { return bodyStart_; }

  // ---- frame ----
  void beginFunction(uint32_t bodyBytecodeOffset, uint32_t bodyBytes, bool usesResultsBuffer);
  void storeRegisterParameter(call_abi::Location at, ValType type, Address local);
  void zeroLocals(int32_t lowestOffset, uint32_t qwords);
  void jumpToEpilogue();
  void emitEpilogue(uint32_t gprsUsed);
  // Trap stubs, jump tables, the prologue for a frame of {frameBytes}; the
  // finished code (prologue first) and its sites.
  void finish(uint32_t gprsUsed, uint32_t frameBytes, CompiledFunction& out);

  // ---- moves between registers, frame slots and constants ----
  MemOperand operand(Address address) const { return x64::memAt(address.base.code, address.offset, 8); }
  // The same, as asmjit's operand (for the forms asmjit encodes).
  asmjit::x86::Mem qwordAt(Address address) const { return x64::toAsmjit(operand(address)); }
  void loadGpr(GpReg dst, ValType type, MemOperand source);
  void loadFpr(FpReg dst, ValType type, MemOperand source);
  void storeGpr(MemOperand dest, GpReg src, ValType type);
  void storeFpr(MemOperand dest, FpReg src, ValType type);
  void storeConstant(MemOperand dest, ValType type, uint64_t bits, uint64_t bitsHigh);
  // A value in its slot to {dest}, through the scratch registers.
  void copySlotValue(MemOperand dest, Address slot, ValType type);
  void copySlot(Address from, Address to);  // all 16 bytes
  void loadConstant(GpReg dst, ValType type, uint64_t bits);
  void loadConstant(FpReg dst, ValType type, uint64_t bits, uint64_t bitsHigh);
  void loadVectorConstant(FpReg dst, uint64_t low, uint64_t high);
  void moveGpr(GpReg dst, GpReg src, bool wide);
  void moveFpr(FpReg dst, FpReg src);
  void loadPointer(GpReg dst, Address source);
  // The single-result registers of the convention.
  // The integer argument registers after the vmctx: rsi, rdx, rcx, r8, r9.
  static constexpr uint8_t kIntegerArgumentIds[call_abi::kIntegerArgRegisters] = {6, 2, 1, 8, 9};
  // Where a register argument goes: a GpReg's code (IntegerRegister) or an
  // FpReg's (FloatRegister).
  static uint8_t argumentRegister(call_abi::Location at) {
    return at.where == call_abi::Where::IntegerRegister ? kIntegerArgumentIds[at.index] : static_cast<uint8_t>(at.index);
  }
  // Holds a value while a cycle of argument moves is broken (never an
  // operand or argument register).
  static constexpr FpReg kMoveCycleFpr{15};
  static GpReg returnGpr() { return kScratchGpr; }
  // The register a parameter arrived in when the value stack may hand that
  // register out (rsi, r8, r9, xmm1-xmm7), so the parameter can stay there.
  static std::optional<uint8_t> allocatableParameterRegister(call_abi::Location at) {
    uint32_t id = 0;
    uint32_t allocatable = 0;
    if (at.where == call_abi::Where::IntegerRegister) {
      id = kIntegerArgumentIds[at.index];
      allocatable = kAllocatableGprs;
    } else if (at.where == call_abi::Where::FloatRegister) {
      id = at.index;
      allocatable = kAllocatableFprs;
    }
    if ((allocatable & (1u << id)) == 0) return std::nullopt;
    return static_cast<uint8_t>(id);
  }
  static FpReg returnFpr() { return FpReg{0}; }
  void moveFromReturnGpr(GpReg dst, bool wide);
  void moveFromReturnFpr(FpReg dst);
  // Where a function with two or more results writes them.
  GpReg loadResultsBufferPointer();

  // ---- control ----
  Label newLabel();
  void bind(Label label);
  // Binds a label other paths jump to: no cached value survives it (but
  // see setMemoryBaseCached).
  void bindMerge(Label label);
  // Memory 0's base, kept in a register from its first use until a call, a
  // merge or anything else that takes the register. The function compiler
  // carries it across a merge every edge of which brings it (and a loop's
  // head, every back edge of which loads it if it is gone).
  bool memoryBaseCached() const { return memBaseValid_; }
  void setMemoryBaseCached(bool cached) { memBaseValid_ = cached; }
  // Loads it unless it is there. The module has a memory.
  void cacheMemoryBase() { loadMemoryBase(memoryDefinition()); }
  // A loop's head: a merge point, aligned so that a hot loop's speed does not
  // depend on where the code before it happened to end.
  void bindLoopHeader(Label label);
  void jump(Label label);
  // Jumps to {label} when {condition} is {whenTrue}.
  void branchIf(const Condition& condition, bool whenTrue, Label label);
  void branchIfEqual(GpReg value, uint32_t immediate, Label label);
  // br_table with more than a few cases: bounds check, then a jump table.
  void jumpTable(GpReg index, std::span<const Label> targets, Label defaultLabel);
  // Code that only a rarely taken branch runs (the stores and moves of a
  // br_if's taken path) goes out of line, after the function's body, so that
  // the path that falls through takes no jump around it. Between the two
  // calls, only moves, loads and stores of the frame and registers, then
  // one jump (or a jump to the epilogue), which ends the stub; {entry} is
  // where the branch to the stub goes.
  void beginOutOfLine();
  void endOutOfLine(Label entry);
  Label trapLabel(TrapKind kind, uint32_t bytecodeOffset);
  void trap(TrapKind kind, uint32_t bytecodeOffset);
  // Traps "interrupted" when the host has set the vmctx interrupt flag: at
  // every loop header, so no guest runs unbounded past an interrupt (one
  // compare with a memory operand). The prologue has one too where
  // interrupt_points.h asks (finish).
  void interruptCheck(uint32_t bytecodeOffset);
  // Fuel (EngineConfig::consumeFuel): a straight-line run of operators pays
  // for itself as it starts, trapping "out of fuel" when it cannot. The price
  // is known when the run ends: chargeFuel returns where setFuelPrice puts it.
  uint32_t chargeFuel(uint32_t bytecodeOffset);
  void setFuelPrice(uint32_t at, uint32_t operators);

  // ---- calls ----
  void loadArgument(call_abi::Location at, ValType type, Address slot);
  void passResultsBuffer(uint32_t stackArgumentBytes);
  // Calls record {bytecodeOffset} at their return address.
  void callThroughEntryTable(int32_t entryOffset, uint32_t bytecodeOffset);
  void loadFuncRef(int32_t vmctxOffset);
  // The FuncRef at {index} of a table, checked (bounds, null, signature).
  void loadIndirectFuncRef(GpReg index, int32_t tableOffset, int32_t sigIdOffset, uint32_t bytecodeOffset);
  void callFuncRef(uint32_t bytecodeOffset);
  // vmctx, then {immediates}, then the values in {operands} as integers.
  void builtinArguments(std::initializer_list<uint64_t> immediates, std::span<const Address> operands);
  void numericBuiltinArgument(ValType type, Address operand);
  void callBuiltin(BuiltinId id);
  void trapIfResultNonZero(uint32_t bytecodeOffset);  // the result is a trap kind
  void trapIfResultNegative(uint32_t bytecodeOffset);  // bit 63 flags a trap kind

  // ---- linear memory, globals, tables ----
  // Bounds-checks (bounds-checked strategy) and addresses index + offset of
  // memory 0; {index} may come back holding index + offset, when
  // wasmMemoryWritesIndex (an offset no displacement holds): then the index
  // register must be the caller's alone.
  static bool wasmMemoryWritesIndex(const Operator& op) { return op.memarg.offset > INT32_MAX; }
  MemOperand wasmMemory(const Operator& op, GpReg index, uint32_t accessSize);
  // The same for a constant index, when address + offset + size fits a
  // 31-bit displacement (constantAddressFits).
  static bool constantAddressFits(const Operator& op, uint32_t address, uint32_t accessSize);
  MemOperand wasmMemoryAt(const Operator& op, uint32_t address, uint32_t accessSize);
  // Also traps unless the address is a multiple of {size}.
  MemOperand atomicMemory(const Operator& op, GpReg index, uint32_t size);
  void loadInteger(GpReg dst, MemOperand source, uint32_t size, ValType type, bool signExtend);
  void storeInteger(MemOperand dest, GpReg src, uint32_t size);
  void storeImmediate(MemOperand dest, uint32_t size, int64_t value);
  MemOperand memoryField(uint32_t memory, int32_t field);
  void memoryPages(GpReg dst, MemOperand byteLength);
  // The scratch register = the table's elements, {index} checked.
  void tableElements(GpReg index, int32_t tableOffset, uint32_t bytecodeOffset);
  void tableGet(GpReg indexAndResult);
  void tableSet(GpReg index, GpReg value);
  void tableSize(GpReg dst, int32_t tableOffset);

  // ---- numeric ----
  void intBinary(IntBinaryOp op, ValType type, GpReg lhsAndResult, const IntOperand& rhs);
  // dst = src + addend, src left as it was (one instruction).
  void addImmediateInto(ValType type, GpReg dst, GpReg src, int32_t addend);
  void shift(ShiftOp op, ValType type, GpReg lhsAndResult, const IntOperand& count);
  void compare(IntCondition condition, ValType type, GpReg lhsAndResult, const IntOperand& rhs);
  void eqz(ValType type, GpReg operandAndResult);
  void intUnary(IntUnaryOp op, ValType type, GpReg operandAndResult);
  // {rhsChecked}: the divisor is a constant that is neither 0 nor (signed) -1.
  void divRem(uint32_t bytecodeOffset, ValType type, bool isSigned, bool remainder, GpReg lhsAndResult, GpReg rhs,
              bool rhsChecked = false);
  // By a power of two, or (32-bit) by multiplying (division_by_constant.h).
  void divRemByConstant(ValType type, bool isSigned, bool remainder, GpReg lhsAndResult,
                        const ConstantDivisor& divisor);
  void floatBinary(FloatBinaryOp op, ValType type, FpReg lhsAndResult, FpReg rhs);
  void floatMinMax(ValType type, bool isMin, FpReg lhsAndResult, FpReg rhs);
  void floatCopysign(ValType type, FpReg lhsAndResult, FpReg rhs);
  void floatAbsNeg(ValType type, bool isAbs, FpReg operandAndResult);
  void floatRound(Rounding mode, ValType type, FpReg operandAndResult);
  void floatSqrt(ValType type, FpReg operandAndResult);
  void floatCompare(FloatCondition condition, ValType type, GpReg result, FpReg lhs, FpReg rhs);
  // float -> int with traps: first the checks, then the conversion.
  void checkTruncatable(uint32_t bytecodeOffset, ValType from, ValType to, bool isSigned, FpReg value);
  void truncate(ValType from, ValType to, bool isSigned, FpReg value, GpReg result);
  void intToFloat(ValType from, ValType to, bool isSigned, GpReg source, FpReg result);
  void convertInteger(Opcode op, GpReg operandAndResult);  // wrap, extend
  void convertFloat(Opcode op, FpReg operandAndResult);    // demote, promote
  void reinterpret(Opcode op, GpReg dst, FpReg src);       // float bits to an integer
  void reinterpret(Opcode op, FpReg dst, GpReg src);       // integer bits to a float
  void select(const Condition& condition, GpReg ifTrueAndResult, GpReg ifFalse);
  void select(const Condition& condition, FpReg ifTrueAndResult, FpReg ifFalse);
  void isNull(GpReg operandAndResult);

  // ---- SIMD (simd_x64.cpp): every operator inline ----
  // Extending, splatting and zero-filling loads.
  void vectorLoad(Opcode op, FpReg dst, MemOperand source);
  void laneLoadStore(bool isLoad, uint32_t size, FpReg vector, MemOperand memory, uint8_t lane);
  void shuffle(const uint8_t* lanes, FpReg lhsAndResult, FpReg rhs);
  void splat(Opcode op, FpReg dst, GpReg src);  // integer lanes
  void splatFloat(bool wide, FpReg scalarAndResult);
  void extractLane(Opcode op, GpReg dst, FpReg src, uint8_t lane);
  void extractFloatLane(Opcode op, FpReg vectorAndResult, uint8_t lane);
  void replaceLane(Opcode op, FpReg vector, GpReg value, uint8_t lane);
  void replaceFloatLane(Opcode op, FpReg vector, FpReg value, uint8_t lane);
  // v128 -> v128.
  void vectorUnary(Opcode op, FpReg operandAndResult);
  // v128 x v128 -> v128; both registers may be overwritten. Returns the one
  // that holds the result.
  FpReg vectorBinary(Opcode op, FpReg lhs, FpReg rhs);
  void vectorShift(Opcode op, FpReg operandAndResult, GpReg count);
  void vectorShiftByConstant(Opcode op, FpReg operandAndResult, uint32_t count);
  // any_true, all_true, bitmask; {operand} may be overwritten.
  void vectorTest(Opcode op, GpReg dst, FpReg operand);
  void bitselect(FpReg v1AndResult, FpReg v2, FpReg mask);

  // ---- atomics ----
  void fence();
  void atomicLoad(uint32_t bytecodeOffset, GpReg dst, MemOperand memory, uint32_t size);
  void atomicStore(uint32_t bytecodeOffset, MemOperand memory, GpReg value, uint32_t size);
  void atomicCompareExchange(uint32_t bytecodeOffset, MemOperand memory, GpReg expectedAndResult,
                             GpReg replacement, uint32_t size);
  void atomicRmw(uint32_t bytecodeOffset, AtomicRmwOp op, MemOperand memory, GpReg valueAndResult, uint32_t size);

 private:
  // Records the first assembler error instead of emitting bad code silently.
  class RecordingErrorHandler : public asmjit::ErrorHandler {
   public:
    void handleError(asmjit::Error err, const char* message, asmjit::BaseEmitter*) override;
    bool failed = false;
    std::string text;
  };
  struct JumpTable {
    Label label;
    std::vector<Label> targets;  // entries hold target - label
  };
  struct SavedRegister {
    uint32_t regId;  // trivially copyable, as BoundedVector needs; asmjit's Gp is not
    int32_t offset;
    asmjit::x86::Gp reg() const { return asmjit::x86::gpq(regId); }
  };
  // At most the four callee-saved registers the allocator hands out.
  BoundedVector<SavedRegister, 4> usedCalleeSaved(uint32_t gprsUsed) const;
  uint32_t assemblePrologue(uint32_t gprsUsed, uint32_t frameBytes, bool leaf, std::optional<Label> entryInterrupted);
  void patchPrologueJump(uint32_t rel32At, Label target, uint32_t prologueSize);
  void loadFloatConstant(const asmjit::x86::Xmm& dst, bool f32, double value);
  void reloadVmctx();
  void emitTrapStubs();
  void setFromFlags(asmjit::x86::CondCode condition, GpReg reg);
  // Jumps to labels, encoded by fast_encoder.h; the forward ones are patched
  // by finish() (patchForwardJumps), once every label is bound.
  void jumpIf(asmjit::x86::CondCode condition, Label label);
  void jumpTo(Label label);
  void jumpTo(int condition, Label label);
  void patchForwardJumps();
  // Where {label} is bound in the body's text, or kUnbound (also for a
  // label this body did not make, such as a default Label, so that a jump to
  // one fails in finish() rather than reading past the table).
  int32_t labelOffset(Label label) const { return label.id < labels_.size() ? labels_[label.id] : kUnbound; }
  static constexpr int32_t kUnbound = -1;
  void fail(const char* what);
  // SIMD sequences' parts (simd_x64.cpp).
  void allOnes(const asmjit::x86::Xmm& dst);
  void splatConstant32(const asmjit::x86::Xmm& dst, uint32_t value);
  void splatConstant64(const asmjit::x86::Xmm& dst, uint64_t value);
  void vectorNot(const asmjit::x86::Xmm& operandAndResult);
  FpReg vectorMinMax(Opcode op, FpReg lhs, FpReg rhs);
  void shiftByRegister(Opcode op, const asmjit::x86::Xmm& operandAndResult, const asmjit::x86::Xmm& count);
  void byteShiftRightSigned(const asmjit::x86::Xmm& operandAndResult, const asmjit::x86::Xmm& countPlus8);
  void int64ShiftRightSigned(const asmjit::x86::Xmm& operandAndResult, const asmjit::x86::Xmm& count);
  void failUnsupported(Opcode op);
  asmjit::x86::CondCode testCondition(const Condition& condition);
  asmjit::x86::Mem memoryDefinition();
  void loadMemoryBase(const asmjit::x86::Mem& definition);

  Buffers& buffers_;
  asmjit::x86::Assembler& a_;
  const VmctxLayout& layout_;
  MemoryStrategy strategy_;
  RecordingErrorHandler errors_;
  std::vector<TrapStub>& traps_;
  std::vector<ForwardJump>& forwardJumps_;
  std::vector<JumpTable> jumpTables_;
  asmjit::Section* outOfLineSection_ = nullptr;  // made by the first stub
  std::vector<OutOfLineStub>& outOfLine_;
  bool inOutOfLine_ = false;
  std::optional<Label> outOfLineJump_;  // the stub's final jump, emitted when it is placed
  std::vector<CodeSite>& sites_;
  Label epilogue_;
  Label stackOverflow_;
  bool memBaseValid_ = false;  // kMemBase (r11) holds memory 0's base
  bool makesCalls_ = false;    // any call in the body: wasm, host or builtin
  bool hasLoops_ = false;      // a loop header in the body: the prologue pads to kLoopAlignment
  uint32_t bodyBytecodeOffset_ = 0;
  uint32_t bodyBytes_ = 0;
  std::vector<uint32_t>& vmctxReloads_;
  bool hasDebugSites_ = false;  // the prologue then ends 4-aligned
  uint32_t bodyStart_ = 0;      // where finish() placed the body  // body offsets of the reloads' displacements
  std::vector<int32_t>& labels_;
};

}  // namespace weft
