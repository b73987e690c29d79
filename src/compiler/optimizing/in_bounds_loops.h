// Loops whose linear-memory accesses are all in bounds, checked once before
// the loop runs (DESIGN 6), in both memory strategies.
//
// In the guard strategy each access is its own bounds check, so the
// translator makes it volatile: LLVM may not delete, narrow, merge or reorder
// it (translator.h). That also forbids vectorizing, and the wasm address,
// base + zext(i32 index) + offset, keeps the index's 32-bit wrap, so LLVM
// cannot fold `i + k` into the address nor see consecutive accesses.
//
// This pass, run where LLVM's vectorizers start, gives a small innermost loop
// that calls nothing a second version. Its preheader computes, from scalar
// evolution, the range every access covers over all the loop's iterations,
// and enters the copy when every range lies inside the memory's current
// length and no index wraps. In the copy no access can fault, so the
// accesses are plain, and each affine index becomes a 64-bit induction
// variable, the address one add from the base. Otherwise the original loop
// runs, exactly as before. Memory never shrinks, and the loop cannot grow it
// (it calls nothing), so the check made before the loop holds throughout.
#pragma once

#include <llvm/IR/PassManager.h>

#include <cstdint>
#include <optional>

#include "abi/memory_strategy.h"

namespace weft {

// The name of the alias class of linear-memory accesses (the translator's
// TBAA type), by which the pass knows them.
inline constexpr const char* kLinearMemoryAliasName = "linear memory";

// Memory 0 as the pass sees it: the strategy, and where its base and byte
// length are found from the vmctx (argument 0): at {baseOffset} and
// {lengthOffset} of the definition, which is either in the vmctx at
// {definitionOffset} or, for an imported memory, behind the pointer there.
// A specialized copy (DESIGN 7) has the base as the constant {constantBase}.
struct LoopMemory {
  MemoryStrategy strategy = MemoryStrategy::Guard;
  bool imported = false;
  int32_t definitionOffset = 0;
  int32_t baseOffset = 0;
  int32_t lengthOffset = 0;
  std::optional<uint64_t> constantBase;
};

class InBoundsLoopsPass : public llvm::PassInfoMixin<InBoundsLoopsPass> {
 public:
  explicit InBoundsLoopsPass(LoopMemory memory) : memory_(memory) {}
  llvm::PreservedAnalyses run(llvm::Function& function, llvm::FunctionAnalysisManager& analyses);

 private:
  LoopMemory memory_;
};

}  // namespace weft
