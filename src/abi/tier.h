// DESIGN 8: the compiler tiers. Code of either tier follows one calling
// convention (calling_convention.h), so a function of one calls a function of
// the other directly; a code-cache file records the tier its code is from.
#pragma once

#include <cstdint>

namespace weft {

enum class Tier : uint8_t {
  Baseline,    // single pass, fast to compile; also the debug tier
  Optimizing,  // LLVM 19, slower to compile, near native speed
  // A policy, not a kind of code: baseline code at once, optimized code
  // swapped in through the entry table as background compiles finish.
  Tiered,
};

inline const char* tierName(Tier tier) {
  return tier == Tier::Baseline ? "baseline" : tier == Tier::Optimizing ? "optimizing" : "tiered";
}

}  // namespace weft
