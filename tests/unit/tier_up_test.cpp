// Tier-up to the optimizing tier (DESIGN 8): a module compiled by the baseline
// gets LLVM code in the background while four threads call into instances
// made before it; every call returns the right value throughout, every
// function ends up in optimized code, and no instance is written. And frames
// of the two tiers mix in one backtrace, each with its instance.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "driver/compile_driver.h"
#include "runtime_test_support.h"

namespace weft::test {
namespace {

// Function indices in tier_swap.wat.
constexpr uint32_t kChain1 = 5, kChain3 = 7;

std::vector<uint8_t> vmctxWithoutStackLimit(const Instance& instance) {
  const auto* bytes = static_cast<const uint8_t*>(instance.vmctx());
  std::vector<uint8_t> copy(bytes, bytes + instance.module().layout().size());
  std::memset(copy.data() + vmctx::kStackLimit, 0, sizeof(uintptr_t));  // every call stores its thread's limit
  return copy;
}

int32_t callChain(const std::shared_ptr<Instance>& instance, int32_t x) {
  CallOutcome out = call(exported(instance, "chain"), std::vector{Value::i32(static_cast<uint32_t>(x))});
  return out.ok() ? static_cast<int32_t>(out.results.at(0).asI32()) : -1;
}

class TierUp : public ::testing::TestWithParam<MemoryStrategy> {
 protected:
  std::shared_ptr<Engine> engine_ = std::make_shared<Engine>(EngineConfig::with(GetParam(), 1));
};

TEST_P(TierUp, InstancesMadeBeforeRunOptimizedCodeAfterAndCallersNeverSeeAWrongValue) {
  auto module = compileTestModule(engine_, "tier_swap");
  ASSERT_TRUE(module);
  ASSERT_EQ(module->data()->tier, Tier::Baseline);
  std::vector<std::shared_ptr<Instance>> instances;
  for (int t = 0; t < 4; ++t) {
    instances.push_back(instantiateOk(module));
    ASSERT_TRUE(instances.back());
  }
  std::vector<std::vector<uint8_t>> vmctxBefore;
  for (const auto& instance : instances) vmctxBefore.push_back(vmctxWithoutStackLimit(*instance));
  std::vector<const void*> baselineCode;
  for (uint32_t f = 0; f < module->info().functions.size(); ++f) baselineCode.push_back(module->currentCode(f));

  std::atomic<bool> installed{false}, stop{false};
  std::atomic<int> wrong{0}, callsAfter{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      while (!stop) {
        bool after = installed;
        int32_t x = 1 + t;
        if (callChain(instances[t], x) != 3 + 100 / x) ++wrong;
        if (after && ++callsAfter > 4000) stop = true;
      }
    });
  }
  std::shared_ptr<BackgroundCompile> job = compileInBackground(module, *tierCompiler(Tier::Optimizing));
  BackgroundCompile::State state = job->wait();
  installed = true;
  for (std::thread& caller : callers) caller.join();
  ASSERT_EQ(state, BackgroundCompile::State::Installed) << (job->error() ? job->error()->describe() : "");
  EXPECT_EQ(wrong, 0);
  for (uint32_t f = 0; f < module->info().functions.size(); ++f)
    EXPECT_NE(module->currentCode(f), baselineCode[f]) << "function " << f << " is still baseline code";
  for (size_t i = 0; i < instances.size(); ++i) {
    EXPECT_EQ(callChain(instances[i], 4), 28);
    EXPECT_EQ(vmctxWithoutStackLimit(*instances[i]), vmctxBefore[i]) << "tier-up wrote instance " << i;
  }
  auto after = instantiateOk(module);
  ASSERT_TRUE(after);
  EXPECT_EQ(callChain(after, 5), 23);
}

// chain0 -> chain1 -> chain2 -> chain3, with chain1 and chain3 optimized:
// the division by zero in chain3 has the same backtrace as in all-baseline
// code, every frame with its instance and bytecode offset.
TEST_P(TierUp, ABacktraceCrossesBaselineAndOptimizedFrames) {
  auto module = compileTestModule(engine_, "tier_swap");
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  CallOutcome baseline = call(exported(instance, "chain"), std::vector{Value::i32(0)});
  ASSERT_TRUE(baseline.trap);
  CompileInput input{module->info(), module->bytes(), module->layout(), module->memoryStrategy()};
  Result<std::vector<CompiledFunction>> optimized =
      compileFunctions(*tierCompiler(Tier::Optimizing), input, {kChain1, kChain3}, 1);
  ASSERT_TRUE(optimized) << optimized.error().describe();
  EXPECT_EQ(optimized.value()[0].siteKind, SiteKind::Ranges);
  ASSERT_TRUE(module->replaceCode({kChain1, kChain3}, std::move(optimized.value())));
  EXPECT_EQ(callChain(instance, 4), 28);
  CallOutcome mixed = call(exported(instance, "chain"), std::vector{Value::i32(0)});
  ASSERT_TRUE(mixed.trap);
  EXPECT_EQ(mixed.trap->kind, TrapKind::IntegerDivideByZero);
  ASSERT_EQ(mixed.trap->backtrace.size(), baseline.trap->backtrace.size()) << mixed.trap->describe();
  for (size_t i = 0; i < mixed.trap->backtrace.size(); ++i) {
    const TrapFrame& got = mixed.trap->backtrace[i];
    const TrapFrame& want = baseline.trap->backtrace[i];
    EXPECT_EQ(got.functionIndex, want.functionIndex) << "frame " << i;
    EXPECT_EQ(got.instance, instance.get()) << "frame " << i;
    EXPECT_EQ(got.bytecodeOffset, want.bytecodeOffset) << "frame " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Strategies, TierUp, ::testing::Values(MemoryStrategy::Guard, MemoryStrategy::BoundsChecked),
                         [](const auto& info) {
                           return std::string(info.param == MemoryStrategy::Guard ? "Guard" : "BoundsChecked");
                         });

}  // namespace
}  // namespace weft::test
