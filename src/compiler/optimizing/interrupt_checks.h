// The optimizing tier's loop interrupt checks: the host can stop a guest in
// `loop br 0 end` (Engine/Instance::interrupt) because every cycle of the
// machine code reads the vmctx interrupt flag. Inserted into the IR after the
// optimization pipeline, so the checks block no vectorization or unrolling and
// cannot be hoisted out of their loops; a loop LLVM unrolled away or deleted
// was finite and needs none. The function-entry check (recursion) is
// translated with the prologue (function_translator.cpp).
#pragma once

#include <cstdint>

namespace llvm {
class Function;
}

namespace weft {

// Puts a check of the vmctx (argument 0) interrupt flag at the head of every
// block entered by a retreating edge of a depth-first walk: every cycle of the
// control-flow graph has one, reducible or not. Returns how many it put.
uint32_t insertLoopInterruptChecks(llvm::Function& function, uint32_t fallbackBytecodeOffset);

}  // namespace weft
