#include "runtime/trap_handler.h"

#include <asmjit/x86.h>
#include <pthread.h>
#include <signal.h>
#include <ucontext.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <memory>
#include <mutex>
#include <new>

#include "runtime/code_memory.h"
#include "runtime/code_registry.h"
#include "runtime/debugger.h"
#include "runtime/instance.h"
#include "runtime/linear_memory.h"
#include "runtime/module_code.h"
#include "runtime/perf_map.h"
#include "runtime/wasm_call_frame.h"
#include "abi/vmctx_layout.h"

namespace weft {

// Implemented with the host-function objects: runs the host callback.
// Returns 0, or a TrapKind after setPendingHostTrap.
uint32_t hostDispatch(void* hostContext, WasmCallFrame* frame, uintptr_t callerFramePointer, uintptr_t returnAddress);

namespace {

struct Activation {
  uintptr_t entrySp = 0;  // the entry stub's stack pointer once it saved the host's registers
  Trap* trap = nullptr;
  Activation* previous = nullptr;
  uintptr_t stackLimit = 0;
};

// Initial-exec: every call from the host reads these, and the code is built
// position-independent (it also goes into libweft.so), where the default
// model would call __tls_get_addr for each read. libweft.so is linked at
// load time, or dlopen'ed into glibc's spare static TLS (these few words fit).
#define WEFT_FAST_TLS thread_local __attribute__((tls_model("initial-exec")))
WEFT_FAST_TLS Activation* tActivation = nullptr;
WEFT_FAST_TLS std::string tPendingHostTrap;
WEFT_FAST_TLS bool tPendingHostTrapEndsProgram = false;
WEFT_FAST_TLS uintptr_t tStackLimit = 0;
WEFT_FAST_TLS uintptr_t tFaultAddress = 0;  // of the last fault in wasm code, for fillTrapDetails

// Returns 1, or 0 when the call was unwound by a trap. {entrySp} receives the
// point that unwind() returns to.
using EnterFn = uint32_t (*)(void* vmctx, const void* code, WasmCallFrame* frame, uintptr_t* entrySp);
using UnwindFn = void (*)(uintptr_t entrySp);

struct Stubs {
  CodeMemory memory;
  EnterFn enter = nullptr;  // any signature: stack arguments, all eight float registers
  // The common signatures (travelsInRegisters), by how many float argument
  // registers they use: loading an unused xmm register costs more than the
  // rest of the way in.
  EnterFn enterInRegisters[call_abi::kFloatArgRegisters + 1] = {};
  UnwindFn unwind = nullptr;
  // By how many float argument registers the signature uses: storing an
  // unused xmm register costs more than the rest of the stub.
  const void* hostCall[call_abi::kFloatArgRegisters + 1] = {};
  const void* debugTrap = nullptr;
};

// The host <-> wasm transitions, assembled once per process. Both follow the
// wasm calling convention (abi/calling_convention.h) on their wasm side and
// move registers to and from a WasmCallFrame on their host side.
const Stubs& stubs() {
  static const Stubs* built = [] {
    using namespace asmjit;
    CodeHolder code;
    code.init(Environment::host());
    x86::Assembler a(&code);
    static const x86::Gp kIntegerArgs[call_abi::kIntegerArgRegisters] = {x86::rsi, x86::rdx, x86::rcx, x86::r8,
                                                                         x86::r9};

    Label enter = a.newLabel(), unwind = a.newLabel();
    Label enterInRegisters[call_abi::kFloatArgRegisters + 1];
    Label hostCall[call_abi::kFloatArgRegisters + 1];
    // The host's callee-saved registers below the frame's vmctx slot, in the
    // order both exits pop them.
    static const x86::Gp kHostSaved[] = {x86::rbx, x86::r12, x86::r13, x86::r14, x86::r15};
    constexpr int32_t kSavedBottom = -8 - 8 * static_cast<int32_t>(std::size(kHostSaved));
    auto popHostSaved = [&] {
      for (size_t i = std::size(kHostSaved); i-- > 0;) a.pop(kHostSaved[i]);
    };
    // enter(vmctx=rdi, code=rsi, frame=rdx, entrySp=rcx): saves the host's
    // callee-saved registers (a trap returns here through unwind() with
    // whatever the wasm code left in them), loads the frame's arguments into
    // their registers and stack slots, calls, stores rax and xmm0 back and
    // returns 1. Its frame looks like a wasm frame to a host function called
    // directly: [rbp-8] holds the vmctx.
    auto emitEnter = [&](Label entry, uint32_t floatRegisters, bool stackArguments) {
      a.align(AlignMode::kCode, 16);
      a.bind(entry);
      a.push(x86::rbp);
      a.mov(x86::rbp, x86::rsp);
      a.push(x86::rdi);
      for (const x86::Gp& reg : kHostSaved) a.push(reg);  // rsp is 16-byte aligned again
      a.mov(x86::qword_ptr(x86::rcx), x86::rsp);
      a.mov(x86::rbx, x86::rdx);  // the frame, across the call (the convention preserves rbx)
      a.mov(x86::r10, x86::rsi);
      if (stackArguments) {
        a.mov(x86::rcx, x86::qword_ptr(x86::rbx, call_frame::kStackBytes));  // a multiple of 16: rsp stays aligned
        Label noStackArguments = a.newLabel();
        a.test(x86::rcx, x86::rcx);
        a.jz(noStackArguments);  // the common case; rep movsb costs dozens of cycles even for nothing
        a.sub(x86::rsp, x86::rcx);
        a.mov(x86::rsi, x86::qword_ptr(x86::rbx, call_frame::kStack));
        a.mov(x86::rdi, x86::rsp);
        a.rep().movsb();
        a.bind(noStackArguments);
      }
      for (uint32_t i = 0; i < floatRegisters; ++i)
        a.movdqa(x86::xmm(i), x86::xmmword_ptr(x86::rbx, call_frame::kFloats + 16 * static_cast<int32_t>(i)));
      for (uint32_t i = 0; i < call_abi::kIntegerArgRegisters; ++i)
        a.mov(kIntegerArgs[i], x86::qword_ptr(x86::rbx, call_frame::kInteger + 8 * static_cast<int32_t>(i)));
      a.mov(x86::rdi, x86::qword_ptr(x86::rbp, vmctx::kFrameSlot));
      a.call(x86::r10);
      a.mov(x86::qword_ptr(x86::rbx, call_frame::kResultInteger), x86::rax);
      a.movdqa(x86::xmmword_ptr(x86::rbx, call_frame::kResultFloat), x86::xmm0);
      a.mov(x86::eax, 1);
      a.lea(x86::rsp, x86::ptr(x86::rbp, kSavedBottom));
      popHostSaved();
      a.add(x86::rsp, 8);  // the vmctx slot
      a.pop(x86::rbp);
      a.ret();
    };
    emitEnter(enter, call_abi::kFloatArgRegisters, true);
    for (uint32_t floatRegisters = 0; floatRegisters <= call_abi::kFloatArgRegisters; ++floatRegisters) {
      enterInRegisters[floatRegisters] = a.newLabel();
      emitEnter(enterInRegisters[floatRegisters], floatRegisters, false);
    }

    // unwind(entrySp=rdi): back to the entry stub whose saves end at
    // {entrySp}, restoring the host's registers; enter() returns 0. The
    // frames in between (wasm code, the trap raiser) own nothing.
    a.align(AlignMode::kCode, 16);
    a.bind(unwind);
    a.mov(x86::rsp, x86::rdi);
    a.xor_(x86::eax, x86::eax);
    popHostSaved();
    a.add(x86::rsp, 8);
    a.pop(x86::rbp);
    a.ret();

    // Called like a wasm function with rdi = the host function's context:
    // stores the argument registers into a WasmCallFrame on its stack and
    // has hostDispatch run the callback, then loads the result registers.
    // One variant per count of float argument registers to store.
    for (uint32_t floatRegisters = 0; floatRegisters <= call_abi::kFloatArgRegisters; ++floatRegisters) {
      hostCall[floatRegisters] = a.newLabel();
      a.align(AlignMode::kCode, 16);
      a.bind(hostCall[floatRegisters]);
      a.push(x86::rbp);
      a.mov(x86::rbp, x86::rsp);
      a.push(x86::rdi);  // [rbp-8]: a frame slot like any wasm frame's
      constexpr int32_t kFrameBytes = (call_frame::kSize + 15) / 16 * 16 + 8;  // keeps rsp 16-aligned
      a.sub(x86::rsp, kFrameBytes);
      for (uint32_t i = 0; i < call_abi::kIntegerArgRegisters; ++i)
        a.mov(x86::qword_ptr(x86::rsp, call_frame::kInteger + 8 * static_cast<int32_t>(i)), kIntegerArgs[i]);
      for (uint32_t i = 0; i < floatRegisters; ++i)
        a.movdqa(x86::xmmword_ptr(x86::rsp, call_frame::kFloats + 16 * static_cast<int32_t>(i)), x86::xmm(i));
      a.lea(x86::rax, x86::ptr(x86::rbp, 16));  // the caller's stack arguments
      a.mov(x86::qword_ptr(x86::rsp, call_frame::kStack), x86::rax);
      a.mov(x86::rsi, x86::rsp);
      a.mov(x86::rdx, x86::qword_ptr(x86::rbp));     // the caller's frame
      a.mov(x86::rcx, x86::qword_ptr(x86::rbp, 8));  // the return address into it
      a.mov(x86::rax, reinterpret_cast<uint64_t>(&hostDispatch));
      a.call(x86::rax);
      Label trapped = a.newLabel();
      a.test(x86::eax, x86::eax);
      a.jnz(trapped);
      a.mov(x86::rax, x86::qword_ptr(x86::rsp, call_frame::kResultInteger));
      a.movdqa(x86::xmm0, x86::xmmword_ptr(x86::rsp, call_frame::kResultFloat));
      a.mov(x86::rsp, x86::rbp);
      a.pop(x86::rbp);
      a.ret();
      a.bind(trapped);
      a.mov(x86::edi, x86::eax);
      a.mov(x86::esi, UINT32_MAX);
      a.mov(x86::rdx, x86::qword_ptr(x86::rbp));     // the caller's frame
      a.mov(x86::rcx, x86::qword_ptr(x86::rbp, 8));  // the return address into it
      a.mov(x86::rax, reinterpret_cast<uint64_t>(&raiseTrap));
      a.call(x86::rax);
    }

    // The debug trap: called from a debug site (call [r10 + kDebugTrap]) in
    // the middle of a function, where the caller-saved registers and the
    // flags may be live (the callee-saved ones debugSiteHit keeps itself).
    Label debugTrap = a.newLabel();
    {
      static const x86::Gp kSaved[] = {x86::rax, x86::rcx, x86::rdx, x86::rsi, x86::rdi,
                                       x86::r8,  x86::r9,  x86::r10, x86::r11};
      a.align(AlignMode::kCode, 16);
      a.bind(debugTrap);
      a.push(x86::rbp);
      a.mov(x86::rbp, x86::rsp);
      a.pushfq();
      for (const x86::Gp& reg : kSaved) a.push(reg);
      a.and_(x86::rsp, -16);
      a.sub(x86::rsp, 16 * 16);
      for (uint32_t i = 0; i < 16; ++i) a.movdqu(x86::xmmword_ptr(x86::rsp, 16 * static_cast<int32_t>(i)), x86::xmm(i));
      a.mov(x86::rdi, x86::r10);
      a.mov(x86::rsi, x86::qword_ptr(x86::rbp));     // the wasm frame
      a.mov(x86::rdx, x86::qword_ptr(x86::rbp, 8));  // just past its site
      a.mov(x86::rax, reinterpret_cast<uint64_t>(&debugSiteHit));
      a.call(x86::rax);
      for (uint32_t i = 0; i < 16; ++i) a.movdqu(x86::xmm(i), x86::xmmword_ptr(x86::rsp, 16 * static_cast<int32_t>(i)));
      a.lea(x86::rsp, x86::ptr(x86::rbp, -8 - 8 * static_cast<int32_t>(std::size(kSaved))));
      for (size_t i = std::size(kSaved); i-- > 0;) a.pop(kSaved[i]);
      a.popfq();
      a.pop(x86::rbp);
      a.ret();
    }
    code.flatten();
    code.resolveUnresolvedLinks();
    CodeBuffer& buffer = code.textSection()->buffer();
    Result<CodeMemory> memory = CodeMemory::create({buffer.data(), buffer.size()});
    if (!memory) std::abort();  // no executable memory at start-up
    auto* result = new Stubs();
    result->memory = std::move(memory.value());
    perf_map::addRuntimeRange(result->memory.data(), result->memory.size(),
                              "weft runtime stubs (wasm entry, unwinding, host calls)");
    result->enter = reinterpret_cast<EnterFn>(const_cast<uint8_t*>(result->memory.data() + code.labelOffset(enter)));
    for (uint32_t i = 0; i <= call_abi::kFloatArgRegisters; ++i)
      result->enterInRegisters[i] = reinterpret_cast<EnterFn>(
          const_cast<uint8_t*>(result->memory.data() + code.labelOffset(enterInRegisters[i])));
    result->unwind = reinterpret_cast<UnwindFn>(const_cast<uint8_t*>(result->memory.data() + code.labelOffset(unwind)));
    for (uint32_t i = 0; i <= call_abi::kFloatArgRegisters; ++i)
      result->hostCall[i] = result->memory.data() + code.labelOffset(hostCall[i]);
    result->debugTrap = result->memory.data() + code.labelOffset(debugTrap);
    return result;
  }();
  return *built;
}

// Once per thread; every later call into wasm reads the thread-local (the
// fast path inline, in enter()).
__attribute__((noinline)) uintptr_t findThreadStackLimit() {
  pthread_attr_t attr;
  void* low = nullptr;
  size_t size = 0;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    pthread_attr_getstack(&attr, &low, &size);
    pthread_attr_destroy(&attr);
  }
  // Leave room for host functions, the trap raiser and signal handlers.
  size_t margin = std::min<size_t>(256 * 1024, size / 4);
  tStackLimit = reinterpret_cast<uintptr_t>(low) + margin;
  return tStackLimit;
}

inline uintptr_t threadStackLimit() {
  uintptr_t limit = tStackLimit;
  return limit ? limit : findThreadStackLimit();
}

struct sigaction previousSegv, previousBus;

void forwardSignal(int signal, siginfo_t* info, void* context) {
  struct sigaction& previous = signal == SIGSEGV ? previousSegv : previousBus;
  if (previous.sa_flags & SA_SIGINFO) {
    previous.sa_sigaction(signal, info, context);
  } else if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN) {
    // Re-raise with the default action: returning re-executes the fault.
    struct sigaction fallback {};
    fallback.sa_handler = SIG_DFL;
    sigemptyset(&fallback.sa_mask);
    sigaction(signal, &fallback, nullptr);
  } else {
    previous.sa_handler(signal);
  }
}

