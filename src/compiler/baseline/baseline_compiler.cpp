// The baseline compiler's single pass. See baseline_compiler.h for the calling
// convention and value_stack.h for where operand values live.
#include "compiler/baseline/baseline_compiler.h"

#include <asmjit/x86.h>

#include <cstring>
#include <string>

#include "compiler/baseline/value_stack.h"
#include "abi/builtins.h"
#include "abi/calling_convention.h"
#include "abi/entry_table.h"
#include "abi/trap_kind.h"

namespace weft {
namespace {

using namespace asmjit;

const x86::Gp kVmctx = x86::r14;
// Memory 0's base, loaded on first use after each merge point or call and
// reused until then (wasm callees clobber it; memory.grow may move it).
const x86::Gp kMemBase = x86::r13;
// Scratch registers, never allocated to operand values: rax, rcx (shift
// counts), rdx (division), r11 (an imported memory's definition); xmm0, xmm15.
const x86::Gp kMemDef = x86::r11;

bool isFloat(ValType t) { return t == ValType::F32 || t == ValType::F64; }
// The 64-bit or the 32-bit view of a general-purpose register.
x86::Gp sized(const x86::Gp& reg, bool wide) { return wide ? x86::Gp(reg.r64()) : x86::Gp(reg.r32()); }
bool fitsInt32(uint64_t bits) {
  auto v = static_cast<int64_t>(bits);
  return v >= INT32_MIN && v <= INT32_MAX;
}

// Records the first assembler error instead of emitting bad code silently.
class RecordingErrorHandler : public ErrorHandler {
 public:
  void handleError(asmjit::Error err, const char* message, BaseEmitter*) override {
    if (!failed) {
      failed = true;
      text = message ? message : DebugUtils::errorAsString(err);
    }
  }
  bool failed = false;
  std::string text;
};

struct ControlState {
  ControlKind kind = ControlKind::Block;
  Label label;      // block/if: the end; loop: the head
  Label elseLabel;  // if: the false path
  uint32_t mergeHeight = 0;  // where the block's parameters start; branch values land here
  uint32_t baseHeight = 0;   // the stack height the body may not pop below
  BlockSignature signature;
  bool entryReachable = true;
  bool endTargeted = false;  // a branch goes to the end
  bool hasElse = false;
};

struct JumpTable {
  Label label;
  std::vector<Label> targets;  // entries hold target - label
};

struct TrapStub {
  Label label;
  TrapKind kind = TrapKind::None;  // None: the kind is in eax (a helper's result)
  uint32_t bytecodeOffset = 0;
};

}  // namespace

struct BaselineScratch::Reused {
  CodeHolder code;
  x86::Assembler assembler;
  // The prologue, assembled last, once the frame size and the registers the
  // body used are known, and placed before the body.
  CodeHolder prologueCode;
  x86::Assembler prologue;
};

namespace {

class FunctionCompiler {
 public:
  FunctionCompiler(const ModuleInfo& module, std::span<const uint8_t> bytes, uint32_t functionIndex,
                   const VmctxLayout& layout, const BaselineOptions& options, BaselineScratch& scratch)
      : module_(module),
        layout_(layout),
        options_(options),
        functionIndex_(functionIndex),
        type_(module.functionType(functionIndex)),
        it_(module, bytes, functionIndex, scratch.validator),
        code_(scratch.reused->code),
        a_(scratch.reused->assembler),
        prologueCode_(scratch.reused->prologueCode),
        prologue_(scratch.reused->prologue) {
    code_.reset(ResetPolicy::kSoft);  // keeps its zone memory for the next body
    code_.init(Environment::host());
    code_.setErrorHandler(&errors_);
    code_.attach(&a_);
    prologueCode_.reset(ResetPolicy::kSoft);
    prologueCode_.init(Environment::host());
    prologueCode_.setErrorHandler(&errors_);
    prologueCode_.attach(&prologue_);
    values_.emplace(a_);
  }
  ~FunctionCompiler() {
    code_.detach(&a_);
    prologueCode_.detach(&prologue_);
  }

  Result<CompiledFunction> compile() {
    if (!it_.readLocals()) return it_.error();
    if (!emitEntry()) return it_.error();
    Operator op;
    while (it_.next(op)) {
      if (!reachable_ && !isControl(op.opcode)) continue;
      if (!emit(op)) return failure_ ? *failure_ : it_.error();
      if (errors_.failed) return internalError(op.offset, "assembler: " + errors_.text);
    }
    if (it_.failed()) return it_.error();
    emitTrapStubs();
    emitJumpTables();
    uint32_t prologueSize = emitPrologueLast();
    if (errors_.failed) return internalError(0, "assembler: " + errors_.text);

    // The prologue, then the body: the body refers to nothing before it, so
    // placing it after the prologue changes none of its bytes.
    CodeBuffer& head = prologueCode_.textSection()->buffer();
    CodeBuffer& body = code_.textSection()->buffer();
    out_.code.assign(head.data(), head.data() + head.size());
    out_.code.insert(out_.code.end(), body.data(), body.data() + body.size());
    for (CodeSite& site : out_.sites) site.codeOffset += prologueSize;
    std::sort(out_.sites.begin(), out_.sites.end(),
              [](const CodeSite& x, const CodeSite& y) { return x.codeOffset < y.codeOffset; });
    return std::move(out_);
  }

 private:
  ValueStack& values() { return *values_; }

  static bool isControl(Opcode op) {
    switch (op) {
      case Opcode::Block: case Opcode::Loop: case Opcode::If: case Opcode::Else: case Opcode::End:
        return true;
      default:
        return false;
    }
  }

  Error internalError(uint32_t offset, std::string message) {
    Error error;
    error.kind = ErrorKind::LimitExceeded;
    error.offset = offset;
    error.functionIndex = functionIndex_;
    error.message = "baseline compiler: " + std::move(message);
    return error;
  }
  bool unsupported(const Operator& op, const std::string& what) {
    Error error;
    error.kind = ErrorKind::Unsupported;
    error.offset = op.offset;
    error.functionIndex = functionIndex_;
    error.message = "unsupported: " + what;
    failure_ = error;
    return false;
  }

  // ---- frame layout ----
  // [rbp+16+k] parameters passed on the stack (abi/calling_convention.h)
  // [rbp+8] return address, [rbp] the caller's rbp
  // [rbp-8] vmctx (vmctx::kFrameSlot), [rbp-16..-48] the caller's r14, r13,
  // r12, rbx, r15 (preserved by the convention; the baseline uses them),
  // [rbp-56] the results buffer when there are two or more results;
  // below kFrameHeaderBytes the locals (8 bytes, 16 for v128; parameters that
  // arrive in registers are stored here too), one 16-byte slot per
  // operand-stack depth (ValueStack), then the outgoing area at [rsp]:
  // stack arguments, then the results buffer of a call.
  static constexpr int32_t kFrameHeaderBytes = 64;
  static constexpr int32_t kResultsBufferSlot = -56;
  struct SavedRegister {
    x86::Gp reg;
    int32_t offset;
  };
  static constexpr SavedRegister kSaved[] = {
      {x86::r14, -16}, {x86::r13, -24}, {x86::r12, -32}, {x86::rbx, -40}, {x86::r15, -48}};
  uint32_t numParams() const { return static_cast<uint32_t>(type_.params.size()); }
  x86::Mem localMem(uint32_t index) const { return x86::qword_ptr(x86::rbp, localOffsets_[index]); }
  ValType localType(uint32_t index) const { return it_.locals()[index]; }
  static uint32_t slotUnits(ValType t) { return argumentSlotUnits(t); }
  static x86::Gp integerArgRegister(uint32_t index) {
    static const x86::Gp kRegisters[call_abi::kIntegerArgRegisters] = {x86::rsi, x86::rdx, x86::rcx, x86::r8,
                                                                       x86::r9};
    return kRegisters[index];
  }

  // The start of the body: parameters that arrived in registers go to their
  // local slots, declared locals are zeroed. The frame itself is set up by
  // the prologue (emitPrologueLast), which runs first.
  bool emitEntry() {
    std::span<const ValType> locals = it_.locals();
    localOffsets_.resize(locals.size());
    call_abi::ArgumentAssigner arguments(call_abi::usesResultsBuffer(type_));
    std::vector<call_abi::Location> paramAt(numParams());
    uint32_t below = kFrameHeaderBytes;
    for (uint32_t i = 0; i < numParams(); ++i) {
      paramAt[i] = arguments.next(locals[i]);
      if (paramAt[i].where == call_abi::Where::Stack) {
        localOffsets_[i] = static_cast<int32_t>(16 + paramAt[i].stackOffset);
      } else {
        below += 8 * slotUnits(locals[i]);
        localOffsets_[i] = -static_cast<int32_t>(below);
      }
    }
    uint32_t firstDeclared = below;
    for (uint32_t i = numParams(); i < locals.size(); ++i) {
      below += 8 * slotUnits(locals[i]);
      localOffsets_[i] = -static_cast<int32_t>(below);
    }
    localsBytes_ = below - kFrameHeaderBytes;
    uint32_t numDeclaredQwords = (below - firstDeclared) / 8;
    values().setSlotBase(-static_cast<int32_t>(below + ValueStack::kSlotSize));
    stackOverflow_ = trapLabel(TrapKind::StackExhausted, module_.functions[functionIndex_].body.offset);
    if (call_abi::usesResultsBuffer(type_)) a_.mov(x86::qword_ptr(x86::rbp, kResultsBufferSlot), x86::rsi);
    for (uint32_t i = 0; i < numParams(); ++i) {
      x86::Mem local = localMem(i);
      if (paramAt[i].where == call_abi::Where::IntegerRegister) {
        a_.mov(local, integerArgRegister(paramAt[i].index));
      } else if (paramAt[i].where == call_abi::Where::FloatRegister) {
        x86::Xmm x = x86::xmm(paramAt[i].index);
        if (locals[i] == ValType::F32) a_.movss(local, x);
        else if (locals[i] == ValType::F64) a_.movsd(local, x);
        else a_.movdqu(x86::xmmword_ptr(x86::rbp, localOffsets_[i]), x);
      }
    }
    if (numDeclaredQwords > 0) {
      if (numDeclaredQwords <= 8) {
        a_.xor_(x86::eax, x86::eax);
        for (uint32_t j = 0; j < numDeclaredQwords; ++j)
          a_.mov(x86::qword_ptr(x86::rbp, -static_cast<int32_t>(below - 8 * j)), x86::rax);
      } else {
        // rdi, rcx, rax are free: the arguments are stored.
        a_.lea(x86::rdi, x86::ptr(x86::rbp, -static_cast<int32_t>(below)));
        a_.mov(x86::ecx, numDeclaredQwords);
        a_.xor_(x86::eax, x86::eax);
        a_.rep().stosq();
      }
    }
    epilogue_ = a_.newLabel();
    ControlState function;
    function.kind = ControlKind::Function;
    function.label = a_.newLabel();
    function.signature.results = type_.results.data();
    function.signature.numResults = static_cast<uint32_t>(type_.results.size());
    controls_.push_back(function);
    return true;
  }

  // The callee-saved registers the body used (the vmctx register always).
  std::vector<SavedRegister> usedCalleeSaved() {
    uint32_t used = values().gprsUsed() | (1u << kVmctx.id()) | (memBaseUsed_ ? 1u << kMemBase.id() : 0u);
    std::vector<SavedRegister> saved;
    for (const SavedRegister& candidate : kSaved)
      if (used & (1u << candidate.reg.id())) saved.push_back(candidate);
    return saved;
  }

  // The shared exit every return jumps to (the function's own end falls into
  // it): restores what the prologue saved, pops the frame.
  void emitEpilogue() {
    bindMerge(epilogue_);
    for (const SavedRegister& saved : usedCalleeSaved()) a_.mov(saved.reg, x86::qword_ptr(x86::rbp, saved.offset));
    a_.mov(x86::rsp, x86::rbp);
    a_.pop(x86::rbp);
    a_.ret();
  }

