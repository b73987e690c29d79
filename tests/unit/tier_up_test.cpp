// Tier-up to the optimizing tier (DESIGN 8): a module compiled by the baseline
// gets LLVM code in the background while four threads call into instances
// made before it; every call returns the right value throughout, every
// function ends up in optimized code, and no instance is written. And frames
// of the two tiers mix in one backtrace, each with its instance.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "compiler/optimizing/optimizing_compiler.h"
#include "driver/compile_driver.h"
#include "runtime_test_support.h"

namespace weft::test {
namespace {

// Function indices in tier_swap.wat.
constexpr uint32_t kChain1 = 5, kChain3 = 7;

int32_t callChain(const std::shared_ptr<Instance>& instance, int32_t x) {
  CallOutcome out = call(exported(instance, "chain"), std::vector{Value::i32(static_cast<uint32_t>(x))});
  return out.ok() ? static_cast<int32_t>(out.results.at(0).asI32()) : -1;
}

class TierUp : public ::testing::TestWithParam<MemoryStrategy> {
 protected:
  std::shared_ptr<Engine> engine_ = std::make_shared<Engine>(EngineConfig::with(GetParam(), 1, Tier::Baseline));
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

// LLVM failing on one function is an error for that function, never the
// end of the process; under a tier-up the function keeps its baseline code.
TEST_P(TierUp, AFunctionLlvmCannotCompileKeepsItsBaselineCode) {
  auto module = compileTestModule(engine_, "tier_swap");
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  OptimizingTier failing(kChain1);
  CompileInput input{module->info(), module->bytes(), module->layout(), module->memoryStrategy()};
  Result<std::vector<CompiledFunction>> alone = compileFunctions(failing, input, {kChain1}, 1);
  ASSERT_FALSE(alone);
  EXPECT_EQ(alone.error().functionIndex, kChain1);
  EXPECT_NE(alone.error().message.find("LLVM failed"), std::string::npos) << alone.error().describe();

  const void* chain1Before = module->currentCode(kChain1);
  const void* chain3Before = module->currentCode(kChain3);
  std::shared_ptr<BackgroundCompile> job = compileInBackground(module, failing, {}, /*keepOldOnFailure=*/true);
  ASSERT_EQ(job->wait(), BackgroundCompile::State::Installed);
  ASSERT_TRUE(job->error());
  EXPECT_EQ(job->error()->functionIndex, kChain1);
  EXPECT_EQ(module->currentCode(kChain1), chain1Before) << "the function LLVM failed on keeps its code";
  EXPECT_NE(module->currentCode(kChain3), chain3Before) << "the others are optimized";
  EXPECT_EQ(callChain(instance, 4), 28);
}

// The tiered policy: baseline code at once, optimized code once the
// background compile is done, for instances made before it too.
TEST_P(TierUp, TheTieredPolicySwapsInOptimizedCode) {
  EngineConfig config = EngineConfig::with(GetParam(), 1, Tier::Baseline);
  config.tier = Tier::Tiered;
  auto engine = std::make_shared<Engine>(config);
  auto module = compileTestModule(engine, "tier_swap");
  ASSERT_TRUE(module);
  EXPECT_EQ(module->data()->tier, Tier::Baseline) << "the first image is the baseline's";
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  const void* baseline = module->code().code(kChain3 - module->info().numImportedFunctions);
  ASSERT_TRUE(module->tierUp());
  ASSERT_EQ(module->tierUp()->wait(), BackgroundCompile::State::Installed);
  EXPECT_FALSE(module->tierUp()->error());
  EXPECT_NE(module->currentCode(kChain3), baseline);
  EXPECT_EQ(callChain(instance, 2), 53);
}

// With four compile threads, the tiered policy's tier-up spreads a module's
// functions over the engine's background threads and installs them in
// batches as they finish (more than one new image), all of them in the end.
TEST_P(TierUp, ATierUpOnSeveralThreadsInstallsInBatches) {
  auto engine = std::make_shared<Engine>(EngineConfig::with(GetParam(), 4, Tier::Tiered));
  auto module = compileTestModule(engine, "many_functions");
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  std::vector<const void*> baselineCode;
  for (uint32_t f = 0; f < module->info().functions.size(); ++f) baselineCode.push_back(module->currentCode(f));
  ASSERT_TRUE(module->tierUp());
  ASSERT_EQ(module->tierUp()->wait(), BackgroundCompile::State::Installed);
  EXPECT_FALSE(module->tierUp()->error());
  for (uint32_t f = 0; f < module->info().functions.size(); ++f)
    EXPECT_NE(module->currentCode(f), baselineCode[f]) << "function " << f << " is still baseline code";
  EXPECT_GE(module->codeImages(), 3u) << "the baseline image and at least two batches";
  CallOutcome out = call(exported(instance, "chain"), std::vector{Value::i32(5)});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.results.at(0), Value::i32(5 + 47 * 48 / 2));
}

// A module whose one function "big" is {nops} nops: a body of nops + 2 bytes.
std::vector<uint8_t> moduleWithNops(uint32_t nops) {
  auto leb = [](std::vector<uint8_t>& out, uint32_t value) {
    do {
      uint8_t byte = value & 0x7f;
      value >>= 7;
      out.push_back(byte | (value ? 0x80 : 0));
    } while (value);
  };
  std::vector<uint8_t> body{0x00};  // no locals
  body.insert(body.end(), nops, 0x01);
  body.push_back(0x0b);
  std::vector<uint8_t> code{0x01};  // one body
  leb(code, static_cast<uint32_t>(body.size()));
  code.insert(code.end(), body.begin(), body.end());
  std::vector<uint8_t> bytes{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
                             0x01, 0x04, 0x01, 0x60, 0x00, 0x00,                    // type 0: [] -> []
                             0x03, 0x02, 0x01, 0x00,                                // func 0: type 0
                             0x07, 0x07, 0x01, 0x03, 'b', 'i', 'g', 0x00, 0x00,     // export "big"
                             0x0a};
  leb(bytes, static_cast<uint32_t>(code.size()));
  bytes.insert(bytes.end(), code.begin(), code.end());
  return bytes;
}

// LLVM's memory per compile thread is bounded by the size of the bodies it
// is given: one past the bound is an error naming the function under the
// optimizing tier, and keeps its baseline code under the tiered policy.
TEST_P(TierUp, AFunctionPastTheOptimizingTiersSizeBoundKeepsItsBaselineCode) {
  std::vector<uint8_t> bytes = moduleWithNops(kOptimizingMaxBodyBytes);
  EngineConfig config = EngineConfig::with(GetParam(), 1, Tier::Optimizing);
  Result<std::shared_ptr<const Module>> optimized = Module::compile(std::make_shared<Engine>(config), bytes);
  ASSERT_FALSE(optimized);
  EXPECT_EQ(optimized.error().functionIndex, 0u);
  EXPECT_NE(optimized.error().message.find("limit of " + std::to_string(kOptimizingMaxBodyBytes)), std::string::npos)
      << optimized.error().describe();
  EXPECT_GT(optimized.error().offset, 0u);

  config.tier = Tier::Tiered;
  Result<std::shared_ptr<const Module>> tiered = Module::compile(std::make_shared<Engine>(config), bytes);
  ASSERT_TRUE(tiered) << tiered.error().describe();
  const void* baseline = tiered.value()->currentCode(0);
  ASSERT_TRUE(tiered.value()->tierUp());
  EXPECT_EQ(tiered.value()->tierUp()->wait(), BackgroundCompile::State::Failed);
  ASSERT_TRUE(tiered.value()->tierUp()->error());
  EXPECT_EQ(tiered.value()->tierUp()->error()->functionIndex, 0u);
  EXPECT_EQ(tiered.value()->currentCode(0), baseline);
  auto instance = instantiateOk(tiered.value());
  ASSERT_TRUE(instance);
  EXPECT_TRUE(call(exported(instance, "big"), {}).ok());

  // One byte less is within the bound (compiled, not run: a million nops).
  std::vector<uint8_t> within = moduleWithNops(kOptimizingMaxBodyBytes - 2);
  config.tier = Tier::Optimizing;
  Result<std::shared_ptr<const Module>> fits = Module::compile(std::make_shared<Engine>(config), within);
  EXPECT_TRUE(fits) << fits.error().describe();
}

INSTANTIATE_TEST_SUITE_P(Strategies, TierUp, ::testing::Values(MemoryStrategy::Guard, MemoryStrategy::BoundsChecked),
                         [](const auto& info) {
                           return std::string(info.param == MemoryStrategy::Guard ? "Guard" : "BoundsChecked");
                         });

}  // namespace
}  // namespace weft::test
