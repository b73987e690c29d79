#include "driver/compile_driver.h"

#include <algorithm>
#include <atomic>
#include <new>
#include <thread>

#include "compiler/baseline/baseline_compiler.h"
#include "compiler/optimizing/optimizing_compiler.h"
#include "driver/cache_directory.h"

namespace weft {

const TierCompiler* tierCompiler(Tier tier) {
  static const BaselineTier baseline;
  static const OptimizingTier optimizing;
  if (tier == Tier::Baseline) return &baseline;
  return &optimizing;
}

Result<std::vector<CompiledFunction>> compileFunctions(const TierCompiler& tier, const CompileInput& input,
                                                       const std::vector<uint32_t>& indices, uint32_t threads) {
  auto count = static_cast<uint32_t>(indices.size());
  std::vector<std::optional<Result<CompiledFunction>>> results(count);
  std::atomic<uint32_t> next{0};
  auto worker = [&] {
    std::unique_ptr<TierThreadState> state = tier.newThreadState();
    for (uint32_t i = next++; i < count; i = next++) results[i].emplace(tier.compile(input, indices[i], *state));
  };
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, std::max(1u, count / 4));
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (uint32_t t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (std::thread& t : pool) t.join();
  }
  std::vector<CompiledFunction> compiled;
  compiled.reserve(count);
  for (auto& result : results) {
    if (!result->ok()) return result->error();
    compiled.push_back(std::move(result->value()));
  }
  return compiled;
}

Result<std::shared_ptr<const Module>> Module::compile(std::shared_ptr<Engine> engine,
                                                      std::span<const uint8_t> bytes) {
  if (engine->config().cacheDirectory.empty()) return compileUncached(engine, bytes);
  return compileThroughCacheDirectory(std::move(engine), bytes);
}

namespace {

Error unsupported(std::string message) { return makeError(ErrorKind::Unsupported, std::move(message)); }

Result<std::shared_ptr<const Module>> compileWith(const TierCompiler& tier, std::shared_ptr<Engine> engine,
                                                  std::span<const uint8_t> bytes) {
  if (uint64_t missing = tier.cpuFeatures() & ~hostCpuFeatures())
    return unsupported(std::string("unsupported: this CPU lacks features the ") + tierName(tier.tier()) +
                       " tier needs (SSE4.1, SSE4.2, POPCNT, LZCNT, BMI1; missing mask 0x" +
                       std::to_string(missing) + ")");
  Result<std::shared_ptr<Module>> assembled = Module::assemble(engine, std::vector<uint8_t>(bytes.begin(), bytes.end()));
  if (!assembled) return assembled.error();
  std::shared_ptr<Module> module = std::move(assembled.value());
  const ModuleInfo& info = module->info();
  std::vector<uint32_t> indices;
  for (auto f = static_cast<uint32_t>(info.numImportedFunctions); f < info.functions.size(); ++f) indices.push_back(f);
  CompileInput input{info, module->bytes(), module->layout(), module->memoryStrategy()};
  Result<std::vector<CompiledFunction>> compiled =
      compileFunctions(tier, input, indices, engine->config().compileThreads);
  if (!compiled) return compiled.error();
  Result<std::unique_ptr<ModuleCode>> code =
      ModuleCode::link(info, indices, std::move(compiled.value()), engine->config().onLowMemory);
  if (!code) return code.error();
  module->attachCode(std::move(code.value()), tier.tier(), tier.cpuFeatures());
  return std::shared_ptr<const Module>(std::move(module));
}

}  // namespace

Result<std::shared_ptr<const Module>> Module::compileUncached(std::shared_ptr<Engine> engine,
                                                              std::span<const uint8_t> bytes) {
  bool tiered = engine->config().tier == Tier::Tiered;
  const TierCompiler* tier = tierCompiler(tiered ? Tier::Baseline : engine->config().tier);
  try {
    Result<std::shared_ptr<const Module>> module = compileWith(*tier, std::move(engine), bytes);
    // Tiered: the baseline's code runs now; LLVM's replaces it function by
    // function's batch in the background. What LLVM cannot compile stays.
    if (module && tiered)
      module.value()->setTierUp(
          compileInBackground(module.value(), *tierCompiler(Tier::Optimizing), {}, /*keepOldOnFailure=*/true));
    return module;
  } catch (const std::bad_alloc&) {
    Error error;
    error.kind = ErrorKind::LimitExceeded;
    error.message = "out of host memory while compiling";
    return error;
  }
}

