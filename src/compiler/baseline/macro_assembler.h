// The macro-assembler of the architecture being built for: the function
// compiler names only `MacroAssembler` and the words of masm_types.h, so a new
// architecture adds a backend folder and a line here.
#pragma once

#if defined(__x86_64__) || defined(_M_X64)
#include "compiler/baseline/x64/macro_assembler_x64.h"
namespace weft {
using MacroAssembler = MacroAssemblerX64;
}  // namespace weft
#else
#error "the baseline compiler has no macro-assembler for this architecture"
#endif
