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

}  // namespace weft
