// DESIGN 8, shown: a function's code is replaced through the module's entry
// table while other threads call it every way there is; every instance, old
// and new, switches at its next call; no code page and no instance is written.
// Also background compiles (installed, cancelled with their Module or their
// engine) and backtraces through frames of old and new code.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "driver/compile_driver.h"
#include "runtime/code_cache.h"
#include "runtime_test_support.h"

namespace weft::test {
namespace {

// Function indices in tier_swap.wat.
constexpr uint32_t kValue = 0, kReplacement = 1, kChain0 = 4, kChain1 = 5, kChain2 = 6, kChain3 = 7;

uint64_t hashOf(const CodeMemory& code) { return checksum64(code.data(), code.size()); }

Result<std::vector<CompiledFunction>> compileAgain(const Module& module, std::vector<uint32_t> indices) {
  CompileInput input{module.info(), module.bytes(), module.layout(), module.memoryStrategy()};
  return compileFunctions(*tierCompiler(Tier::Baseline), input, indices, 1);
}

int32_t callI32(const std::shared_ptr<Instance>& instance, const char* name) {
  CallOutcome out = call(exported(instance, name), {});
  return out.ok() ? static_cast<int32_t>(out.results.at(0).asI32()) : -1;
}

class TierSwap : public ::testing::TestWithParam<MemoryStrategy> {
 protected:
  std::shared_ptr<Engine> engine_ = std::make_shared<Engine>(EngineConfig::with(GetParam(), 1, Tier::Baseline));
};

TEST_P(TierSwap, ReplacingAnEntrySwitchesEveryCallerAndWritesNoInstanceOrCodePage) {
  auto module = compileTestModule(engine_, "tier_swap");
  auto callerModule = compileTestModule(engine_, "table_caller");
  ASSERT_TRUE(module && callerModule);
  auto before = instantiateOk(module);
  ASSERT_TRUE(before);
  std::vector<Extern> imports{*before->exportByName("table")};
  auto tableUser = instantiateOk(callerModule, imports);
  ASSERT_TRUE(tableUser);
  for (const char* name : {"value", "call_direct", "call_indirect"}) ASSERT_EQ(callI32(before, name), 1) << name;
  ASSERT_EQ(callI32(tableUser, "call_shared"), 1);

  // An instance is used by one thread at a time (DESIGN 5): each caller gets
  // its own, all made before the swap; the fourth calls through its own
  // importer of {before}'s table, which runs {before}'s function.
  std::vector<std::shared_ptr<Instance>> own;
  for (int t = 0; t < 4; ++t) {
    own.push_back(t < 3 ? instantiateOk(module) : instantiateOk(callerModule, imports));
    ASSERT_TRUE(own.back());
  }
  uint64_t codeHash = hashOf(module->code().memory());
  std::vector<std::vector<uint8_t>> vmctxBefore;
  for (const auto& instance : {before, tableUser, own[0], own[1], own[2], own[3]})
    vmctxBefore.push_back(vmctxWithoutStackLimit(*instance));
  const void* oldCode = module->currentCode(kValue);

  // Four threads call $value every way while the entry is replaced.
  std::atomic<bool> swapped{false}, stop{false};
  std::atomic<int> wrong{0}, callsAfterSwap{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      std::shared_ptr<Instance> instance = own[t];
      Func value = exported(instance, t == 3 ? "call_shared" : "value");
      while (!stop) {
        bool wasSwapped = swapped;  // read before the call: the call must then see the new code
        int32_t got = -1;
        switch (t) {
          case 0: got = callI32(instance, "call_direct"); break;
          case 1: got = callI32(instance, "call_indirect"); break;
          default: {  // the export itself, and the other instance's call through the shared table
            CallOutcome out = call(value, {});
            got = out.ok() ? static_cast<int32_t>(out.results.at(0).asI32()) : -1;
          }
        }
        if (got != 2 && (wasSwapped || got != 1)) ++wrong;
        if (wasSwapped && ++callsAfterSwap > 4000) stop = true;
      }
    });
  }
  Result<std::vector<CompiledFunction>> replacement = compileAgain(*module, {kReplacement});
  ASSERT_TRUE(replacement);
  ASSERT_TRUE(module->replaceCode({kValue}, std::move(replacement.value())));
  swapped = true;
  for (std::thread& thread : callers) thread.join();
  EXPECT_EQ(wrong, 0) << "a call returned neither value, or the old one after the swap";

