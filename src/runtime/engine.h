// The embedding API's root: configuration shared by every module compiled
// with it, and the engine-wide table of canonical signature ids that
// call_indirect compares (the ids live in instance data, never in code).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "abi/memory_strategy.h"
#include "abi/tier.h"
#include "format/types.h"
#include "runtime/job_queue.h"
#include "runtime/resource_budget.h"

namespace weft {


struct EngineConfig {
  MemoryStrategy memoryStrategy = MemoryStrategy::Guard;
  uint32_t compileThreads = 0;  // 0: one per hardware thread
  // DESIGN 8: which compiler's code a module gets (baseline, optimizing), or
  // the tiered policy (the default: baseline now, optimizing code swapped in
  // from background threads as it is ready).
  Tier tier = Tier::Tiered;
  // DESIGN 7, specialized (opt-in, for one instance that wants every last
  // percent, and to measure what sharing costs): every instance runs its own
  // copy of the code, compiled by the optimizing tier at instantiation with
  // its memory's base and byte length as constants. Its memory never moves.
  // The Module's shared code is then baseline code that instances do not run;
  // modules are compiled, never taken from a cache.
  bool specializeInstances = false;
  // Limits, enforced as errors (instantiation) or failed growth (-1):
  uint64_t maxMemoryPages = 65536;        // per linear memory (64 KiB pages)
  uint32_t maxTableElements = 10'000'000; // per table
  // Bytes that all the memories and tables of this engine's instances may
  // commit together; 0: no limit but the host's. Past it, instantiation fails
  // naming what did not fit and memory.grow / table.grow return -1.
  uint64_t resourceBudgetBytes = 0;
  // Fuel (deterministic budgets): code counts the operators it runs, one
  // unit each (but `end` and `else`), charged per straight-line run as the
  // run starts; an instance that cannot pay traps "out of fuel" before the
  // run. A different variant of the code (cache files record it); off, the
  // code has no trace of it. Each instance starts with {initialFuel}
  // (Instance::setFuel, addFuel and fuel() change and read it).
  bool consumeFuel = false;
  uint64_t initialFuel = 0;
  // Instances of this engine alive at once; 0: no limit. Past it,
  // instantiation fails with a LimitExceeded error.
  uint32_t maxInstances = 0;
  // Stack wasm may use below the point where the host calls in; 0 means all
  // of the thread's stack but a margin for host code. Past it: "call stack
  // exhausted".
  uint64_t maxWasmStackBytes = 0;
  // Non-empty: Module::compile keeps compiled code in this directory (keyed by
  // the bytecode's hash, the engine build and the memory strategy) and maps it
  // from there next time instead of compiling. Safe for concurrent processes.
  std::string cacheDirectory;
  // Profiling with perf: every code image mapped from now on, and the
  // runtime's stubs, are named in /tmp/perf-PID.map (runtime/perf_map.h), for
  // `perf record` + `perf report`; and with their machine code in
  // /tmp/jit-PID.dump for `perf record -k mono` + `perf inject --jit`.
  // Process-wide once on; an image is written once, however many instances
  // run it.
  bool perfMap = false;
  bool perfJitDump = false;
  // Debugging (DESIGN 6, runtime/debugger.h): instances created with a
  // DebugHandler run a private clone of their module's debug code (the
  // baseline's, with a site a debugger can stop at before every operator and
  // values kept where it reads them), compiled once per module when its
  // first debug instance is made, and patched for their breakpoints alone.
  // Other instances run the module's usual code at full speed. Modules never
  // go through the code cache: serialize refuses them.
  bool debugging = false;
  // Linear memories of dropped instances kept for the next ones
  // (runtime/memory_pool.h): up to {memoryPoolSlots} mappings, each zeroed
  // as its instance goes, the first {memoryPoolKeepResidentBytes} bytes by
  // memset (they stay resident: the next instance takes no page faults
  // there), the rest given back to the host. 0 slots: every memory is
  // mapped for its instance and unmapped after it.
  uint32_t memoryPoolSlots = 16;
  uint64_t memoryPoolKeepResidentBytes = uint64_t{1} << 20;

