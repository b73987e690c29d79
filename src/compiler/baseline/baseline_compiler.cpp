// The baseline tier's entry points: one FunctionCompiler per body, over the
// target's MacroAssembler (function_compiler.h, macro_assembler.h).
#include "compiler/baseline/baseline_compiler.h"

#include "compiler/baseline/function_compiler.h"

namespace weft {

BaselineScratch::BaselineScratch() : reused(std::make_unique<Reused>()) {}
BaselineScratch::~BaselineScratch() = default;

Result<CompiledFunction> compileBaselineFunction(const ModuleInfo& module, std::span<const uint8_t> bytes,
                                                 uint32_t functionIndex, const VmctxLayout& layout,
                                                 const BaselineOptions& options, BaselineScratch& scratch) {
  FunctionCompiler compiler(module, bytes, functionIndex, layout, options, scratch);
  return compiler.compile();
}

namespace {
struct BaselineThreadState final : TierThreadState {
  BaselineScratch scratch;
};
}  // namespace

std::unique_ptr<TierThreadState> BaselineTier::newThreadState() const {
  return std::make_unique<BaselineThreadState>();
}

Result<CompiledFunction> BaselineTier::compile(const CompileInput& input, uint32_t functionIndex,
                                               TierThreadState& state) const {
  BaselineOptions options;
  options.memoryStrategy = input.strategy;
  options.countsFuel = input.countsFuel;
  options.debugging = input.debugging;
  return compileBaselineFunction(input.module, input.bytes, functionIndex, input.layout, options,
                                 static_cast<BaselineThreadState&>(state).scratch);
}

}  // namespace weft
