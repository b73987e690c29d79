// Runs an official spec-test script (.wast). Debian's wast2json (wabt) turns the
// text into a JSON command list and binary modules; the runner then carries out
// each command against Weft.
//
// Every command is carried out against Weft's runtime: `module` compiles and
// instantiates (imports resolved against `register`ed instances and the
// `spectest` host module); `invoke`/`get` actions run; `assert_return` checks
// values (NaN patterns included), `assert_trap` / `assert_exhaustion` /
// `assert_uninstantiable` check the trap message, `assert_unlinkable` a link
// error, `assert_malformed` / `assert_invalid` a rejection. A command that
// needs a feature Weft lacks (SIMD or atomics in the baseline compiler, v128
// values) is counted as pending with the reason: never dropped silently.
// Text-format-only `assert_malformed` modules are skipped (Weft reads binary).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "abi/memory_strategy.h"
#include "abi/tier.h"

namespace weft {

struct WastOptions {
  std::string wast2json = "wast2json";
  std::vector<std::string> wast2jsonFlags;  // e.g. --enable-threads
  bool verbose = false;                     // print every command, not only failures
  MemoryStrategy memoryStrategy = MemoryStrategy::Guard;
  Tier tier = Tier::Baseline;
  bool specialize = false;  // every instance gets its own specialized code (EngineConfig::specializeInstances)
  // The fuel-counting code (EngineConfig::consumeFuel) with fuel that never
  // runs out: counting must change nothing a script can see.
  bool countFuel = false;
  // Debug code (EngineConfig::debugging), every instance a debug instance
  // stopped at every operator it runs, which checks what each stop shows and
  // steps on: debugging must change nothing a script can see.
  bool debug = false;
  // Script lines whose assertion a later standard overturned (e.g. the threads
  // proposal's tests predate reference types, which allow several tables). A
  // failure there is reported and counted as skipped, not as failed.
  std::vector<uint32_t> supersededLines;
};

struct WastCounts {
  uint32_t passed = 0;
  uint32_t failed = 0;
  uint32_t pending = 0;
  uint32_t skipped = 0;
};

WastCounts runWastFile(const std::string& path, const WastOptions& options, std::ostream& out);

}  // namespace weft