  // Assembled after the body, when the frame size and the registers it used
  // are known; placed before it. Returns its size.
  uint32_t emitPrologueLast() {
    x86::Assembler& p = prologue_;
    p.push(x86::rbp);
    p.mov(x86::rbp, x86::rsp);
    p.push(x86::rdi);  // the frame's vmctx slot, at vmctx::kFrameSlot
    static_assert(vmctx::kFrameSlot == -8, "the push above must land on the slot");
    // Below rsp, inside the 128-byte red zone that signal delivery respects,
    // and before anything may trap: the trap path reaches the builtins
    // through r14, which must be this function's vmctx by then.
    for (const SavedRegister& saved : usedCalleeSaved()) p.mov(x86::qword_ptr(x86::rbp, saved.offset), saved.reg);
    p.mov(kVmctx, x86::rdi);
    uint32_t below = kFrameHeaderBytes + localsBytes_ + ValueStack::kSlotSize * values().maxDepth() + maxOutgoingBytes_;
    uint32_t frameSize = (below + 15) & ~15u;
    p.mov(x86::rax, x86::rsp);
    p.sub(x86::rax, Imm(static_cast<int32_t>(frameSize - 8)));  // the vmctx push is already below rbp
    p.cmp(x86::rax, x86::qword_ptr(kVmctx, vmctx::kStackLimit));
    // jb rel32 to the body's stack-overflow stub, written by hand: the stub
    // is in the other buffer.
    p.db(0x0f);
    p.db(0x82);
    uint32_t rel32At = static_cast<uint32_t>(p.offset());
    p.dd(0);
    p.mov(x86::rsp, x86::rax);
    uint32_t size = static_cast<uint32_t>(p.offset());
    auto target = static_cast<int64_t>(size + code_.labelOffset(stackOverflow_));
    auto rel32 = static_cast<int32_t>(target - (rel32At + 4));
    std::memcpy(prologueCode_.textSection()->buffer().data() + rel32At, &rel32, 4);
    return size;
  }

  // ---- traps ----
  Label trapLabel(TrapKind kind, uint32_t bytecodeOffset) {
    TrapStub stub{a_.newLabel(), kind, bytecodeOffset};
    traps_.push_back(stub);
    return stub.label;
  }
  void emitJumpTables() {
    for (const JumpTable& table : jumpTables_) {
      a_.align(AlignMode::kData, 4);
      a_.bind(table.label);
      for (const Label& target : table.targets) a_.embedLabelDelta(target, table.label, 4);
    }
  }
  void emitTrapStubs() {
    for (const TrapStub& stub : traps_) {
      a_.bind(stub.label);
      if (stub.kind == TrapKind::None)
        a_.mov(x86::edi, x86::eax);
      else
        a_.mov(x86::edi, static_cast<uint32_t>(stub.kind));
      a_.mov(x86::esi, stub.bytecodeOffset);
      a_.mov(x86::rdx, x86::rbp);
      a_.lea(x86::rcx, x86::ptr(stub.label));
      a_.and_(x86::rsp, -16);  // the prologue's stack check jumps here before the frame is aligned
      callHelperAddress(BuiltinId::RaiseTrap);
    }
  }
  void callHelperAddress(BuiltinId id) {
    a_.mov(x86::rax, x86::qword_ptr(kVmctx, vmctx::kHelpers));
    a_.call(x86::qword_ptr(x86::rax, builtinTableOffset(id)));
    memBaseValid_ = false;  // memory.grow may have moved the memory
  }
  // Binds a label other paths jump to: nothing cached survives it.
  void bindMerge(const Label& label) {
    a_.bind(label);
    memBaseValid_ = false;
  }
  void recordSite(uint32_t bytecodeOffset) {
    out_.sites.push_back({static_cast<uint32_t>(a_.offset()), bytecodeOffset});
  }

  // ---- control flow ----
  ControlState& control(uint32_t depth) { return controls_[controls_.size() - 1 - depth]; }

  void becomeUnreachable() {
    values().truncate(controls_.back().baseHeight);
    reachable_ = false;
  }

  // Moves the top {count} values (all in slots) to the slots from {height}.
  void moveTopTo(uint32_t count, uint32_t height) {
    uint32_t from = values().size() - count;
    if (from == height) return;
    for (uint32_t i = 0; i < count; ++i) values().copySlot(from + i, height + i);
  }

  // Leaves the function with the top results. Values may be anywhere.
  void emitReturn() {
    emitReturnValues();
    a_.jmp(epilogue_);
  }
  // The top results where the convention wants them.
  void emitReturnValues() {
    uint32_t count = static_cast<uint32_t>(type_.results.size());
    uint32_t from = values().size() - count;
    if (count == 1) {
      ValType type = type_.results[0];
      if (inXmm(type)) moveToXmm0(from, type);
      else moveToRax(from, type);
    } else if (count > 1) {
      // rdx: storeTo may use rax and xmm0, and no value lives in rdx.
      a_.mov(x86::rdx, x86::qword_ptr(x86::rbp, kResultsBufferSlot));
      call_abi::ResultAssigner results;
      for (uint32_t i = 0; i < count; ++i)
        values().storeTo(from + i, x86::qword_ptr(x86::rdx, static_cast<int32_t>(results.next(type_.results[i]))));
    }
  }
  // The value at {depth} into rax (an i32 zero-extended) or xmm0.
  void moveToRax(uint32_t depth, ValType type) {
    const Val& v = values().at(depth);
    bool wide = type != ValType::I32;
    if (v.loc == Loc::Gpr) {
      a_.mov(sized(x86::rax, wide), sized(x86::gpq(v.reg), wide));
    } else if (v.loc == Loc::Const) {
      if (wide) a_.mov(x86::rax, v.bits);
      else a_.mov(x86::eax, static_cast<uint32_t>(v.bits));
    } else {
      x86::Mem slot = values().slotMem(depth);
      slot.setSize(wide ? 8 : 4);
      a_.mov(sized(x86::rax, wide), slot);
    }
  }
  void moveToXmm0(uint32_t depth, ValType type) {
    const Val& v = values().at(depth);
    if (v.loc == Loc::Xmm) a_.movaps(x86::xmm0, x86::xmm(v.reg));
    else if (v.loc == Loc::Slot) values().loadXmm(x86::xmm0, type, values().slotMem(depth));
    else values().materializeXmm(x86::xmm0, v);
  }

  // Jumps to the label of {depth} with the values it expects; values spilled.
  void emitBranchTo(uint32_t depth) {
    ControlState& target = control(depth);
    if (target.kind == ControlKind::Function) {
      emitReturn();
      return;
    }
    uint32_t count = static_cast<uint32_t>(target.kind == ControlKind::Loop ? target.signature.numParams
                                                                             : target.signature.numResults);
    moveTopTo(count, target.mergeHeight);
    if (target.kind != ControlKind::Loop) target.endTargeted = true;
    a_.jmp(target.label);
  }
  bool branchNeedsMoves(uint32_t depth) {
    ControlState& target = control(depth);
    if (target.kind == ControlKind::Function) return true;
    uint32_t count = static_cast<uint32_t>(target.kind == ControlKind::Loop ? target.signature.numParams
                                                                             : target.signature.numResults);
    return values().size() - count != target.mergeHeight;
  }

  bool emitBlockStart(const Operator& op) {
    ControlState state;
    state.kind = op.opcode == Opcode::Block ? ControlKind::Block
                 : op.opcode == Opcode::Loop ? ControlKind::Loop
                                             : ControlKind::If;
    state.signature = op.block;
    state.label = a_.newLabel();
    if (!reachable_) {
      state.entryReachable = false;
      state.mergeHeight = state.baseHeight = values().size();
      controls_.push_back(state);
      return true;
    }
    x86::Gp condition;
    if (state.kind == ControlKind::If) condition = values().popToGpr();
    values().spillAll();
    uint32_t params = op.block.numParams;
    state.mergeHeight = state.baseHeight = values().size() - params;
    if (state.kind == ControlKind::Loop) bindMerge(state.label);
    if (state.kind == ControlKind::If) {
      state.elseLabel = a_.newLabel();
      a_.test(condition.r32(), condition.r32());
      values().release(condition);
      a_.jz(state.elseLabel);
      // The else branch needs the parameters as they were: the then branch
      // works on copies above them.
      for (uint32_t i = 0; i < params; ++i) {
        uint32_t from = state.mergeHeight + i;
        values().pushSlotCopyOf(from);
        values().copySlot(from, values().size() - 1);
      }
      state.baseHeight = state.mergeHeight + params;
    }
    controls_.push_back(state);
    return true;
  }

  bool emitElse() {
    ControlState& state = controls_.back();
    state.hasElse = true;
    if (!state.entryReachable) return true;
    if (reachable_) {
      values().spillAll();
      moveTopTo(state.signature.numResults, state.mergeHeight);
      state.endTargeted = true;
      a_.jmp(state.label);
    }
    bindMerge(state.elseLabel);
    values().truncate(state.mergeHeight);
    for (uint32_t i = 0; i < state.signature.numParams; ++i) values().pushSlot(state.signature.params[i]);
    state.baseHeight = state.mergeHeight;
    reachable_ = true;
    return true;
  }

  bool emitEnd() {
    ControlState state = controls_.back();
    if (state.kind == ControlKind::Function) {
      if (reachable_) emitReturnValues();
      emitEpilogue();
      controls_.pop_back();
      return true;
    }
    controls_.pop_back();
    if (!state.entryReachable) return true;  // still unreachable
    if (reachable_) {
      values().spillAll();
      moveTopTo(state.signature.numResults, state.mergeHeight);
    }
    bool endReachable = reachable_ || state.endTargeted;
    if (state.kind == ControlKind::If && !state.hasElse) {
      if (reachable_) a_.jmp(state.label);
      bindMerge(state.elseLabel);  // parameters equal results: already in place
      endReachable = true;
    }
    if (state.kind != ControlKind::Loop) bindMerge(state.label);
    values().truncate(state.mergeHeight);
    reachable_ = endReachable;
    if (reachable_)
      for (uint32_t i = 0; i < state.signature.numResults; ++i) values().pushSlot(state.signature.results[i]);
    return true;
  }

  bool emitBr(const Operator& op) {
    values().spillAll();
    emitBranchTo(op.index);
    becomeUnreachable();
    return true;
  }

  bool emitBrIf(const Operator& op) {
    x86::Gp condition = values().popToGpr();
    values().spillAll();
    a_.test(condition.r32(), condition.r32());
    values().release(condition);
    if (!branchNeedsMoves(op.index)) {
      ControlState& target = control(op.index);
      if (target.kind != ControlKind::Loop) target.endTargeted = true;
      a_.jnz(target.label);
      return true;
    }
    Label skip = a_.newLabel();
    a_.jz(skip);
    emitBranchTo(op.index);
    a_.bind(skip);
    return true;
  }

  bool emitBrTable() {
    x86::Gp index = values().popToGpr();
    values().spillAll();
    std::span<const uint32_t> targets = it_.brTableTargets();
    // One stub per distinct depth: each moves values and jumps.
    std::vector<std::pair<uint32_t, Label>> stubs;
    std::vector<int32_t> stubOfDepth(controls_.size(), -1);
    auto stubFor = [&](uint32_t depth) {
      if (stubOfDepth[depth] < 0) {
        stubOfDepth[depth] = static_cast<int32_t>(stubs.size());
        stubs.emplace_back(depth, a_.newLabel());
      }
      return stubs[stubOfDepth[depth]].second;
    };
    uint32_t numCases = static_cast<uint32_t>(targets.size()) - 1;
    Label defaultLabel = stubFor(targets.back());
    if (numCases <= 4) {
      for (uint32_t i = 0; i < numCases; ++i) {
        a_.cmp(index.r32(), i);
        a_.je(stubFor(targets[i]));
      }
      a_.jmp(defaultLabel);
    } else {
      Label table = a_.newLabel();
      a_.cmp(index.r32(), numCases);
      a_.jae(defaultLabel);
      a_.lea(x86::rax, x86::ptr(table));
      a_.movsxd(x86::rcx, x86::dword_ptr(x86::rax, index.r64(), 2));
      a_.add(x86::rax, x86::rcx);
      a_.jmp(x86::rax);
      // Emitted after the body, once every target label is bound.
      JumpTable pendingTable{table, {}};
      for (uint32_t i = 0; i < numCases; ++i) pendingTable.targets.push_back(stubFor(targets[i]));
      jumpTables_.push_back(std::move(pendingTable));
    }
    values().release(index);
    for (auto& [depth, label] : stubs) {
      a_.bind(label);
      emitBranchTo(depth);
    }
    becomeUnreachable();
    return true;
  }

