// LLVM's side of the optimizing tier: target machine, pipeline, object
// emission, fatal errors (optimizing_compiler.h).
#include "compiler/optimizing/optimizing_compiler.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassInstrumentation.h>
#include <llvm/IR/PassTimingInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/ErrorHandling.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Target/TargetOptions.h>

#include <cstdlib>
#include <mutex>
#include <sstream>
#include <vector>
#include <stdexcept>

#include "abi/cpu_features.h"
#include "abi/vmctx_layout.h"
#include "compiler/optimizing/function_translator.h"
#include "compiler/optimizing/in_bounds_loops.h"
#include "compiler/optimizing/interrupt_checks.h"
#include "compiler/optimizing/object_code.h"
#include "compiler/optimizing/select_logic.h"

namespace weft {
namespace {

constexpr const char* kTriple = "x86_64-unknown-linux-gnu";
// The same features the baseline assumes, so both tiers run where either does.
constexpr const char* kFeatures = "+sse4.1,+sse4.2,+popcnt,+lzcnt,+bmi";
constexpr uint64_t kOptimizingCpuFeatures = kCpuSse41 | kCpuSse42 | kCpuPopcnt | kCpuLzcnt | kCpuBmi1;

struct LlvmFatalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void onFatalError(void*, const char* reason, bool) { throw LlvmFatalError(reason ? reason : "unknown"); }

void initializeLlvm() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::install_fatal_error_handler(&onFatalError, nullptr);
    // Variable locations are tracked by instruction reference on x86 by
    // default, and LiveDebugValues then takes a tenth of code generation
    // building value tables for a line-table-only module that has no
    // variables. The location-based analysis has nothing to do here.
    // WEFT_LLVM_FLAGS adds LLVM's own options, for investigation
    // (-time-passes, -print-after=...).
    std::vector<std::string> words{"weft", "-experimental-debug-variable-locations=false"};
    if (const char* flags = std::getenv("WEFT_LLVM_FLAGS"))
      for (std::istringstream in(flags); in >> words.emplace_back();) {}
    if (words.back().empty()) words.pop_back();
    std::vector<const char*> argv;
    for (const std::string& word : words) argv.push_back(word.c_str());
    // With an error stream given, a bad flag is reported and ignored, not an exit.
    llvm::cl::ParseCommandLineOptions(static_cast<int>(argv.size()), argv.data(), "", &llvm::errs());
  });
}

// The code generator's pipeline, built once per compile thread and run on
// one function's module after another: building it costs about 0.5 ms, a
// third of what a small function's code generation takes. (The optimizer's
// pipeline is single-use, since its inliner moves its passes out as it runs,
// and costs 0.03 ms to build.) Nothing in it outlives a run but its passes;
// the object stream is emptied before each.
class CodeEmitter {
 public:
  explicit CodeEmitter(llvm::TargetMachine& machine)
      : ready_(!machine.addPassesToEmitFile(passes_, stream_, nullptr, llvm::CodeGenFileType::ObjectFile)) {}
  // The module's object file, valid until the next call; empty when LLVM
  // cannot emit objects for the target.
  std::span<const uint8_t> emit(llvm::Module& module) {
    object_.clear();
    if (!ready_) return {};
    passes_.run(module);
    return {reinterpret_cast<const uint8_t*>(object_.data()), object_.size()};
  }

 private:
  llvm::SmallVector<char, 0> object_;
  llvm::raw_svector_ostream stream_{object_};
  llvm::legacy::PassManager passes_;
  bool ready_;
};

struct OptimizingThreadState final : TierThreadState {
  std::unique_ptr<llvm::TargetMachine> machine;
  std::unique_ptr<CodeEmitter> emitter;
  ValidatorScratch scratch;
};

std::unique_ptr<llvm::TargetMachine> newTargetMachine(std::string& error) {
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(kTriple, error);
  if (!target) return nullptr;
  llvm::TargetOptions options;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      kTriple, "x86-64", kFeatures, options, llvm::Reloc::PIC_, llvm::CodeModel::Small, llvm::CodeGenOptLevel::Default));
}

Error tierError(uint32_t functionIndex, std::string message) {
  Error error = makeError(ErrorKind::Unsupported, "optimizing tier: " + std::move(message));
  error.functionIndex = functionIndex;
  return error;
}

// Memory 0, for the in-bounds copies of loops; none without a memory.
std::optional<LoopMemory> inBoundsLoopsFor(const CompileInput& input) {
  if (input.module.memories.empty()) return std::nullopt;
  LoopMemory length;
  length.strategy = input.strategy;
  length.imported = input.layout.memoryIsImported(0);
  length.definitionOffset = length.imported ? input.layout.memoryPtr(0) : input.layout.memoryDef(0);
  length.baseOffset = vmctx::kMemoryBase;
  length.lengthOffset = vmctx::kMemoryByteLength;
  if (input.specialization) length.constantBase = input.specialization->memoryBase;
  return length;
}

