// Two versions of one loop, chosen once in its preheader: the optimizing
// tier's passes that give a loop a faster copy under a condition checked
// before it runs (an unchecked copy for a small count, interrupt_checks.h;
// a copy whose memory accesses are all in bounds, in_bounds_loops.h).
#pragma once

#include <llvm/Transforms/Utils/ValueMapper.h>

namespace llvm {
class Loop;
class Value;
}  // namespace llvm

namespace weft {

// Copies {loop}'s blocks (names ending in {suffix}) and makes its preheader
// enter the copy when {condition} holds, the original otherwise. The loop
// must be in LCSSA form with a preheader: its values reach the rest of the
// function only through phis of its exit blocks, which gain the copy's
// edges. {map} receives each original block and instruction's copy. Loop
// and dominator analyses are stale afterwards.
void versionLoop(llvm::Loop& loop, llvm::Value* condition, const char* suffix, llvm::ValueToValueMapTy& map);

}  // namespace weft
