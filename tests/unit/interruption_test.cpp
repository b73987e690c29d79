// Interruption (runtime/interruption.h): a host stops a guest that never ends
// by setting its instance's flag, from another thread; compiled code of both
// tiers checks it at every loop header and at the entry of every function
// that calls, and a host call returning into an interrupted instance traps
// too. Every loop shape in
// tests/wasm/runaway.wat must stop: a missing check hangs the test, which the
// watchdog below turns into a failure.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <thread>

#include "runtime_test_support.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

class Interruption : public ::testing::TestWithParam<StrategyAndTier> {
 protected:
  std::shared_ptr<Engine> engine_ = std::make_shared<Engine>(configFor(GetParam()));
  std::atomic<int> sleeps_{0};
  std::chrono::milliseconds sleepFor_{0};

  std::vector<Extern> imports() {
    std::vector<Extern> list;
    list.push_back(Extern::of(makeHostFunction(*engine_, FuncType{{}, {}}, [this](Caller&, auto, auto) {
      std::this_thread::sleep_for(sleepFor_);
      ++sleeps_;
      return HostOutcome::ok();
    })));
    return list;
  }
  std::shared_ptr<Instance> instantiate() {
    auto module = compileTestModule(engine_, "runaway");
    if (!module) return nullptr;
    std::vector<Extern> list = imports();
    return instantiateOk(module, list);
  }

  // Runs {name} on another thread; {interrupt} after {after}. The call must
  // come back (within 10 s, or the process ends with a failure message).
  CallOutcome runAndInterrupt(const std::shared_ptr<Instance>& instance, const char* name,
                              const std::function<void()>& interrupt, std::chrono::milliseconds after = 30ms) {
    Func func = exported(instance, name);
    std::future<CallOutcome> running = std::async(std::launch::async, [func] { return call(func, {}); });
    std::this_thread::sleep_for(after);
    interrupt();
    if (running.wait_for(10s) != std::future_status::ready) {
      std::fprintf(stderr, "FAIL: \"%s\" was not interrupted: a loop header or entry lacks its check\n", name);
      std::_Exit(1);  // the thread spins on; nothing can join it
    }
    return running.get();
  }
};

void expectInterruptedIn(const CallOutcome& outcome, const char* function) {
  ASSERT_TRUE(outcome.trap) << function << " returned";
  EXPECT_EQ(outcome.trap->kind, TrapKind::Interrupted) << outcome.trap->describe();
  EXPECT_EQ(outcome.trap->message, "interrupted");
  // Outermost is {function}; innermost may be a function it calls.
  ASSERT_FALSE(outcome.trap->backtrace.empty());
  EXPECT_EQ(outcome.trap->backtrace.back().functionName, function) << outcome.trap->describe();
}

TEST_P(Interruption, EveryShapeOfEndlessLoopStops) {
  auto instance = instantiate();
  ASSERT_TRUE(instance);
  for (const char* name : {"spin", "fill", "nested", "table", "carried", "calls", "long", "counted"}) {
    CallOutcome outcome = runAndInterrupt(instance, name, [&] { instance->interrupt(); });
    expectInterruptedIn(outcome, name);
    EXPECT_TRUE(instance->interrupted());
    instance->clearInterrupt();
    EXPECT_FALSE(instance->interrupted());
  }
  // The loops ran before the interrupt: "calls" counted.
  EXPECT_GT(instance->exportByName("count")->global->get().asI32(), 0);
}

// LLVM keeps a store to an unchanging address in a register through a loop
// and writes it back at the loop's exits; an interrupt is not one of them
// (the optimizing tier puts a barrier in such loops, interrupt_checks.h).
TEST_P(Interruption, AnInterruptedLoopsStoresAreInMemory) {
  auto instance = instantiate();
  ASSERT_TRUE(instance);
  auto word = [&](size_t at) {
    uint32_t value;
    std::memcpy(&value, instance->memory(0)->data() + at, 4);
    return value;
  };
  for (const char* name : {"bump_memory", "bump_global", "bump_beside_fill"}) {
    expectInterruptedIn(runAndInterrupt(instance, name, [&] { instance->interrupt(); }, 100ms), name);
    instance->clearInterrupt();
  }
  EXPECT_GT(word(65532), 0u) << "bump_memory's counter";
  EXPECT_GT(instance->exportByName("bumps")->global->get().asI32(), 0) << "bump_global's counter";
  EXPECT_GT(word(65528), 0u) << "bump_beside_fill's counter";
  EXPECT_GT(word(4), 0u) << "bump_beside_fill's moving stores";
}

// "counted" runs max(1, n) iterations (unsigned): optimized code enters the
// unchecked copy of its loop for small counts, the checked one for large.
TEST_P(Interruption, ALoopCountedAtRunTimeStopsAtTheExtremesOfItsCount) {
  auto instance = instantiate();
  ASSERT_TRUE(instance);
  std::shared_ptr<Global> iterations = instance->exportByName("iterations")->global;
  ASSERT_TRUE(iterations);
  for (uint32_t n : {0u, 1u, 1000u}) {
    iterations->set(Value::i32(static_cast<int32_t>(n)));
    EXPECT_TRUE(call(exported(instance, "counted"), {}).ok()) << n << " iterations";
  }
  for (uint32_t n : {0x80000000u, 0xffffffffu}) {
    iterations->set(Value::i32(static_cast<int32_t>(n)));
    expectInterruptedIn(runAndInterrupt(instance, "counted", [&] { instance->interrupt(); }), "counted");
    instance->clearInterrupt();
  }
}