  static EngineConfig with(MemoryStrategy strategy, uint32_t threads = 0, Tier tier = Tier::Tiered) {
    EngineConfig config;
    config.memoryStrategy = strategy;
    config.compileThreads = threads;
    config.tier = tier;
    return config;
  }
  // Runs (once per failure) when executable memory cannot be allocated; the
  // allocation is then retried once before an error is returned (DESIGN 10).
  std::function<void()> onLowMemory;
  // Receives one line for each problem Weft recovered from (a cache file
  // refused or not written, say); empty: printed to stderr as "weft: warning: ...".
  std::function<void(const std::string&)> onWarning;
};

// Reports a recovered problem through {config}'s onWarning, or on stderr.
void warnThrough(const EngineConfig& config, const std::string& message);

// Memory by kind over everything an engine has alive (DESIGN 9). A module's
// code and metadata are counted once however many instances share them; an
// instance counts only what it owns (memories and tables it defines).
struct EngineMemoryUsage {
  uint64_t code = 0;
  uint64_t metadata = 0;
  uint64_t instanceData = 0;
  uint64_t linearMemory = 0;          // committed bytes
  uint64_t linearMemoryReserved = 0;  // address space reserved
  uint32_t pooledMemories = 0;        // zeroed mappings kept for the next instances
  uint64_t pooledMemoryBytes = 0;     // their resident windows (outside any budget)
  uint64_t tables = 0;
  uint32_t modules = 0;
  uint32_t instances = 0;
};

class Module;
class Instance;
class MemoryPool;

class Engine {
 public:
  explicit Engine(EngineConfig config = {});
  const EngineConfig& config() const { return config_; }

  // Equal function types get equal ids, across modules. Thread-safe.
  uint32_t signatureId(const FuncType& type);
  // The type behind an id signatureId() gave out; nullopt for any other id.
  std::optional<FuncType> signatureType(uint32_t id);

  EngineMemoryUsage memoryUsage() const;
  // Shared with the memories and tables of its instances.
  const std::shared_ptr<ResourceBudget>& resourceBudget() const { return budget_; }
  // Where its instances' memories come from and go (null: no pool).
  const std::shared_ptr<MemoryPool>& memoryPool() const { return memoryPool_; }
  // Background work (tier-up compiles), on up to compileThreads threads.
  JobQueue& backgroundJobs();

  // Reports a recovered problem through EngineConfig::onWarning.
  void warn(const std::string& message) const;

  // Interruption (runtime/interruption.h): wasm running in any instance of
  // this engine, on any thread, traps "interrupted" at its next function
  // entry, loop header or return from a host function; instances created
  // while the engine is interrupted start interrupted. Lasts until
  // clearInterrupt(). Thread-safe; a host function blocked in a system call
  // is not woken, its caller traps once it returns.
  void interrupt();
  void clearInterrupt();
  bool interrupted() const;

  // Bookkeeping for memoryUsage(); Module and Instance call these.
  void track(const Module* module);
  void forget(const Module* module);
  // False (nothing tracked) when EngineConfig::maxInstances are alive.
  bool track(const Instance* instance);
  void forget(const Instance* instance);

 private:
  struct TypeLess {
    bool operator()(const FuncType& a, const FuncType& b) const {
      return a.params != b.params ? a.params < b.params : a.results < b.results;
    }
  };
  EngineConfig config_;
  std::shared_ptr<ResourceBudget> budget_;
  std::shared_ptr<MemoryPool> memoryPool_;
  std::mutex signaturesLock_;
  std::map<FuncType, uint32_t, TypeLess> signatures_;
  std::vector<const FuncType*> signatureTypes_;  // by id - 1, into signatures_ (map nodes do not move)
  mutable std::mutex liveLock_;
  std::set<const Module*> modules_;
  std::set<const Instance*> instances_;
  bool interrupted_ = false;  // under liveLock_
  // Last, so destroyed first: waits for running jobs while the rest is intact.
  std::once_flag jobsOnce_;
  std::unique_ptr<JobQueue> jobs_;
};

}  // namespace weft