// ---- background compiles ----

namespace {

// One background compile. It holds the module's data (bytes, decoded info,
// layout) and its lifeline, never the Module itself. Destroyed without having
// run (the engine's queue dropped it), it reports Cancelled.
class TierUpJob {
 public:
  TierUpJob(std::shared_ptr<const ModuleData> data, std::shared_ptr<ModuleLifeline> lifeline, const TierCompiler& tier,
            std::vector<uint32_t> functions, std::shared_ptr<BackgroundCompile> handle, bool keepOldOnFailure)
      : data_(std::move(data)), lifeline_(std::move(lifeline)), tier_(tier), functions_(std::move(functions)),
        handle_(std::move(handle)), keepOldOnFailure_(keepOldOnFailure) {}
  ~TierUpJob() {
    if (handle_ && !ran_) handle_->finish(BackgroundCompile::State::Cancelled);
  }

  void operator()(const std::atomic<bool>& stopping) {
    ran_ = true;
    handle_->start();
    CompileInput input{data_->info, data_->bytes, data_->layout, data_->strategy};
    std::unique_ptr<TierThreadState> state = tier_.newThreadState();
    std::vector<CompiledFunction> compiled;
    std::vector<uint32_t> indices;
    std::optional<Error> firstFailure;
    compiled.reserve(functions_.size());
    for (uint32_t index : functions_) {
      if (stopping || !lifeline_->alive) return handle_->finish(BackgroundCompile::State::Cancelled);
      Result<CompiledFunction> function = tier_.compile(input, index, *state);
      if (!function) {
        if (!keepOldOnFailure_) return handle_->finish(BackgroundCompile::State::Failed, function.error());
        if (!firstFailure) firstFailure = function.error();
        continue;
      }
      compiled.push_back(std::move(function.value()));
      indices.push_back(index);
    }
    if (indices.empty() && firstFailure) return handle_->finish(BackgroundCompile::State::Failed, firstFailure);
    std::lock_guard guard(lifeline_->lock);  // the Module cannot die while this is held
    if (!lifeline_->module) return handle_->finish(BackgroundCompile::State::Cancelled);
    Status installed = lifeline_->module->replaceCode(indices, std::move(compiled));
    if (!installed) return handle_->finish(BackgroundCompile::State::Failed, installed.error());
    handle_->finish(BackgroundCompile::State::Installed, firstFailure);
  }

 private:
  std::shared_ptr<const ModuleData> data_;
  std::shared_ptr<ModuleLifeline> lifeline_;
  const TierCompiler& tier_;
  std::vector<uint32_t> functions_;
  std::shared_ptr<BackgroundCompile> handle_;
  bool keepOldOnFailure_;
  bool ran_ = false;
};

}  // namespace

std::shared_ptr<BackgroundCompile> compileInBackground(const std::shared_ptr<const Module>& module,
                                                       const TierCompiler& tier, std::vector<uint32_t> functions,
                                                       bool keepOldOnFailure) {
  auto handle = std::make_shared<BackgroundCompile>();
  const ModuleInfo& info = module->info();
  if (functions.empty())
    for (auto f = static_cast<uint32_t>(info.numImportedFunctions); f < info.functions.size(); ++f)
      functions.push_back(f);
  for (uint32_t f : functions) {
    if (f < info.numImportedFunctions || f >= info.functions.size()) {
      Error error;
      error.kind = ErrorKind::Invalid;
      error.message = "function " + std::to_string(f) + " is not a function the module defines";
      handle->finish(BackgroundCompile::State::Failed, error);
      return handle;
    }
  }
  // std::function needs a copyable callable: share the job.
  auto job = std::make_shared<TierUpJob>(module->data(), module->lifeline(), tier, std::move(functions), handle,
                                         keepOldOnFailure);
  module->engine().backgroundJobs().submit([job](const std::atomic<bool>& stopping) { (*job)(stopping); });
  return handle;
}

}  // namespace weft
