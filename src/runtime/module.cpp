#include "runtime/module.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "compiler/baseline/baseline_compiler.h"
#include "format/module_decoder.h"
#include "runtime/cache_directory.h"
#include "runtime/code_cache.h"

namespace weft {

Result<std::shared_ptr<const Module>> Module::compile(std::shared_ptr<Engine> engine,
                                                      std::span<const uint8_t> bytes) {
  if (engine->config().cacheDirectory.empty()) return compileUncached(engine, bytes);
  return compileThroughCacheDirectory(std::move(engine), bytes);
}

Result<std::shared_ptr<const Module>> Module::compileUncached(std::shared_ptr<Engine> engine,
                                                              std::span<const uint8_t> bytes) {
  if (engine->config().tier != Tier::Baseline) {
    Error error;
    error.kind = ErrorKind::Unsupported;
    error.message = "unsupported: the optimizing tier is not built yet; use the baseline tier";
    return error;
  }
  if (uint64_t missing = kBaselineCpuFeatures & ~hostCpuFeatures()) {
    Error error;
    error.kind = ErrorKind::Unsupported;
    error.message = "unsupported: this CPU lacks features the baseline tier needs (SSE4.1, SSE4.2, POPCNT, LZCNT, "
                    "BMI1; missing mask 0x" + std::to_string(missing) + ")";
    return error;
  }
  std::shared_ptr<Module> module(new Module());
  module->engine_ = engine;
  module->bytes_.assign(bytes.begin(), bytes.end());
  Result<ModuleInfo> info = decodeModule(module->bytes_);
  if (!info) return info.error();
  module->info_ = std::move(info.value());
  module->layout_ = VmctxLayout(module->info_);
  module->strategy_ = engine->config().memoryStrategy;
  for (const FuncType& type : module->info_.types) module->signatureIds_.push_back(engine->signatureId(type));

  const ModuleInfo& moduleInfo = module->info_;
  uint32_t first = moduleInfo.numImportedFunctions;
  uint32_t count = static_cast<uint32_t>(moduleInfo.functions.size()) - first;
  std::vector<std::optional<Result<CompiledFunction>>> results(count);
  BaselineOptions options;
  options.memoryStrategy = module->strategy_;
  std::atomic<uint32_t> next{0};
  auto worker = [&] {
    BaselineScratch scratch;
    for (uint32_t i = next++; i < count; i = next++)
      results[i].emplace(compileBaselineFunction(moduleInfo, module->bytes_, first + i, module->layout_, options,
                                                 scratch));
  };
  uint32_t threads = engine->config().compileThreads;
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
    if (!result->ok()) return result->error();  // the lowest failing index, as a validator would report
    compiled.push_back(std::move(result->value()));
  }
  Result<std::unique_ptr<ModuleCode>> code =
      ModuleCode::link(moduleInfo, std::move(compiled), engine->config().onLowMemory);
  if (!code) return code.error();
  module->code_ = std::move(code.value());
  engine->track(module.get());
  return std::shared_ptr<const Module>(std::move(module));
}

Module::~Module() {
  if (code_) engine_->forget(this);
}

uint64_t Module::metadataBytes() const {
  uint64_t total = sizeof(Module) + bytes_.capacity();
  total += info_.functions.capacity() * sizeof(FunctionDecl) + info_.types.capacity() * sizeof(FuncType);
  return total;
}

}  // namespace weft
