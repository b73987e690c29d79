#include "runtime/engine.h"

#include <cstdio>
#include <thread>

#include "runtime/atomic_wait.h"
#include "runtime/instance.h"
#include "runtime/interruption.h"
#include "runtime/memory_pool.h"
#include "runtime/module.h"
#include "runtime/perf_map.h"
#include "runtime/trap_handler.h"

namespace weft {

Engine::Engine(EngineConfig config)
    : config_(std::move(config)), budget_(std::make_shared<ResourceBudget>(config_.resourceBudgetBytes)) {
  if (config_.memoryPoolSlots > 0)
    memoryPool_ = std::make_shared<MemoryPool>(config_.memoryPoolSlots, config_.memoryPoolKeepResidentBytes);
  installTrapHandlers();
  std::string error;
  if (config_.perfMap && !perf_map::enable(perf_map::Output::Map, error)) warn("perf map: " + error);
  if (config_.perfJitDump && !perf_map::enable(perf_map::Output::JitDump, error)) warn("perf jitdump: " + error);
}

uint32_t Engine::signatureId(const FuncType& type) {
  std::lock_guard guard(signaturesLock_);
  auto [it, inserted] = signatures_.try_emplace(type, static_cast<uint32_t>(signatures_.size() + 1));
  if (inserted) signatureTypes_.push_back(&it->first);
  return it->second;
}

std::optional<FuncType> Engine::signatureType(uint32_t id) {
  std::lock_guard guard(signaturesLock_);
  if (id == 0 || id > signatureTypes_.size()) return std::nullopt;
  return *signatureTypes_[id - 1];
}

EngineMemoryUsage Engine::memoryUsage() const {
  std::lock_guard guard(liveLock_);
  EngineMemoryUsage usage;
  for (const Module* module : modules_) {
    usage.code += module->codeBytes();
    usage.metadata += module->metadataBytes();
  }
  for (const Instance* instance : instances_) {
    InstanceMemoryUsage own = instance->memoryUsage();
    usage.instanceData += own.instanceData;
    usage.linearMemory += own.linearMemory;
    usage.linearMemoryReserved += own.linearMemoryReserved;
    usage.tables += own.tables;
    usage.code += own.privateCode;
  }
  usage.modules = static_cast<uint32_t>(modules_.size());
  usage.instances = static_cast<uint32_t>(instances_.size());
  if (memoryPool_) {
    usage.pooledMemories = memoryPool_->held();
    usage.pooledMemoryBytes = memoryPool_->residentBytes();
  }
  return usage;
}

JobQueue& Engine::backgroundJobs() {
  std::call_once(jobsOnce_, [this] {
    uint32_t threads = config_.compileThreads ? config_.compileThreads : std::thread::hardware_concurrency();
    jobs_ = std::make_unique<JobQueue>(threads);
  });
  return *jobs_;
}

void warnThrough(const EngineConfig& config, const std::string& message) {
  if (config.onWarning) config.onWarning(message);
  else std::fprintf(stderr, "weft: warning: %s\n", message.c_str());
}

void Engine::warn(const std::string& message) const { warnThrough(config_, message); }

void Engine::track(const Module* module) {
  std::lock_guard guard(liveLock_);
  modules_.insert(module);
}
void Engine::forget(const Module* module) {
  std::lock_guard guard(liveLock_);
  modules_.erase(module);
}
bool Engine::track(const Instance* instance) {
  std::lock_guard guard(liveLock_);
  if (config_.maxInstances && instances_.size() >= config_.maxInstances) return false;
  instances_.insert(instance);
  if (interrupted_) interruption::set(instance->vmctx());
  return true;
}
void Engine::forget(const Instance* instance) {
  std::lock_guard guard(liveLock_);
  instances_.erase(instance);
}

void Engine::interrupt() {
  {
    std::lock_guard guard(liveLock_);
    interrupted_ = true;
    for (const Instance* instance : instances_) interruption::set(instance->vmctx());
  }
  wakeInterruptedWaiters();
}

void Engine::clearInterrupt() {
  std::lock_guard guard(liveLock_);
  interrupted_ = false;
  for (const Instance* instance : instances_) interruption::clear(instance->vmctx());
}

bool Engine::interrupted() const {
  std::lock_guard guard(liveLock_);
  return interrupted_;
}

}  // namespace weft
