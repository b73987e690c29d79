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
  // Specialized instances compile their own code from the module's; a cache
  // file's module cannot (and their private code is never cached).
  if (engine->config().cacheDirectory.empty() || engine->config().specializeInstances ||
      engine->config().debugging)
    return compileUncached(engine, bytes);
  return compileThroughCacheDirectory(std::move(engine), bytes);
}

namespace {

Error unsupported(std::string message) { return makeError(ErrorKind::Unsupported, std::move(message)); }

Error missingCpuFeatures(const TierCompiler& tier, uint64_t missing) {
  return unsupported(std::string("unsupported: this CPU lacks features the ") + tierName(tier.tier()) +
                     " tier needs (SSE4.1, SSE4.2, POPCNT, LZCNT, BMI1; missing mask 0x" + std::to_string(missing) +
                     ")");
}

// Every defined function of {module} by {tier}, with {input}, in one new
// image of its own: an instance's private code, or a module's debug code.
Result<std::unique_ptr<ModuleCode>> compileImage(const TierCompiler& tier, const ModuleData& module,
                                                 const CompileInput& input, const EngineConfig& config) {
  if (uint64_t missing = tier.cpuFeatures() & ~hostCpuFeatures()) return missingCpuFeatures(tier, missing);
  std::vector<uint32_t> indices;
  for (auto f = static_cast<uint32_t>(module.info.numImportedFunctions); f < module.info.functions.size(); ++f)
    indices.push_back(f);
  Result<std::vector<CompiledFunction>> compiled = compileFunctions(tier, input, indices, config.compileThreads);
  if (!compiled) return compiled.error();
  return ModuleCode::link(module.info, indices, std::move(compiled.value()), config.onLowMemory);
}

// ModuleData::PrivateCodeCompiler: the optimizing tier, with the instance's
// constants, on the engine's compile threads.
Result<std::unique_ptr<ModuleCode>> compilePrivateCode(const ModuleData& module,
                                                       const InstanceSpecialization& specialization,
                                                       const EngineConfig& config) {
  CompileInput input{module.info, module.bytes, module.layout, module.strategy, &specialization};
  input.countsFuel = module.countsFuel;
  return compileImage(*tierCompiler(Tier::Optimizing), module, input, config);
}

// ModuleData::DebugCodeCompiler: the baseline's debug code (DESIGN 6).
Result<std::unique_ptr<ModuleCode>> compileDebugCode(const ModuleData& module, const EngineConfig& config) {
  CompileInput input{module.info, module.bytes, module.layout, module.strategy};
  input.countsFuel = module.countsFuel;
  input.debugging = true;
  return compileImage(*tierCompiler(Tier::Baseline), module, input, config);
}

Result<std::shared_ptr<const Module>> compileWith(const TierCompiler& tier, std::shared_ptr<Engine> engine,
                                                  std::span<const uint8_t> bytes) {
  if (uint64_t missing = tier.cpuFeatures() & ~hostCpuFeatures()) return missingCpuFeatures(tier, missing);
  Result<std::shared_ptr<Module>> assembled = Module::assemble(engine, std::vector<uint8_t>(bytes.begin(), bytes.end()));
  if (!assembled) return assembled.error();
  std::shared_ptr<Module> module = std::move(assembled.value());
  const ModuleInfo& info = module->info();
  std::vector<uint32_t> indices;
  for (auto f = static_cast<uint32_t>(info.numImportedFunctions); f < info.functions.size(); ++f) indices.push_back(f);
  CompileInput input{info, module->bytes(), module->layout(), module->memoryStrategy()};
  input.countsFuel = module->countsFuel();
  Result<std::vector<CompiledFunction>> compiled =
      compileFunctions(tier, input, indices, engine->config().compileThreads);
  if (!compiled) return compiled.error();
  Result<std::unique_ptr<ModuleCode>> code =
      ModuleCode::link(info, indices, std::move(compiled.value()), engine->config().onLowMemory);
  if (!code) return code.error();
  module->allowPrivateCode(&compilePrivateCode);
  module->allowDebugCode(&compileDebugCode);
  module->attachCode(std::move(code.value()), tier.tier(), tier.cpuFeatures());
  return std::shared_ptr<const Module>(std::move(module));
}

}  // namespace

