// What a compiler tier hands to the runtime for one function: its machine
// code, the direct calls still to be linked, and the sites that map a code
// offset back to a bytecode offset (trap sites and call return addresses, for
// traps and backtraces). Also the options every tier compiles for.
#pragma once

#include <cstdint>
#include <vector>

#include "format/types.h"

namespace weft {

// DESIGN 7: the code for a module assumes exactly one strategy.
enum class MemoryStrategy : uint8_t {
  Guard,          // 8 GiB reservation per memory, faults become traps
  BoundsChecked,  // explicit compare against the byte length in instance data
};
const char* memoryStrategyName(MemoryStrategy strategy);

// Weft's calling convention passes arguments and results in 8-byte slots; a
// v128 takes two. Compilers, the entry stub's callers and host functions all
// count with this.
inline uint32_t argumentSlotUnits(ValType type) { return type == ValType::V128 ? 2 : 1; }

struct CodeSite {
  uint32_t codeOffset = 0;      // from the function's first byte
  uint32_t bytecodeOffset = 0;  // module offset of the operator
};

struct CompiledFunction {
  std::vector<uint8_t> code;
  // A rel32 call to another function of the module, patched at layout: the
  // code stays position-independent (DESIGN 3).
  struct CallFixup {
    uint32_t rel32Offset = 0;
    uint32_t callee = 0;  // function index (defined functions only)
  };
  std::vector<CallFixup> calls;
  std::vector<CodeSite> sites;  // sorted by codeOffset
};

}  // namespace weft
