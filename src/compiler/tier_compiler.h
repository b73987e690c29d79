// What every compiler tier offers the compile driver (DESIGN 8): compile one
// defined function of a decoded module, for its vmctx layout and memory
// strategy, into position-independent code that follows the one wasm calling
// convention (abi/calling_convention.h). The driver runs it on the engine's
// compile threads, one TierThreadState per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "abi/compiled_code.h"
#include "abi/memory_strategy.h"
#include "abi/tier.h"
#include "abi/vmctx_layout.h"
#include "format/module_info.h"
#include "support/error.h"

namespace weft {

// Everything about the module a function is compiled against. Read-only and
// shared by every compiling thread.
struct CompileInput {
  const ModuleInfo& module;
  std::span<const uint8_t> bytes;
  const VmctxLayout& layout;
  MemoryStrategy strategy;
  // Set for a private copy compiled for one instance (DESIGN 7, specialized);
  // only the optimizing tier reads it.
  const InstanceSpecialization* specialization = nullptr;
  // The fuel-counting variant of the code (EngineConfig::consumeFuel).
  bool countsFuel = false;
  // Debug code (EngineConfig::debugging); only the baseline compiles it.
  bool debugging = false;
};

// What one compiling thread reuses from function to function.
class TierThreadState {
 public:
  virtual ~TierThreadState() = default;
};

class TierCompiler {
 public:
  virtual ~TierCompiler() = default;
  virtual Tier tier() const = 0;
  // CPU features the code assumes (code_cache.h's CpuFeature bits); a CPU
  // without them is refused before compiling.
  virtual uint64_t cpuFeatures() const = 0;
  virtual std::unique_ptr<TierThreadState> newThreadState() const = 0;
  // Validates and compiles defined function {functionIndex}. Thread-safe for
  // distinct thread states.
  virtual Result<CompiledFunction> compile(const CompileInput& input, uint32_t functionIndex,
                                           TierThreadState& state) const = 0;
};

}  // namespace weft