void handleFault(int signal, siginfo_t* info, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  auto pc = static_cast<uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  if (tActivation == nullptr || code_registry::lookup(pc) == nullptr) {
    forwardSignal(signal, info, context);
    return;
  }
  tFaultAddress = reinterpret_cast<uintptr_t>(info->si_addr);
  // Resume as if the faulting instruction had called raiseTrap.
  greg_t* regs = uc->uc_mcontext.gregs;
  uintptr_t sp = (static_cast<uintptr_t>(regs[REG_RSP]) & ~uintptr_t{15}) - 8;
  *reinterpret_cast<uintptr_t*>(sp) = pc;
  regs[REG_RSP] = static_cast<greg_t>(sp);
  regs[REG_RDI] = static_cast<greg_t>(TrapKind::MemoryOutOfBounds);
  regs[REG_RSI] = static_cast<greg_t>(UINT32_MAX);
  regs[REG_RDX] = regs[REG_RBP];
  regs[REG_RCX] = static_cast<greg_t>(pc);
  regs[REG_RIP] = static_cast<greg_t>(reinterpret_cast<uintptr_t>(&raiseTrap));
}

void fillTrapDetails(Trap& trap, uint32_t kind, uint32_t bytecodeOffset, uintptr_t fp, uintptr_t pc);