  // ---- calls ----
  // Everything to its slot, then the top {callee.params} values from their
  // slots to where the convention wants them: argument registers, or the
  // outgoing stack area at [rsp]. The results buffer, if any, follows the
  // stack arguments. Leaves rdi for the caller to set (the callee's vmctx).
  struct OutgoingCall {
    uint32_t stackBytes = 0;
  };
  OutgoingCall prepareCallArgs(const FuncType& callee) {
    values().spillAll();
    OutgoingCall call;
    bool buffer = call_abi::usesResultsBuffer(callee);
    call_abi::ArgumentAssigner arguments(buffer);
    uint32_t from = values().size() - static_cast<uint32_t>(callee.params.size());
    std::vector<call_abi::Location> at(callee.params.size());
    for (uint32_t i = 0; i < callee.params.size(); ++i) at[i] = arguments.next(callee.params[i]);
    call.stackBytes = arguments.stackBytes();
    uint32_t bufferBytes = 0;
    if (buffer) {
      call_abi::ResultAssigner results;
      for (ValType t : callee.results) results.next(t);
      bufferBytes = results.bufferBytes();
    }
    maxOutgoingBytes_ = std::max(maxOutgoingBytes_, call.stackBytes + bufferBytes);
    // Stack arguments first: copying them goes through rax/xmm0 only.
    for (uint32_t i = 0; i < callee.params.size(); ++i)
      if (at[i].where == call_abi::Where::Stack)
        values().storeTo(from + i, x86::qword_ptr(x86::rsp, static_cast<int32_t>(at[i].stackOffset)));
    for (uint32_t i = 0; i < callee.params.size(); ++i) {
      x86::Mem slot = values().slotMem(from + i);
      ValType type = callee.params[i];
      if (at[i].where == call_abi::Where::IntegerRegister) {
        x86::Gp reg = integerArgRegister(at[i].index);
        slot.setSize(type == ValType::I32 ? 4 : 8);
        a_.mov(type == ValType::I32 ? reg.r32() : reg, slot);
      } else if (at[i].where == call_abi::Where::FloatRegister) {
        values().loadXmm(x86::xmm(at[i].index), type, slot);
      }
    }
    if (buffer) a_.lea(x86::rsi, x86::ptr(x86::rsp, static_cast<int32_t>(call.stackBytes)));
    values().truncate(from);
    return call;
  }
  void pushCallResults(const std::vector<ValType>& results, const OutgoingCall& call) {
    if (results.size() == 1) {
      if (inXmm(results[0])) {
        x86::Xmm x = values().allocXmm();
        a_.movaps(x, x86::xmm0);
        values().pushXmm(results[0], x);
      } else {
        x86::Gp r = values().allocGpr();
        if (results[0] == ValType::I32) a_.mov(r.r32(), x86::eax);  // the convention leaves bits 32-63 open
        else a_.mov(r, x86::rax);
        values().pushGpr(results[0], r);
      }
      return;
    }
    call_abi::ResultAssigner offsets;
    for (ValType type : results)
      values().pushLoaded(type, x86::qword_ptr(x86::rsp, static_cast<int32_t>(call.stackBytes + offsets.next(type))));
  }
  // Calls through the FuncRef in r11: its instance (rdi) runs on this
  // thread's stack, so it inherits the stack limit.
  void callFuncRef() {
    a_.mov(x86::rdi, x86::qword_ptr(x86::r11, vmctx::kFuncRefVmctx));
    a_.mov(x86::rax, x86::qword_ptr(kVmctx, vmctx::kStackLimit));
    a_.mov(x86::qword_ptr(x86::rdi, vmctx::kStackLimit), x86::rax);
    a_.mov(x86::rax, x86::qword_ptr(x86::r11, vmctx::kFuncRefEntry));
    a_.call(x86::qword_ptr(x86::rax));
    memBaseValid_ = false;
  }

  bool emitCall(const Operator& op) {
    const FuncType& callee = module_.functionType(op.index);
    OutgoingCall call = prepareCallArgs(callee);
    if (op.index < module_.numImportedFunctions) {
      a_.mov(x86::r11, x86::qword_ptr(kVmctx, layout_.funcRefPtr(op.index)));
      callFuncRef();
    } else {
      // Through the module's entry table: the callee's current code (abi/entry_table.h).
      a_.mov(x86::rdi, kVmctx);
      a_.mov(x86::rax, x86::qword_ptr(kVmctx, vmctx::kEntryTable));
      a_.call(x86::qword_ptr(x86::rax, entryTableOffset(op.index, module_.numImportedFunctions)));
      memBaseValid_ = false;
    }
    recordSite(op.offset);
    pushCallResults(callee.results, call);
    return true;
  }

  bool emitCallIndirect(const Operator& op) {
    const FuncType& callee = module_.types[op.index];
    // The FuncRef is found and checked first, into r11: no argument register
    // is loaded yet, and loading them does not touch r11.
    x86::Gp index = values().popToGpr();
    a_.mov(x86::rax, x86::qword_ptr(kVmctx, layout_.table(op.index2)));
    a_.cmp(index.r32(), x86::dword_ptr(x86::rax, vmctx::kTableLength));
    a_.jae(trapLabel(TrapKind::UndefinedElement, op.offset));
    a_.mov(x86::rax, x86::qword_ptr(x86::rax, vmctx::kTableElements));
    a_.mov(x86::r11, x86::qword_ptr(x86::rax, index.r64(), 3));
    values().release(index);
    a_.test(x86::r11, x86::r11);
    a_.jz(trapLabel(TrapKind::UninitializedElement, op.offset));
    a_.mov(x86::ecx, x86::dword_ptr(kVmctx, layout_.sigId(op.index)));
    a_.cmp(x86::ecx, x86::dword_ptr(x86::r11, vmctx::kFuncRefSigId));
    a_.jne(trapLabel(TrapKind::IndirectCallTypeMismatch, op.offset));
    OutgoingCall call = prepareCallArgs(callee);
    callFuncRef();
    recordSite(op.offset);
    pushCallResults(callee.results, call);
    return true;
  }

  // Calls a runtime helper with vmctx, then {immediates}, then the top
  // {stackArgs} operands (all spilled first, so no argument register is live).
  // Returns with the operands popped; the result is in rax / xmm0.
  void emitHelperCall(BuiltinId id, std::initializer_list<uint64_t> immediates, uint32_t stackArgs) {
    values().spillAll();
    static const x86::Gp kArgs[] = {x86::rdi, x86::rsi, x86::rdx, x86::rcx, x86::r8, x86::r9};
    uint32_t next = 0;
    a_.mov(kArgs[next++], kVmctx);
    for (uint64_t imm : immediates) a_.mov(kArgs[next++], imm);
    uint32_t from = values().size() - stackArgs;
    for (uint32_t i = 0; i < stackArgs; ++i) a_.mov(kArgs[next++], values().slotMem(from + i));
    values().truncate(from);
    callHelperAddress(id);
  }
  void checkHelperTrap(uint32_t bytecodeOffset) {
    a_.test(x86::eax, x86::eax);
    a_.jnz(trapLabel(TrapKind::None, bytecodeOffset));
  }
  // A pure numeric helper: one float/double or integer argument, no vmctx.
  void emitNumericHelper(BuiltinId id, ValType argType, ValType resultType) {
    values().spillAll();
    x86::Mem arg = values().slotMem(values().size() - 1);
    if (argType == ValType::F32) a_.movss(x86::xmm0, arg);
    else if (argType == ValType::F64) a_.movsd(x86::xmm0, arg);
    else a_.mov(x86::rdi, arg);
    values().truncate(values().size() - 1);
    callHelperAddress(id);
    if (isFloat(resultType)) {
      x86::Xmm result = values().allocXmm();
      a_.movaps(result, x86::xmm0);
      values().pushXmm(resultType, result);
    } else {
      x86::Gp result = values().allocGpr();
      a_.mov(result, x86::rax);
      values().pushGpr(resultType, result);
    }
  }

  // ---- memory ----
  // Makes sure kMemBase holds the memory's base (and bounds-checks the access in the
  // bounds-checked strategy); returns the operand for [base + index + offset].
  // {index} (owned by the caller) may come back holding index + offset.
  x86::Mem memoryOperand(const Operator& op, x86::Gp index, uint32_t accessSize) {
    uint64_t end = static_cast<uint64_t>(op.memarg.offset) + accessSize;
    bool imported = layout_.memoryIsImported(0);
    bool loadDef = imported && (!memBaseValid_ || options_.memoryStrategy == MemoryStrategy::BoundsChecked);
    if (loadDef) a_.mov(kMemDef, x86::qword_ptr(kVmctx, layout_.memoryPtr(0)));
    x86::Mem def = imported ? x86::qword_ptr(kMemDef, 0) : x86::qword_ptr(kVmctx, layout_.memoryDef(0));
    if (options_.memoryStrategy == MemoryStrategy::BoundsChecked) {
      if (fitsInt32(end)) {
        a_.lea(x86::rax, x86::ptr(index.r64(), static_cast<int32_t>(end)));
      } else {
        a_.mov(x86::rax, end);
        a_.add(x86::rax, index.r64());
      }
      x86::Mem length = def;
      length.addOffset(vmctx::kMemoryByteLength);
      a_.cmp(x86::rax, length);
      a_.ja(trapLabel(TrapKind::MemoryOutOfBounds, op.offset));
    }
    if (!memBaseValid_) {
      x86::Mem base = def;
      base.addOffset(vmctx::kMemoryBase);
      a_.mov(kMemBase, base);
      memBaseValid_ = true;
      memBaseUsed_ = true;
    }
    if (op.memarg.offset <= INT32_MAX)
      return x86::ptr(kMemBase, index.r64(), 0, static_cast<int32_t>(op.memarg.offset));
    // An offset past a disp32 is added into the index register, which the
    // caller owns until the access is emitted. Never into a scratch register:
    // the access sequence that follows may use rax (cmpxchg's accumulator, the
    // retry loop of and/or/xor), and an address left there would be replaced by
    // a guest-chosen value between the bounds check and the access.
    a_.mov(x86::eax, static_cast<uint32_t>(op.memarg.offset));  // zero-extends
    a_.add(index.r64(), x86::rax);
    return x86::ptr(kMemBase, index.r64());
  }

  bool emitLoad(const Operator& op, uint32_t size, ValType type, bool signExtend) {
    x86::Gp index = values().popToGpr();
    x86::Mem m = memoryOperand(op, index, size);
    m.setSize(size);
    if (inXmm(type)) {
      values().release(index);
      x86::Xmm result = values().allocXmm();
      recordSite(op.offset);
      values().loadXmm(result, type, m);
      values().pushXmm(type, result);
      return true;
    }
    x86::Gp result = index;  // reuse the index register
    recordSite(op.offset);
    bool wide = type == ValType::I64;
    switch (size) {
      case 1:
      case 2:
        if (signExtend) a_.movsx(sized(result, wide), m);
        else a_.movzx(result.r32(), m);
        break;
      case 4:
        if (signExtend && wide) a_.movsxd(result.r64(), m);
        else a_.mov(result.r32(), m);
        break;
      default:
        a_.mov(result.r64(), m);
    }
    values().pushGpr(type, result);
    return true;
  }

  bool emitStore(const Operator& op, uint32_t size, ValType type) {
    Val value = values().pop();
    x86::Gp valueReg;
    x86::Xmm valueXmm;
    bool immediate = value.loc == Loc::Const && !inXmm(type) && fitsInt32(value.bits);
    if (inXmm(type)) valueXmm = values().toXmm(value);
    else if (!immediate) valueReg = values().toGpr(value);
    x86::Gp index = values().popToGpr();
    x86::Mem m = memoryOperand(op, index, size);
    m.setSize(size);
    recordSite(op.offset);
    if (inXmm(type)) {
      if (type == ValType::F32) a_.movss(m, valueXmm);
      else if (type == ValType::F64) a_.movsd(m, valueXmm);
      else a_.movdqu(m, valueXmm);
      values().release(valueXmm);
    } else if (immediate) {
      int64_t imm = static_cast<int64_t>(value.bits);
      if (size == 1) imm = static_cast<int8_t>(imm);
      else if (size == 2) imm = static_cast<int16_t>(imm);
      else if (size == 4) imm = static_cast<int32_t>(imm);
      a_.mov(m, imm);
    } else {
      switch (size) {
        case 1: a_.mov(m, valueReg.r8()); break;
        case 2: a_.mov(m, valueReg.r16()); break;
        case 4: a_.mov(m, valueReg.r32()); break;
        default: a_.mov(m, valueReg.r64());
      }
      values().release(valueReg);
    }
    values().release(index);
    return true;
  }

