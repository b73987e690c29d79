#include "abi/memory_strategy.h"

namespace weft {

const char* memoryStrategyName(MemoryStrategy strategy) {
  return strategy == MemoryStrategy::Guard ? "guard" : "bounds-checked";
}

}  // namespace weft
