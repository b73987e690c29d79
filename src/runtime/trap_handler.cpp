#include "runtime/trap_handler.h"

#include <asmjit/x86.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <new>

#include "runtime/code_memory.h"
#include "runtime/code_registry.h"
#include "runtime/module_code.h"
#include "abi/vmctx_layout.h"

namespace weft {

// Implemented with the host-function objects: runs the host callback.
// Returns 0, or a TrapKind after setPendingHostTrap.
uint32_t hostDispatch(void* hostContext, uint64_t* slots, void* callerVmctx);

namespace {

struct Activation {
  sigjmp_buf jump;
  Trap* trap = nullptr;
  Activation* previous = nullptr;
  uintptr_t stackLimit = 0;
};

thread_local Activation* tActivation = nullptr;
thread_local std::string tPendingHostTrap;
thread_local uintptr_t tStackLimit = 0;

using EnterFn = void (*)(void* vmctx, const void* code, uint64_t* slots, uint64_t numSlots);

struct Stubs {
  CodeMemory memory;
  EnterFn enter = nullptr;
  const void* hostCall = nullptr;
};

// The host <-> wasm transitions, assembled once per process.
const Stubs& stubs() {
  static const Stubs* built = [] {
    using namespace asmjit;
    CodeHolder code;
    code.init(Environment::host());
    x86::Assembler a(&code);

    Label enter = a.newLabel(), hostCall = a.newLabel();
    // enter(vmctx=rdi, code=rsi, slots=rdx, numSlots=rcx)
    a.bind(enter);
    // Its frame looks like a wasm frame to a host function called directly:
    // [rbp-8] holds the vmctx.
    a.push(x86::rbp);
    a.mov(x86::rbp, x86::rsp);
    a.sub(x86::rsp, 64);
    a.mov(x86::qword_ptr(x86::rbp, vmctx::kFrameSlot), x86::rdi);
    a.mov(x86::qword_ptr(x86::rbp, -16), x86::rbx);
    a.mov(x86::qword_ptr(x86::rbp, -24), x86::r12);
    a.mov(x86::qword_ptr(x86::rbp, -32), x86::r13);
    a.mov(x86::qword_ptr(x86::rbp, -40), x86::r14);
    a.mov(x86::qword_ptr(x86::rbp, -48), x86::r15);
    a.mov(x86::qword_ptr(x86::rbp, -56), x86::rdx);  // wasm code clobbers every register but r14
    a.mov(x86::qword_ptr(x86::rbp, -64), x86::rcx);
    a.mov(x86::r14, x86::rdi);
    a.mov(x86::r12, x86::rdx);
    a.mov(x86::r13, x86::rcx);
    a.mov(x86::rax, x86::rcx);
    a.shl(x86::rax, 3);
    a.add(x86::rax, 15);
    a.and_(x86::rax, -16);
    a.sub(x86::rsp, x86::rax);
    // Copies r13 slots between [from] and [to].
    auto copySlots = [&](const x86::Gp& from, const x86::Gp& to) {
      Label loop = a.newLabel(), done = a.newLabel();
      a.xor_(x86::ecx, x86::ecx);
      a.bind(loop);
      a.cmp(x86::rcx, x86::r13);
      a.jae(done);
      a.mov(x86::rax, x86::qword_ptr(from, x86::rcx, 3));
      a.mov(x86::qword_ptr(to, x86::rcx, 3), x86::rax);
      a.inc(x86::rcx);
      a.jmp(loop);
      a.bind(done);
    };
    copySlots(x86::r12, x86::rsp);
    a.call(x86::rsi);
    a.mov(x86::r12, x86::qword_ptr(x86::rbp, -56));
    a.mov(x86::r13, x86::qword_ptr(x86::rbp, -64));
    copySlots(x86::rsp, x86::r12);
    a.mov(x86::rbx, x86::qword_ptr(x86::rbp, -16));
    a.mov(x86::r12, x86::qword_ptr(x86::rbp, -24));
    a.mov(x86::r13, x86::qword_ptr(x86::rbp, -32));
    a.mov(x86::r14, x86::qword_ptr(x86::rbp, -40));
    a.mov(x86::r15, x86::qword_ptr(x86::rbp, -48));
    a.mov(x86::rsp, x86::rbp);
    a.pop(x86::rbp);
    a.ret();

    // Called like a wasm function with r14 = the host function's context.
    a.align(AlignMode::kCode, 16);
    a.bind(hostCall);
    a.push(x86::rbp);
    a.mov(x86::rbp, x86::rsp);
    a.mov(x86::rdi, x86::r14);
    a.lea(x86::rsi, x86::ptr(x86::rbp, 16));
    a.mov(x86::rdx, x86::qword_ptr(x86::rbp));
    a.mov(x86::rdx, x86::qword_ptr(x86::rdx, vmctx::kFrameSlot));  // the caller's vmctx slot
    a.mov(x86::rax, reinterpret_cast<uint64_t>(&hostDispatch));
    a.call(x86::rax);
    Label trapped = a.newLabel();
    a.test(x86::eax, x86::eax);
    a.jnz(trapped);
    a.pop(x86::rbp);
    a.ret();
    a.bind(trapped);
    a.mov(x86::edi, x86::eax);
    a.mov(x86::esi, UINT32_MAX);
    a.mov(x86::rdx, x86::qword_ptr(x86::rbp));     // the caller's frame
    a.mov(x86::rcx, x86::qword_ptr(x86::rbp, 8));  // the return address into it
    a.mov(x86::rax, reinterpret_cast<uint64_t>(&raiseTrap));
    a.call(x86::rax);

    code.flatten();
    code.resolveUnresolvedLinks();
    CodeBuffer& buffer = code.textSection()->buffer();
    Result<CodeMemory> memory = CodeMemory::create({buffer.data(), buffer.size()});
    if (!memory) std::abort();  // no executable memory at start-up
    auto* result = new Stubs();
    result->memory = std::move(memory.value());
    result->enter = reinterpret_cast<EnterFn>(const_cast<uint8_t*>(result->memory.data() + code.labelOffset(enter)));
    result->hostCall = result->memory.data() + code.labelOffset(hostCall);
    return result;
  }();
  return *built;
}

uintptr_t threadStackLimit() {
  if (tStackLimit) return tStackLimit;
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

void fillTrapDetails(Trap& trap, uint32_t kind, uint32_t bytecodeOffset, uintptr_t fp, uintptr_t pc) {
  trap.kind = static_cast<TrapKind>(kind);
  bool first = true;
  for (int guard = 0; guard < 1 << 20; ++guard) {
    const ModuleCode* code = code_registry::lookup(pc);
    ModuleCode::Location location;
    if (!code || !code->locate(pc, location)) break;
    TrapFrame frame;
    frame.functionIndex = location.functionIndex;
    if (fp != 0) {
      void* frameVmctx = *reinterpret_cast<void* const*>(fp + vmctx::kFrameSlot);
      frame.instance = static_cast<Instance*>(static_cast<VmctxHeader*>(frameVmctx)->instance);
    }
    if (first && bytecodeOffset != UINT32_MAX) frame.bytecodeOffset = bytecodeOffset;
    else frame.bytecodeOffset = location.hasBytecodeOffset ? location.bytecodeOffset : 0;
    if (first && bytecodeOffset == UINT32_MAX && trap.kind == TrapKind::MemoryOutOfBounds &&
        !location.hasBytecodeOffset)
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
    tPendingHostTrap.clear();
  } else {
    trap.message = trapKindMessage(trap.kind);
  }
}

}  // namespace

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

bool invokeWasm(void* vmctx, const void* code, uint64_t* slots, uint32_t numSlots, Trap& trap,
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
  if (sigsetjmp(activation.jump, 0) == 0) {
    stubs().enter(vmctx, code, slots, numSlots);
    tActivation = activation.previous;
    return true;
  }
  tActivation = activation.previous;
  return false;
}

void raiseTrap(uint32_t kind, uint32_t bytecodeOffset, uintptr_t fp, uintptr_t pc) {
  Activation* activation = tActivation;
  if (!activation) std::abort();  // compiled code runs only inside invokeWasm
  fillTrap(*activation->trap, kind, bytecodeOffset, fp, pc);
  siglongjmp(activation->jump, 1);
}

void setPendingHostTrap(std::string message) { tPendingHostTrap = std::move(message); }

const void* hostCallStub() { return stubs().hostCall; }

}  // namespace weft