void optimize(llvm::Module& module, llvm::TargetMachine& machine, std::optional<LoopMemory> inBoundsLoops) {
  // -time-passes (through WEFT_LLVM_FLAGS) also times the optimizer's
  // passes, which only instrumentation callbacks can: one report for the
  // optimizer and one for the code generator, summed over every function
  // the process compiled, at exit. An investigation aid for one compile
  // thread (weft_bench_runtime --threads 1): LLVM's timers are not made for
  // several at once.
  static llvm::TimePassesHandler* timer = llvm::TimePassesIsEnabled ? new llvm::TimePassesHandler(true) : nullptr;
  static const bool reportAtExit = timer && !std::atexit([] {
    delete timer;
    llvm::reportAndResetTimings(&llvm::errs());
  });
  (void)reportAtExit;
  llvm::PassInstrumentationCallbacks callbacks;
  if (timer) timer->registerCallbacks(callbacks);
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder passes(&machine, llvm::PipelineTuningOptions(), std::nullopt, &callbacks);
  passes.registerModuleAnalyses(modules);
  passes.registerCGSCCAnalyses(cgscc);
  passes.registerFunctionAnalyses(functions);
  passes.registerLoopAnalyses(loops);
  passes.crossRegisterProxies(loops, functions, cgscc, modules);
  passes.registerPipelineEarlySimplificationEPCallback([](llvm::ModulePassManager& pipeline, auto) {
    pipeline.addPass(llvm::createModuleToFunctionPassAdaptor(InterruptBarriersPass()));
  });
  if (inBoundsLoops)
    passes.registerVectorizerStartEPCallback([length = *inBoundsLoops](llvm::FunctionPassManager& pipeline, auto) {
      pipeline.addPass(InBoundsLoopsPass(length));
    });
  llvm::ModulePassManager pipeline = passes.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
  pipeline.run(module, modules);
}

Result<CompiledFunction> compileWithLlvm(const CompileInput& input, uint32_t functionIndex, OptimizingThreadState& state) {
  llvm::LLVMContext context;
  llvm::Module module("wasm", context);
  module.setTargetTriple(kTriple);
  module.setDataLayout(state.machine->createDataLayout());
  Status translated = translateFunction(input, functionIndex, state.scratch, module);
  if (!translated) return translated.error();
  llvm::Function* function = module.getFunction(optimizedFunctionSymbol(functionIndex));
  optimize(module, *state.machine, inBoundsLoopsFor(input));
  if (function) {
    removeInterruptBarriers(*function);
    selectsToLogic(*function);
  }
  uint32_t bodyOffset = input.module.functions[functionIndex].body.offset;
  if (function && !insertInterruptChecks(*function, bodyOffset, input.module.functions[functionIndex].body.size))
    return tierError(functionIndex, "the optimized entry block has no vmctx slot to put the interrupt check after");

  std::span<const uint8_t> object = state.emitter->emit(module);
  if (object.empty()) return tierError(functionIndex, "LLVM cannot emit objects for this target");
  Result<ObjectCodeResult> linked = linkObjectCode(object, optimizedFunctionSymbol(functionIndex), bodyOffset);
  if (!linked) {
    Error error = linked.error();
    error.functionIndex = functionIndex;
    return error;
  }
  return std::move(linked.value().function);
}

}  // namespace

uint64_t OptimizingTier::cpuFeatures() const { return kOptimizingCpuFeatures; }

std::unique_ptr<TierThreadState> OptimizingTier::newThreadState() const {
  initializeLlvm();
  auto state = std::make_unique<OptimizingThreadState>();
  std::string error;
  state->machine = newTargetMachine(error);
  if (state->machine) state->emitter = std::make_unique<CodeEmitter>(*state->machine);
  return state;
}

Result<CompiledFunction> OptimizingTier::compile(const CompileInput& input, uint32_t functionIndex,
                                                 TierThreadState& state) const {
  auto& llvmState = static_cast<OptimizingThreadState&>(state);
  if (!llvmState.machine) return tierError(functionIndex, "LLVM has no x86-64 target");
  if (uint32_t size = input.module.functions[functionIndex].body.size; size > kOptimizingMaxBodyBytes) {
    Error error = tierError(functionIndex, "the function's body is " + std::to_string(size) +
                                               " bytes, over the optimizing tier's limit of " +
                                               std::to_string(kOptimizingMaxBodyBytes) +
                                               " (it bounds LLVM's memory); the baseline and tiered compile it");
    error.offset = input.module.functions[functionIndex].body.offset;
    return error;
  }
  try {
    // Straight to the handler LLVM calls: raised through report_fatal_error,
    // the string LLVM's own frame holds would leak (those frames have no
    // cleanups), which LeakSanitizer rightly reports.
    if (failingFunction_ == functionIndex) onFatalError(nullptr, "failure injected by a test", false);
    return compileWithLlvm(input, functionIndex, llvmState);
  } catch (const LlvmFatalError& fatal) {
    return tierError(functionIndex, std::string("LLVM failed: ") + fatal.what());
  }
}

}  // namespace weft