// Runs on top of compiled code (from a helper or the fault handler), where an
// exception must never unwind: when the host is out of memory the trap keeps
// its kind and loses only the backtrace or message it could not allocate.
void fillTrap(Trap& trap, uint32_t kind, uint32_t bytecodeOffset, uintptr_t fp, uintptr_t pc) {
  try {
    fillTrapDetails(trap, kind, bytecodeOffset, fp, pc);
  } catch (const std::bad_alloc&) {
    trap.backtrace.clear();
  }
}

bool inGuestMemory(Instance* instance, uintptr_t address) {
  LinearMemory* memory = instance && instance->module().info().memories.size() > 0 ? instance->memory(0) : nullptr;
  if (!memory) return false;
  auto base = reinterpret_cast<uintptr_t>(memory->data());
  return address >= base && address - base < memory->reservedBytes();
}

void fillTrapDetails(Trap& trap, uint32_t kind, uint32_t bytecodeOffset, uintptr_t fp, uintptr_t pc) {
  trap.kind = static_cast<TrapKind>(kind);
  bool first = true;
  for (int guard = 0; guard < 1 << 20; ++guard) {
    const ModuleCode* code = code_registry::lookup(pc);
    ModuleCode::Location location;
    if (!code || !code->locate(pc, location, !first)) break;
    TrapFrame frame;
    frame.functionIndex = location.functionIndex;
    if (fp != 0) {
      void* frameVmctx = *reinterpret_cast<void* const*>(fp + location.vmctxSlot);
      frame.instance = static_cast<Instance*>(static_cast<VmctxHeader*>(frameVmctx)->instance);
    }
    if (first && bytecodeOffset != UINT32_MAX) frame.bytecodeOffset = bytecodeOffset;
    else frame.bytecodeOffset = location.hasBytecodeOffset ? location.bytecodeOffset : 0;
    // A fault is the guest's out-of-bounds access when it hit the reservation
    // of the frame's memory (its guard region); anywhere else it is a fault
    // Weft's own code made, and so is one at no operator in the baseline's
    // code, whose every access is a site. An optimizer may merge the same
    // access of two operators (the two arms of an if) into one instruction of
    // neither: there, a fault in the guest's reservation is still the
    // guest's, at an offset no longer known.
    bool noOperator = !location.hasBytecodeOffset && location.siteKind != SiteKind::Ranges;
    if (first && bytecodeOffset == UINT32_MAX && trap.kind == TrapKind::MemoryOutOfBounds &&
        (noOperator || !inGuestMemory(frame.instance, tFaultAddress)))
      trap.kind = TrapKind::UnknownFault;
    if (const std::string* name = code->info().functionName(location.functionIndex)) {
      frame.functionName = *name;
    } else if (const std::string* exported = code->info().exportedFunctionName(location.functionIndex)) {
      frame.functionName = *exported;
      frame.nameFromExport = true;
    }
    trap.backtrace.push_back(std::move(frame));
    first = false;
    // Next frame: [fp] is the caller's fp, [fp+8] the return address into it.
    if (fp == 0) break;
    pc = reinterpret_cast<const uintptr_t*>(fp)[1];
    fp = reinterpret_cast<const uintptr_t*>(fp)[0];
  }
  if (trap.kind == TrapKind::HostTrap) {
    trap.message = std::move(tPendingHostTrap);
    trap.endsProgram = tPendingHostTrapEndsProgram;
    tPendingHostTrap.clear();
    tPendingHostTrapEndsProgram = false;
  } else {
    trap.message = trapKindMessage(trap.kind);
  }
}

}  // namespace

