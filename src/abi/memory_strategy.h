// DESIGN 7: the code of a module assumes exactly one memory strategy, recorded
// in its metadata (and in a code-cache file's header) and checked when an
// instance is made. Compilers emit for it; the runtime allocates for it.
#pragma once

#include <cstdint>

namespace weft {

enum class MemoryStrategy : uint8_t {
  Guard,          // 8 GiB reservation per memory, faults become traps
  BoundsChecked,  // explicit compare against the byte length in instance data
};

// "guard" or "bounds-checked", as the CLI spells them.
const char* memoryStrategyName(MemoryStrategy strategy);

// DESIGN 7, specialized: what a private copy of the code, compiled for one
// instance only, may take as constants instead of loading from instance data.
// Never in shared code, never in a cache file.
struct InstanceSpecialization {
  // Memory 0's base; 0: not specialized (its base may move, or there is none).
  uint64_t memoryBase = 0;
  // Memory 0's byte length, a constant in bounds-checked code when final (the
  // memory cannot grow); otherwise the code loads the current length.
  uint64_t memoryBytes = 0;
  bool memoryBytesFinal = false;
};

}  // namespace weft
