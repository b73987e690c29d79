// EngineConfig::cacheDirectory: compiled modules kept as code-cache files
// (code_cache.h) named after the module's bytes, the engine build and the
// memory strategy, found again by later compiles in any process.
//
// The cache only ever saves time; it never fails a compile and never runs
// code it may not trust (cache_trust.h). Anything wrong with it (a directory
// or file others could have written, a directory path that is a file or a
// symlink, a directory that cannot be created or written, a FIFO, a damaged
// file, one compiled for something else) is reported as ONE warning through
// Engine::warn, and the module is compiled as if there were no cache. The
// directory is created with mode 0700 when missing; files are written 0444.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "runtime/module.h"

namespace weft {

// Maps the module from the engine's cache directory, or compiles it and
// stores it there. The engine must have a cache directory.
Result<std::shared_ptr<const Module>> compileThroughCacheDirectory(std::shared_ptr<Engine> engine,
                                                                   std::span<const uint8_t> bytes);

}  // namespace weft