Instance* frameInstance(uintptr_t framePointer, uintptr_t pc) {
  const ModuleCode* code = code_registry::lookup(pc);
  ModuleCode::Location location;
  if (!framePointer || !code || !code->locate(pc, location, true)) return nullptr;
  void* frameVmctx = *reinterpret_cast<void* const*>(framePointer + location.vmctxSlot);
  return static_cast<Instance*>(static_cast<VmctxHeader*>(frameVmctx)->instance);
}

void installTrapHandlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    (void)stubs();
    struct sigaction action {};
    action.sa_sigaction = &handleFault;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, &previousSegv);
    sigaction(SIGBUS, &action, &previousBus);
  });
}

namespace {

// The activation around one call into wasm. A trap comes back as an ordinary
// return of 0 from the entry stub (no setjmp: nothing here returns twice).
inline bool enter(EnterFn stub, void* vmctx, const void* code, WasmCallFrame& frame, Trap& trap,
                  uint64_t maxStackBytes) {
  Activation activation;
  if (tActivation) {
    activation.stackLimit = tActivation->stackLimit;
  } else {
    activation.stackLimit = threadStackLimit();
    auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    if (maxStackBytes && here > maxStackBytes)
      activation.stackLimit = std::max(activation.stackLimit, here - static_cast<uintptr_t>(maxStackBytes));
  }
  static_cast<VmctxHeader*>(vmctx)->stackLimit = activation.stackLimit;
  activation.trap = &trap;
  activation.previous = tActivation;
  tActivation = &activation;
  bool returned = stub(vmctx, code, &frame, &activation.entrySp) != 0;
  tActivation = activation.previous;
  return returned;
}

// The common signatures (travelsInRegisters): no stack area, no results buffer.
inline bool invokeInRegisters(void* vmctx, const void* code, const FuncType& type, uint64_t* slots, Trap& trap,
                              uint64_t maxStackBytes) {
  WasmCallFrame frame;
  uint32_t floatRegisters = argumentsIntoRegisters(type, slots, frame);
  if (!enter(stubs().enterInRegisters[floatRegisters], vmctx, code, frame, trap, maxStackBytes)) return false;
  if (!type.results.empty()) resultsFromFrame(type, frame, nullptr, slots);
  return true;
}

}  // namespace

