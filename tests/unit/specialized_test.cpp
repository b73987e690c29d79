// The specialized memory strategy (DESIGN 7, EngineConfig::specializeInstances):
// every instance runs a private copy of the code compiled for it alone, with
// its memory's base (and, bounds-checked, its length) as constants. The copy
// is the instance's own (not the module's, not another instance's), the base
// is in its machine code, and growing the memory past the length it was
// compiled with keeps every access right.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "runtime_test_support.h"

namespace weft::test {
namespace {

class Specialized : public ::testing::TestWithParam<MemoryStrategy> {
 protected:
  std::shared_ptr<Engine> engine_ = [] {
    EngineConfig config = EngineConfig::with(GetParam(), 1, Tier::Tiered);
    config.specializeInstances = true;
    return std::make_shared<Engine>(config);
  }();

  static const void* codeOf(const Func& func) { return loadEntry(func.ref->entry); }
  static bool contains(const ModuleCode& code, uint64_t value) {
    const uint8_t* begin = code.memory().data();
    const uint8_t* end = begin + code.memory().size();
    uint8_t needle[8];
    std::memcpy(needle, &value, 8);
    return std::search(begin, end, needle, needle + 8) != end;
  }
};

TEST_P(Specialized, EachInstanceRunsItsOwnCodeWithItsMemoryBaseInIt) {
  auto module = compileTestModule(engine_, "specialized");
  ASSERT_TRUE(module);
  EXPECT_FALSE(module->tierUp()) << "nothing runs the module's shared code: no tier-up for it";
  auto first = instantiateOk(module);
  auto second = instantiateOk(module);
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->privateCode() && second->privateCode());
  const void* firstLoad = codeOf(exported(first, "load"));
  const void* secondLoad = codeOf(exported(second, "load"));
  EXPECT_NE(firstLoad, secondLoad);
  uint32_t load = 0;
  for (const Export& e : module->info().exports)
    if (e.name == "load") load = e.index;
  EXPECT_NE(firstLoad, module->currentCode(load)) << "a specialized instance ran the shared code";
  auto base = [](const std::shared_ptr<Instance>& instance) {
    return reinterpret_cast<uintptr_t>(instance->exportByName("memory")->memory->data());
  };
  EXPECT_TRUE(contains(*first->privateCode(), base(first))) << "the memory base is not a constant in the code";
  EXPECT_TRUE(contains(*second->privateCode(), base(second)));
  EXPECT_FALSE(contains(*first->privateCode(), base(second))) << "one instance's code has another's base";
  EXPECT_GT(first->memoryUsage().privateCode, 0u);
  EXPECT_GE(engine_->memoryUsage().code, module->codeBytes() + 2 * first->memoryUsage().privateCode);

  ASSERT_TRUE(call(exported(first, "store"), std::vector{Value::i32(16), Value::i32(7)}).ok());
  EXPECT_EQ(call(exported(first, "load"), std::vector{Value::i32(16)}).results.at(0), Value::i32(7));
  EXPECT_EQ(call(exported(second, "load"), std::vector{Value::i32(16)}).results.at(0), Value::i32(0));
}

TEST_P(Specialized, PagesGrownAfterCompilingAreReachableAndTheEndStillTraps) {
  auto module = compileTestModule(engine_, "specialized");
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  auto load = [&](uint32_t address) { return call(exported(instance, "load"), std::vector{Value::i32(address)}); };
  EXPECT_TRUE(load(65532).ok());
  CallOutcome past = load(65533);
  ASSERT_TRUE(past.trap);
  EXPECT_EQ(past.trap->kind, TrapKind::MemoryOutOfBounds);
  EXPECT_EQ(call(exported(instance, "grow"), std::vector{Value::i32(1)}).results.at(0), Value::i32(1));
  ASSERT_TRUE(call(exported(instance, "store"), std::vector{Value::i32(65536), Value::i32(42)}).ok());
  EXPECT_EQ(load(65536).results.at(0), Value::i32(42));
  EXPECT_TRUE(load(131068).ok());
  CallOutcome end = load(131069);
  ASSERT_TRUE(end.trap);
  EXPECT_EQ(end.trap->kind, TrapKind::MemoryOutOfBounds);
  EXPECT_TRUE(load(0xffffffffu).trap);
}

// A memory that cannot grow: bounds-checked code has its length as a
// constant (compared in the code, no load), and the last byte is the last.
TEST_P(Specialized, AMemoryThatCannotGrowHasItsLengthInTheCode) {
  auto module = compileTestModule(engine_, "specialized_fixed");
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance && instance->privateCode());
  auto load = [&](uint32_t address) { return call(exported(instance, "load"), std::vector{Value::i32(address)}); };
  EXPECT_TRUE(load(3 * 65536 - 4).ok());
  EXPECT_TRUE(load(3 * 65536 - 3).trap);
  EXPECT_TRUE(load(0x80000000u).trap);
  // The compare's immediate: LLVM folds "index + 4 > length" into a compare
  // of the index with length - 4 (index > 196604) or length - 3 (index >= 196605).
  if (GetParam() == MemoryStrategy::BoundsChecked) {
    const ModuleCode& code = *instance->privateCode();
    const uint8_t* begin = code.memory().data();
    const uint8_t* end = begin + code.memory().size();
    auto hasImmediate = [&](uint32_t value) {
      uint8_t needle[4];
      std::memcpy(needle, &value, 4);
      return std::search(begin, end, needle, needle + 4) != end;
    };
    EXPECT_TRUE(hasImmediate(3 * 65536 - 4) || hasImmediate(3 * 65536 - 3)) << "the length is not a constant in the code";
  }
}

TEST_P(Specialized, AModuleFromACacheFileCannotBeSpecializedAndSaysWhy) {
  auto plain = std::make_shared<Engine>(EngineConfig::with(GetParam(), 1, Tier::Baseline));
  auto module = compileTestModule(plain, "specialized");
  ASSERT_TRUE(module);
  std::string path = (std::filesystem::temp_directory_path() / ("weft-specialized-" + std::to_string(getpid()) + ".cwasm")).string();
  ASSERT_TRUE(module->serialize(path));
  EngineConfig config = EngineConfig::with(GetParam(), 1, Tier::Baseline);
  config.specializeInstances = true;
  Result<std::shared_ptr<const Module>> loaded = Module::deserialize(std::make_shared<Engine>(config), path);
  std::filesystem::remove(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  InstantiateOutcome outcome = Instance::create(loaded.value(), {});
  ASSERT_TRUE(outcome.error);
  EXPECT_NE(outcome.error->message.find("code-cache file"), std::string::npos) << outcome.error->message;
}

INSTANTIATE_TEST_SUITE_P(Strategies, Specialized,
                         ::testing::Values(MemoryStrategy::Guard, MemoryStrategy::BoundsChecked),
                         [](const auto& info) {
                           return std::string(info.param == MemoryStrategy::Guard ? "Guard" : "BoundsChecked");
                         });

}  // namespace
}  // namespace weft::test
