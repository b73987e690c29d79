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
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
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

// Runs once a background compile has installed every function it was given
// (none failed, none cancelled), on the job's thread, before its handle says
// Installed: the functions' indices and their code, in ascending order.
using BackgroundCompileCompleted =
    std::function<void(const ModuleData& module, const std::vector<uint32_t>& indices,
                       const std::vector<CompiledFunction>& functions)>;

// Queues the compilation of {functions} (defined function indices; empty:
// all) of {module} with {tier} on the engine's background threads (as many
// as EngineConfig::compileThreads allows, each taking the next function).
// With {keepOldOnFailure}, compiled functions become their functions' current
// code (Module::replaceCode) in batches as they finish, and a function the
// tier cannot compile keeps its old code (the job names the first failure);
// without it, everything is installed at once at the end, or nothing if any
// function fails. The job never keeps the Module alive: if the Module dies
// first, the job is cancelled, queued or midway, and what it compiled is
// dropped.
std::shared_ptr<BackgroundCompile> compileInBackground(const std::shared_ptr<const Module>& module,
                                                       const TierCompiler& tier, std::vector<uint32_t> functions = {},
                                                       bool keepOldOnFailure = false,
                                                       BackgroundCompileCompleted onCompleted = {});

// Module::compileUncached, with what runs when a tiered module's tier-up has
// completed (the cache directory stores the optimized image then).
Result<std::shared_ptr<const Module>> compileModule(std::shared_ptr<Engine> engine, std::span<const uint8_t> bytes,
                                                    BackgroundCompileCompleted whenTieredUp);

}  // namespace weft
