// Entering wasm and getting back out when it traps.
//
// Every call from the host into wasm runs inside an activation: the entry
// stub saves the host's callee-saved registers on its frame and records where.
// A trap, whether raised by compiled code through the RaiseTrap helper or by a
// fault the signal handler recognizes as a wasm memory access, records its
// kind, bytecode offset and a backtrace, then unwinds to that point, where the
// entry stub restores the registers and returns "trapped" (no setjmp per
// call). Only wasm frames and Weft's entry stub lie between,
// and they own nothing, so unwinding leaks nothing.
//
// Signal handler (SIGSEGV, SIGBUS): PC -> module via the code registry; if the
// PC is not wasm code, the previously installed handler runs. The handler
// itself does no more than redirect the thread to the trap raiser.
#pragma once

#include <cstdint>

#include "format/types.h"
#include "runtime/trap.h"

namespace weft {

// Installs the process-wide handlers once; later calls do nothing.
class Instance;

void installTrapHandlers();

// The instance of the wasm frame at {framePointer} whose code returns to
// {pc}, read from the vmctx slot of its function (either tier); null when
// {pc} is not in wasm code.
Instance* frameInstance(uintptr_t framePointer, uintptr_t pc);

// Calls {code} (the wasm calling convention) of type {type} with the
// embedding API's {slots} (8 bytes per value, a v128 takes two): the arguments
// on the way in, the results on the way out, so it must hold
// max(params, results) slots. Returns false with {trap} filled if it trapped.
// {maxStackBytes} (0: no extra limit) bounds the stack wasm may use below the
// outermost entry on this thread; nested entries keep the outer limit.
bool invokeWasm(void* vmctx, const void* code, const FuncType& type, uint64_t* slots, Trap& trap,
                uint64_t maxStackBytes = 0);

// The RaiseTrap helper: never returns. {bytecodeOffset} of UINT32_MAX means
// "find it from pc in the site tables".
[[noreturn]] void raiseTrap(uint32_t kind, uint32_t bytecodeOffset, uintptr_t fp, uintptr_t pc);

// The debug trap stub (runtime/debugger.h): what an armed debug site calls
// through the vmctx. It saves every register the convention lets a site
// leave live, calls debugSiteHit with the vmctx, the frame and the return
// address, restores them and returns to the site.
const void* debugTrapStub();

// A host function's trap message, set just before its stub raises HostTrap.
void setPendingHostTrap(std::string message, bool endsProgram = false);

// The host-call stub for a host function of {type} (it stores just the
// argument registers the type uses), for FuncRef::code of host functions.
const void* hostCallStub(const FuncType& type);

}  // namespace weft