  EXPECT_NE(module->currentCode(kValue), oldCode);
  for (const char* name : {"value", "call_direct", "call_indirect"}) EXPECT_EQ(callI32(before, name), 2) << name;
  EXPECT_EQ(callI32(tableUser, "call_shared"), 2);
  auto after = instantiateOk(module);
  ASSERT_TRUE(after);
  for (const char* name : {"value", "call_direct", "call_indirect"}) EXPECT_EQ(callI32(after, name), 2) << name;

  EXPECT_EQ(hashOf(module->code().memory()), codeHash) << "the first code image was written";
  size_t i = 0;
  for (const auto& instance : {before, tableUser, own[0], own[1], own[2], own[3]})
    EXPECT_EQ(vmctxWithoutStackLimit(*instance), vmctxBefore[i++]) << "the swap wrote instance " << i - 1 << "'s data";
}

TEST_P(TierSwap, ABacktraceCrossesOldAndNewCodeWithItsInstances) {
  auto module = compileTestModule(engine_, "tier_swap");
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  CallOutcome original = call(exported(instance, "chain"), std::vector{Value::i32(0)});
  ASSERT_TRUE(original.trap);
  // Chain frames 1 and 3 get new code; 0 and 2 keep the first image's.
  Result<std::vector<CompiledFunction>> again = compileAgain(*module, {kChain1, kChain3});
  ASSERT_TRUE(again);
  ASSERT_TRUE(module->replaceCode({kChain1, kChain3}, std::move(again.value())));
  ASSERT_NE(module->currentCode(kChain1), module->code().code(kChain1 - module->info().numImportedFunctions));

  EXPECT_EQ(call(exported(instance, "chain"), std::vector{Value::i32(4)}).results.at(0), Value::i32(28));
  CallOutcome mixed = call(exported(instance, "chain"), std::vector{Value::i32(0)});
  ASSERT_TRUE(mixed.trap);
  EXPECT_EQ(mixed.trap->kind, TrapKind::IntegerDivideByZero);
  ASSERT_EQ(mixed.trap->backtrace.size(), 4u);
  const uint32_t expected[] = {kChain3, kChain2, kChain1, kChain0};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(mixed.trap->backtrace[i].functionIndex, expected[i]) << "frame " << i;
    EXPECT_EQ(mixed.trap->backtrace[i].instance, instance.get()) << "frame " << i;
    EXPECT_EQ(mixed.trap->backtrace[i].bytecodeOffset, original.trap->backtrace[i].bytecodeOffset) << "frame " << i;
    EXPECT_EQ(mixed.trap->backtrace[i].functionName, original.trap->backtrace[i].functionName) << "frame " << i;
  }
}

TEST_P(TierSwap, ABackgroundCompileInstallsEveryFunction) {
  auto module = compileTestModule(engine_, "tier_swap");
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  std::vector<const void*> first;
  for (uint32_t f = 0; f < module->info().functions.size(); ++f) first.push_back(module->currentCode(f));
  std::shared_ptr<BackgroundCompile> job = compileInBackground(module, *tierCompiler(Tier::Baseline));
  ASSERT_EQ(job->wait(), BackgroundCompile::State::Installed) << (job->error() ? job->error()->describe() : "");
  for (uint32_t f = 0; f < module->info().functions.size(); ++f) EXPECT_NE(module->currentCode(f), first[f]) << f;
  EXPECT_EQ(callI32(instance, "call_direct"), 1);
  EXPECT_EQ(call(exported(instance, "chain"), std::vector{Value::i32(4)}).results.at(0), Value::i32(28));
  EXPECT_GT(module->codeBytes(), module->code().memory().mappedSize()) << "both images are accounted";
}

