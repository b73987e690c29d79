// A compiled module (DESIGN 5): validated metadata plus machine code, built
// once and immutable afterwards, safe to instantiate from any thread at any
// time. Function bodies compile in parallel; the code is laid out in one
// mapping, linked PC-relative and made read+execute.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "format/module_info.h"
#include "runtime/engine.h"
#include "runtime/module_code.h"
#include "runtime/vmctx_layout.h"
#include "support/error.h"

namespace weft {

class Module {
 public:
  // With EngineConfig::cacheDirectory set, maps the module's code from the
  // cache when a matching, trusted file is there, and fills the cache
  // otherwise; a cache that cannot be used is one warning, never a failure
  // (runtime/cache_directory.h).
  static Result<std::shared_ptr<const Module>> compile(std::shared_ptr<Engine> engine,
                                                       std::span<const uint8_t> bytes);
  static Result<std::shared_ptr<const Module>> compileUncached(std::shared_ptr<Engine> engine,
                                                               std::span<const uint8_t> bytes);

  // The code cache (runtime/code_cache.h): a file that any later process maps
  // instead of compiling. Writes go to a new file, created exclusively with
  // mode 0444, renamed into place; nothing at {path} is followed or written.
  Status serialize(const std::string& path) const;
  // Maps a file written by serialize(). The file and its directory must pass
  // the trust rule (runtime/cache_trust.h: owned by you or root, writable by
  // nobody else, not a symlink, a regular file); any mismatch (format, build,
  // CPU features, strategy, tier) or damage is an error; nothing unchecked runs.
  static Result<std::shared_ptr<const Module>> deserialize(std::shared_ptr<Engine> engine, const std::string& path);

  const ModuleInfo& info() const { return info_; }
  const VmctxLayout& layout() const { return layout_; }
  const ModuleCode& code() const { return *code_; }
  Engine& engine() const { return *engine_; }
  MemoryStrategy memoryStrategy() const { return strategy_; }
  std::span<const uint8_t> bytes() const { return bytes_; }
  // Canonical signature id per type index.
  const std::vector<uint32_t>& signatureIds() const { return signatureIds_; }
  ~Module();
  // Bytes of machine code and of metadata (bytecode kept for names and traces included).
  uint64_t codeBytes() const { return code_->memory().mappedSize(); }
  uint64_t metadataBytes() const;

 private:
  friend struct CodeCacheAccess;
  Module() = default;
  std::shared_ptr<Engine> engine_;
  std::vector<uint8_t> bytes_;
  ModuleInfo info_;
  VmctxLayout layout_;
  std::unique_ptr<ModuleCode> code_;
  std::vector<uint32_t> signatureIds_;
  MemoryStrategy strategy_ = MemoryStrategy::Guard;
};

}  // namespace weft
