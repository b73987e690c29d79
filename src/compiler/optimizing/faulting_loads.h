// Guard strategy, optimizing tier: an out-of-bounds access traps by faulting
// on the guard region, so the access has to run even when nothing uses what
// it loads; LLVM deletes a load whose value is dead (and so would lose the
// trap, as fuzzing found: a local set from a load and never read again).
// Before the pipeline, locals are promoted to SSA values and every linear-
// memory load whose value reaches no side effect and no terminator is made
// volatile, which LLVM neither deletes nor moves. A value on the operand
// stack when an explicit trap is raised is an argument of the trap's call
// (Translator::trapNow), so a trap LLVM finds certain does not make the load
// under it dead. Loads whose values the pipeline itself discovers to be dead
// otherwise (x - x folded to 0; a value kept in a local across the trap) are
// not seen: the known remaining gap.
#pragma once

#include <cstdint>

namespace llvm {
class Function;
}

namespace weft {

// The TBAA type name the translator gives linear-memory accesses.
constexpr const char* kLinearMemoryAliasName = "linear memory";

// Returns how many loads it made volatile.
uint32_t keepDeadFaultingLoads(llvm::Function& function);

}  // namespace weft