// A module of many functions, so that compiling it takes a while.
std::vector<uint8_t> manyFunctionsModule(uint32_t count) {
  std::vector<uint8_t> bytes = {0, 'a', 's', 'm', 1, 0, 0, 0};
  auto section = [&](uint8_t id, const std::vector<uint8_t>& payload) {
    bytes.push_back(id);
    uint32_t size = static_cast<uint32_t>(payload.size());
    do {
      uint8_t byte = size & 0x7f;
      size >>= 7;
      bytes.push_back(size ? byte | 0x80 : byte);
    } while (size);
    bytes.insert(bytes.end(), payload.begin(), payload.end());
  };
  auto leb = [](std::vector<uint8_t>& out, uint32_t value) {
    do {
      uint8_t byte = value & 0x7f;
      value >>= 7;
      out.push_back(value ? byte | 0x80 : byte);
    } while (value);
  };
  section(1, {1, 0x60, 1, 0x7f, 1, 0x7f});  // (i32) -> i32
  std::vector<uint8_t> functions;
  leb(functions, count);
  for (uint32_t i = 0; i < count; ++i) functions.push_back(0);
  section(3, functions);
  // Each body: local.get 0, then 200 times (i32.const 3, i32.mul), end.
  std::vector<uint8_t> body = {0, 0x20, 0};
  for (int i = 0; i < 200; ++i) body.insert(body.end(), {0x41, 3, 0x6c});
  body.push_back(0x0b);
  std::vector<uint8_t> code;
  leb(code, count);
  for (uint32_t i = 0; i < count; ++i) {
    leb(code, static_cast<uint32_t>(body.size()));
    code.insert(code.end(), body.begin(), body.end());
  }
  section(10, code);
  return bytes;
}

TEST_P(TierSwap, ABackgroundCompileDiesWithItsModuleWhetherQueuedOrRunning) {
  // One background thread: the second job waits behind the first.
  auto engine = std::make_shared<Engine>(EngineConfig::with(GetParam(), 1, Tier::Baseline));
  std::vector<uint8_t> bytes = manyFunctionsModule(3000);
  Result<std::shared_ptr<const Module>> running = Module::compile(engine, bytes);
  Result<std::shared_ptr<const Module>> queued = Module::compile(engine, bytes);
  ASSERT_TRUE(running && queued);
  std::shared_ptr<BackgroundCompile> runningJob = compileInBackground(running.value(), *tierCompiler(Tier::Baseline));
  std::shared_ptr<BackgroundCompile> queuedJob = compileInBackground(queued.value(), *tierCompiler(Tier::Baseline));
  while (runningJob->state() == BackgroundCompile::State::Queued) std::this_thread::yield();
  EXPECT_EQ(queuedJob->state(), BackgroundCompile::State::Queued);
  // The user lets go of both while one compiles and the other waits.
  running = Error{};
  queued = Error{};
  EXPECT_EQ(runningJob->wait(), BackgroundCompile::State::Cancelled);
  EXPECT_EQ(queuedJob->wait(), BackgroundCompile::State::Cancelled);
  EXPECT_EQ(engine->memoryUsage().modules, 0u) << "the jobs kept a Module alive";
}

TEST_P(TierSwap, AnEngineDestroyedWithJobsQueuedCancelsThem) {
  auto engine = std::make_shared<Engine>(EngineConfig::with(GetParam(), 1, Tier::Baseline));
  std::vector<uint8_t> bytes = manyFunctionsModule(2000);
  std::vector<std::shared_ptr<BackgroundCompile>> jobs;
  {
    std::vector<std::shared_ptr<const Module>> modules;
    for (int i = 0; i < 3; ++i) {
      Result<std::shared_ptr<const Module>> module = Module::compile(engine, bytes);
      ASSERT_TRUE(module);
      modules.push_back(module.value());
    }
    for (const auto& module : modules) jobs.push_back(compileInBackground(module, *tierCompiler(Tier::Baseline)));
  }  // the modules go first; the engine (and its queue) with the last reference
  engine.reset();
  BackgroundCompile::State first = jobs[0]->wait();  // it may have finished before the modules went
  EXPECT_TRUE(first == BackgroundCompile::State::Installed || first == BackgroundCompile::State::Cancelled);
  EXPECT_EQ(jobs[1]->wait(), BackgroundCompile::State::Cancelled);
  EXPECT_EQ(jobs[2]->wait(), BackgroundCompile::State::Cancelled);
}

WEFT_FOR_EACH_STRATEGY(TierSwap);

}  // namespace
}  // namespace weft::test
