// The engine-wide budget for memories and tables (DESIGN 11): instantiation
// past it fails naming what did not fit, growth past it returns -1, and what
// an instance held comes back when it goes.
#include <gtest/gtest.h>

#include "runtime_test_support.h"

namespace weft::test {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

class ResourceBudgetTest : public ::testing::TestWithParam<MemoryStrategy> {
 protected:
  std::shared_ptr<Engine> engineWithBudget(uint64_t bytes) {
    EngineConfig config = EngineConfig::with(GetParam(), 1, Tier::Baseline);
    config.resourceBudgetBytes = bytes;
    return std::make_shared<Engine>(config);
  }
};

TEST_P(ResourceBudgetTest, InstantiationStopsAtTheFirstTableThatDoesNotFitAndNamesIt) {
  auto engine = engineWithBudget(50 * kMiB);  // six tables of 8,000,000 bytes fit
  auto module = compileTestModule(engine, "big_tables");
  ASSERT_TRUE(module);
  InstantiateOutcome refused = Instance::create(module, {});
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->kind, ErrorKind::LimitExceeded);
  EXPECT_NE(refused.error->message.find("table 6: a table of 1000000 elements (8000000 bytes) exceeds the engine's "
                                        "budget for memories and tables (52428800 bytes"),
            std::string::npos)
      << refused.error->message;
  EXPECT_EQ(engine->resourceBudget()->used(), 0u) << "the tables made before the refusal were given back";
}

TEST_P(ResourceBudgetTest, InstancesShareTheBudgetAndReturnItWhenTheyGo) {
  auto engine = engineWithBudget(10 * 64 * 1024);  // ten one-page memories
  auto module = compileTestModule(engine, "resources");
  ASSERT_TRUE(module);
  std::vector<std::shared_ptr<Instance>> live;
  for (int i = 0; i < 10; ++i) {
    live.push_back(instantiateOk(module));
    ASSERT_TRUE(live.back());
  }
  EXPECT_EQ(engine->resourceBudget()->used(), 10u * 64 * 1024);
  InstantiateOutcome eleventh = Instance::create(module, {});
  ASSERT_TRUE(eleventh.error);
  EXPECT_NE(eleventh.error->message.find("memory 0: a memory of 1 pages (65536 bytes) exceeds the engine's budget"),
            std::string::npos)
      << eleventh.error->message;
  live.pop_back();
  EXPECT_TRUE(instantiateOk(module)) << "one instance gone makes room for another";
}

TEST_P(ResourceBudgetTest, GrowthPastTheBudgetReturnsMinusOne) {
  auto engine = engineWithBudget(kMiB);
  auto module = compileTestModule(engine, "resources");
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  Func growMemory = exported(instance, "grow_memory");
  Func growTable = exported(instance, "grow_table");
  EXPECT_EQ(call(growMemory, std::vector{Value::i32(15)}).results.at(0), Value::i32(1)) << "16 pages: the whole MiB";
  EXPECT_EQ(call(growMemory, std::vector{Value::i32(1)}).results.at(0), Value::i32(0xffffffffu));
  EXPECT_EQ(call(growTable, std::vector{Value::i32(1)}).results.at(0), Value::i32(0xffffffffu));
  EXPECT_EQ(call(exported(instance, "table_size"), {}).results.at(0), Value::i32(0)) << "a refused grow adds nothing";
  EXPECT_EQ(engine->resourceBudget()->used(), kMiB);
}

TEST_P(ResourceBudgetTest, ExtremeGrowthRequestsReturnMinusOneWithoutABudget) {
  auto engine = engineWithBudget(0);
  auto module = compileTestModule(engine, "resources");
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  Func growMemory = exported(instance, "grow_memory");
  Func growTable = exported(instance, "grow_table");
  for (uint32_t delta : {0xffffffffu, 0x80000000u, 0x10000u})  // one page is there already
    EXPECT_EQ(call(growMemory, std::vector{Value::i32(delta)}).results.at(0), Value::i32(0xffffffffu)) << delta;
  for (uint32_t delta : {0xffffffffu, 0x80000000u, Table::kMaxElements + 1})
    EXPECT_EQ(call(growTable, std::vector{Value::i32(delta)}).results.at(0), Value::i32(0xffffffffu)) << delta;
  EXPECT_EQ(call(growTable, std::vector{Value::i32(3)}).results.at(0), Value::i32(0));
  EXPECT_EQ(call(growTable, std::vector{Value::i32(1)}).results.at(0), Value::i32(3));
  EXPECT_EQ(call(exported(instance, "table_size"), {}).results.at(0), Value::i32(4));
}

WEFT_FOR_EACH_STRATEGY(ResourceBudgetTest);

}  // namespace
}  // namespace weft::test