  x86::Mem memoryDefinition(uint32_t memory, int32_t field) {
    if (layout_.memoryIsImported(memory)) {
      a_.mov(x86::rax, x86::qword_ptr(kVmctx, layout_.memoryPtr(memory)));
      return x86::qword_ptr(x86::rax, field);
    }
    return x86::qword_ptr(kVmctx, layout_.memoryDef(memory) + field);
  }

  // ---- numeric ----

  // a = a OP b for integers; b may stay in memory or be an immediate.
  void emitIntBinary(ValType type, InstId inst) {
    Val b = values().pop();
    x86::Gp ra = values().popToGpr();
    x86::Gp dst = sized(ra, type != ValType::I32);
    if (b.loc == Loc::Const && fitsInt32(b.bits)) {
      a_.emit(inst, dst, Imm(static_cast<int64_t>(static_cast<int32_t>(b.bits))));
    } else if (b.loc == Loc::Slot) {
      x86::Mem m = values().slotMem(b.depth);
      m.setSize(type == ValType::I32 ? 4 : 8);
      a_.emit(inst, dst, m);
    } else {
      x86::Gp rb = values().toGpr(b);
      a_.emit(inst, dst, sized(rb, type != ValType::I32));
      values().release(rb);
    }
    values().pushGpr(type, ra);
  }

  void emitShift(ValType type, InstId inst) {
    Val count = values().pop();
    x86::Gp ra = values().popToGpr();
    x86::Gp dst = sized(ra, type != ValType::I32);
    if (count.loc == Loc::Const) {
      a_.emit(inst, dst, Imm(count.bits & (type == ValType::I32 ? 31 : 63)));
    } else {
      x86::Gp rc = values().toGpr(count);
      a_.mov(x86::ecx, rc.r32());
      values().release(rc);
      a_.emit(inst, dst, x86::cl);
    }
    values().pushGpr(type, ra);
  }

  void emitCompare(ValType type, x86::CondCode cc) {
    Val b = values().pop();
    x86::Gp ra = values().popToGpr();
    x86::Gp lhs = sized(ra, type != ValType::I32);
    if (b.loc == Loc::Const && fitsInt32(b.bits)) {
      a_.cmp(lhs, Imm(static_cast<int64_t>(static_cast<int32_t>(b.bits))));
    } else {
      x86::Gp rb = values().toGpr(b);
      a_.cmp(lhs, sized(rb, type != ValType::I32));
      values().release(rb);
    }
    a_.set(cc, ra.r8());
    a_.movzx(ra.r32(), ra.r8());
    values().pushGpr(ValType::I32, ra);
  }

  void emitEqz(ValType type) {
    x86::Gp ra = values().popToGpr();
    if (type == ValType::I32) a_.test(ra.r32(), ra.r32());
    else a_.test(ra.r64(), ra.r64());
    a_.sete(ra.r8());
    a_.movzx(ra.r32(), ra.r8());
    values().pushGpr(ValType::I32, ra);
  }

  void emitIntUnary(ValType type, InstId inst) {
    x86::Gp ra = values().popToGpr();
    x86::Gp r = sized(ra, type != ValType::I32);
    a_.emit(inst, r, r);
    values().pushGpr(type, ra);
  }

  void emitDivRem(const Operator& op, ValType type, bool isSigned, bool remainder) {
    x86::Gp rb = values().popToGpr();
    x86::Gp ra = values().popToGpr();
    bool wide = type == ValType::I64;
    x86::Gp b = sized(rb, wide);
    x86::Gp aReg = sized(ra, wide);
    x86::Gp acc = sized(x86::rax, wide);
    x86::Gp high = sized(x86::rdx, wide);
    a_.test(b, b);
    a_.jz(trapLabel(TrapKind::IntegerDivideByZero, op.offset));
    Label done = a_.newLabel();
    if (isSigned) {
      Label normal = a_.newLabel();
      a_.cmp(b, -1);
      a_.jne(normal);
      if (remainder) {
        a_.xor_(aReg.r32(), aReg.r32());  // x rem -1 = 0, and idiv would fault on MIN
        a_.jmp(done);
      } else {
        if (wide) {
          a_.mov(x86::rax, uint64_t{1} << 63);
          a_.cmp(aReg, x86::rax);
        } else {
          a_.cmp(aReg, INT32_MIN);
        }
        a_.je(trapLabel(TrapKind::IntegerOverflow, op.offset));
      }
      a_.bind(normal);
    }
    a_.mov(acc, aReg);
    if (isSigned) {
      if (wide) a_.cqo();
      else a_.cdq();
      a_.idiv(b);
    } else {
      a_.xor_(x86::edx, x86::edx);
      a_.div(b);
    }
    a_.mov(aReg, remainder ? high : acc);
    a_.bind(done);
    values().release(rb);
    values().pushGpr(type, ra);
  }

  void emitFloatBinary(ValType type, InstId inst32, InstId inst64) {
    x86::Xmm rb = values().popToXmm();
    x86::Xmm ra = values().popToXmm();
    a_.emit(type == ValType::F32 ? inst32 : inst64, ra, rb);
    values().release(rb);
    values().pushXmm(type, ra);
  }

  // Wasm min/max: NaN if either is NaN; -0 below +0.
  void emitMinMax(ValType type, bool isMin) {
    x86::Xmm rb = values().popToXmm();
    x86::Xmm ra = values().popToXmm();
    bool f32 = type == ValType::F32;
    Label nan = a_.newLabel(), equal = a_.newLabel(), done = a_.newLabel();
    if (f32) a_.ucomiss(ra, rb);
    else a_.ucomisd(ra, rb);
    a_.jp(nan);
    a_.je(equal);
    if (isMin) {
      if (f32) a_.minss(ra, rb); else a_.minsd(ra, rb);
    } else {
      if (f32) a_.maxss(ra, rb); else a_.maxsd(ra, rb);
    }
    a_.jmp(done);
    a_.bind(equal);  // equal values differ only in the sign of zero
    if (isMin) a_.orps(ra, rb);
    else a_.andps(ra, rb);
    a_.jmp(done);
    a_.bind(nan);
    if (f32) a_.addss(ra, rb); else a_.addsd(ra, rb);  // propagates a quiet NaN
    a_.bind(done);
    values().release(rb);
    values().pushXmm(type, ra);
  }

  // abs, neg, copysign work on the bits.
  void emitSignOp(ValType type, Opcode op) {
    bool f32 = type == ValType::F32;
    uint64_t signBit = f32 ? 0x80000000ull : 0x8000000000000000ull;
    if (op == Opcode::F32Copysign || op == Opcode::F64Copysign) {
      x86::Xmm rb = values().popToXmm();
      x86::Xmm ra = values().popToXmm();
      if (f32) {
        a_.movd(x86::eax, ra);
        a_.movd(x86::ecx, rb);
        a_.and_(x86::eax, 0x7fffffff);
        a_.and_(x86::ecx, static_cast<int32_t>(0x80000000u));
        a_.or_(x86::eax, x86::ecx);
        a_.movd(ra, x86::eax);
      } else {
        a_.movq(x86::rax, ra);
        a_.movq(x86::rcx, rb);
        a_.mov(x86::rdx, signBit);
        a_.and_(x86::rcx, x86::rdx);
        a_.not_(x86::rdx);
        a_.and_(x86::rax, x86::rdx);
        a_.or_(x86::rax, x86::rcx);
        a_.movq(ra, x86::rax);
      }
      values().release(rb);
      values().pushXmm(type, ra);
      return;
    }
    bool isAbs = op == Opcode::F32Abs || op == Opcode::F64Abs;
    x86::Xmm ra = values().popToXmm();
    if (f32) {
      a_.movd(x86::eax, ra);
      if (isAbs) a_.and_(x86::eax, 0x7fffffff);
      else a_.xor_(x86::eax, static_cast<int32_t>(0x80000000u));
      a_.movd(ra, x86::eax);
    } else {
      a_.movq(x86::rax, ra);
      a_.mov(x86::rcx, isAbs ? ~signBit : signBit);
      if (isAbs) a_.and_(x86::rax, x86::rcx);
      else a_.xor_(x86::rax, x86::rcx);
      a_.movq(ra, x86::rax);
    }
    values().pushXmm(type, ra);
  }

  void emitRound(ValType type, uint32_t mode) {
    x86::Xmm ra = values().popToXmm();
    if (type == ValType::F32) a_.roundss(ra, ra, mode | 8);
    else a_.roundsd(ra, ra, mode | 8);
    values().pushXmm(type, ra);
  }

  void emitFloatCompare(ValType type, Opcode op) {
    x86::Xmm rb = values().popToXmm();
    x86::Xmm ra = values().popToXmm();
    bool f32 = type == ValType::F32;
    auto ucomi = [&](x86::Xmm x, x86::Xmm y) {
      if (f32) a_.ucomiss(x, y); else a_.ucomisd(x, y);
    };
    x86::Gp result = values().allocGpr();
    switch (op) {
      case Opcode::F32Eq: case Opcode::F64Eq:
        ucomi(ra, rb);
        a_.sete(result.r8());
        a_.setnp(x86::cl);
        a_.and_(result.r8(), x86::cl);
        break;
      case Opcode::F32Ne: case Opcode::F64Ne:
        ucomi(ra, rb);
        a_.setne(result.r8());
        a_.setp(x86::cl);
        a_.or_(result.r8(), x86::cl);
        break;
      case Opcode::F32Lt: case Opcode::F64Lt: ucomi(rb, ra); a_.seta(result.r8()); break;
      case Opcode::F32Le: case Opcode::F64Le: ucomi(rb, ra); a_.setae(result.r8()); break;
      case Opcode::F32Gt: case Opcode::F64Gt: ucomi(ra, rb); a_.seta(result.r8()); break;
      default: ucomi(ra, rb); a_.setae(result.r8()); break;  // ge
    }
    a_.movzx(result.r32(), result.r8());
    values().release(ra);
    values().release(rb);
    values().pushGpr(ValType::I32, result);
  }

  void loadFloatConstant(x86::Xmm dst, bool f32, double value) {
    if (f32) {
      float f = static_cast<float>(value);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      a_.mov(x86::eax, bits);
      a_.movd(dst, x86::eax);
    } else {
      uint64_t bits;
      std::memcpy(&bits, &value, 8);
      a_.mov(x86::rax, bits);
      a_.movq(dst, x86::rax);
    }
  }

  // Trapping float -> int truncation: NaN is an invalid conversion, a value
  // whose truncation does not fit is an overflow.
  void emitTruncate(const Operator& op, ValType from, ValType to, bool isSigned) {
    bool f32 = from == ValType::F32;
    x86::Xmm x = values().popToXmm();
    auto ucomi = [&](x86::Xmm p, x86::Xmm q) {
      if (f32) a_.ucomiss(p, q); else a_.ucomisd(p, q);
    };
    ucomi(x, x);
    a_.jp(trapLabel(TrapKind::InvalidConversion, op.offset));
    Label overflow = trapLabel(TrapKind::IntegerOverflow, op.offset);
    // Lower bound: inclusive where it is exactly representable in the source.
    double lower;
    bool lowerInclusive;
    if (!isSigned) {
      lower = -1.0;
      lowerInclusive = false;
    } else if (to == ValType::I32) {
      lower = f32 ? -2147483648.0 : -2147483649.0;
      lowerInclusive = f32;
    } else {
      lower = -9223372036854775808.0;
      lowerInclusive = true;
    }
    double upper = to == ValType::I32 ? (isSigned ? 2147483648.0 : 4294967296.0)
                                      : (isSigned ? 9223372036854775808.0 : 18446744073709551616.0);
    loadFloatConstant(x86::xmm0, f32, lower);
    ucomi(x, x86::xmm0);
    if (lowerInclusive) a_.jb(overflow);
    else a_.jbe(overflow);
    loadFloatConstant(x86::xmm0, f32, upper);
    ucomi(x, x86::xmm0);
    a_.jae(overflow);
    x86::Gp result = values().allocGpr();
    auto cvtt = [&](x86::Gp dst) {
      if (f32) a_.cvttss2si(dst, x); else a_.cvttsd2si(dst, x);
    };
    if (to == ValType::I32) {
      if (isSigned) cvtt(result.r32());
      else {
        cvtt(result.r64());
        a_.mov(result.r32(), result.r32());
      }
    } else if (isSigned) {
      cvtt(result.r64());
    } else {
      Label big = a_.newLabel(), done = a_.newLabel();
      loadFloatConstant(x86::xmm0, f32, 9223372036854775808.0);
      ucomi(x, x86::xmm0);
      a_.jae(big);
      cvtt(result.r64());
      a_.jmp(done);
      a_.bind(big);
      if (f32) a_.subss(x, x86::xmm0); else a_.subsd(x, x86::xmm0);
      cvtt(result.r64());
      a_.btc(result.r64(), 63);
      a_.bind(done);
    }
    values().release(x);
    values().pushGpr(to, result);
  }

