// The optimizing tier's front end: one wasm function, read with the same
// validating operator iterator as the baseline, as an LLVM IR function that
// keeps the invariants of shared code (DESIGN 1-3):
//
//   - every instance value is loaded through the vmctx (the first argument)
//     at VmctxLayout's offsets; calls go through the module's entry table
//     or a FuncRef, runtime builtins through the vmctx's builtin table; the
//     IR names no address and no other symbol, so the object links into a
//     position-independent blob (object_code.h);
//   - loads from the vmctx carry alias metadata of their own (TBAA: vmctx,
//     linear memory, tables and globals never alias one another), and those
//     that cannot change for an instance are marked invariant, so GVN and
//     LICM common and hoist them (DESIGN 7, the reference engine's answer to
//     the cost of sharing); a bounds-checked memory's base and length are
//     plain loads that only calls (which may grow it) invalidate;
//   - the frame: the vmctx is stored in a slot whose frame-pointer offset a
//     stack map records, the stack limit is checked on entry, and every
//     instruction carries its operator's bytecode offset as a debug line, so
//     traps and backtraces work as in baseline frames (DESIGN 4).
#pragma once

#include <cstdint>
#include <string>

#include "compiler/tier_compiler.h"
#include "support/error.h"
#include "validation/operator_iterator.h"

namespace llvm {
class Module;
}

namespace weft {

// The symbol the translated function gets in {module}.
std::string optimizedFunctionSymbol(uint32_t functionIndex);

// Validates defined function {functionIndex} and adds its IR to {module}
// (one function per LLVM module; the module's context owns the IR).
Status translateFunction(const CompileInput& input, uint32_t functionIndex, ValidatorScratch& scratch,
                         llvm::Module& module);

}  // namespace weft
