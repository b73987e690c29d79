// Test helper: loads the modules of tests/wasm (assembled at build time by
// wat2wasm --debug-names) and instantiates them.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/instance.h"
#include "support/file.h"

namespace weft::test {

inline std::shared_ptr<const Module> compileTestModule(const std::shared_ptr<Engine>& engine,
                                                       const std::string& name) {
  std::vector<uint8_t> bytes;
  std::string error;
  std::string path = std::string(WEFT_TEST_WASM_DIR) + "/" + name + ".wasm";
  if (!readWholeFile(path, bytes, error)) {
    ADD_FAILURE() << "cannot read " << path << ": " << error;
    return nullptr;
  }
  Result<std::shared_ptr<const Module>> module = Module::compile(engine, bytes);
  if (!module) {
    ADD_FAILURE() << name << ": " << module.error().describe();
    return nullptr;
  }
  return module.value();
}

inline std::shared_ptr<Instance> instantiateOk(const std::shared_ptr<const Module>& module,
                                               std::span<const Extern> imports = {}) {
  InstantiateOutcome outcome = Instance::create(module, imports);
  if (outcome.error) ADD_FAILURE() << "instantiation failed: " << outcome.error->describe();
  if (outcome.trap) ADD_FAILURE() << "instantiation trapped: " << outcome.trap->describe();
  return outcome.ok() ? outcome.instance : nullptr;
}

inline Func exported(const std::shared_ptr<Instance>& instance, const char* name) {
  std::optional<Func> func = instance->exportedFunction(name);
  if (!func) ADD_FAILURE() << "no exported function " << name;
  return func.value_or(Func{});
}

// The instance's vmctx bytes, but for the stack limit: every call entering the
// instance stores the calling thread's limit there, by design (the prologue
// reads it). Everything else (entry table pointer, records, memories, tables,
// globals) must stay as instantiation left it: tier-ups write no instance.
inline std::vector<uint8_t> vmctxWithoutStackLimit(const Instance& instance) {
  const auto* bytes = static_cast<const uint8_t*>(instance.vmctx());
  std::vector<uint8_t> copy(bytes, bytes + instance.module().layout().size());
  std::memset(copy.data() + vmctx::kStackLimit, 0, sizeof(uintptr_t));
  return copy;
}

// Instantiates the parameterized suite {suite} once per memory strategy, as
// Strategies/suite.Test/Guard and .../BoundsChecked (TSan runs Strategies/*).
#define WEFT_FOR_EACH_STRATEGY(suite)                                                                    \
  INSTANTIATE_TEST_SUITE_P(Strategies, suite,                                                            \
                           ::testing::Values(MemoryStrategy::Guard, MemoryStrategy::BoundsChecked),     \
                           [](const auto& info) {                                                        \
                             return std::string(info.param == MemoryStrategy::Guard ? "Guard" : "BoundsChecked"); \
                           })

// Instantiates {suite}, a TestWithParam<StrategyAndTier>, once per memory
// strategy and compiler tier: Strategies/suite.Test/Guard_Baseline and so on.
using StrategyAndTier = std::tuple<MemoryStrategy, Tier>;
inline EngineConfig configFor(const StrategyAndTier& param, uint32_t threads = 1) {
  EngineConfig config = EngineConfig::with(std::get<0>(param), threads, Tier::Baseline);
  config.tier = std::get<1>(param);
  return config;
}
#define WEFT_FOR_EACH_STRATEGY_AND_TIER(suite)                                                               \
  INSTANTIATE_TEST_SUITE_P(                                                                                \
      Strategies, suite,                                                                                   \
      ::testing::Combine(::testing::Values(MemoryStrategy::Guard, MemoryStrategy::BoundsChecked),          \
                         ::testing::Values(Tier::Baseline, Tier::Optimizing)),                             \
      [](const auto& info) {                                                                               \
        return std::string(std::get<0>(info.param) == MemoryStrategy::Guard ? "Guard_" : "BoundsChecked_") + \
               (std::get<1>(info.param) == Tier::Baseline ? "Baseline" : "Optimizing");                     \
      })

}  // namespace weft::test