  void emitIntToFloat(ValType from, ValType to, bool isSigned) {
    x86::Gp r = values().popToGpr();
    x86::Xmm x = values().allocXmm();
    a_.xorps(x, x);
    bool f32 = to == ValType::F32;
    x86::Gp source = sized(r, !(from == ValType::I32 && isSigned));  // u32 is zero-extended
    if (f32) a_.cvtsi2ss(x, source);
    else a_.cvtsi2sd(x, source);
    values().release(r);
    values().pushXmm(to, x);
  }

  // ---- locals, globals, tables ----
  bool emitLocalGet(const Operator& op) {
    values().pushLoaded(localType(op.index), localMem(op.index));
    return true;
  }
  bool emitLocalSet(const Operator& op, bool tee) {
    uint32_t top = values().size() - 1;
    values().storeTo(top, localMem(op.index));
    if (!tee) values().truncate(top);
    return true;
  }
  x86::Mem globalMem(uint32_t index) {
    if (layout_.globalIsImported(index)) {
      a_.mov(x86::rax, x86::qword_ptr(kVmctx, layout_.global(index)));
      return x86::qword_ptr(x86::rax);
    }
    return x86::qword_ptr(kVmctx, layout_.global(index));
  }
  bool emitGlobalGet(const Operator& op) {
    ValType type = module_.globals[op.index].type.type;
    values().pushLoaded(type, globalMem(op.index));
    return true;
  }
  bool emitGlobalSet(const Operator& op) {
    uint32_t top = values().size() - 1;
    // The store may need rax for a constant; keep the address in rdx.
    if (layout_.globalIsImported(op.index)) {
      a_.mov(x86::rdx, x86::qword_ptr(kVmctx, layout_.global(op.index)));
      values().storeTo(top, x86::qword_ptr(x86::rdx));
    } else {
      values().storeTo(top, x86::qword_ptr(kVmctx, layout_.global(op.index)));
    }
    values().truncate(top);
    return true;
  }
  // rax = TableDefinition*, index checked against its length.
  void tableAccess(const Operator& op, uint32_t table, x86::Gp index) {
    a_.mov(x86::rax, x86::qword_ptr(kVmctx, layout_.table(table)));
    a_.cmp(index.r32(), x86::dword_ptr(x86::rax, vmctx::kTableLength));
    a_.jae(trapLabel(TrapKind::TableOutOfBounds, op.offset));
    a_.mov(x86::rax, x86::qword_ptr(x86::rax, vmctx::kTableElements));
  }

  // ---- SIMD (SSE4.1) ----
  bool emitSimd(const Operator& op);

  // ---- atomics (threads proposal) ----
  bool emitAtomic(const Operator& op);
  // Traps unless index + offset is a multiple of {size}, then addresses it.
  x86::Mem atomicOperand(const Operator& op, x86::Gp index, uint32_t size) {
    if (size > 1) {
      if (op.memarg.offset % size == 0) {
        a_.test(index.r32(), size - 1);
      } else {
        a_.lea(x86::eax, x86::ptr(index.r64(), static_cast<int32_t>(op.memarg.offset % size)));
        a_.test(x86::eax, size - 1);
      }
      a_.jnz(trapLabel(TrapKind::UnalignedAtomic, op.offset));
    }
    x86::Mem m = memoryOperand(op, index, size);
    m.setSize(size);
    return m;
  }

  // Leaves an operator to the SimdOperation helper: operands spilled to their
  // slots, pointers to them passed, the result written over the first.
  void emitSimdHelper(const Operator& op) {
    const OpSignature& sig = opcodeInfo(op.opcode).sig;
    values().spillAll();
    uint32_t first = values().size() - sig.numParams;
    static const x86::Gp kOperandRegs[] = {x86::rcx, x86::r8, x86::r9};
    a_.mov(x86::edi, static_cast<uint32_t>(op.opcode));
    a_.mov(x86::esi, static_cast<uint32_t>(op.lane));
    a_.lea(x86::rdx, values().slotMem(first));
    for (uint32_t i = 0; i < 3; ++i) a_.lea(kOperandRegs[i], values().slotMem(first + std::min<uint32_t>(i, sig.numParams - 1u)));
    values().truncate(first);
    callHelperAddress(BuiltinId::SimdOperation);
    if (sig.result != ValType::Bottom) values().pushSlot(sig.result);
  }

  // a = a OP b on whole vectors.
  void emitVectorBinary(InstId inst, bool swapOperands = false) {
    x86::Xmm b = values().popToXmm();
    x86::Xmm a = values().popToXmm();
    if (swapOperands) std::swap(a, b);
    a_.emit(inst, a, b);
    values().release(b);
    values().pushXmm(ValType::V128, a);
  }

  // ---- the dispatch ----
  bool emit(const Operator& op);

