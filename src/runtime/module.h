// A compiled module (DESIGN 5): validated metadata plus machine code, built
// once and immutable afterwards, safe to instantiate from any thread at any
// time.
//
// What instances share:
//   ModuleData   the bytecode, its decoded ModuleInfo, the vmctx layout and
//                canonical signature ids: fixed at creation, also held by
//                background compile jobs (so they never keep a Module alive)
//   code images  the first from compiling or a cache file, more from tier-up;
//                all mapped read+execute until the Module dies
//   entry table  the current code of every defined function (abi/entry_table.h):
//                the one thing that changes after creation, an entry at a
//                time, atomically; no instance and no code page is written
//
// Module::compile and compileUncached are the compile driver's
// (driver/compile_driver.cpp), the layer above the compilers and this
// runtime; serialize and deserialize are the code cache's (code_cache.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "abi/vmctx_layout.h"
#include "format/module_info.h"
#include "runtime/engine.h"
#include "runtime/memory_image.h"
#include "runtime/module_code.h"
#include "support/error.h"

namespace weft {

class BackgroundCompile;

struct ModuleData {
  std::vector<uint8_t> bytes;
  ModuleInfo info;
  VmctxLayout layout;
  std::vector<uint32_t> signatureIds;  // canonical id per type index
  MemoryStrategy strategy = MemoryStrategy::Guard;
  bool countsFuel = false;      // the fuel-counting variant of the code (EngineConfig::consumeFuel)
  bool debugging = false;       // instances may be debugged (EngineConfig::debugging)
  Tier tier = Tier::Baseline;   // of the first code image
  uint64_t cpuFeatures = 0;     // what its code assumes (abi/cpu_features.h)
  // Compiles every defined function once more for one instance (DESIGN 7,
  // specialized), on {threads} threads; set by the compile driver, null for a
  // module from a cache file.
  using PrivateCodeCompiler = Result<std::unique_ptr<ModuleCode>> (*)(const ModuleData& module,
                                                                      const InstanceSpecialization& specialization,
                                                                      const EngineConfig& config);
  PrivateCodeCompiler compilePrivateCode = nullptr;
  // Compiles the baseline's debug code of every defined function (DESIGN 6),
  // on the engine's compile threads; set by the compile driver when the
  // engine is for debugging (EngineConfig::debugging).
  using DebugCodeCompiler = Result<std::unique_ptr<ModuleCode>> (*)(const ModuleData& module,
                                                                    const EngineConfig& config);
  DebugCodeCompiler compileDebugCode = nullptr;
};

class Module;

// What a background job holds to reach its Module without keeping it alive:
// the Module clears it (under the lock) as it dies; a job installs code only
// while holding the lock and seeing the Module still there.
struct ModuleLifeline {
  std::mutex lock;
  const Module* module = nullptr;
  std::atomic<bool> alive{false};  // for cheap checks between steps; module is the truth
};

class Module {
 public:
  // With EngineConfig::cacheDirectory set, maps the module's code from the
  // cache when a matching, trusted file is there, and fills the cache
  // otherwise; a cache that cannot be used is one warning, never a failure
  // (driver/cache_directory.h).
  static Result<std::shared_ptr<const Module>> compile(std::shared_ptr<Engine> engine,
                                                       std::span<const uint8_t> bytes);
  static Result<std::shared_ptr<const Module>> compileUncached(std::shared_ptr<Engine> engine,
                                                               std::span<const uint8_t> bytes);

  // The code cache (runtime/code_cache.h): a file that any later process maps
  // instead of compiling. Writes go to a new file, created exclusively with
  // mode 0444, renamed into place; nothing at {path} is followed or written.
  // The first code image is what is written.
  Status serialize(const std::string& path) const;
  // Maps a file written by serialize(). The file and its directory must pass
  // the trust rule (runtime/cache_trust.h: owned by you or root, writable by
  // nobody else, not a symlink, a regular file); any mismatch (format, build,
  // CPU features, strategy, tier) or damage is an error; nothing unchecked runs.
  static Result<std::shared_ptr<const Module>> deserialize(std::shared_ptr<Engine> engine, const std::string& path);