bool invokeWasm(void* vmctx, const void* code, const FuncType& type, uint64_t* slots, Trap& trap,
                uint64_t maxStackBytes) {
  if (travelsInRegisters(type)) [[likely]]
    return invokeInRegisters(vmctx, code, type, slots, trap, maxStackBytes);
  // Arguments into registers and stack slots; small areas on this stack.
  alignas(16) uint8_t inlineStack[256], inlineResults[256];
  using AlignedBytes = std::unique_ptr<uint8_t, decltype(&std::free)>;
  AlignedBytes largeStack(nullptr, &std::free), largeResults(nullptr, &std::free);
  uint8_t* stackArea = inlineStack;
  uint8_t* resultsBuffer = inlineResults;
  if (!fitsInlineAreas(type, sizeof inlineStack)) {  // both sizes are multiples of 16
    uint32_t stackBytes = stackArgumentBytes(type), resultBytes = resultsBufferBytes(type);
    if (stackBytes > sizeof inlineStack) {
      largeStack.reset(static_cast<uint8_t*>(std::aligned_alloc(16, stackBytes)));
      if (!largeStack) throw std::bad_alloc();
      stackArea = largeStack.get();
    }
    if (resultBytes > sizeof inlineResults) {
      largeResults.reset(static_cast<uint8_t*>(std::aligned_alloc(16, resultBytes)));
      if (!largeResults) throw std::bad_alloc();
      resultsBuffer = largeResults.get();
    }
  }
  WasmCallFrame frame;
  argumentsIntoFrame(type, slots, frame, stackArea, resultsBuffer);
  if (!enter(stubs().enter, vmctx, code, frame, trap, maxStackBytes)) return false;
  resultsFromFrame(type, frame, resultsBuffer, slots);
  return true;
}

