// The baseline tier (DESIGN 8): one pass over the validating operator iterator,
// no IR. Operand-stack values stay in registers or as constants and are
// spilled lazily, at control-flow merges and calls, as V8's Liftoff does.
// The pass is arch-neutral (function_compiler.h); the instructions come from
// the target's macro-assembler (macro_assembler.h: x86-64 with asmjit today).
//
// The code it emits is instance-invariant (DESIGN 1): every instance value is
// loaded through the vmctx register at offsets from VmctxLayout, calls to the
// module's own functions go through its entry table, runtime builtins through
// the vmctx's builtin table.
//
// It follows the one wasm calling convention (abi/calling_convention.h): the
// vmctx arrives as the first integer argument and is kept in a caller-saved
// register, reloaded from its frame slot after every call; parameters arriving in registers are stored into the frame, where
// the baseline keeps every local; the callee-saved registers it allocates are
// saved in the frame header, only those.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "abi/compiled_code.h"
#include "abi/cpu_features.h"
#include "abi/memory_strategy.h"
#include "format/module_info.h"
#include "abi/vmctx_layout.h"
#include "compiler/tier_compiler.h"
#include "support/error.h"
#include "validation/operator_iterator.h"

namespace weft {

struct BaselineOptions {
  MemoryStrategy memoryStrategy = MemoryStrategy::Guard;
  bool countsFuel = false;  // EngineConfig::consumeFuel's variant of the code
  // Debug code (EngineConfig::debugging; abi/compiled_code.h's debug sites):
  // a site before every operator, values spilled there, no fusion across
  // operators.
  bool debugging = false;
};

// What one compiling thread reuses from function to function, so that steady
// state compilation does not go back to the allocator for every body.
struct BaselineScratch {
  BaselineScratch();
  ~BaselineScratch();
  ValidatorScratch validator;
  struct Reused;
  std::unique_ptr<Reused> reused;
};

// Validates and compiles one defined function. Thread-safe for distinct
// scratch objects.
Result<CompiledFunction> compileBaselineFunction(const ModuleInfo& module, std::span<const uint8_t> bytes,
                                                 uint32_t functionIndex, const VmctxLayout& layout,
                                                 const BaselineOptions& options, BaselineScratch& scratch);

// The CPU features the baseline's code uses (SSE4.1 for SIMD and rounding,
// POPCNT, LZCNT, BMI1's TZCNT).
constexpr uint64_t kBaselineCpuFeatures = kCpuSse41 | kCpuSse42 | kCpuPopcnt | kCpuLzcnt | kCpuBmi1;

// The baseline as the compile driver sees it.
class BaselineTier final : public TierCompiler {
 public:
  Tier tier() const override { return Tier::Baseline; }
  uint64_t cpuFeatures() const override { return kBaselineCpuFeatures; }
  std::unique_ptr<TierThreadState> newThreadState() const override;
  Result<CompiledFunction> compile(const CompileInput& input, uint32_t functionIndex,
                                   TierThreadState& state) const override;
};

}  // namespace weft
