// Test helper: loads the modules of tests/wasm (assembled at build time by
// wat2wasm --debug-names) and instantiates them.
#pragma once

#include <gtest/gtest.h>

#include <string>
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

// Instantiates the parameterized suite {suite} once per memory strategy, as
// Strategies/suite.Test/Guard and .../BoundsChecked (TSan runs Strategies/*).
#define WEFT_FOR_EACH_STRATEGY(suite)                                                                    \
  INSTANTIATE_TEST_SUITE_P(Strategies, suite,                                                            \
                           ::testing::Values(MemoryStrategy::Guard, MemoryStrategy::BoundsChecked),     \
                           [](const auto& info) {                                                        \
                             return std::string(info.param == MemoryStrategy::Guard ? "Guard" : "BoundsChecked"); \
                           })

}  // namespace weft::test