void raiseTrap(uint32_t kind, uint32_t bytecodeOffset, uintptr_t fp, uintptr_t pc) {
  Activation* activation = tActivation;
  if (!activation) std::abort();  // compiled code runs only inside invokeWasm
  fillTrap(*activation->trap, kind, bytecodeOffset, fp, pc);
  // A debug instance's handler sees the trap with its frames still there.
  if (Debugger::anyAlive()) debuggerSeesTrap(*activation->trap, fp, pc);
  stubs().unwind(activation->entrySp);
  __builtin_unreachable();
}

const void* debugTrapStub() { return stubs().debugTrap; }

void setPendingHostTrap(std::string message, bool endsProgram) {
  tPendingHostTrap = std::move(message);
  tPendingHostTrapEndsProgram = endsProgram;
}

const void* hostCallStub(const FuncType& type) {
  call_abi::ArgumentAssigner arguments(call_abi::usesResultsBuffer(type));
  uint32_t floatRegisters = 0;
  for (ValType t : type.params) {
    call_abi::Location at = arguments.next(t);
    if (at.where == call_abi::Where::FloatRegister) floatRegisters = std::max<uint32_t>(floatRegisters, at.index + 1u);
  }
  return stubs().hostCall[floatRegisters];
}

}  // namespace weft
