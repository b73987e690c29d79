// The optimizing tier's interrupt checks: the host can stop a guest in
// `loop br 0 end` or in endless recursion (Engine/Instance::interrupt)
// because every cycle of the machine code, and every cycle of calls, reads
// the vmctx interrupt flag. Inserted into the IR after the optimization
// pipeline, so the checks block no vectorization or unrolling and cannot be
// hoisted out of their loops; a loop LLVM unrolled away or deleted was finite
// and needs none.
#pragma once

#include <llvm/IR/PassManager.h>

#include <cstdint>
#include <optional>

namespace weft {

struct InterruptChecks {
  bool entry = false;         // the function's entry has one
  uint32_t loops = 0;         // cycle heads that have one
  uint32_t boundedLoops = 0;  // innermost loops left without: bounded work
  uint32_t versionedLoops = 0;  // innermost loops with an unchecked copy for small run-time counts
};

// Puts a check of the vmctx (argument 0) interrupt flag at the head of every
// block entered by a retreating edge of a depth-first walk (every cycle of the
// control-flow graph has one, reducible or not), but for innermost loops that
// LLVM bounds to a small constant amount of work, and for the unchecked copy
// of a small innermost loop that its preheader enters when the loop's count
// at run time is small (interrupt_checks.cpp); and
// at the entry as interrupt_points.h says: every cycle of calls passes the
// entry of a function that calls out (a wasm function or the host). The
// entry's check goes after the frame's vmctx slot is recorded (the stack map
// call the translator puts first), which a trap needs: nullopt if the entry
// block has no such call.
std::optional<InterruptChecks> insertInterruptChecks(llvm::Function& function, uint32_t bodyBytecodeOffset,
                                                     uint32_t bodyBytes);

// The checks come after the pipeline, but what they observe must hold during
// it: when a check traps, every store the loop made before it is in memory.
// LLVM's loop-invariant code motion keeps a store to an address that does not
// change in the loop in a register and writes it at the loop's exits, and a
// check is not an exit LLVM knows of. So, early in the pipeline (SSA form,
// before any loop pass), the header of every loop that calls nothing and
// stores to an address that may be invariant gets a barrier: a call LLVM must
// assume reads all memory, removed again before the checks go in. A loop
// that calls something needs none, since no store is kept across the call.
// Loops whose stores move along (memops' fills) keep every optimization.
class InterruptBarriersPass : public llvm::PassInfoMixin<InterruptBarriersPass> {
 public:
  llvm::PreservedAnalyses run(llvm::Function& function, llvm::FunctionAnalysisManager& analyses);
};
void removeInterruptBarriers(llvm::Function& function);

}  // namespace weft
