// The optimizing tier (DESIGN 8) on LLVM 19: each function is translated to
// IR (function_translator.h), optimized with LLVM's O2 pipeline, emitted by
// the MC layer as an object in memory and linked into position-independent
// code by Weft's own linker (object_code.h). The code follows the same
// calling convention, frame and vmctx rules as the baseline's, so functions
// of the two tiers call each other directly through the entry table.
//
// LLVM never ends the process: its fatal errors become a compile error of
// the function (the handler throws out of LLVM, which is built with unwind
// tables; the function's LLVM state is thrown away with its context). What
// LLVM's own frames held on the way out leaks (LLVM is built without
// exceptions, so its frames run no cleanups): a few bytes per failure, which
// only a Weft bug or an LLVM bug causes.
#pragma once

#include <optional>

#include "compiler/tier_compiler.h"

namespace weft {

// The bound on what LLVM may use per compile thread: it is given no function
// whose body is larger than this (the format allows 7.6 MB). LLVM's peak
// memory grows with the body: measured +72 MB for sqlite's 34 KB interpreter
// loop (2.1 KB per bytecode byte, the worst shape seen) and +171 MB for a
// 437 KB straight-line function (0.4 KB per byte), so at most about 2 GB per
// thread, and a compile of minutes, not hours. Every function of the large
// real modules measured is below it (biome's largest: 379 KB). A function past
// it keeps its baseline code under the tiered policy and is an error naming
// it under the optimizing tier.
constexpr uint32_t kOptimizingMaxBodyBytes = 1u << 20;

class OptimizingTier final : public TierCompiler {
 public:
  OptimizingTier() = default;
  // For tests: compiling {function} fails as a fatal LLVM error does, through
  // the same handler.
  explicit OptimizingTier(uint32_t failingFunctionForTests) : failingFunction_(failingFunctionForTests) {}
  Tier tier() const override { return Tier::Optimizing; }
  uint64_t cpuFeatures() const override;
  std::unique_ptr<TierThreadState> newThreadState() const override;
  Result<CompiledFunction> compile(const CompileInput& input, uint32_t functionIndex,
                                   TierThreadState& state) const override;

 private:
  std::optional<uint32_t> failingFunction_;
};

}  // namespace weft