  const ModuleInfo& module_;
  const VmctxLayout& layout_;
  const BaselineOptions& options_;
  uint32_t functionIndex_;
  const FuncType& type_;
  OperatorIterator it_;
  CodeHolder& code_;
  x86::Assembler& a_;
  CodeHolder& prologueCode_;
  x86::Assembler& prologue_;
  RecordingErrorHandler errors_;
  std::optional<ValueStack> values_;
  std::vector<ControlState> controls_;
  std::vector<TrapStub> traps_;
  std::vector<JumpTable> jumpTables_;
  bool reachable_ = true;
  uint32_t maxOutgoingBytes_ = 0;
  uint32_t localsBytes_ = 0;
  bool memBaseValid_ = false;  // kMemBase holds memory 0's base
  bool memBaseUsed_ = false;   // kMemBase was ever loaded: the prologue must save it
  Label epilogue_;
  Label stackOverflow_;
  std::vector<int32_t> localOffsets_;
  std::optional<Error> failure_;
  CompiledFunction out_;
};

bool FunctionCompiler::emit(const Operator& op) {
  using O = Opcode;
  constexpr ValType I32 = ValType::I32, I64 = ValType::I64, F32 = ValType::F32, F64 = ValType::F64;
  ValueStack& v = values();
  switch (op.opcode) {
    case O::Unreachable:
      a_.jmp(trapLabel(TrapKind::Unreachable, op.offset));
      becomeUnreachable();
      return true;
    case O::Nop: return true;
    case O::Block: case O::Loop: case O::If: return emitBlockStart(op);
    case O::Else: return emitElse();
    case O::End: return emitEnd();
    case O::Br: return emitBr(op);
    case O::BrIf: return emitBrIf(op);
    case O::BrTable: return emitBrTable();
    case O::Return:
      emitReturn();
      becomeUnreachable();
      return true;
    case O::Call: return emitCall(op);
    case O::CallIndirect: return emitCallIndirect(op);
    case O::Drop: v.truncate(v.size() - 1); return true;
    case O::Select: case O::SelectTyped: {
      x86::Gp condition = v.popToGpr();
      Val b = v.pop();
      Val aVal = v.pop();
      if (inXmm(aVal.type)) {
        x86::Xmm xb = v.toXmm(b);
        x86::Xmm xa = v.toXmm(aVal);
        Label keep = a_.newLabel();
        a_.test(condition.r32(), condition.r32());
        a_.jnz(keep);
        a_.movaps(xa, xb);
        a_.bind(keep);
        v.release(xb);
        v.release(condition);
        v.pushXmm(aVal.type, xa);
      } else {
        x86::Gp rb = v.toGpr(b);
        x86::Gp ra = v.toGpr(aVal);
        a_.test(condition.r32(), condition.r32());
        a_.cmovz(ra.r64(), rb.r64());
        v.release(rb);
        v.release(condition);
        v.pushGpr(aVal.type, ra);
      }
      return true;
    }
    case O::LocalGet: return emitLocalGet(op);
    case O::LocalSet: return emitLocalSet(op, false);
    case O::LocalTee: return emitLocalSet(op, true);
    case O::GlobalGet: return emitGlobalGet(op);
    case O::GlobalSet: return emitGlobalSet(op);
    case O::TableGet: {
      x86::Gp index = v.popToGpr();
      tableAccess(op, op.index, index);
      a_.mov(index.r64(), x86::qword_ptr(x86::rax, index.r64(), 3));
      v.pushGpr(module_.tables[op.index].type.element, index);
      return true;
    }
    case O::TableSet: {
      x86::Gp value = v.popToGpr();
      x86::Gp index = v.popToGpr();
      tableAccess(op, op.index, index);
      a_.mov(x86::qword_ptr(x86::rax, index.r64(), 3), value.r64());
      v.release(value);
      v.release(index);
      return true;
    }
    case O::I32Load: return emitLoad(op, 4, I32, false);
    case O::I64Load: return emitLoad(op, 8, I64, false);
    case O::F32Load: return emitLoad(op, 4, F32, false);
    case O::F64Load: return emitLoad(op, 8, F64, false);
    case O::I32Load8S: return emitLoad(op, 1, I32, true);
    case O::I32Load8U: return emitLoad(op, 1, I32, false);
    case O::I32Load16S: return emitLoad(op, 2, I32, true);
    case O::I32Load16U: return emitLoad(op, 2, I32, false);
    case O::I64Load8S: return emitLoad(op, 1, I64, true);
    case O::I64Load8U: return emitLoad(op, 1, I64, false);
    case O::I64Load16S: return emitLoad(op, 2, I64, true);
    case O::I64Load16U: return emitLoad(op, 2, I64, false);
    case O::I64Load32S: return emitLoad(op, 4, I64, true);
    case O::I64Load32U: return emitLoad(op, 4, I64, false);
    case O::I32Store: return emitStore(op, 4, I32);
    case O::I64Store: return emitStore(op, 8, I64);
    case O::F32Store: return emitStore(op, 4, F32);
    case O::F64Store: return emitStore(op, 8, F64);
    case O::I32Store8: return emitStore(op, 1, I32);
    case O::I32Store16: return emitStore(op, 2, I32);
    case O::I64Store8: return emitStore(op, 1, I64);
    case O::I64Store16: return emitStore(op, 2, I64);
    case O::I64Store32: return emitStore(op, 4, I64);
    case O::MemorySize: {
      x86::Mem length = memoryDefinition(0, vmctx::kMemoryByteLength);
      x86::Gp r = v.allocGpr();
      a_.mov(r.r64(), length);
      a_.shr(r.r64(), 16);
      v.pushGpr(I32, r);
      return true;
    }
    case O::MemoryGrow: {
      emitHelperCall(BuiltinId::MemoryGrow, {0}, 1);
      x86::Gp r = v.allocGpr();
      a_.mov(r.r32(), x86::eax);
      v.pushGpr(I32, r);
      return true;
    }
    case O::I32Const: v.pushConst(I32, op.bits); return true;
    case O::I64Const: v.pushConst(I64, op.bits); return true;
    case O::F32Const: v.pushConst(F32, op.bits); return true;
    case O::F64Const: v.pushConst(F64, op.bits); return true;

    case O::I32Eqz: emitEqz(I32); return true;
    case O::I64Eqz: emitEqz(I64); return true;
    case O::I32Eq: emitCompare(I32, x86::CondCode::kE); return true;
    case O::I32Ne: emitCompare(I32, x86::CondCode::kNE); return true;
    case O::I32LtS: emitCompare(I32, x86::CondCode::kL); return true;
    case O::I32LtU: emitCompare(I32, x86::CondCode::kB); return true;
    case O::I32GtS: emitCompare(I32, x86::CondCode::kG); return true;
    case O::I32GtU: emitCompare(I32, x86::CondCode::kA); return true;
    case O::I32LeS: emitCompare(I32, x86::CondCode::kLE); return true;
    case O::I32LeU: emitCompare(I32, x86::CondCode::kBE); return true;
    case O::I32GeS: emitCompare(I32, x86::CondCode::kGE); return true;
    case O::I32GeU: emitCompare(I32, x86::CondCode::kAE); return true;
    case O::I64Eq: emitCompare(I64, x86::CondCode::kE); return true;
    case O::I64Ne: emitCompare(I64, x86::CondCode::kNE); return true;
    case O::I64LtS: emitCompare(I64, x86::CondCode::kL); return true;
    case O::I64LtU: emitCompare(I64, x86::CondCode::kB); return true;
    case O::I64GtS: emitCompare(I64, x86::CondCode::kG); return true;
    case O::I64GtU: emitCompare(I64, x86::CondCode::kA); return true;
    case O::I64LeS: emitCompare(I64, x86::CondCode::kLE); return true;
    case O::I64LeU: emitCompare(I64, x86::CondCode::kBE); return true;
    case O::I64GeS: emitCompare(I64, x86::CondCode::kGE); return true;
    case O::I64GeU: emitCompare(I64, x86::CondCode::kAE); return true;
    case O::F32Eq: case O::F32Ne: case O::F32Lt: case O::F32Gt: case O::F32Le: case O::F32Ge:
      emitFloatCompare(F32, op.opcode);
      return true;
    case O::F64Eq: case O::F64Ne: case O::F64Lt: case O::F64Gt: case O::F64Le: case O::F64Ge:
      emitFloatCompare(F64, op.opcode);
      return true;

    case O::I32Clz: emitIntUnary(I32, x86::Inst::kIdLzcnt); return true;
    case O::I32Ctz: emitIntUnary(I32, x86::Inst::kIdTzcnt); return true;
    case O::I32Popcnt: emitIntUnary(I32, x86::Inst::kIdPopcnt); return true;
    case O::I64Clz: emitIntUnary(I64, x86::Inst::kIdLzcnt); return true;
    case O::I64Ctz: emitIntUnary(I64, x86::Inst::kIdTzcnt); return true;
    case O::I64Popcnt: emitIntUnary(I64, x86::Inst::kIdPopcnt); return true;
    case O::I32Add: emitIntBinary(I32, x86::Inst::kIdAdd); return true;
    case O::I32Sub: emitIntBinary(I32, x86::Inst::kIdSub); return true;
    case O::I32Mul: emitIntBinary(I32, x86::Inst::kIdImul); return true;
    case O::I32And: emitIntBinary(I32, x86::Inst::kIdAnd); return true;
    case O::I32Or: emitIntBinary(I32, x86::Inst::kIdOr); return true;
    case O::I32Xor: emitIntBinary(I32, x86::Inst::kIdXor); return true;
    case O::I64Add: emitIntBinary(I64, x86::Inst::kIdAdd); return true;
    case O::I64Sub: emitIntBinary(I64, x86::Inst::kIdSub); return true;
    case O::I64Mul: emitIntBinary(I64, x86::Inst::kIdImul); return true;
    case O::I64And: emitIntBinary(I64, x86::Inst::kIdAnd); return true;
    case O::I64Or: emitIntBinary(I64, x86::Inst::kIdOr); return true;
    case O::I64Xor: emitIntBinary(I64, x86::Inst::kIdXor); return true;
    case O::I32Shl: emitShift(I32, x86::Inst::kIdShl); return true;
    case O::I32ShrS: emitShift(I32, x86::Inst::kIdSar); return true;
    case O::I32ShrU: emitShift(I32, x86::Inst::kIdShr); return true;
    case O::I32Rotl: emitShift(I32, x86::Inst::kIdRol); return true;
    case O::I32Rotr: emitShift(I32, x86::Inst::kIdRor); return true;
    case O::I64Shl: emitShift(I64, x86::Inst::kIdShl); return true;
    case O::I64ShrS: emitShift(I64, x86::Inst::kIdSar); return true;
    case O::I64ShrU: emitShift(I64, x86::Inst::kIdShr); return true;
    case O::I64Rotl: emitShift(I64, x86::Inst::kIdRol); return true;
    case O::I64Rotr: emitShift(I64, x86::Inst::kIdRor); return true;
    case O::I32DivS: emitDivRem(op, I32, true, false); return true;
    case O::I32DivU: emitDivRem(op, I32, false, false); return true;
    case O::I32RemS: emitDivRem(op, I32, true, true); return true;
    case O::I32RemU: emitDivRem(op, I32, false, true); return true;
    case O::I64DivS: emitDivRem(op, I64, true, false); return true;
    case O::I64DivU: emitDivRem(op, I64, false, false); return true;
    case O::I64RemS: emitDivRem(op, I64, true, true); return true;
    case O::I64RemU: emitDivRem(op, I64, false, true); return true;

    case O::F32Abs: case O::F32Neg: case O::F32Copysign: emitSignOp(F32, op.opcode); return true;
    case O::F64Abs: case O::F64Neg: case O::F64Copysign: emitSignOp(F64, op.opcode); return true;
    case O::F32Ceil: emitRound(F32, 2); return true;
    case O::F32Floor: emitRound(F32, 1); return true;
    case O::F32Trunc: emitRound(F32, 3); return true;
    case O::F32Nearest: emitRound(F32, 0); return true;
    case O::F64Ceil: emitRound(F64, 2); return true;
    case O::F64Floor: emitRound(F64, 1); return true;
    case O::F64Trunc: emitRound(F64, 3); return true;
    case O::F64Nearest: emitRound(F64, 0); return true;
    case O::F32Sqrt: case O::F64Sqrt: {
      x86::Xmm x = v.popToXmm();
      if (op.opcode == O::F32Sqrt) a_.sqrtss(x, x);
      else a_.sqrtsd(x, x);
      v.pushXmm(op.opcode == O::F32Sqrt ? F32 : F64, x);
      return true;
    }
    case O::F32Add: emitFloatBinary(F32, x86::Inst::kIdAddss, x86::Inst::kIdAddsd); return true;
    case O::F32Sub: emitFloatBinary(F32, x86::Inst::kIdSubss, x86::Inst::kIdSubsd); return true;
    case O::F32Mul: emitFloatBinary(F32, x86::Inst::kIdMulss, x86::Inst::kIdMulsd); return true;
    case O::F32Div: emitFloatBinary(F32, x86::Inst::kIdDivss, x86::Inst::kIdDivsd); return true;
    case O::F64Add: emitFloatBinary(F64, x86::Inst::kIdAddss, x86::Inst::kIdAddsd); return true;
    case O::F64Sub: emitFloatBinary(F64, x86::Inst::kIdSubss, x86::Inst::kIdSubsd); return true;
    case O::F64Mul: emitFloatBinary(F64, x86::Inst::kIdMulss, x86::Inst::kIdMulsd); return true;
    case O::F64Div: emitFloatBinary(F64, x86::Inst::kIdDivss, x86::Inst::kIdDivsd); return true;
    case O::F32Min: emitMinMax(F32, true); return true;
    case O::F32Max: emitMinMax(F32, false); return true;
    case O::F64Min: emitMinMax(F64, true); return true;
    case O::F64Max: emitMinMax(F64, false); return true;

    case O::I32WrapI64: {
      x86::Gp r = v.popToGpr();
      a_.mov(r.r32(), r.r32());
      v.pushGpr(I32, r);
      return true;
    }
    case O::I64ExtendI32S: case O::I64ExtendI32U: case O::I32Extend8S: case O::I32Extend16S:
    case O::I64Extend8S: case O::I64Extend16S: case O::I64Extend32S: {
      x86::Gp r = v.popToGpr();
      switch (op.opcode) {
        case O::I64ExtendI32S: case O::I64Extend32S: a_.movsxd(r.r64(), r.r32()); break;
        case O::I64ExtendI32U: a_.mov(r.r32(), r.r32()); break;
        case O::I32Extend8S: a_.movsx(r.r32(), r.r8()); break;
        case O::I32Extend16S: a_.movsx(r.r32(), r.r16()); break;
        case O::I64Extend8S: a_.movsx(r.r64(), r.r8()); break;
        default: a_.movsx(r.r64(), r.r16()); break;
      }
      bool to32 = op.opcode == O::I32Extend8S || op.opcode == O::I32Extend16S;
      v.pushGpr(to32 ? I32 : I64, r);
      return true;
    }
    case O::I32TruncF32S: emitTruncate(op, F32, I32, true); return true;
    case O::I32TruncF32U: emitTruncate(op, F32, I32, false); return true;
    case O::I32TruncF64S: emitTruncate(op, F64, I32, true); return true;
    case O::I32TruncF64U: emitTruncate(op, F64, I32, false); return true;
    case O::I64TruncF32S: emitTruncate(op, F32, I64, true); return true;
    case O::I64TruncF32U: emitTruncate(op, F32, I64, false); return true;
    case O::I64TruncF64S: emitTruncate(op, F64, I64, true); return true;
    case O::I64TruncF64U: emitTruncate(op, F64, I64, false); return true;
    case O::F32ConvertI32S: emitIntToFloat(I32, F32, true); return true;
    case O::F32ConvertI32U: emitIntToFloat(I32, F32, false); return true;
    case O::F32ConvertI64S: emitIntToFloat(I64, F32, true); return true;
    case O::F64ConvertI32S: emitIntToFloat(I32, F64, true); return true;
    case O::F64ConvertI32U: emitIntToFloat(I32, F64, false); return true;
    case O::F64ConvertI64S: emitIntToFloat(I64, F64, true); return true;
    case O::F32ConvertI64U: emitNumericHelper(BuiltinId::F32ConvertI64U, I64, F32); return true;
    case O::F64ConvertI64U: emitNumericHelper(BuiltinId::F64ConvertI64U, I64, F64); return true;
    case O::F32DemoteF64: case O::F64PromoteF32: {
      x86::Xmm x = v.popToXmm();
      if (op.opcode == O::F32DemoteF64) a_.cvtsd2ss(x, x);
      else a_.cvtss2sd(x, x);
      v.pushXmm(op.opcode == O::F32DemoteF64 ? F32 : F64, x);
      return true;
    }
    case O::I32ReinterpretF32: case O::I64ReinterpretF64: {
      x86::Xmm x = v.popToXmm();
      x86::Gp r = v.allocGpr();
      if (op.opcode == O::I32ReinterpretF32) a_.movd(r.r32(), x);
      else a_.movq(r.r64(), x);
      v.release(x);
      v.pushGpr(op.opcode == O::I32ReinterpretF32 ? I32 : I64, r);
      return true;
    }
    case O::F32ReinterpretI32: case O::F64ReinterpretI64: {
      x86::Gp r = v.popToGpr();
      x86::Xmm x = v.allocXmm();
      if (op.opcode == O::F32ReinterpretI32) a_.movd(x, r.r32());
      else a_.movq(x, r.r64());
      v.release(r);
      v.pushXmm(op.opcode == O::F32ReinterpretI32 ? F32 : F64, x);
      return true;
    }
    case O::I32TruncSatF32S: emitNumericHelper(BuiltinId::I32TruncSatF32S, F32, I32); return true;
    case O::I32TruncSatF32U: emitNumericHelper(BuiltinId::I32TruncSatF32U, F32, I32); return true;
    case O::I32TruncSatF64S: emitNumericHelper(BuiltinId::I32TruncSatF64S, F64, I32); return true;
    case O::I32TruncSatF64U: emitNumericHelper(BuiltinId::I32TruncSatF64U, F64, I32); return true;
    case O::I64TruncSatF32S: emitNumericHelper(BuiltinId::I64TruncSatF32S, F32, I64); return true;
    case O::I64TruncSatF32U: emitNumericHelper(BuiltinId::I64TruncSatF32U, F32, I64); return true;
    case O::I64TruncSatF64S: emitNumericHelper(BuiltinId::I64TruncSatF64S, F64, I64); return true;
    case O::I64TruncSatF64U: emitNumericHelper(BuiltinId::I64TruncSatF64U, F64, I64); return true;

    case O::RefNull: v.pushConst(op.type, 0); return true;
    case O::RefIsNull: {
      x86::Gp r = v.popToGpr();
      a_.test(r.r64(), r.r64());
      a_.sete(r.r8());
      a_.movzx(r.r32(), r.r8());
      v.pushGpr(I32, r);
      return true;
    }
    case O::RefFunc: {
      x86::Gp r = v.allocGpr();
      a_.mov(r.r64(), x86::qword_ptr(kVmctx, layout_.funcRefPtr(op.index)));
      v.pushGpr(ValType::FuncRef, r);
      return true;
    }

    case O::MemoryInit:
      emitHelperCall(BuiltinId::MemoryInit, {0, op.index}, 3);
      checkHelperTrap(op.offset);
      return true;
    case O::DataDrop: emitHelperCall(BuiltinId::DataDrop, {op.index}, 0); return true;
    case O::MemoryCopy:
      emitHelperCall(BuiltinId::MemoryCopy, {0, 0}, 3);
      checkHelperTrap(op.offset);
      return true;
    case O::MemoryFill:
      emitHelperCall(BuiltinId::MemoryFill, {0}, 3);
      checkHelperTrap(op.offset);
      return true;
    case O::TableInit:
      emitHelperCall(BuiltinId::TableInit, {op.index2, op.index}, 3);
      checkHelperTrap(op.offset);
      return true;
    case O::ElemDrop: emitHelperCall(BuiltinId::ElemDrop, {op.index}, 0); return true;
    case O::TableCopy:
      emitHelperCall(BuiltinId::TableCopy, {op.index, op.index2}, 3);
      checkHelperTrap(op.offset);
      return true;
    case O::TableGrow: {
      emitHelperCall(BuiltinId::TableGrow, {op.index}, 2);
      x86::Gp r = v.allocGpr();
      a_.mov(r.r32(), x86::eax);
      v.pushGpr(I32, r);
      return true;
    }
    case O::TableSize: {
      x86::Gp r = v.allocGpr();
      a_.mov(x86::rax, x86::qword_ptr(kVmctx, layout_.table(op.index)));
      a_.mov(r.r32(), x86::dword_ptr(x86::rax, vmctx::kTableLength));
      v.pushGpr(I32, r);
      return true;
    }
    case O::TableFill:
      emitHelperCall(BuiltinId::TableFill, {op.index}, 3);
      checkHelperTrap(op.offset);
      return true;
    default:
      break;
  }
  if (opcodeFamily(op.opcode) == OpcodeFamily::Simd) return emitSimd(op);
  if (opcodeFamily(op.opcode) == OpcodeFamily::Atomic) return emitAtomic(op);
  return unsupported(op, std::string("operator ") + opcodeName(op.opcode) + " in the baseline compiler");
}

bool FunctionCompiler::emitSimd(const Operator& op) {
  using O = Opcode;
  constexpr ValType V128 = ValType::V128;
  ValueStack& v = values();
  switch (op.opcode) {
    case O::V128Const: v.pushConst(V128, op.bits, op.bitsHigh); return true;
    case O::V128Load: return emitLoad(op, 16, V128, false);
    case O::V128Store: return emitStore(op, 16, V128);
    case O::V128Load8x8S: case O::V128Load8x8U: case O::V128Load16x4S: case O::V128Load16x4U:
    case O::V128Load32x2S: case O::V128Load32x2U: case O::V128Load8Splat: case O::V128Load16Splat:
    case O::V128Load32Splat: case O::V128Load64Splat: case O::V128Load32Zero: case O::V128Load64Zero: {
      uint32_t size = op.opcode == O::V128Load8Splat ? 1 : op.opcode == O::V128Load16Splat ? 2
                      : op.opcode == O::V128Load32Splat || op.opcode == O::V128Load32Zero ? 4 : 8;
      x86::Gp index = v.popToGpr();
      x86::Mem m = memoryOperand(op, index, size);
      m.setSize(size);
      x86::Xmm x = v.allocXmm();
      recordSite(op.offset);
      switch (op.opcode) {
        case O::V128Load8x8S: a_.pmovsxbw(x, m); break;
        case O::V128Load8x8U: a_.pmovzxbw(x, m); break;
        case O::V128Load16x4S: a_.pmovsxwd(x, m); break;
        case O::V128Load16x4U: a_.pmovzxwd(x, m); break;
        case O::V128Load32x2S: a_.pmovsxdq(x, m); break;
        case O::V128Load32x2U: a_.pmovzxdq(x, m); break;
        case O::V128Load8Splat:
          a_.movzx(x86::eax, m);
          a_.movd(x, x86::eax);
          a_.pxor(x86::xmm0, x86::xmm0);
          a_.pshufb(x, x86::xmm0);
          break;
        case O::V128Load16Splat:
          a_.movzx(x86::eax, m);
          a_.movd(x, x86::eax);
          a_.pshuflw(x, x, 0);
          a_.punpcklqdq(x, x);
          break;
        case O::V128Load32Splat:
          a_.movd(x, m);
          a_.pshufd(x, x, 0);
          break;
        case O::V128Load64Splat:
          a_.movq(x, m);
          a_.punpcklqdq(x, x);
          break;
        case O::V128Load32Zero: a_.movd(x, m); break;
        default: a_.movq(x, m); break;  // load64_zero
      }
      v.release(index);
      v.pushXmm(V128, x);
      return true;
    }
    case O::V128Load8Lane: case O::V128Load16Lane: case O::V128Load32Lane: case O::V128Load64Lane:
    case O::V128Store8Lane: case O::V128Store16Lane: case O::V128Store32Lane: case O::V128Store64Lane: {
      bool isLoad = op.opcode == O::V128Load8Lane || op.opcode == O::V128Load16Lane ||
                    op.opcode == O::V128Load32Lane || op.opcode == O::V128Load64Lane;
      uint32_t size = (op.opcode == O::V128Load8Lane || op.opcode == O::V128Store8Lane)     ? 1
                      : (op.opcode == O::V128Load16Lane || op.opcode == O::V128Store16Lane) ? 2
                      : (op.opcode == O::V128Load32Lane || op.opcode == O::V128Store32Lane) ? 4
                                                                                            : 8;
      x86::Xmm x = v.popToXmm();
      x86::Gp index = v.popToGpr();
      x86::Mem m = memoryOperand(op, index, size);
      m.setSize(size);
      recordSite(op.offset);
      switch (size) {
        case 1: if (isLoad) a_.pinsrb(x, m, op.lane); else a_.pextrb(m, x, op.lane); break;
        case 2: if (isLoad) a_.pinsrw(x, m, op.lane); else a_.pextrw(m, x, op.lane); break;
        case 4: if (isLoad) a_.pinsrd(x, m, op.lane); else a_.pextrd(m, x, op.lane); break;
        default: if (isLoad) a_.pinsrq(x, m, op.lane); else a_.pextrq(m, x, op.lane); break;
      }
      v.release(index);
      if (isLoad) v.pushXmm(V128, x);
      else v.release(x);
      return true;
    }
    case O::I8x16Shuffle: {
      // pshufb each source with its own mask (0x80 zeroes a lane), then or.
      uint8_t maskA[16], maskB[16];
      for (int i = 0; i < 16; ++i) {
        uint8_t lane = op.shuffleLanes[i];
        maskA[i] = lane < 16 ? lane : 0x80;
        maskB[i] = lane >= 16 ? static_cast<uint8_t>(lane - 16) : 0x80;
      }
      auto loadMask = [&](const x86::Xmm& dst, const uint8_t* mask) {
        uint64_t low, high;
        std::memcpy(&low, mask, 8);
        std::memcpy(&high, mask + 8, 8);
        a_.mov(x86::rax, low);
        a_.movq(dst, x86::rax);
        a_.mov(x86::rax, high);
        a_.pinsrq(dst, x86::rax, 1);
      };
      x86::Xmm b = v.popToXmm();
      x86::Xmm a = v.popToXmm();
      loadMask(x86::xmm0, maskA);
      a_.pshufb(a, x86::xmm0);
      loadMask(x86::xmm0, maskB);
      a_.pshufb(b, x86::xmm0);
      a_.por(a, b);
      v.release(b);
      v.pushXmm(V128, a);
      return true;
    }
    case O::I32x4Splat: case O::F32x4Splat: case O::I64x2Splat: case O::F64x2Splat: {
      bool wide = op.opcode == O::I64x2Splat || op.opcode == O::F64x2Splat;
      x86::Xmm x;
      if (op.opcode == O::F32x4Splat || op.opcode == O::F64x2Splat) {
        x = v.popToXmm();
      } else {
        x86::Gp r = v.popToGpr();
        x = v.allocXmm();
        if (wide) a_.movq(x, r.r64());
        else a_.movd(x, r.r32());
        v.release(r);
      }
      if (wide) a_.punpcklqdq(x, x);
      else a_.pshufd(x, x, 0);
      v.pushXmm(V128, x);
      return true;
    }
    case O::I8x16ExtractLaneS: case O::I8x16ExtractLaneU: case O::I16x8ExtractLaneS: case O::I16x8ExtractLaneU:
    case O::I32x4ExtractLane: case O::I64x2ExtractLane: {
      x86::Xmm x = v.popToXmm();
      x86::Gp r = v.allocGpr();
      switch (op.opcode) {
        case O::I8x16ExtractLaneS: a_.pextrb(r.r32(), x, op.lane); a_.movsx(r.r32(), r.r8()); break;
        case O::I8x16ExtractLaneU: a_.pextrb(r.r32(), x, op.lane); break;
        case O::I16x8ExtractLaneS: a_.pextrw(r.r32(), x, op.lane); a_.movsx(r.r32(), r.r16()); break;
        case O::I16x8ExtractLaneU: a_.pextrw(r.r32(), x, op.lane); break;
        case O::I32x4ExtractLane: a_.pextrd(r.r32(), x, op.lane); break;
        default: a_.pextrq(r.r64(), x, op.lane); break;
      }
      v.release(x);
      v.pushGpr(op.opcode == O::I64x2ExtractLane ? ValType::I64 : ValType::I32, r);
      return true;
    }
    case O::I8x16ReplaceLane: case O::I16x8ReplaceLane: case O::I32x4ReplaceLane: case O::I64x2ReplaceLane: {
      x86::Gp r = v.popToGpr();
      x86::Xmm x = v.popToXmm();
      switch (op.opcode) {
        case O::I8x16ReplaceLane: a_.pinsrb(x, r.r32(), op.lane); break;
        case O::I16x8ReplaceLane: a_.pinsrw(x, r.r32(), op.lane); break;
        case O::I32x4ReplaceLane: a_.pinsrd(x, r.r32(), op.lane); break;
        default: a_.pinsrq(x, r.r64(), op.lane); break;
      }
      v.release(r);
      v.pushXmm(V128, x);
      return true;
    }
    case O::V128Not: {
      x86::Xmm x = v.popToXmm();
      a_.pcmpeqd(x86::xmm0, x86::xmm0);
      a_.pxor(x, x86::xmm0);
      v.pushXmm(V128, x);
      return true;
    }
    case O::V128And: emitVectorBinary(x86::Inst::kIdPand); return true;
    case O::V128Or: emitVectorBinary(x86::Inst::kIdPor); return true;
    case O::V128Xor: emitVectorBinary(x86::Inst::kIdPxor); return true;
    case O::V128AndNot: emitVectorBinary(x86::Inst::kIdPandn, /*swapOperands=*/true); return true;  // ~b & a
    case O::I8x16Add: emitVectorBinary(x86::Inst::kIdPaddb); return true;
    case O::I16x8Add: emitVectorBinary(x86::Inst::kIdPaddw); return true;
    case O::I32x4Add: emitVectorBinary(x86::Inst::kIdPaddd); return true;
    case O::I64x2Add: emitVectorBinary(x86::Inst::kIdPaddq); return true;
    case O::I8x16Sub: emitVectorBinary(x86::Inst::kIdPsubb); return true;
    case O::I16x8Sub: emitVectorBinary(x86::Inst::kIdPsubw); return true;
    case O::I32x4Sub: emitVectorBinary(x86::Inst::kIdPsubd); return true;
    case O::I64x2Sub: emitVectorBinary(x86::Inst::kIdPsubq); return true;
    case O::I16x8Mul: emitVectorBinary(x86::Inst::kIdPmullw); return true;
    case O::I32x4Mul: emitVectorBinary(x86::Inst::kIdPmulld); return true;
    case O::I8x16AddSatS: emitVectorBinary(x86::Inst::kIdPaddsb); return true;
    case O::I8x16AddSatU: emitVectorBinary(x86::Inst::kIdPaddusb); return true;
    case O::I8x16SubSatS: emitVectorBinary(x86::Inst::kIdPsubsb); return true;
    case O::I8x16SubSatU: emitVectorBinary(x86::Inst::kIdPsubusb); return true;
    case O::I16x8AddSatS: emitVectorBinary(x86::Inst::kIdPaddsw); return true;
    case O::I16x8AddSatU: emitVectorBinary(x86::Inst::kIdPaddusw); return true;
    case O::I16x8SubSatS: emitVectorBinary(x86::Inst::kIdPsubsw); return true;
    case O::I16x8SubSatU: emitVectorBinary(x86::Inst::kIdPsubusw); return true;
    case O::I8x16MinS: emitVectorBinary(x86::Inst::kIdPminsb); return true;
    case O::I8x16MinU: emitVectorBinary(x86::Inst::kIdPminub); return true;
    case O::I8x16MaxS: emitVectorBinary(x86::Inst::kIdPmaxsb); return true;
    case O::I8x16MaxU: emitVectorBinary(x86::Inst::kIdPmaxub); return true;
    case O::I16x8MinS: emitVectorBinary(x86::Inst::kIdPminsw); return true;
    case O::I16x8MinU: emitVectorBinary(x86::Inst::kIdPminuw); return true;
    case O::I16x8MaxS: emitVectorBinary(x86::Inst::kIdPmaxsw); return true;
    case O::I16x8MaxU: emitVectorBinary(x86::Inst::kIdPmaxuw); return true;
    case O::I32x4MinS: emitVectorBinary(x86::Inst::kIdPminsd); return true;
    case O::I32x4MinU: emitVectorBinary(x86::Inst::kIdPminud); return true;
    case O::I32x4MaxS: emitVectorBinary(x86::Inst::kIdPmaxsd); return true;
    case O::I32x4MaxU: emitVectorBinary(x86::Inst::kIdPmaxud); return true;
    case O::I8x16AvgrU: emitVectorBinary(x86::Inst::kIdPavgb); return true;
    case O::I16x8AvgrU: emitVectorBinary(x86::Inst::kIdPavgw); return true;
    case O::I8x16NarrowI16x8S: emitVectorBinary(x86::Inst::kIdPacksswb); return true;
    case O::I8x16NarrowI16x8U: emitVectorBinary(x86::Inst::kIdPackuswb); return true;
    case O::I16x8NarrowI32x4S: emitVectorBinary(x86::Inst::kIdPackssdw); return true;
    case O::I16x8NarrowI32x4U: emitVectorBinary(x86::Inst::kIdPackusdw); return true;
    case O::I32x4DotI16x8S: emitVectorBinary(x86::Inst::kIdPmaddwd); return true;
    case O::I8x16Eq: emitVectorBinary(x86::Inst::kIdPcmpeqb); return true;
    case O::I16x8Eq: emitVectorBinary(x86::Inst::kIdPcmpeqw); return true;
    case O::I32x4Eq: emitVectorBinary(x86::Inst::kIdPcmpeqd); return true;
    case O::I64x2Eq: emitVectorBinary(x86::Inst::kIdPcmpeqq); return true;
    case O::I8x16GtS: emitVectorBinary(x86::Inst::kIdPcmpgtb); return true;
    case O::I16x8GtS: emitVectorBinary(x86::Inst::kIdPcmpgtw); return true;
    case O::I32x4GtS: emitVectorBinary(x86::Inst::kIdPcmpgtd); return true;
    case O::I64x2GtS: emitVectorBinary(x86::Inst::kIdPcmpgtq); return true;
    case O::I8x16LtS: emitVectorBinary(x86::Inst::kIdPcmpgtb, true); return true;
    case O::I16x8LtS: emitVectorBinary(x86::Inst::kIdPcmpgtw, true); return true;
    case O::I32x4LtS: emitVectorBinary(x86::Inst::kIdPcmpgtd, true); return true;
    case O::I64x2LtS: emitVectorBinary(x86::Inst::kIdPcmpgtq, true); return true;
    // Float arithmetic is IEEE in both: NaN results are quiet NaNs, which
    // the spec accepts as arithmetic NaNs.
    case O::F32x4Add: emitVectorBinary(x86::Inst::kIdAddps); return true;
    case O::F32x4Sub: emitVectorBinary(x86::Inst::kIdSubps); return true;
    case O::F32x4Mul: emitVectorBinary(x86::Inst::kIdMulps); return true;
    case O::F32x4Div: emitVectorBinary(x86::Inst::kIdDivps); return true;
    case O::F64x2Add: emitVectorBinary(x86::Inst::kIdAddpd); return true;
    case O::F64x2Sub: emitVectorBinary(x86::Inst::kIdSubpd); return true;
    case O::F64x2Mul: emitVectorBinary(x86::Inst::kIdMulpd); return true;
    case O::F64x2Div: emitVectorBinary(x86::Inst::kIdDivpd); return true;
    // pmin(a, b) = b < a ? b : a, which is minps(b, a) exactly (NaNs included).
    case O::F32x4Pmin: emitVectorBinary(x86::Inst::kIdMinps, true); return true;
    case O::F32x4Pmax: emitVectorBinary(x86::Inst::kIdMaxps, true); return true;
    case O::F64x2Pmin: emitVectorBinary(x86::Inst::kIdMinpd, true); return true;
    case O::F64x2Pmax: emitVectorBinary(x86::Inst::kIdMaxpd, true); return true;
    case O::F32x4Ceil: case O::F32x4Floor: case O::F32x4Trunc: case O::F32x4Nearest:
    case O::F64x2Ceil: case O::F64x2Floor: case O::F64x2Trunc: case O::F64x2Nearest: {
      // roundps/roundpd also quiet signalling NaNs, as the spec asks.
      uint32_t mode = (op.opcode == O::F32x4Ceil || op.opcode == O::F64x2Ceil)     ? 2
                      : (op.opcode == O::F32x4Floor || op.opcode == O::F64x2Floor) ? 1
                      : (op.opcode == O::F32x4Trunc || op.opcode == O::F64x2Trunc) ? 3
                                                                                   : 0;
      bool f32 = op.opcode == O::F32x4Ceil || op.opcode == O::F32x4Floor || op.opcode == O::F32x4Trunc ||
                 op.opcode == O::F32x4Nearest;
      x86::Xmm x = v.popToXmm();
      if (f32) a_.roundps(x, x, mode | 8);
      else a_.roundpd(x, x, mode | 8);
      v.pushXmm(V128, x);
      return true;
    }
    case O::F32x4Sqrt: case O::F64x2Sqrt: {
      x86::Xmm x = v.popToXmm();
      if (op.opcode == O::F32x4Sqrt) a_.sqrtps(x, x);
      else a_.sqrtpd(x, x);
      v.pushXmm(V128, x);
      return true;
    }
    default:
      emitSimdHelper(op);
      return true;
  }
}

bool FunctionCompiler::emitAtomic(const Operator& op) {
  using O = Opcode;
  ValueStack& v = values();
  const OpcodeInfo& info = opcodeInfo(op.opcode);
  uint32_t size = 1u << (static_cast<uint32_t>(info.imm) - static_cast<uint32_t>(ImmKind::Atomic1));
  ValType result = info.sig.result;
  auto sized = [&](const x86::Gp& r) -> x86::Gp {
    switch (size) {
      case 1: return r.r8();
      case 2: return r.r16();
      case 4: return r.r32();
      default: return r.r64();
    }
  };
  // Narrow results are zero-extended; i32 results stay zero-extended too.
  auto zeroExtend = [&](const x86::Gp& r) {
    if (size == 1) a_.movzx(r.r32(), r.r8());
    else if (size == 2) a_.movzx(r.r32(), r.r16());
    else if (size == 4) a_.mov(r.r32(), r.r32());
  };
  // Results of wait/notify: an i32, or a trap flagged in bit 63.
  auto helperResult = [&]() {
    a_.test(x86::rax, x86::rax);
    a_.js(trapLabel(TrapKind::None, op.offset));
    x86::Gp r = v.allocGpr();
    a_.mov(r.r32(), x86::eax);
    v.pushGpr(ValType::I32, r);
  };
  AtomicShape shape = atomicShape(op.opcode);
  switch (op.opcode) {
    case O::AtomicFence:
      a_.mfence();
      return true;
    case O::MemoryAtomicNotify:
      emitHelperCall(BuiltinId::AtomicNotify, {op.memarg.offset}, 2);
      helperResult();
      return true;
    case O::MemoryAtomicWait32:
      emitHelperCall(BuiltinId::AtomicWait32, {op.memarg.offset}, 3);
      helperResult();
      return true;
    case O::MemoryAtomicWait64:
      emitHelperCall(BuiltinId::AtomicWait64, {op.memarg.offset}, 3);
      helperResult();
      return true;
    default:
      break;
  }
  if (shape == AtomicShape::Load) {  // aligned x86 loads are atomic
    x86::Gp index = v.popToGpr();
    x86::Mem m = atomicOperand(op, index, size);
    recordSite(op.offset);
    if (size <= 2) a_.movzx(index.r32(), m);
    else if (size == 4) a_.mov(index.r32(), m);
    else a_.mov(index.r64(), m);
    v.pushGpr(result, index);
    return true;
  }
  if (shape == AtomicShape::Store) {  // xchg is a sequentially consistent store
    x86::Gp value = v.popToGpr();
    x86::Gp index = v.popToGpr();
    x86::Mem m = atomicOperand(op, index, size);
    recordSite(op.offset);
    a_.xchg(m, sized(value));
    v.release(value);
    v.release(index);
    return true;
  }
  if (shape == AtomicShape::CompareExchange) {  // [address, expected, replacement]
    x86::Gp replacement = v.popToGpr();
    x86::Gp expected = v.popToGpr();
    x86::Gp index = v.popToGpr();
    x86::Mem m = atomicOperand(op, index, size);
    a_.mov(x86::rax, expected.r64());
    recordSite(op.offset);
    a_.lock().cmpxchg(m, sized(replacement), sized(x86::rax));
    a_.mov(expected.r64(), x86::rax);
    zeroExtend(expected);
    v.release(replacement);
    v.release(index);
    v.pushGpr(result, expected);
    return true;
  }
  // Read-modify-write: add, sub, and, or, xor, xchg.
  AtomicRmwOp operation = atomicRmwOp(op.opcode);
  x86::Gp value = v.popToGpr();
  x86::Gp index = v.popToGpr();
  x86::Mem m = atomicOperand(op, index, size);
  switch (operation) {
    case AtomicRmwOp::Add:
    case AtomicRmwOp::Sub:
      if (operation == AtomicRmwOp::Sub) a_.neg(value.r64());
      recordSite(op.offset);
      a_.lock().xadd(m, sized(value));
      break;
    case AtomicRmwOp::Xchg:
      recordSite(op.offset);
      a_.xchg(m, sized(value));
      break;
    case AtomicRmwOp::And:
    case AtomicRmwOp::Or:
    case AtomicRmwOp::Xor: {  // a compare-and-swap loop
      Label retry = a_.newLabel();
      recordSite(op.offset);
      if (size <= 2) a_.movzx(x86::eax, m);
      else a_.mov(sized(x86::rax), m);
      a_.bind(retry);
      a_.mov(x86::rdx, x86::rax);
      InstId inst = operation == AtomicRmwOp::And  ? x86::Inst::kIdAnd
                    : operation == AtomicRmwOp::Or ? x86::Inst::kIdOr
                                                   : x86::Inst::kIdXor;
      a_.emit(inst, x86::rdx, value.r64());
      a_.lock().cmpxchg(m, sized(x86::rdx), sized(x86::rax));
      a_.jnz(retry);
      a_.mov(value.r64(), x86::rax);
      break;
    }
  }
  zeroExtend(value);
  v.release(index);
  v.pushGpr(result, value);
  return true;
}

}  // namespace

BaselineScratch::BaselineScratch() : reused(std::make_unique<Reused>()) {}
BaselineScratch::~BaselineScratch() = default;

Result<CompiledFunction> compileBaselineFunction(const ModuleInfo& module, std::span<const uint8_t> bytes,
                                                 uint32_t functionIndex, const VmctxLayout& layout,
                                                 const BaselineOptions& options, BaselineScratch& scratch) {
  FunctionCompiler compiler(module, bytes, functionIndex, layout, options, scratch);
  return compiler.compile();
}

namespace {
struct BaselineThreadState final : TierThreadState {
  BaselineScratch scratch;
};
}  // namespace

std::unique_ptr<TierThreadState> BaselineTier::newThreadState() const {
  return std::make_unique<BaselineThreadState>();
}

Result<CompiledFunction> BaselineTier::compile(const CompileInput& input, uint32_t functionIndex,
                                               TierThreadState& state) const {
  BaselineOptions options;
  options.memoryStrategy = input.strategy;
  return compileBaselineFunction(input.module, input.bytes, functionIndex, input.layout, options,
                                 static_cast<BaselineThreadState&>(state).scratch);
}

}  // namespace weft
