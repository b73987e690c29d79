// The baseline tier (DESIGN 8): one pass over the validating operator iterator,
// no IR, x86-64 machine code emitted with asmjit. Operand-stack values stay in
// registers or as constants and are spilled lazily, at control-flow merges and
// calls, as V8's Liftoff does.
//
// The code it emits is instance-invariant (DESIGN 1): every instance value is
// loaded through the vmctx register (r14) at offsets from VmctxLayout, calls to
// the module's own functions are rel32, runtime helpers are called through the
// vmctx's helper table.
//
// Calling convention (Weft's own, shared with runtime/stubs):
//   r14 = callee vmctx; arguments in 8-byte slots at [rsp+8*i] on entry to the
//   callee (the caller's outgoing area, sized max(params, results)); results are
//   written back to the same slots. Everything but rbp, rsp and r14 is
//   clobbered. Frame: [rbp] caller's rbp, [rbp+8] return address, [rbp-8] vmctx.
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