  const ModuleInfo& info() const { return data_->info; }
  const VmctxLayout& layout() const { return data_->layout; }
  std::span<const uint8_t> bytes() const { return data_->bytes; }
  const std::vector<uint32_t>& signatureIds() const { return data_->signatureIds; }
  MemoryStrategy memoryStrategy() const { return data_->strategy; }
  bool countsFuel() const { return data_->countsFuel; }
  bool debugging() const { return data_->debugging; }
  const std::shared_ptr<const ModuleData>& data() const { return data_; }
  Engine& engine() const { return *engine_; }
  // The first code image (what serialize writes).
  const ModuleCode& code() const { return *code_; }
  // The debug code that debug instances clone (DESIGN 6), compiled by the
  // first that asks; an error for a module of an engine not for debugging.
  // No instance runs this image itself.
  Result<const ModuleCode*> debugCode() const;
  // The initial contents of defined memory {memoryIndex} that instances map
  // instead of copying its data segments (runtime/memory_image.h), built by
  // the first instantiation; null when the memory has none worth mapping.
  std::shared_ptr<const MemoryImage> memoryImage(uint32_t memoryIndex) const;

  // ---- the entry table ----
  const void* const* entryTable() const { return reinterpret_cast<const void* const*>(entries_.get()); }
  // The entry of defined function {functionIndex}: what its FuncRef points at.
  const void* const* entrySlot(uint32_t functionIndex) const {
    return entryTable() + (functionIndex - info().numImportedFunctions);
  }
  const void* currentCode(uint32_t functionIndex) const {
    return entries_[functionIndex - info().numImportedFunctions].load(std::memory_order_acquire);
  }
  // Tier-up: places {functions} (the code of {indices}, compiled for this
  // module's layout and strategy) in a new code image and makes each the
  // current code of its function. Thread-safe; calls in flight finish in the
  // old code, which stays mapped while the Module lives.
  Status replaceCode(const std::vector<uint32_t>& indices, std::vector<CompiledFunction> functions) const;
  const std::shared_ptr<ModuleLifeline>& lifeline() const { return lifeline_; }
  // The tiered policy's background tier-up (null under the other policies).
  std::shared_ptr<BackgroundCompile> tierUp() const {
    std::lock_guard guard(laterCodeLock_);
    return tierUp_;
  }
  void setTierUp(std::shared_ptr<BackgroundCompile> job) const {
    std::lock_guard guard(laterCodeLock_);
    tierUp_ = std::move(job);
  }

  // ---- assembly: for the compile driver and the code-cache loader ----
  // Decodes {bytes} and computes what every tier and instance needs; no code yet.
  static Result<std::shared_ptr<Module>> assemble(std::shared_ptr<Engine> engine, std::vector<uint8_t> bytes);
  // Gives the module its first code image (one function per defined function,
  // in order), of {tier} and assuming {cpuFeatures}, and makes it usable; the
  // engine starts accounting for it.
  void attachCode(std::unique_ptr<ModuleCode> code, Tier tier, uint64_t cpuFeatures);
  // Lets instances of this module get private code (before attachCode).
  void allowPrivateCode(ModuleData::PrivateCodeCompiler compiler) {
    std::const_pointer_cast<ModuleData>(data_)->compilePrivateCode = compiler;  // not shared yet
  }
  void allowDebugCode(ModuleData::DebugCodeCompiler compiler) {
    std::const_pointer_cast<ModuleData>(data_)->compileDebugCode = compiler;  // not shared yet
  }

  ~Module();
  // Bytes of machine code (every image) and of metadata (bytecode kept for
  // names and traces included).
  uint64_t codeBytes() const;
  // Code images: the first, and one per batch a tier-up installed.
  size_t codeImages() const;
  uint64_t metadataBytes() const;

 private:
  Module() = default;
  std::shared_ptr<Engine> engine_;
  std::shared_ptr<const ModuleData> data_;
  std::unique_ptr<ModuleCode> code_;
  std::unique_ptr<std::atomic<const void*>[]> entries_;
  static_assert(sizeof(std::atomic<const void*>) == sizeof(void*) && std::atomic<const void*>::is_always_lock_free,
                "compiled code reads entries as plain pointers");
  mutable std::mutex laterCodeLock_;
  mutable std::vector<std::unique_ptr<ModuleCode>> laterCode_;  // tier-up images
  mutable std::mutex imagesLock_;
  mutable std::vector<bool> imagesBuilt_;  // by memory index
  mutable std::vector<std::shared_ptr<const MemoryImage>> images_;
  mutable std::mutex debugCodeLock_;
  mutable std::unique_ptr<ModuleCode> debugCode_;
  mutable std::shared_ptr<BackgroundCompile> tierUp_;
  std::shared_ptr<ModuleLifeline> lifeline_ = std::make_shared<ModuleLifeline>();
};

}  // namespace weft
