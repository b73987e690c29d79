// x86-64 instruction selection for the baseline (see the header for the
// register roles and the frame).
#include "compiler/baseline/x64/macro_assembler_x64.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "abi/compiled_code.h"
#include "abi/entry_table.h"
#include "compiler/baseline/x64/fast_encoder.h"
#include "compiler/interrupt_points.h"
#include "format/limits.h"

namespace weft {
namespace {

using namespace asmjit;

const x86::Gp kVmctxReg = x86::r10;
// Memory 0's base, loaded on first use after each merge point or call and
// reused until then (callees clobber it; memory.grow may move it). A call
// sequence borrows it for the FuncRef it calls through.
const x86::Gp kMemBase = x86::r11;
const x86::Gp kFuncRef = x86::r11;
// An imported memory's definition, while one access is addressed.
const x86::Gp kMemDef = x86::rcx;

x86::Gp gp(GpReg r) { return x86::gpq(r.code); }
x86::Xmm xmm(FpReg r) { return x86::xmm(r.code); }
// The 64-bit or the 32-bit view of a general-purpose register.
x86::Gp sized(const x86::Gp& reg, bool wide) { return wide ? x86::Gp(reg.r64()) : x86::Gp(reg.r32()); }
// The view of {size} bytes.
x86::Gp sizedTo(const x86::Gp& r, uint32_t size) {
  switch (size) {
    case 1: return r.r8();
    case 2: return r.r16();
    case 4: return r.r32();
    default: return r.r64();
  }
}
bool is64Type(ValType t) { return t != ValType::I32 && t != ValType::F32; }
bool fitsInt32(uint64_t bits) {
  auto v = static_cast<int64_t>(bits);
  return v >= INT32_MIN && v <= INT32_MAX;
}

// The frame-header slots of the callee-saved registers the baseline may use.
struct SaveSlot {
  x86::Gp reg;
  int32_t offset;
};
const SaveSlot kSaveSlots[] = {{x86::r13, -24}, {x86::r12, -32}, {x86::rbx, -40}, {x86::r15, -48}};
constexpr int32_t kResultsBufferSlot = -56;
// Loop heads start a 32-byte fetch window (multi-byte nops pad to it); the
// linker starts functions at least that aligned and the prologue of a
// function with loops is padded to it, so it holds in memory.
constexpr uint32_t kLoopAlignment = 32;
static_assert(kFunctionAlignment % kLoopAlignment == 0);
constexpr int32_t kFrameSizePlaceholder = 0x7ffffff0;

x86::Gp integerArgRegister(uint32_t index) {
  return x86::gpq(MacroAssemblerX64::kIntegerArgumentIds[index]);
}

x86::CondCode condition(IntCondition c) {
  switch (c) {
    case IntCondition::Eq: return x86::CondCode::kE;
    case IntCondition::Ne: return x86::CondCode::kNE;
    case IntCondition::LtS: return x86::CondCode::kL;
    case IntCondition::LtU: return x86::CondCode::kB;
    case IntCondition::GtS: return x86::CondCode::kG;
    case IntCondition::GtU: return x86::CondCode::kA;
    case IntCondition::LeS: return x86::CondCode::kLE;
    case IntCondition::LeU: return x86::CondCode::kBE;
    case IntCondition::GeS: return x86::CondCode::kGE;
    case IntCondition::GeU: return x86::CondCode::kAE;
  }
  return x86::CondCode::kE;
}
// roundss/roundsd immediates (with bit 3: no precision exception).
uint32_t roundingImmediate(Rounding mode) {
  switch (mode) {
    case Rounding::Nearest: return 0 | 8;
    case Rounding::Floor: return 1 | 8;
    case Rounding::Ceil: return 2 | 8;
    case Rounding::Trunc: return 3 | 8;
  }
  return 8;
}

}  // namespace

void MacroAssemblerX64::RecordingErrorHandler::handleError(asmjit::Error err, const char* message, BaseEmitter*) {
  if (!failed) {
    failed = true;
    text = message ? message : DebugUtils::errorAsString(err);
  }
}

MacroAssemblerX64::MacroAssemblerX64(Buffers& buffers, const VmctxLayout& layout, MemoryStrategy strategy)
    : buffers_(buffers),
      a_(buffers.assembler),
      layout_(layout),
      strategy_(strategy),
      traps_(buffers.traps),
      forwardJumps_(buffers.forwardJumps),
      outOfLine_(buffers.outOfLine),
      sites_(buffers.sites),
      vmctxReloads_(buffers.vmctxReloads),
      labels_(buffers.labelOffsets) {
  labels_.clear();
  traps_.clear();
  forwardJumps_.clear();
  outOfLine_.clear();
  sites_.clear();
  vmctxReloads_.clear();
  // The holders are set up once per thread and rewound for each body: the
  // labels are this class's own (Label), so a holder keeps nothing from one
  // body to the next but its sections and their buffers, which are reused
  // (a reset frees the buffers and the sections, and init makes them anew:
  // a thousand instructions and a malloc per function, and the first
  // instructions of each body into an empty buffer). The prologue has no
  // section but its text; the body has its text and, once a body needs it,
  // the out-of-line section.
  if (!buffers_.code.isInitialized()) {
    buffers_.code.init(Environment::host());
    buffers_.code.attach(&a_);
    // Loop headers are aligned with long nops (one instruction) rather than
    // runs of one-byte nops, which the code entering the loop executes.
    a_.addEncodingOptions(EncodingOptions::kOptimizedAlign);
    buffers_.prologueCode.init(Environment::host());
    buffers_.prologueCode.attach(&buffers_.prologue);
    buffers_.prologue.addEncodingOptions(EncodingOptions::kOptimizedAlign);
  }
  for (Section* section : buffers_.code.sections()) section->buffer()._size = 0;
  a_.section(buffers_.code.textSection());  // at offset 0 of the rewound text
  outOfLineSection_ = buffers_.outOfLineSection;
  buffers_.code.setErrorHandler(&errors_);
  buffers_.prologueCode.setErrorHandler(&errors_);
  buffers_.prologue.setOffset(0);
}

MacroAssemblerX64::~MacroAssemblerX64() {
  buffers_.code.resetErrorHandler();  // errors_ goes with this object
  buffers_.prologueCode.resetErrorHandler();
}

void MacroAssemblerX64::fail(const char* what) {
  if (!errors_.failed) {
    errors_.failed = true;
    errors_.text = what;
  }
}

void MacroAssemblerX64::recordSite(uint32_t bytecodeOffset) {
  if (inOutOfLine_) fail("a call or trap site in an out-of-line stub");  // its offset would be the stub's, not the body's
  sites_.push_back({static_cast<uint32_t>(a_.offset()), bytecodeOffset});
}

uint32_t MacroAssemblerX64::debugSite() {
  if (inOutOfLine_) fail("a debug site in an out-of-line stub");
  hasDebugSites_ = true;
  // An armed site calls the debugger, which runs host code here: the
  // prologue checks the stack as for any call, and the memory may have
  // moved (the handler grew it, or called code that did) when it returns.
  makesCalls_ = true;
  a_.align(AlignMode::kCode, kDebugSiteBytes);
  auto at = static_cast<uint32_t>(a_.offset());
  a_.embed(kDebugSiteNop, kDebugSiteBytes);
  memBaseValid_ = false;
  return at;
}

// ---- frame ----

void MacroAssemblerX64::beginFunction(uint32_t bodyBytecodeOffset, uint32_t bodyBytes, bool usesResultsBuffer) {
  stackOverflow_ = trapLabel(TrapKind::StackExhausted, bodyBytecodeOffset);
  epilogue_ = newLabel();
  if (usesResultsBuffer) a_.mov(x86::qword_ptr(x86::rbp, kResultsBufferSlot), x86::rsi);
  bodyBytecodeOffset_ = bodyBytecodeOffset;
  bodyBytes_ = bodyBytes;
}

void MacroAssemblerX64::storeRegisterParameter(call_abi::Location at, ValType type, Address local) {
  x64::FastMem slot = x64::memAt(local.base.code, local.offset);
  if (at.where == call_abi::Where::IntegerRegister) {
    x86::Gp reg = integerArgRegister(at.index);
    x64::movStore(a_, slot, static_cast<uint8_t>(reg.id()), true);
  } else if (at.where == call_abi::Where::FloatRegister) {
    storeFpr(slot, FpReg{static_cast<uint8_t>(at.index)}, type);
  }
}

void MacroAssemblerX64::zeroLocals(int32_t lowestOffset, uint32_t qwords) {
  if (qwords == 0) return;
  if (qwords <= 8) {
    constexpr uint8_t kRax = 0, kRbp = 5;
    x64::aluRegReg(a_, x64::Alu::Xor, kRax, kRax, false);
    for (uint32_t j = 0; j < qwords; ++j) {
      int32_t offset = lowestOffset + static_cast<int32_t>(8 * j);
      x64::movStore(a_, x64::memAt(kRbp, offset), kRax, true);
    }
  } else {
    // rdi, rcx, rax are free: the arguments are stored.
    a_.lea(x86::rdi, x86::ptr(x86::rbp, lowestOffset));
    a_.mov(x86::ecx, qwords);
    a_.xor_(x86::eax, x86::eax);
    a_.rep().stosq();
  }
}

void MacroAssemblerX64::jumpToEpilogue() { jump(epilogue_); }

BoundedVector<MacroAssemblerX64::SavedRegister, 4> MacroAssemblerX64::usedCalleeSaved(uint32_t gprsUsed) const {
  uint32_t used = gprsUsed;
  BoundedVector<SavedRegister, 4> saved;
  for (const SaveSlot& candidate : kSaveSlots)
    if (used & (1u << candidate.reg.id())) saved.push_back({candidate.reg.id(), candidate.offset});
  return saved;
}

// The shared exit every return jumps to (the function's own end falls into
// it): restores what the prologue saved, pops the frame.
void MacroAssemblerX64::emitEpilogue(uint32_t gprsUsed) {
  bindMerge(epilogue_);
  constexpr uint8_t kRsp = 4, kRbp = 5;
  for (const SavedRegister& saved : usedCalleeSaved(gprsUsed))
    x64::movLoad(a_, static_cast<uint8_t>(saved.regId), x64::memAt(kRbp, saved.offset), true);
  x64::movRegReg(a_, kRsp, kRbp, true);
  x64::popReg(a_, kRbp);
  x64::ret(a_);
}

// Assembled after the body, when the frame size and the registers it used
// are known; placed before it. Returns its size.
// A jcc rel32 from the prologue to a label of the body (the stubs are in the
// other buffer), written by hand; `prologueSize` is the prologue's final size.
void MacroAssemblerX64::patchPrologueJump(uint32_t rel32At, Label target, uint32_t prologueSize) {
  if (errors_.failed) return;  // the jump itself may not have been written
  if (labelOffset(target) == kUnbound) return fail("a prologue jump to a label never bound");
  auto to = static_cast<int64_t>(prologueSize + labelOffset(target));
  auto rel32 = static_cast<int32_t>(to - (rel32At + 4));
  std::memcpy(buffers_.prologueCode.textSection()->buffer().data() + rel32At, &rel32, 4);
}

uint32_t MacroAssemblerX64::assemblePrologue(uint32_t gprsUsed, uint32_t frameBytes, bool leaf,
                                             std::optional<Label> entryInterrupted) {
  x86::Assembler& p = buffers_.prologue;
  constexpr uint8_t kRax = 0, kRsp = 4, kRbp = 5, kRdi = 7;
  auto vmctxId = static_cast<uint8_t>(kVmctxReg.id());
  x64::pushReg(p, kRbp);
  x64::movRegReg(p, kRbp, kRsp, true);
  x64::pushReg(p, kRdi);  // the frame's vmctx slot, at vmctx::kFrameSlot
  static_assert(vmctx::kFrameSlot == -8, "the push above must land on the slot");
  // Below rsp, inside the 128-byte red zone that signal delivery respects.
  // Before anything may trap, the vmctx register must be set: the trap path
  // reaches the builtins through it.
  BoundedVector<SavedRegister, 4> saved = usedCalleeSaved(gprsUsed);
  for (const SavedRegister& s : saved) x64::movStore(p, x64::memAt(kRbp, s.offset), static_cast<uint8_t>(s.regId), true);
  x64::movRegReg(p, vmctxId, kRdi, true);
  uint32_t frameSize = (frameBytes + 15) & ~15u;
  auto below = static_cast<int32_t>(frameSize - 8);  // the vmctx push is already below rbp
  std::optional<uint32_t> stackCheckAt;
  if (leaf && frameSize <= kLeafFrameWithoutStackCheck) {
    // Calls nothing and needs little: the margin below every stack limit
    // (threadStackLimit) holds this frame, and its callers checked theirs.
    x64::aluRegImm(p, x64::Alu::Sub, kRsp, below, true);
  } else {
    x64::movRegReg(p, kRax, kRsp, true);
    x64::aluRegImm(p, x64::Alu::Sub, kRax, below, true);
    x64::aluRegMem(p, x64::Alu::Cmp, kRax, x64::memAt(vmctxId, vmctx::kStackLimit), true);
    uint32_t rel32At = 0;
    x64::jumpAhead(p, static_cast<int>(x86::CondCode::kB), rel32At);
    stackCheckAt = rel32At;
    x64::movRegReg(p, kRsp, kRax, true);
  }
  std::optional<uint32_t> interruptCheckAt;
  if (entryInterrupted) {  // interrupt_points.h
    x64::cmpMemImm8(p, x64::memAt(vmctxId, vmctx::kInterruptFlag), 0, false);
    uint32_t rel32At = 0;
    x64::jumpAhead(p, static_cast<int>(x86::CondCode::kNE), rel32At);
    interruptCheckAt = rel32At;
  }
  // The body's loop headers are aligned within the body, which starts after
  // the prologue: a function with loops pads its prologue (one or two nops
  // run per call) so that they are aligned in memory too.
  if (hasLoops_) x64::alignCode(p, kLoopAlignment);
  // Debug sites too: a clone patches each with one aligned store.
  if (hasDebugSites_) x64::alignCode(p, kDebugSiteBytes);
  auto size = static_cast<uint32_t>(p.offset());
  if (stackCheckAt) patchPrologueJump(*stackCheckAt, stackOverflow_, size);
  if (interruptCheckAt) patchPrologueJump(*interruptCheckAt, *entryInterrupted, size);
  return size;
}

// A trap site's stub only loads its bytecode offset and jumps to its kind's
// tail, which raises the trap: 7 bytes a site instead of 29 (traps are a
// tenth of the baseline's code). The tail's address, which the helper gets
// as the trap's pc, lies in this function as the site's did, and the site's
// bytecode offset travels in esi, so the trap reads the same. The tail comes
// first, so that the sites after it reach it with short jumps.
void MacroAssemblerX64::emitTrapStubs() {
  // Registers by number, for the fast encodings.
  constexpr uint8_t kRax = 0, kRcx = 1, kRdx = 2, kRsp = 4, kRbp = 5, kRsi = 6, kRdi = 7;
  auto vmctxId = static_cast<uint8_t>(kVmctxReg.id());
  constexpr size_t kKinds = static_cast<size_t>(TrapKind::OutOfFuel) + 1;
  std::array<uint32_t, kKinds> sitesOfKind{};
  for (const TrapStub& stub : traps_) sitesOfKind[static_cast<size_t>(stub.kind)]++;
  for (size_t kind = 0; kind < kKinds; ++kind) {
    if (sitesOfKind[kind] == 0) continue;
    // A kind with one site: the site is the tail.
    const TrapStub* only = nullptr;
    if (sitesOfKind[kind] == 1)
      only = &*std::find_if(traps_.begin(), traps_.end(),
                            [&](const TrapStub& stub) { return static_cast<size_t>(stub.kind) == kind; });
    Label tail = only ? only->label : newLabel();
    bind(tail);
    if (kind == static_cast<size_t>(TrapKind::None)) {
      x64::movRegReg(a_, kRdi, kRax, false);
    } else {
      x64::movImm32(a_, kRdi, static_cast<uint32_t>(kind));
    }
    if (only) x64::movImm32(a_, kRsi, only->bytecodeOffset);
    x64::movRegReg(a_, kRdx, kRbp, true);
    x64::leaRip(a_, kRcx, static_cast<uint64_t>(labelOffset(tail)));
    // The prologue's stack check jumps here before the frame is aligned.
    x64::aluRegImm(a_, x64::Alu::And, kRsp, -16, true);
    x64::movLoad(a_, kRax, x64::memAt(vmctxId, vmctx::kHelpers), true);
    auto raiseTrap = static_cast<int32_t>(builtinTableOffset(BuiltinId::RaiseTrap));
    x64::callMem(a_, x64::memAt(kRax, raiseTrap));  // never returns
    if (only) continue;
    for (const TrapStub& stub : traps_) {
      if (static_cast<size_t>(stub.kind) != kind) continue;
      bind(stub.label);
      x64::movImm32(a_, kRsi, stub.bytecodeOffset);
      jumpTo(tail);
    }
  }
}

void MacroAssemblerX64::finish(uint32_t gprsUsed, uint32_t frameBytes, CompiledFunction& out) {
  bool leaf = !makesCalls_;  // the trap stubs' calls below never return
  // Loop headers check for themselves: no unchecked loops.
  std::optional<Label> entryInterrupted;
  if (needsEntryInterruptCheck(makesCalls_, false, bodyBytes_))
    entryInterrupted = trapLabel(TrapKind::Interrupted, bodyBytecodeOffset_);
  if (outOfLineSection_ != nullptr) {
    const uint8_t* code = outOfLineSection_->buffer().data();
    for (const OutOfLineStub& stub : outOfLine_) {
      bind(stub.entry);
      a_.embed(code + stub.begin, stub.end - stub.begin);  // moves of registers and the frame: no label in them
      jumpTo(stub.then);
    }
  }
  emitTrapStubs();
  for (const JumpTable& table : jumpTables_) {
    a_.align(AlignMode::kData, 4);
    bind(table.label);
    for (const Label& target : table.targets) {
      if (labelOffset(target) == kUnbound) return fail("a jump table entry for a label never bound");
      int32_t delta = labelOffset(target) - labelOffset(table.label);
      a_.embed(&delta, 4);
    }
  }
  patchForwardJumps();
  uint32_t prologueSize = assemblePrologue(gprsUsed, frameBytes, leaf, entryInterrupted);
  if (errors_.failed) return;
  // In the body rsp = rbp - frameSize (the prologue's work), so the frame's
  // vmctx slot, [rbp-8], is [rsp + frameSize - 8].
  auto slotFromRsp = static_cast<int32_t>(((frameBytes + 15) & ~15u) + vmctx::kFrameSlot);
  for (uint32_t at : vmctxReloads_)
    std::memcpy(buffers_.code.textSection()->buffer().data() + at, &slotFromRsp, 4);
  // The prologue, then the body: the body refers to nothing before it, so
  // placing it after the prologue changes none of its bytes.
  const uint8_t* head = buffers_.prologueCode.textSection()->buffer().data();  // rewound: its size is stale
  CodeBuffer& body = buffers_.code.textSection()->buffer();
  bodyStart_ = prologueSize;
  out.code.reserve(prologueSize + body.size());
  out.code.assign(head, head + prologueSize);
  out.code.insert(out.code.end(), body.data(), body.data() + body.size());
  out.sites.assign(sites_.begin(), sites_.end());  // sites_ keeps its memory for the next body
  for (CodeSite& site : out.sites) site.codeOffset += prologueSize;
  // Recorded as the code was emitted, so nearly always in order already.
  auto byOffset = [](const CodeSite& x, const CodeSite& y) { return x.codeOffset < y.codeOffset; };
  if (!std::is_sorted(out.sites.begin(), out.sites.end(), byOffset))
    std::stable_sort(out.sites.begin(), out.sites.end(), byOffset);
}

// ---- moves ----

void MacroAssemblerX64::loadGpr(GpReg dst, ValType type, MemOperand source) {
  x64::movLoad(a_, dst.code, source, is64Type(type));
}

void MacroAssemblerX64::loadFpr(FpReg dst, ValType type, MemOperand source) {
  if (type == ValType::V128) x64::vectorLoadUnaligned(a_, dst.code, source);
  else x64::scalarFloatLoad(a_, type == ValType::F64, dst.code, source);
}

void MacroAssemblerX64::storeGpr(MemOperand dest, GpReg src, ValType type) {
  x64::movStore(a_, dest, src.code, is64Type(type));
}

void MacroAssemblerX64::storeFpr(MemOperand dest, FpReg src, ValType type) {
  if (type == ValType::V128) x64::vectorStoreUnaligned(a_, dest, src.code);
  else x64::scalarFloatStore(a_, type == ValType::F64, dest, src.code);
}

void MacroAssemblerX64::storeConstant(MemOperand destination, ValType type, uint64_t bits, uint64_t bitsHigh) {
  constexpr uint8_t kRax = 0;
  auto store = [&](MemOperand to, uint32_t size, uint64_t value) {
    int64_t immediate = size == 4 ? static_cast<int32_t>(static_cast<uint32_t>(value)) : static_cast<int64_t>(value);
    if (x64::storeImmediate(a_, to, size, immediate)) return;
    to.size = static_cast<uint8_t>(size);
    if (size == 4 || fitsInt32(value)) {
      a_.mov(x64::toAsmjit(to), immediate);
    } else {  // no 64-bit immediate store: through rax
      x64::movImm64(a_, kRax, value);
      x64::movStore(a_, to, kRax, true);
    }
  };
  if (type == ValType::V128) {
    store(destination, 8, bits);
    destination.disp += 8;
    store(destination, 8, bitsHigh);
  } else {
    store(destination, is64Type(type) ? 8 : 4, bits);
  }
}

void MacroAssemblerX64::copySlotValue(MemOperand destination, Address slot, ValType type) {
  x86::Mem dest = x64::toAsmjit(destination);
  if (type == ValType::V128) {
    dest.setSize(16);
    a_.movups(x86::xmm0, x86::xmmword_ptr(gp(slot.base), slot.offset));
    a_.movups(dest, x86::xmm0);
  } else {
    dest.setSize(8);
    a_.mov(x86::rax, qwordAt(slot));
    a_.mov(dest, x86::rax);
  }
}

void MacroAssemblerX64::copySlot(Address from, Address to) {
  a_.movups(x86::xmm0, x86::xmmword_ptr(gp(from.base), from.offset));
  a_.movups(x86::xmmword_ptr(gp(to.base), to.offset), x86::xmm0);
}

void MacroAssemblerX64::loadConstant(GpReg dst, ValType type, uint64_t bits) {
  if (is64Type(type)) x64::movImm64(a_, dst.code, bits);
  else x64::movImm32(a_, dst.code, static_cast<uint32_t>(bits));
}

// Through rax.
void MacroAssemblerX64::loadConstant(FpReg dst, ValType type, uint64_t bits, uint64_t bitsHigh) {
  constexpr uint8_t kRax = 0;
  if (bits == 0 && bitsHigh == 0) {
    x64::sseRegReg(a_, x64::kXorps, dst.code, dst.code);
  } else if (type == ValType::V128) {
    loadVectorConstant(dst, bits, bitsHigh);
  } else if (type == ValType::F32) {
    x64::movImm32(a_, kRax, static_cast<uint32_t>(bits));
    x64::sseRegReg(a_, x64::kMovdToXmm, dst.code, kRax);
  } else {
    x64::movImm64(a_, kRax, bits);
    x64::sseRegReg(a_, x64::kMovqToXmm, dst.code, kRax);
  }
}

void MacroAssemblerX64::moveGpr(GpReg dst, GpReg src, bool wide) {
  x64::movRegReg(a_, dst.code, src.code, wide);
}
void MacroAssemblerX64::moveFpr(FpReg dst, FpReg src) {
  x64::movaps(a_, dst.code, src.code);
}
void MacroAssemblerX64::loadPointer(GpReg dst, Address source) { a_.mov(gp(dst), qwordAt(source)); }

// The convention leaves bits 32-63 of an i32 result open: the move zero-extends.
void MacroAssemblerX64::moveFromReturnGpr(GpReg dst, bool wide) {
  x64::movRegReg(a_, dst.code, 0, wide);
}
void MacroAssemblerX64::moveFromReturnFpr(FpReg dst) { x64::movaps(a_, dst.code, 0); }

// rdx: the stores that follow may use rax and xmm0, and no value lives in rdx.
GpReg MacroAssemblerX64::loadResultsBufferPointer() {
  a_.mov(x86::rdx, x86::qword_ptr(x86::rbp, kResultsBufferSlot));
  return kAddressScratchGpr;
}

// ---- control ----

Label MacroAssemblerX64::newLabel() {
  labels_.push_back(kUnbound);
  return Label{static_cast<uint32_t>(labels_.size() - 1)};
}
// Labels are bound in the body's text only: finish() places the out-of-line
// stubs' bytes there, and they have no label inside.
void MacroAssemblerX64::bind(Label label) {
  if (a_._section != buffers_.code.textSection()) return fail("a label bound in an out-of-line stub");
  if (label.id >= labels_.size()) return fail("a label this body did not make");
  labels_[label.id] = static_cast<int32_t>(a_.offset());
}
void MacroAssemblerX64::bindMerge(Label label) {
  bind(label);
  memBaseValid_ = false;
}
void MacroAssemblerX64::bindLoopHeader(Label label) {
  x64::alignCode(a_, kLoopAlignment);
  bindMerge(label);
  hasLoops_ = true;
}
void MacroAssemblerX64::jump(Label label) {
  if (inOutOfLine_) {
    outOfLineJump_ = label;
    return;
  }
  jumpTo(label);
}

static_assert(static_cast<int>(x86::CondCode::kE) == 4 && static_cast<int>(x86::CondCode::kB) == 2 &&
              static_cast<int>(x86::CondCode::kG) == 15);  // the hardware's numbering, as fast_encoder.h takes

void MacroAssemblerX64::jumpIf(x86::CondCode condition, Label label) { jumpTo(static_cast<int>(condition), label); }
void MacroAssemblerX64::jumpTo(Label label) { jumpTo(x64::kAlways, label); }

// Only in the text section, where finish() looks for the forward jumps (an
// out-of-line stub's one jump is placed with it, by finish()).
void MacroAssemblerX64::jumpTo(int condition, Label label) {
  if (a_._section != buffers_.code.textSection()) return fail("a jump inside an out-of-line stub");
  if (int32_t at = labelOffset(label); at != kUnbound) {
    x64::jumpBack(a_, condition, static_cast<uint64_t>(at));
    return;
  }
  uint32_t rel32At = 0;
  if (x64::jumpAhead(a_, condition, rel32At)) forwardJumps_.push_back({rel32At, label});
}

void MacroAssemblerX64::patchForwardJumps() {
  uint8_t* text = buffers_.code.textSection()->buffer().data();
  for (const ForwardJump& jump : forwardJumps_) {
    int32_t to = labelOffset(jump.target);
    if (to == kUnbound) return fail("a jump to a label never bound in the code");
    auto rel32 = static_cast<int32_t>(int64_t{to} - (int64_t{jump.rel32At} + 4));
    std::memcpy(text + jump.rel32At, &rel32, 4);
  }
}

void MacroAssemblerX64::beginOutOfLine() {
  if (outOfLineSection_ == nullptr) {
    if (buffers_.code.newSection(&outOfLineSection_, ".cold", SIZE_MAX, SectionFlags::kExecutable, 1) != kErrorOk)
      return fail("no out-of-line section");
    buffers_.outOfLineSection = outOfLineSection_;  // kept, rewound, for the next bodies
  }
  a_.section(outOfLineSection_);
  inOutOfLine_ = true;
  outOfLineJump_.reset();
  outOfLine_.push_back({Label(), static_cast<uint32_t>(a_.offset()), 0, Label()});
}

void MacroAssemblerX64::endOutOfLine(Label entry) {
  if (!inOutOfLine_) return;  // beginOutOfLine failed (recorded)
  OutOfLineStub& stub = outOfLine_.back();
  stub.entry = entry;
  stub.end = static_cast<uint32_t>(a_.offset());
  inOutOfLine_ = false;
  a_.section(buffers_.code.textSection());
  if (!outOfLineJump_) return fail("an out-of-line stub without its jump");
  stub.then = *outOfLineJump_;
}
// Sets the flags for {c}; returns the condition code that means "true".
x86::CondCode MacroAssemblerX64::testCondition(const Condition& c) {
  if (c.kind == Condition::Kind::FloatCompare) {
    // a > b and a >= b as ucomis(a, b) then above / above-or-equal, which an
    // unordered result (NaN: CF set) makes false; lt and le swap the operands.
    bool swap = c.floatCompare == FloatCondition::Lt || c.floatCompare == FloatCondition::Le;
    x86::Xmm x = xmm(swap ? c.floatRhs : c.floatLhs), y = xmm(swap ? c.floatLhs : c.floatRhs);
    if (c.wide) a_.ucomisd(x, y);
    else a_.ucomiss(x, y);
    bool strict = c.floatCompare == FloatCondition::Lt || c.floatCompare == FloatCondition::Gt;
    return strict ? x86::CondCode::kA : x86::CondCode::kAE;
  }
  if (c.kind == Condition::Kind::NonZero) {
    x64::testRegReg(a_, c.lhs.code, false);
    return x86::CondCode::kNZ;
  }
  bool fast = c.rhs.kind == IntOperand::Kind::Immediate
                  ? (c.rhs.immediate == 0 ? x64::testRegReg(a_, c.lhs.code, c.wide)
                                          : x64::aluRegImm(a_, x64::Alu::Cmp, c.lhs.code, c.rhs.immediate, c.wide))
                  : c.rhs.kind == IntOperand::Kind::Register &&
                        x64::aluRegReg(a_, x64::Alu::Cmp, c.lhs.code, c.rhs.reg.code, c.wide);
  if (fast) return condition(c.compare);
  x86::Gp lhs = sized(gp(c.lhs), c.wide);
  // test sets the flags as cmp with 0 would (CF and OF cleared), for every condition.
  if (c.rhs.kind == IntOperand::Kind::Immediate && c.rhs.immediate == 0) a_.test(lhs, lhs);
  else if (c.rhs.kind == IntOperand::Kind::Immediate) a_.cmp(lhs, Imm(static_cast<int64_t>(c.rhs.immediate)));
  else a_.cmp(lhs, sized(gp(c.rhs.reg), c.wide));
  return condition(c.compare);
}

void MacroAssemblerX64::branchIf(const Condition& c, bool whenTrue, Label label) {
  x86::CondCode code = testCondition(c);
  jumpIf(whenTrue ? code : x86::negateCond(code), label);
}
void MacroAssemblerX64::branchIfEqual(GpReg value, uint32_t immediate, Label label) {
  if (immediate == 0) x64::testRegReg(a_, value.code, false);
  else x64::aluRegImm(a_, x64::Alu::Cmp, value.code, static_cast<int32_t>(immediate), false);
  jumpIf(x86::CondCode::kE, label);
}

void MacroAssemblerX64::jumpTable(GpReg index, std::span<const Label> targets, Label defaultLabel) {
  constexpr uint8_t kRax = 0, kRcx = 1;
  Label table = newLabel();
  static_assert(limits::kMaxBrTableTargets < INT32_MAX, "the target count is compared as an imm32");
  x64::aluRegImm(a_, x64::Alu::Cmp, index.code, static_cast<int32_t>(targets.size()), false);
  jumpIf(x86::CondCode::kAE, defaultLabel);
  // lea rax, [rip + table]: the table is placed by finish(), which patches
  // the displacement as it does a forward jump's.
  uint32_t rel32At = 0;
  if (x64::leaRipAhead(a_, kRax, rel32At)) forwardJumps_.push_back({rel32At, table});
  x64::loadInteger(a_, kRcx, x64::scaledMemAt(kRax, index.code, 2, 0), 4, true, true);  // movsxd rcx, [rax + 4 * index]
  x64::aluRegReg(a_, x64::Alu::Add, kRax, kRcx, true);
  x64::jumpReg(a_, kRax);
  // Emitted after the body, once every target label is bound.
  jumpTables_.push_back({table, std::vector<Label>(targets.begin(), targets.end())});
}

Label MacroAssemblerX64::trapLabel(TrapKind kind, uint32_t bytecodeOffset) {
  TrapStub stub{newLabel(), kind, bytecodeOffset};
  traps_.push_back(stub);
  return stub.label;
}
void MacroAssemblerX64::trap(TrapKind kind, uint32_t bytecodeOffset) { jumpTo(trapLabel(kind, bytecodeOffset)); }
uint32_t MacroAssemblerX64::chargeFuel(uint32_t bytecodeOffset) {
  a_.sub(x86::qword_ptr(kVmctxReg, vmctx::kFuel), Imm(INT32_MAX));  // forces an imm32, patched later
  auto at = static_cast<uint32_t>(a_.offset()) - 4;
  jumpIf(x86::CondCode::kL, trapLabel(TrapKind::OutOfFuel, bytecodeOffset));  // signed: the fuel was less than the price
  return at;
}

// A run has fewer operators than its body has bytes: the price fits the
// sign-extended imm32 (a larger one would add fuel).
static_assert(limits::kMaxFunctionBodyBytes <= INT32_MAX);

void MacroAssemblerX64::setFuelPrice(uint32_t at, uint32_t operators) {
  std::memcpy(buffers_.code.textSection()->buffer().data() + at, &operators, 4);
}

void MacroAssemblerX64::interruptCheck(uint32_t bytecodeOffset) {
  x64::cmpMemImm8(a_, x64::memAt(static_cast<uint8_t>(kVmctxReg.id()), vmctx::kInterruptFlag), 0, false);
  jumpIf(x86::CondCode::kNE, trapLabel(TrapKind::Interrupted, bytecodeOffset));
}

// ---- calls ----

void MacroAssemblerX64::loadArgument(call_abi::Location at, ValType type, Address slot) {
  MemOperand source = operand(slot);
  if (at.where == call_abi::Where::IntegerRegister) {
    loadGpr(GpReg{static_cast<uint8_t>(integerArgRegister(at.index).id())}, type, source);
  } else if (at.where == call_abi::Where::FloatRegister) {
    loadFpr(FpReg{static_cast<uint8_t>(at.index)}, type, source);
  }
}

void MacroAssemblerX64::passResultsBuffer(uint32_t stackArgumentBytes) {
  a_.lea(x86::rsi, x86::ptr(x86::rsp, static_cast<int32_t>(stackArgumentBytes)));
}

// Through the module's entry table: the callee's current code (abi/entry_table.h).
void MacroAssemblerX64::callThroughEntryTable(int32_t entryOffset, uint32_t bytecodeOffset) {
  constexpr uint8_t kRax = 0, kRdi = 7;
  auto vmctxId = static_cast<uint8_t>(kVmctxReg.id());
  x64::movRegReg(a_, kRdi, vmctxId, true);
  x64::movLoad(a_, kRax, x64::memAt(vmctxId, vmctx::kEntryTable), true);
  x64::callMem(a_, x64::memAt(kRax, entryOffset));
  recordSite(bytecodeOffset);  // the return address
  reloadVmctx();
  makesCalls_ = true;
}

// The vmctx register is caller-saved: every call is followed by its reload
// from the frame's vmctx slot (a callee-saved register cost a store and a
// dependent reload in every callee instead). Addressed from rsp, which is
// known the moment the call returns, rather than from rbp, which the callee
// has just popped off the stack: the reload then waits for no load. The
// frame's size, and so the displacement, is patched in by finish().
void MacroAssemblerX64::reloadVmctx() {
  constexpr uint8_t kRsp = 4;
  x64::movLoad(a_, static_cast<uint8_t>(kVmctxReg.id()), x64::memAt(kRsp, kFrameSizePlaceholder), true);  // forces a disp32
  vmctxReloads_.push_back(static_cast<uint32_t>(a_.offset()) - 4);
  memBaseValid_ = false;
}

void MacroAssemblerX64::loadFuncRef(int32_t vmctxOffset) {
  a_.mov(kFuncRef, x86::qword_ptr(kVmctxReg, vmctxOffset));
  memBaseValid_ = false;  // the FuncRef takes the base's register
}

// Into r11: no argument register is loaded yet, and loading them does not touch r11.
void MacroAssemblerX64::loadIndirectFuncRef(GpReg index, int32_t tableOffset, int32_t sigIdOffset,
                                            uint32_t bytecodeOffset) {
  constexpr uint8_t kRax = 0, kRcx = 1;
  auto vmctxId = static_cast<uint8_t>(kVmctxReg.id()), funcRef = static_cast<uint8_t>(kFuncRef.id());
  x64::movLoad(a_, kRax, x64::memAt(vmctxId, tableOffset), true);
  x64::aluRegMem(a_, x64::Alu::Cmp, index.code, x64::memAt(kRax, vmctx::kTableLength), false);
  jumpIf(x86::CondCode::kAE, trapLabel(TrapKind::UndefinedElement, bytecodeOffset));
  x64::movLoad(a_, kRax, x64::memAt(kRax, vmctx::kTableElements), true);
  x64::movLoad(a_, funcRef, x64::scaledMemAt(kRax, index.code, 3, 0), true);
  memBaseValid_ = false;
  x64::testRegReg(a_, funcRef, true);
  jumpIf(x86::CondCode::kZ, trapLabel(TrapKind::UninitializedElement, bytecodeOffset));
  x64::movLoad(a_, kRcx, x64::memAt(vmctxId, sigIdOffset), false);
  x64::aluRegMem(a_, x64::Alu::Cmp, kRcx, x64::memAt(funcRef, vmctx::kFuncRefSigId), false);
  jumpIf(x86::CondCode::kNE, trapLabel(TrapKind::IndirectCallTypeMismatch, bytecodeOffset));
}

// Calls through the FuncRef in r11: its instance (rdi) runs on this thread's
// stack, so it inherits the stack limit.
void MacroAssemblerX64::callFuncRef(uint32_t bytecodeOffset) {
  constexpr uint8_t kRax = 0, kRdi = 7;
  auto vmctxId = static_cast<uint8_t>(kVmctxReg.id()), funcRef = static_cast<uint8_t>(kFuncRef.id());
  x64::movLoad(a_, kRdi, x64::memAt(funcRef, vmctx::kFuncRefVmctx), true);
  x64::movLoad(a_, kRax, x64::memAt(vmctxId, vmctx::kStackLimit), true);
  x64::movStore(a_, x64::memAt(kRdi, vmctx::kStackLimit), kRax, true);
  x64::movLoad(a_, kRax, x64::memAt(funcRef, vmctx::kFuncRefEntry), true);
  x64::callMem(a_, x64::memAt(kRax, 0));
  recordSite(bytecodeOffset);  // the return address
  reloadVmctx();
  makesCalls_ = true;
}

void MacroAssemblerX64::builtinArguments(std::initializer_list<uint64_t> immediates, std::span<const Address> operands) {
  static constexpr uint8_t kArgs[] = {7, 6, 2, 1, 8, 9};  // rdi, rsi, rdx, rcx, r8, r9
  uint32_t next = 0;
  x64::movRegReg(a_, kArgs[next++], static_cast<uint8_t>(kVmctxReg.id()), true);
  for (uint64_t imm : immediates) x64::movImm64(a_, kArgs[next++], imm);
  for (const Address& operandSlot : operands)
    x64::movLoad(a_, kArgs[next++], x64::memAt(operandSlot.base.code, operandSlot.offset), true);
}

void MacroAssemblerX64::numericBuiltinArgument(ValType type, Address operandSlot) {
  x86::Mem arg = qwordAt(operandSlot);
  if (type == ValType::F32) a_.movss(x86::xmm0, arg);
  else if (type == ValType::F64) a_.movsd(x86::xmm0, arg);
  else a_.mov(x86::rdi, arg);
}

void MacroAssemblerX64::callBuiltin(BuiltinId id) {
  constexpr uint8_t kRax = 0;
  auto offset = static_cast<int32_t>(builtinTableOffset(id));
  x64::movLoad(a_, kRax, x64::memAt(static_cast<uint8_t>(kVmctxReg.id()), vmctx::kHelpers), true);
  x64::callMem(a_, x64::memAt(kRax, offset));
  reloadVmctx();  // memory.grow may also have moved the memory
  makesCalls_ = true;
}

void MacroAssemblerX64::trapIfResultNonZero(uint32_t bytecodeOffset) {
  x64::testRegReg(a_, 0, false);  // eax
  jumpIf(x86::CondCode::kNZ, trapLabel(TrapKind::None, bytecodeOffset));
}
void MacroAssemblerX64::trapIfResultNegative(uint32_t bytecodeOffset) {
  x64::testRegReg(a_, 0, true);  // rax
  jumpIf(x86::CondCode::kS, trapLabel(TrapKind::None, bytecodeOffset));
}

// ---- linear memory, globals, tables ----

// Memory 0's definition (its base and byte length), through kMemDef when it
// is imported (loaded unless the base is cached and no bounds check needs the
// length).
x86::Mem MacroAssemblerX64::memoryDefinition() {
  bool imported = layout_.memoryIsImported(0);
  bool loadDef = imported && (!memBaseValid_ || strategy_ == MemoryStrategy::BoundsChecked);
  if (loadDef) a_.mov(kMemDef, x86::qword_ptr(kVmctxReg, layout_.memoryPtr(0)));
  return imported ? x86::qword_ptr(kMemDef, 0) : x86::qword_ptr(kVmctxReg, layout_.memoryDef(0));
}

void MacroAssemblerX64::loadMemoryBase(const x86::Mem& def) {
  if (memBaseValid_) return;
  x86::Mem base = def;
  base.addOffset(vmctx::kMemoryBase);
  if (x64::FastMem m; !x64::toFastMem(base, m) || !x64::movLoad(a_, static_cast<uint8_t>(kMemBase.id()), m, true))
    a_.mov(kMemBase, base);
  memBaseValid_ = true;
}

bool MacroAssemblerX64::constantAddressFits(const Operator& op, uint32_t address, uint32_t accessSize) {
  return static_cast<uint64_t>(address) + op.memarg.offset + accessSize <= INT32_MAX;
}

// The address is known: base + (address + offset) as one displacement, and
// (bounds-checked) the length compared with a constant end. The same bytes
// and the same trap as through an index register.
MacroAssemblerX64::MemOperand MacroAssemblerX64::wasmMemoryAt(const Operator& op, uint32_t address,
                                                              uint32_t accessSize) {
  auto start = static_cast<int32_t>(address + op.memarg.offset);  // constantAddressFits
  x86::Mem def = memoryDefinition();
  if (strategy_ == MemoryStrategy::BoundsChecked) {
    x86::Mem length = def;
    length.addOffset(vmctx::kMemoryByteLength);
    a_.cmp(length, start + static_cast<int32_t>(accessSize));
    jumpIf(x86::CondCode::kB, trapLabel(TrapKind::MemoryOutOfBounds, op.offset));
  }
  loadMemoryBase(def);
  return x64::memAt(static_cast<uint8_t>(kMemBase.id()), start, static_cast<uint8_t>(accessSize));
}

MacroAssemblerX64::MemOperand MacroAssemblerX64::wasmMemory(const Operator& op, GpReg indexReg, uint32_t accessSize) {
  x86::Gp index = gp(indexReg);
  uint64_t end = static_cast<uint64_t>(op.memarg.offset) + accessSize;
  x86::Mem def = memoryDefinition();
  if (strategy_ == MemoryStrategy::BoundsChecked) {
    if (fitsInt32(end)) {
      a_.lea(x86::rax, x86::ptr(index, static_cast<int32_t>(end)));
    } else {
      a_.mov(x86::rax, end);
      a_.add(x86::rax, index);
    }
    x86::Mem length = def;
    length.addOffset(vmctx::kMemoryByteLength);
    a_.cmp(x86::rax, length);
    jumpIf(x86::CondCode::kA, trapLabel(TrapKind::MemoryOutOfBounds, op.offset));
  }
  loadMemoryBase(def);
  int32_t disp = 0;
  if (op.memarg.offset <= INT32_MAX) {
    disp = static_cast<int32_t>(op.memarg.offset);
  } else {
    // An offset past a disp32 is added into the index register, which the
    // caller owns until the access is emitted. Never into a scratch register:
    // the access sequence that follows may use rax (cmpxchg's accumulator, the
    // retry loop of and/or/xor), and an address left there would be replaced by
    // a guest-chosen value between the bounds check and the access.
    a_.mov(x86::eax, static_cast<uint32_t>(op.memarg.offset));  // zero-extends
    a_.add(index, x86::rax);
  }
  return x64::indexedMemAt(static_cast<uint8_t>(kMemBase.id()), static_cast<int8_t>(indexReg.code), disp,
                           static_cast<uint8_t>(accessSize));
}

MacroAssemblerX64::MemOperand MacroAssemblerX64::atomicMemory(const Operator& op, GpReg indexReg, uint32_t size) {
  x86::Gp index = gp(indexReg);
  if (size > 1) {
    if (op.memarg.offset % size == 0) {
      a_.test(index.r32(), size - 1);
    } else {
      a_.lea(x86::eax, x86::ptr(index, static_cast<int32_t>(op.memarg.offset % size)));
      a_.test(x86::eax, size - 1);
    }
    jumpIf(x86::CondCode::kNZ, trapLabel(TrapKind::UnalignedAtomic, op.offset));
  }
  return wasmMemory(op, indexReg, size);
}

void MacroAssemblerX64::loadInteger(GpReg dstReg, MemOperand source, uint32_t size, ValType type, bool signExtend) {
  x64::loadInteger(a_, dstReg.code, source, size, signExtend, type == ValType::I64);
}

void MacroAssemblerX64::storeInteger(MemOperand m, GpReg src, uint32_t size) {
  x64::storeInteger(a_, m, src.code, size);
}

void MacroAssemblerX64::storeImmediate(MemOperand m, uint32_t size, int64_t value) {
  if (size == 1) value = static_cast<int8_t>(value);
  else if (size == 2) value = static_cast<int16_t>(value);
  else if (size == 4) value = static_cast<int32_t>(value);
  if (x64::storeImmediate(a_, m, size, value)) return;
  a_.mov(x64::toAsmjit(m), value);
}

MacroAssemblerX64::MemOperand MacroAssemblerX64::memoryField(uint32_t memory, int32_t field) {
  if (layout_.memoryIsImported(memory)) {
    a_.mov(x86::rax, x86::qword_ptr(kVmctxReg, layout_.memoryPtr(memory)));
    return x64::memAt(static_cast<uint8_t>(x86::rax.id()), field, 8);
  }
  return x64::memAt(static_cast<uint8_t>(kVmctxReg.id()), layout_.memoryDef(memory) + field, 8);
}

void MacroAssemblerX64::memoryPages(GpReg dst, MemOperand byteLength) {
  a_.mov(gp(dst), x64::toAsmjit(byteLength));
  a_.shr(gp(dst), 16);
}

void MacroAssemblerX64::tableElements(GpReg index, int32_t tableOffset, uint32_t bytecodeOffset) {
  a_.mov(x86::rax, x86::qword_ptr(kVmctxReg, tableOffset));
  a_.cmp(gp(index).r32(), x86::dword_ptr(x86::rax, vmctx::kTableLength));
  jumpIf(x86::CondCode::kAE, trapLabel(TrapKind::TableOutOfBounds, bytecodeOffset));
  a_.mov(x86::rax, x86::qword_ptr(x86::rax, vmctx::kTableElements));
}
void MacroAssemblerX64::tableGet(GpReg indexAndResult) {
  a_.mov(gp(indexAndResult), x86::qword_ptr(x86::rax, gp(indexAndResult), 3));
}
void MacroAssemblerX64::tableSet(GpReg index, GpReg value) {
  a_.mov(x86::qword_ptr(x86::rax, gp(index), 3), gp(value));
}
void MacroAssemblerX64::tableSize(GpReg dst, int32_t tableOffset) {
  a_.mov(x86::rax, x86::qword_ptr(kVmctxReg, tableOffset));
  a_.mov(gp(dst).r32(), x86::dword_ptr(x86::rax, vmctx::kTableLength));
}

// ---- numeric ----

void MacroAssemblerX64::intBinary(IntBinaryOp op, ValType type, GpReg lhs, const IntOperand& rhs) {
  bool wide = type != ValType::I32;
  x64::FastMem slot = x64::memAt(rhs.slot.base.code, rhs.slot.offset);
  if (op == IntBinaryOp::Mul) {
    if (rhs.kind == IntOperand::Kind::Immediate) x64::imulRegImm(a_, lhs.code, rhs.immediate, wide);
    else if (rhs.kind == IntOperand::Kind::Register) x64::imulRegReg(a_, lhs.code, rhs.reg.code, wide);
    else x64::imulRegMem(a_, lhs.code, slot, wide);
    return;
  }
  x64::Alu alu = op == IntBinaryOp::Add ? x64::Alu::Add
                 : op == IntBinaryOp::Sub ? x64::Alu::Sub
                 : op == IntBinaryOp::And ? x64::Alu::And
                 : op == IntBinaryOp::Or  ? x64::Alu::Or
                                          : x64::Alu::Xor;
  if (rhs.kind == IntOperand::Kind::Immediate) x64::aluRegImm(a_, alu, lhs.code, rhs.immediate, wide);
  else if (rhs.kind == IntOperand::Kind::Register) x64::aluRegReg(a_, alu, lhs.code, rhs.reg.code, wide);
  else x64::aluRegMem(a_, alu, lhs.code, slot, wide);
}

// lea: the 32-bit form keeps the low half of the 64-bit sum, zero-extended,
// as an i32 add wraps.
void MacroAssemblerX64::addImmediateInto(ValType type, GpReg dst, GpReg src, int32_t addend) {
  x64::lea(a_, dst.code, x64::memAt(src.code, addend), type != ValType::I32);
}

// A register count goes through cl.
void MacroAssemblerX64::shift(ShiftOp op, ValType type, GpReg lhs, const IntOperand& count) {
  constexpr uint8_t kRcx = 1;
  bool wide = type != ValType::I32;
  x64::Shift fast = op == ShiftOp::Shl    ? x64::Shift::Shl
                    : op == ShiftOp::ShrS ? x64::Shift::Sar
                    : op == ShiftOp::ShrU ? x64::Shift::Shr
                    : op == ShiftOp::Rotl ? x64::Shift::Rol
                                          : x64::Shift::Ror;
  if (count.kind == IntOperand::Kind::Immediate) {
    // The count is already taken modulo the width (emitShift).
    x64::shiftImm(a_, fast, lhs.code, static_cast<uint8_t>(count.immediate), wide);
  } else {
    x64::movRegReg(a_, kRcx, count.reg.code, false);
    x64::shiftCl(a_, fast, lhs.code, wide);
  }
}

void MacroAssemblerX64::compare(IntCondition c, ValType type, GpReg lhsReg, const IntOperand& rhs) {
  bool wide = type != ValType::I32;
  if (rhs.kind == IntOperand::Kind::Immediate) x64::aluRegImm(a_, x64::Alu::Cmp, lhsReg.code, rhs.immediate, wide);
  else x64::aluRegReg(a_, x64::Alu::Cmp, lhsReg.code, rhs.reg.code, wide);
  setFromFlags(condition(c), lhsReg);
}

// reg = the condition's truth, 0 or 1.
void MacroAssemblerX64::setFromFlags(x86::CondCode condition, GpReg reg) {
  x64::setcc(a_, static_cast<int>(condition), reg.code);
  x64::movzxByte(a_, reg.code, reg.code);
}

void MacroAssemblerX64::eqz(ValType type, GpReg reg) {
  x64::testRegReg(a_, reg.code, type != ValType::I32);
  setFromFlags(x86::CondCode::kE, reg);
}

void MacroAssemblerX64::intUnary(IntUnaryOp op, ValType type, GpReg reg) {
  x86::Gp r = sized(gp(reg), type != ValType::I32);
  InstId inst = op == IntUnaryOp::Clz ? x86::Inst::kIdLzcnt : op == IntUnaryOp::Ctz ? x86::Inst::kIdTzcnt
                                                                                     : x86::Inst::kIdPopcnt;
  a_.emit(inst, r, r);
}

void MacroAssemblerX64::divRem(uint32_t bytecodeOffset, ValType type, bool isSigned, bool remainder, GpReg lhs,
                               GpReg rhs, bool rhsChecked) {
  constexpr uint8_t kRax = 0, kRdx = 2;
  bool wide = type == ValType::I64;
  if (!rhsChecked) {
    x64::testRegReg(a_, rhs.code, wide);
    jumpIf(x86::CondCode::kZ, trapLabel(TrapKind::IntegerDivideByZero, bytecodeOffset));
  }
  Label done = newLabel();
  if (isSigned && !rhsChecked) {
    Label normal = newLabel();
    x64::aluRegImm(a_, x64::Alu::Cmp, rhs.code, -1, wide);
    jumpIf(x86::CondCode::kNE, normal);
    if (remainder) {
      x64::aluRegReg(a_, x64::Alu::Xor, lhs.code, lhs.code, false);  // x rem -1 = 0, and idiv would fault on MIN
      jumpTo(done);
    } else {
      if (wide) {
        x64::movImm64(a_, kRax, uint64_t{1} << 63);
        x64::aluRegReg(a_, x64::Alu::Cmp, lhs.code, kRax, true);
      } else {
        x64::aluRegImm(a_, x64::Alu::Cmp, lhs.code, INT32_MIN, false);
      }
      jumpIf(x86::CondCode::kE, trapLabel(TrapKind::IntegerOverflow, bytecodeOffset));
    }
    bind(normal);
  }
  x64::movRegReg(a_, kRax, lhs.code, wide);
  if (isSigned) {
    x64::signExtendIntoRdx(a_, wide);
  } else {
    x64::aluRegReg(a_, x64::Alu::Xor, kRdx, kRdx, false);
  }
  x64::divide(a_, isSigned, rhs.code, wide);
  x64::movRegReg(a_, lhs.code, remainder ? kRdx : kRax, wide);
  bind(done);
}

// Uses rax, rcx and rdx. An i32 operand is zero-extended in its register, so
// the 64-bit multiplications see it as an unsigned 32-bit value.
void MacroAssemblerX64::divRemByConstant(ValType type, bool isSigned, bool remainder, GpReg lhs,
                                         const ConstantDivisor& d) {
  bool wide = type == ValType::I64;
  int bits = wide ? 64 : 32;
  x86::Gp a = sized(gp(lhs), wide);
  x86::Gp acc = sized(x86::rax, wide);
  if (d.kind == ConstantDivisor::Kind::PowerOfTwo) {
    if (d.log2 == 0) {  // |d| = 1 (signed -1 never comes here)
      if (remainder) a_.xor_(a.r32(), a.r32());
      return;
    }
    if (!isSigned) {
      if (!remainder) {
        a_.shr(a, d.log2);
      } else if (d.log2 < 32) {
        a_.and_(a, Imm(static_cast<int64_t>((uint64_t{1} << d.log2) - 1)));
      } else {
        a_.mov(x86::rax, (uint64_t{1} << d.log2) - 1);
        a_.and_(a, x86::rax);
      }
      return;
    }
    // Rounds toward zero: a negative x is biased by |d| - 1 before the shift.
    a_.mov(acc, a);
    a_.sar(acc, bits - 1);
    a_.shr(acc, bits - static_cast<int>(d.log2));
    a_.add(acc, a);
    a_.sar(acc, d.log2);
    if (remainder) {
      a_.shl(acc, d.log2);
      a_.sub(a, acc);
    } else {
      if (d.negative) a_.neg(acc);
      a_.mov(a, acc);
    }
    return;
  }
  // Multiply (32-bit): q = high half of multiplier * |x|, then signs.
  uint32_t magnitude = static_cast<uint32_t>(d.magnitude);
  if (isSigned) {
    a_.mov(x86::eax, a.r32());
    a_.cdq();  // edx: 0 or -1, the sign of x
    a_.xor_(x86::eax, x86::edx);
    a_.sub(x86::eax, x86::edx);  // |x|, zero-extended (|INT32_MIN| = 2^31 as unsigned)
    a_.mov(x86::ecx, x86::edx);
    if (!remainder && d.negative) a_.not_(x86::ecx);  // the quotient's sign
    a_.mov(a.r32(), x86::eax);
  }
  a_.mov(x86::rax, d.multiplier);
  a_.mul(a.r64());  // rdx = floor(|x| / |d|)
  if (remainder) {
    a_.imul(x86::edx, x86::edx, Imm(static_cast<int32_t>(magnitude)));
    a_.sub(a.r32(), x86::edx);
    if (isSigned) {  // the remainder has the dividend's sign
      a_.xor_(a.r32(), x86::ecx);
      a_.sub(a.r32(), x86::ecx);
    }
  } else {
    if (isSigned) {
      a_.xor_(x86::edx, x86::ecx);
      a_.sub(x86::edx, x86::ecx);
    }
    a_.mov(a.r32(), x86::edx);
  }
}

void MacroAssemblerX64::floatBinary(FloatBinaryOp op, ValType type, FpReg lhs, FpReg rhs) {
  x64::ScalarArith arith = op == FloatBinaryOp::Add   ? x64::ScalarArith::Add
                          : op == FloatBinaryOp::Sub ? x64::ScalarArith::Sub
                          : op == FloatBinaryOp::Mul ? x64::ScalarArith::Mul
                                                     : x64::ScalarArith::Div;
  x64::sseRegReg(a_, x64::scalarArith(arith, type == ValType::F64), lhs.code, rhs.code);
}

// Wasm min/max: NaN if either is NaN; -0 below +0.
void MacroAssemblerX64::floatMinMax(ValType type, bool isMin, FpReg lhs, FpReg rhs) {
  x86::Xmm ra = xmm(lhs), rb = xmm(rhs);
  bool f32 = type == ValType::F32;
  Label nan = newLabel(), equal = newLabel(), done = newLabel();
  if (f32) a_.ucomiss(ra, rb);
  else a_.ucomisd(ra, rb);
  jumpIf(x86::CondCode::kP, nan);
  jumpIf(x86::CondCode::kE, equal);
  if (isMin) {
    if (f32) a_.minss(ra, rb); else a_.minsd(ra, rb);
  } else {
    if (f32) a_.maxss(ra, rb); else a_.maxsd(ra, rb);
  }
  jumpTo(done);
  bind(equal);  // equal values differ only in the sign of zero
  if (isMin) a_.orps(ra, rb);
  else a_.andps(ra, rb);
  jumpTo(done);
  bind(nan);
  if (f32) a_.addss(ra, rb); else a_.addsd(ra, rb);  // propagates a quiet NaN
  bind(done);
}

// abs, neg and copysign work on the bits, through rax, rcx and rdx.
void MacroAssemblerX64::floatCopysign(ValType type, FpReg lhs, FpReg rhs) {
  x86::Xmm ra = xmm(lhs), rb = xmm(rhs);
  if (type == ValType::F32) {
    a_.movd(x86::eax, ra);
    a_.movd(x86::ecx, rb);
    a_.and_(x86::eax, 0x7fffffff);
    a_.and_(x86::ecx, static_cast<int32_t>(0x80000000u));
    a_.or_(x86::eax, x86::ecx);
    a_.movd(ra, x86::eax);
  } else {
    a_.movq(x86::rax, ra);
    a_.movq(x86::rcx, rb);
    a_.mov(x86::rdx, 0x8000000000000000ull);
    a_.and_(x86::rcx, x86::rdx);
    a_.not_(x86::rdx);
    a_.and_(x86::rax, x86::rdx);
    a_.or_(x86::rax, x86::rcx);
    a_.movq(ra, x86::rax);
  }
}

void MacroAssemblerX64::floatAbsNeg(ValType type, bool isAbs, FpReg reg) {
  x86::Xmm ra = xmm(reg);
  if (type == ValType::F32) {
    a_.movd(x86::eax, ra);
    if (isAbs) a_.and_(x86::eax, 0x7fffffff);
    else a_.xor_(x86::eax, static_cast<int32_t>(0x80000000u));
    a_.movd(ra, x86::eax);
  } else {
    uint64_t signBit = 0x8000000000000000ull;
    a_.movq(x86::rax, ra);
    a_.mov(x86::rcx, isAbs ? ~signBit : signBit);
    if (isAbs) a_.and_(x86::rax, x86::rcx);
    else a_.xor_(x86::rax, x86::rcx);
    a_.movq(ra, x86::rax);
  }
}

void MacroAssemblerX64::floatRound(Rounding mode, ValType type, FpReg reg) {
  if (type == ValType::F32) a_.roundss(xmm(reg), xmm(reg), roundingImmediate(mode));
  else a_.roundsd(xmm(reg), xmm(reg), roundingImmediate(mode));
}

void MacroAssemblerX64::floatSqrt(ValType type, FpReg reg) {
  if (type == ValType::F32) a_.sqrtss(xmm(reg), xmm(reg));
  else a_.sqrtsd(xmm(reg), xmm(reg));
}

void MacroAssemblerX64::floatCompare(FloatCondition c, ValType type, GpReg resultReg, FpReg lhs, FpReg rhs) {
  x86::Xmm ra = xmm(lhs), rb = xmm(rhs);
  x86::Gp result = gp(resultReg);
  bool f32 = type == ValType::F32;
  auto ucomi = [&](x86::Xmm x, x86::Xmm y) {
    if (f32) a_.ucomiss(x, y); else a_.ucomisd(x, y);
  };
  switch (c) {
    case FloatCondition::Eq:
      ucomi(ra, rb);
      a_.sete(result.r8());
      a_.setnp(x86::cl);
      a_.and_(result.r8(), x86::cl);
      break;
    case FloatCondition::Ne:
      ucomi(ra, rb);
      a_.setne(result.r8());
      a_.setp(x86::cl);
      a_.or_(result.r8(), x86::cl);
      break;
    case FloatCondition::Lt: ucomi(rb, ra); a_.seta(result.r8()); break;
    case FloatCondition::Le: ucomi(rb, ra); a_.setae(result.r8()); break;
    case FloatCondition::Gt: ucomi(ra, rb); a_.seta(result.r8()); break;
    case FloatCondition::Ge: ucomi(ra, rb); a_.setae(result.r8()); break;
  }
  a_.movzx(result.r32(), result.r8());
}

void MacroAssemblerX64::loadFloatConstant(const x86::Xmm& dst, bool f32, double value) {
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

// NaN is an invalid conversion, a value whose truncation does not fit is an
// overflow.
void MacroAssemblerX64::checkTruncatable(uint32_t bytecodeOffset, ValType from, ValType to, bool isSigned,
                                         FpReg value) {
  bool f32 = from == ValType::F32;
  x86::Xmm x = xmm(value);
  auto ucomi = [&](x86::Xmm p, x86::Xmm q) {
    if (f32) a_.ucomiss(p, q); else a_.ucomisd(p, q);
  };
  ucomi(x, x);
  jumpIf(x86::CondCode::kP, trapLabel(TrapKind::InvalidConversion, bytecodeOffset));
  Label overflow = trapLabel(TrapKind::IntegerOverflow, bytecodeOffset);
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
  if (lowerInclusive) jumpIf(x86::CondCode::kB, overflow);
  else jumpIf(x86::CondCode::kBE, overflow);
  loadFloatConstant(x86::xmm0, f32, upper);
  ucomi(x, x86::xmm0);
  jumpIf(x86::CondCode::kAE, overflow);
}

void MacroAssemblerX64::truncate(ValType from, ValType to, bool isSigned, FpReg value, GpReg resultReg) {
  bool f32 = from == ValType::F32;
  x86::Xmm x = xmm(value);
  x86::Gp result = gp(resultReg);
  auto cvtt = [&](x86::Gp dst) {
    if (f32) a_.cvttss2si(dst, x); else a_.cvttsd2si(dst, x);
  };
  if (to == ValType::I32) {
    if (isSigned) {
      cvtt(result.r32());
    } else {
      cvtt(result.r64());
      a_.mov(result.r32(), result.r32());
    }
  } else if (isSigned) {
    cvtt(result.r64());
  } else {
    Label big = newLabel(), done = newLabel();
    loadFloatConstant(x86::xmm0, f32, 9223372036854775808.0);
    if (f32) a_.ucomiss(x, x86::xmm0); else a_.ucomisd(x, x86::xmm0);
    jumpIf(x86::CondCode::kAE, big);
    cvtt(result.r64());
    jumpTo(done);
    bind(big);
    if (f32) a_.subss(x, x86::xmm0); else a_.subsd(x, x86::xmm0);
    cvtt(result.r64());
    a_.btc(result.r64(), 63);
    bind(done);
  }
}

void MacroAssemblerX64::intToFloat(ValType from, ValType to, bool isSigned, GpReg sourceReg, FpReg resultReg) {
  x86::Xmm x = xmm(resultReg);
  a_.xorps(x, x);
  x86::Gp source = sized(gp(sourceReg), !(from == ValType::I32 && isSigned));  // u32 is zero-extended
  if (to == ValType::F32) a_.cvtsi2ss(x, source);
  else a_.cvtsi2sd(x, source);
}

void MacroAssemblerX64::convertInteger(Opcode op, GpReg reg) {
  using O = Opcode;
  x86::Gp r = gp(reg);
  switch (op) {
    case O::I32WrapI64: case O::I64ExtendI32U:
      x64::movRegReg(a_, reg.code, reg.code, false);
      break;
    case O::I64ExtendI32S: case O::I64Extend32S: a_.movsxd(r.r64(), r.r32()); break;
    case O::I32Extend8S: a_.movsx(r.r32(), r.r8()); break;
    case O::I32Extend16S: a_.movsx(r.r32(), r.r16()); break;
    case O::I64Extend8S: a_.movsx(r.r64(), r.r8()); break;
    default: a_.movsx(r.r64(), r.r16()); break;  // i64.extend16_s
  }
}

void MacroAssemblerX64::convertFloat(Opcode op, FpReg reg) {
  if (op == Opcode::F32DemoteF64) a_.cvtsd2ss(xmm(reg), xmm(reg));
  else a_.cvtss2sd(xmm(reg), xmm(reg));
}

void MacroAssemblerX64::reinterpret(Opcode op, GpReg dst, FpReg src) {
  if (op == Opcode::I32ReinterpretF32) a_.movd(gp(dst).r32(), xmm(src));
  else a_.movq(gp(dst), xmm(src));
}
void MacroAssemblerX64::reinterpret(Opcode op, FpReg dst, GpReg src) {
  if (op == Opcode::F32ReinterpretI32) a_.movd(xmm(dst), gp(src).r32());
  else a_.movq(xmm(dst), gp(src));
}

void MacroAssemblerX64::select(const Condition& c, GpReg ifTrue, GpReg ifFalse) {
  x86::CondCode keep = x86::negateCond(testCondition(c));
  x64::cmov(a_, static_cast<int>(keep), ifTrue.code, ifFalse.code, true);
}
void MacroAssemblerX64::select(const Condition& c, FpReg ifTrue, FpReg ifFalse) {
  Label keep = newLabel();
  jumpIf(testCondition(c), keep);
  a_.movaps(xmm(ifTrue), xmm(ifFalse));
  bind(keep);
}

void MacroAssemblerX64::isNull(GpReg reg) {
  x86::Gp r = gp(reg);
  a_.test(r, r);
  a_.sete(r.r8());
  a_.movzx(r.r32(), r.r8());
}

// rax as scratch: mov rax, low; movq x, rax; mov rax, high; pinsrq x, rax, 1.
void MacroAssemblerX64::loadVectorConstant(FpReg dst, uint64_t low, uint64_t high) {
  constexpr uint8_t kRax = 0;
  x64::movImm64(a_, kRax, low);
  x64::sseRegReg(a_, x64::kMovqToXmm, dst.code, kRax);
  x64::movImm64(a_, kRax, high);
  x64::sseRegReg(a_, x64::kPinsrq, dst.code, kRax, 1);
}

// ---- atomics ----

void MacroAssemblerX64::fence() { a_.mfence(); }

// Aligned x86 loads are atomic.
void MacroAssemblerX64::atomicLoad(uint32_t bytecodeOffset, GpReg dst, MemOperand memory, uint32_t size) {
  x86::Mem m = x64::toAsmjit(memory);
  recordSite(bytecodeOffset);
  if (size <= 2) a_.movzx(gp(dst).r32(), m);
  else if (size == 4) a_.mov(gp(dst).r32(), m);
  else a_.mov(gp(dst), m);
}

// xchg is a sequentially consistent store.
void MacroAssemblerX64::atomicStore(uint32_t bytecodeOffset, MemOperand memory, GpReg value, uint32_t size) {
  x86::Mem m = x64::toAsmjit(memory);
  recordSite(bytecodeOffset);
  a_.xchg(m, sizedTo(gp(value), size));
}

namespace {
// Narrow results are zero-extended; i32 results stay zero-extended too.
void zeroExtend(x86::Assembler& a, const x86::Gp& r, uint32_t size) {
  if (size == 1) a.movzx(r.r32(), r.r8());
  else if (size == 2) a.movzx(r.r32(), r.r16());
  else if (size == 4) a.mov(r.r32(), r.r32());
}
}  // namespace

void MacroAssemblerX64::atomicCompareExchange(uint32_t bytecodeOffset, MemOperand memory, GpReg expectedAndResult,
                                              GpReg replacement, uint32_t size) {
  x86::Mem m = x64::toAsmjit(memory);
  x86::Gp expected = gp(expectedAndResult);
  a_.mov(x86::rax, expected);
  recordSite(bytecodeOffset);
  a_.lock().cmpxchg(m, sizedTo(gp(replacement), size), sizedTo(x86::rax, size));
  a_.mov(expected, x86::rax);
  zeroExtend(a_, expected, size);
}

void MacroAssemblerX64::atomicRmw(uint32_t bytecodeOffset, AtomicRmwOp op, MemOperand memory, GpReg valueAndResult,
                                  uint32_t size) {
  x86::Mem m = x64::toAsmjit(memory);
  x86::Gp value = gp(valueAndResult);
  switch (op) {
    case AtomicRmwOp::Add:
    case AtomicRmwOp::Sub:
      if (op == AtomicRmwOp::Sub) a_.neg(value);
      recordSite(bytecodeOffset);
      a_.lock().xadd(m, sizedTo(value, size));
      break;
    case AtomicRmwOp::Xchg:
      recordSite(bytecodeOffset);
      a_.xchg(m, sizedTo(value, size));
      break;
    case AtomicRmwOp::And:
    case AtomicRmwOp::Or:
    case AtomicRmwOp::Xor: {  // a compare-and-swap loop
      Label retry = newLabel();
      recordSite(bytecodeOffset);
      if (size <= 2) a_.movzx(x86::eax, m);
      else a_.mov(sizedTo(x86::rax, size), m);
      bind(retry);
      a_.mov(x86::rdx, x86::rax);
      InstId inst = op == AtomicRmwOp::And  ? x86::Inst::kIdAnd
                    : op == AtomicRmwOp::Or ? x86::Inst::kIdOr
                                            : x86::Inst::kIdXor;
      a_.emit(inst, x86::rdx, value);
      a_.lock().cmpxchg(m, sizedTo(x86::rdx, size), sizedTo(x86::rax, size));
      jumpIf(x86::CondCode::kNZ, retry);
      a_.mov(value, x86::rax);
      break;
    }
  }
  zeroExtend(a_, value, size);
}

}  // namespace weft