Result<std::shared_ptr<const Module>> compileModule(std::shared_ptr<Engine> engine, std::span<const uint8_t> bytes,
                                                    BackgroundCompileCompleted whenTieredUp) {
  // Specialized instances run their own code: the shared copy is the cheapest.
  bool specialized = engine->config().specializeInstances;
  bool tiered = engine->config().tier == Tier::Tiered && !specialized;
  const TierCompiler* tier = tierCompiler(tiered || specialized ? Tier::Baseline : engine->config().tier);
  try {
    Result<std::shared_ptr<const Module>> module = compileWith(*tier, std::move(engine), bytes);
    // Tiered: the baseline's code runs now; LLVM's replaces it in batches as
    // the background threads finish functions. What LLVM cannot compile stays.
    if (module && tiered)
      module.value()->setTierUp(compileInBackground(module.value(), *tierCompiler(Tier::Optimizing), {},
                                                    /*keepOldOnFailure=*/true, std::move(whenTieredUp)));
    return module;
  } catch (const std::bad_alloc&) {
    Error error;
    error.kind = ErrorKind::LimitExceeded;
    error.message = "out of host memory while compiling";
    return error;
  }
}

Result<std::shared_ptr<const Module>> Module::compileUncached(std::shared_ptr<Engine> engine,
                                                              std::span<const uint8_t> bytes) {
  return compileModule(std::move(engine), bytes, {});
}

// ---- background compiles ----

namespace {

// What the workers of one background compile share. It holds the module's
// data (bytes, decoded info, layout) and its lifeline, never the Module
// itself. The last worker to end (run, or dropped unrun by the engine's
// queue) settles the handle.
class TierUpWork {
 public:
  TierUpWork(std::shared_ptr<const ModuleData> data, std::shared_ptr<ModuleLifeline> lifeline,
             const TierCompiler& tier, std::vector<uint32_t> functions, std::shared_ptr<BackgroundCompile> handle,
             bool keepOldOnFailure, BackgroundCompileCompleted onCompleted, uint32_t workers)
      : data_(std::move(data)), lifeline_(std::move(lifeline)), tier_(tier), functions_(std::move(functions)),
        handle_(std::move(handle)), keepOldOnFailure_(keepOldOnFailure), onCompleted_(std::move(onCompleted)),
        workersLeft_(workers), compiled_(functions_.size()) {
    // Installing as functions finish: batches big enough that a large module
    // makes tens of images, not thousands of page-sized ones.
    installBatch_ = std::clamp<size_t>(functions_.size() / 64, 8, 256);
  }

  void work(const std::atomic<bool>& stopping) {
    {
      std::lock_guard guard(lock_);
      if (!started_) handle_->start();
      started_ = true;
    }
    CompileInput input{data_->info, data_->bytes, data_->layout, data_->strategy};
    input.countsFuel = data_->countsFuel;
    std::unique_ptr<TierThreadState> state = tier_.newThreadState();
    bool retain = !keepOldOnFailure_ || onCompleted_;
    std::vector<uint32_t> batchIndices;
    std::vector<CompiledFunction> batch;
    bool cancelled = false;
    for (size_t i = next_++; i < functions_.size(); i = next_++) {
      if (stopping || !lifeline_->alive) {
        cancelled = true;
        break;
      }
      Result<CompiledFunction> function = tier_.compile(input, functions_[i], *state);
      if (!function) {
        noteFailure(i, function.error());
        if (keepOldOnFailure_) continue;
        next_ = functions_.size();  // the others stop too: nothing will be installed
        break;
      }
      if (retain) compiled_[i] = function.value();
      if (!keepOldOnFailure_) continue;
      batchIndices.push_back(functions_[i]);
      batch.push_back(std::move(function.value()));
      if (batch.size() >= installBatch_ && !install(batchIndices, batch)) {
        cancelled = true;
        break;
      }
    }
    if (!cancelled && !batch.empty() && !install(batchIndices, batch)) cancelled = true;
    end(cancelled);
  }

  // A worker that the queue dropped before it ran.
  void dropped() { end(/*cancelled=*/true); }

 private:
  void noteFailure(size_t position, const Error& error) {
    std::lock_guard guard(lock_);
    if (!failure_ || position < failurePosition_) {
      failure_ = error;
      failurePosition_ = position;
    }
  }