TEST_P(Interruption, AnInterruptedInstanceTrapsAtTheEntryOfAFunctionThatCallsOrIsLongUntilCleared) {
  auto instance = instantiate();
  ASSERT_TRUE(instance);
  instance->interrupt();
  CallOutcome outcome = call(exported(instance, "once"), {});
  expectInterruptedIn(outcome, "once");
  EXPECT_EQ(instance->exportByName("count")->global->get().asI32(), 0) << "the call ran";
  // No call, no loop, but long: it checks too (compiler/interrupt_points.h).
  expectInterruptedIn(call(exported(instance, "long_leaf"), std::vector{Value::i32(5)}), "long_leaf");
  // The bound exactly: 256 bytes of body run unchecked, 257 check.
  EXPECT_TRUE(call(exported(instance, "leaf_256"), {}).ok()) << "a 256-byte leaf checked its entry";
  expectInterruptedIn(call(exported(instance, "leaf_257"), {}), "leaf_257");
  instance->clearInterrupt();
  outcome = call(exported(instance, "once"), {});
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.results[0].asI32(), 7);
  EXPECT_EQ(instance->exportByName("count")->global->get().asI32(), 1);
}

// No loop anywhere: every cycle of calls passes an entry that checks.
TEST_P(Interruption, EndlessRecursionWithoutLoopsStops) {
  auto instance = instantiate();
  ASSERT_TRUE(instance);
  CallOutcome outcome = runAndInterrupt(instance, "recurse", [&] { instance->interrupt(); });
  ASSERT_TRUE(outcome.trap) << "recurse returned";
  EXPECT_EQ(outcome.trap->kind, TrapKind::Interrupted) << outcome.trap->describe();
  ASSERT_GE(outcome.trap->backtrace.size(), 2u);
  EXPECT_EQ(outcome.trap->backtrace.front().functionName, "twice") << outcome.trap->describe();
  EXPECT_EQ(outcome.trap->backtrace.back().functionName, "recurse") << outcome.trap->describe();
}

TEST_P(Interruption, TheEngineInterruptsFourThreadsEachInItsOwnInstance) {
  std::vector<std::shared_ptr<Instance>> instances;
  for (int i = 0; i < 4; ++i) instances.push_back(instantiate());
  for (const auto& instance : instances) ASSERT_TRUE(instance);
  const char* loops[] = {"spin", "fill", "nested", "calls"};
  std::vector<std::future<CallOutcome>> running;
  for (int i = 0; i < 4; ++i) {
    Func func = exported(instances[i], loops[i]);
    running.push_back(std::async(std::launch::async, [func] { return call(func, {}); }));
  }
  std::this_thread::sleep_for(50ms);
  engine_->interrupt();
  EXPECT_TRUE(engine_->interrupted());
  for (int i = 0; i < 4; ++i) {
    if (running[i].wait_for(10s) != std::future_status::ready) {
      std::fprintf(stderr, "FAIL: thread %d (\"%s\") was not interrupted\n", i, loops[i]);
      std::_Exit(1);
    }
    expectInterruptedIn(running[i].get(), loops[i]);
  }
  // New instances start interrupted while the engine is; clearing lets all run.
  auto late = instantiate();
  ASSERT_TRUE(late);
  EXPECT_TRUE(late->interrupted());
  engine_->clearInterrupt();
  for (const auto& instance : instances) {
    CallOutcome outcome = call(exported(instance, "finite"), {});
    ASSERT_TRUE(outcome.ok()) << outcome.trap->describe();
    EXPECT_EQ(outcome.results[0].asI32(), 1000);
  }
  EXPECT_FALSE(late->interrupted());
}

TEST_P(Interruption, OneInstancesInterruptLeavesTheOthersRunning) {
  auto stopped = instantiate(), running = instantiate();
  ASSERT_TRUE(stopped && running);
  stopped->interrupt();
  CallOutcome outcome = call(exported(running, "once"), {});
  ASSERT_TRUE(outcome.ok());
  expectInterruptedIn(call(exported(stopped, "once"), {}), "once");
}

TEST_P(Interruption, AHostCallIsNotCutShortButItsCallerTrapsWhenItReturns) {
  sleepFor_ = 200ms;
  auto instance = instantiate();
  ASSERT_TRUE(instance);
  auto begun = std::chrono::steady_clock::now();
  CallOutcome outcome = runAndInterrupt(instance, "sleep_then_count", [&] { instance->interrupt(); }, 50ms);
  auto took = std::chrono::steady_clock::now() - begun;
  expectInterruptedIn(outcome, "sleep_then_count");
  EXPECT_EQ(sleeps_.load(), 1) << "the second sleep ran: the trap came late";
  EXPECT_GE(took, 200ms) << "the host call was cut short";
  EXPECT_EQ(instance->exportByName("count")->global->get().asI32(), 0) << "wasm ran on after the host call";
}

WEFT_FOR_EACH_STRATEGY_AND_TIER(Interruption);

TEST(InstanceLimit, InstantiationPastTheEnginesLimitFailsWithAClearError) {
  EngineConfig config = EngineConfig::with(MemoryStrategy::Guard, 1, Tier::Baseline);
  config.maxInstances = 2;
  auto engine = std::make_shared<Engine>(config);
  auto module = compileTestModule(engine, "specialized");
  ASSERT_TRUE(module);
  auto first = instantiateOk(module);
  auto second = instantiateOk(module);
  ASSERT_TRUE(first && second);
  InstantiateOutcome third = Instance::create(module, {});
  ASSERT_TRUE(third.error);
  EXPECT_EQ(third.error->kind, ErrorKind::LimitExceeded);
  EXPECT_NE(third.error->message.find("limit of 2 live instances"), std::string::npos) << third.error->message;
  EXPECT_EQ(engine->memoryUsage().instances, 2u);
  second.reset();
  EXPECT_TRUE(instantiateOk(module)) << "a freed slot is usable again";
}

}  // namespace
}  // namespace weft::test
