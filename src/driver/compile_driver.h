// The compile driver (DESIGN 8): bytes -> decoded module and vmctx layout
// (Module::assemble, shared with the code-cache loader) -> every defined
// function compiled by a tier on the engine's compile threads -> one code
// image -> a Module whose entry table points into it. Later, the same
// functions may be compiled again in the background (a tier-up) and swapped
// in through the entry table.
//
// This is the one layer that sees both the compilers (compiler/) and the
// runtime (runtime/); neither of those includes the other (tests/layering).
// It defines Module::compile and Module::compileUncached.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "compiler/tier_compiler.h"
#include "runtime/background_compile.h"
#include "runtime/module.h"

namespace weft {

// The compiler of {tier}; null when that tier is not built.
const TierCompiler* tierCompiler(Tier tier);

// Compiles defined functions {indices} with {tier} on up to {threads}
// threads (0: one per hardware thread). On failure, the error of the lowest
// failing index, as a validator would report it.
Result<std::vector<CompiledFunction>> compileFunctions(const TierCompiler& tier, const CompileInput& input,
                                                       const std::vector<uint32_t>& indices, uint32_t threads);

// Queues the compilation of {functions} (defined function indices; empty:
// all) of {module} with {tier} on the engine's background threads; when all
// have compiled, they become the functions' current code (Module::replaceCode).
// A function the tier cannot compile keeps its old code when {keepOldOnFailure}
// (the job installs the rest and names the first failure); otherwise the job
// fails and installs nothing. The job never keeps the Module alive: if the
// Module dies first, the job is cancelled, queued or midway, and what it
// compiled is dropped.
std::shared_ptr<BackgroundCompile> compileInBackground(const std::shared_ptr<const Module>& module,
                                                       const TierCompiler& tier, std::vector<uint32_t> functions = {},
                                                       bool keepOldOnFailure = false);

}  // namespace weft