  // Makes {functions} current; false when the Module is gone. Clears both.
  bool install(std::vector<uint32_t>& indices, std::vector<CompiledFunction>& functions) {
    std::lock_guard guard(lifeline_->lock);  // the Module cannot die while this is held
    if (!lifeline_->module) return false;
    size_t count = indices.size();
    Status installed = lifeline_->module->replaceCode(indices, std::move(functions));
    indices.clear();
    functions.clear();
    std::lock_guard counting(lock_);
    if (!installed && !installError_) installError_ = installed.error();
    if (installed) installed_ += count;
    return true;
  }

  void end(bool cancelled) {
    {
      std::lock_guard guard(lock_);
      cancelled_ = cancelled_ || cancelled;
      if (--workersLeft_ > 0) return;
    }
    // The last worker: nobody else touches the shared state any more.
    if (cancelled_) return handle_->finish(BackgroundCompile::State::Cancelled);
    if (!keepOldOnFailure_) {
      if (failure_) return handle_->finish(BackgroundCompile::State::Failed, failure_);
      std::vector<uint32_t> indices = functions_;
      std::vector<CompiledFunction> all;
      all.reserve(compiled_.size());
      for (auto& function : compiled_) all.push_back(*function);
      if (!install(indices, all)) return handle_->finish(BackgroundCompile::State::Cancelled);
    }
    if (installError_) return handle_->finish(BackgroundCompile::State::Failed, installError_);
    if (installed_ == 0 && failure_) return handle_->finish(BackgroundCompile::State::Failed, failure_);
    if (!failure_ && onCompleted_) {
      std::vector<CompiledFunction> all;
      all.reserve(compiled_.size());
      for (auto& function : compiled_) all.push_back(std::move(*function));
      compiled_.clear();
      onCompleted_(*data_, functions_, all);
    }
    handle_->finish(BackgroundCompile::State::Installed, failure_);
  }

  std::shared_ptr<const ModuleData> data_;
  std::shared_ptr<ModuleLifeline> lifeline_;
  const TierCompiler& tier_;
  const std::vector<uint32_t> functions_;
  std::shared_ptr<BackgroundCompile> handle_;
  const bool keepOldOnFailure_;
  BackgroundCompileCompleted onCompleted_;
  size_t installBatch_ = 8;
  std::atomic<size_t> next_{0};

  std::mutex lock_;
  uint32_t workersLeft_;
  bool started_ = false;
  bool cancelled_ = false;
  std::optional<Error> failure_;  // of the lowest position that failed
  size_t failurePosition_ = 0;
  std::optional<Error> installError_;
  size_t installed_ = 0;
  // Kept for a job that installs at the end or has a completion hook; each
  // slot written by the one worker that compiled that position.
  std::vector<std::optional<CompiledFunction>> compiled_;
};

// One worker of a TierUpWork, as the engine's queue holds it.
class TierUpWorker {
 public:
  explicit TierUpWorker(std::shared_ptr<TierUpWork> work) : work_(std::move(work)) {}
  ~TierUpWorker() {
    if (work_ && !ran_) work_->dropped();
  }
  void operator()(const std::atomic<bool>& stopping) {
    ran_ = true;
    work_->work(stopping);
  }

 private:
  std::shared_ptr<TierUpWork> work_;
  bool ran_ = false;
};

}  // namespace

std::shared_ptr<BackgroundCompile> compileInBackground(const std::shared_ptr<const Module>& module,
                                                       const TierCompiler& tier, std::vector<uint32_t> functions,
                                                       bool keepOldOnFailure, BackgroundCompileCompleted onCompleted) {
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
  uint32_t threads = module->engine().config().compileThreads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::clamp<uint32_t>(static_cast<uint32_t>(functions.size() / 4), 1, threads);
  auto work = std::make_shared<TierUpWork>(module->data(), module->lifeline(), tier, std::move(functions), handle,
                                           keepOldOnFailure, std::move(onCompleted), threads);
  for (uint32_t t = 0; t < threads; ++t) {
    // std::function needs a copyable callable: share the worker.
    auto worker = std::make_shared<TierUpWorker>(work);
    module->engine().backgroundJobs().submit([worker](const std::atomic<bool>& stopping) { (*worker)(stopping); });
  }
  return handle;
}

}  // namespace weft
