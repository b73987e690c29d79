// Threads proposal at run time: instances on different threads sharing one
// memory, atomic read-modify-write, and wait/notify between them.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>

#include "runtime_test_support.h"

namespace weft::test {
namespace {

class Atomics : public ::testing::TestWithParam<MemoryStrategy> {
 protected:
  void SetUp() override {
    module_ = compileTestModule(engine_, "atomics");
    ASSERT_TRUE(module_);
    Result<std::shared_ptr<LinearMemory>> memory =
        LinearMemory::create(MemoryType{{1, 1, /*shared=*/true}}, GetParam());
    ASSERT_TRUE(memory);
    memory_ = memory.value();
  }
  std::shared_ptr<Instance> newInstance() {
    std::vector<Extern> imports{Extern::of(memory_)};
    return instantiateOk(module_, imports);
  }
  std::shared_ptr<Engine> engine_ = std::make_shared<Engine>(EngineConfig::with(GetParam(), 1, Tier::Baseline));
  std::shared_ptr<const Module> module_;
  std::shared_ptr<LinearMemory> memory_;
};

TEST_P(Atomics, WaitReturnsNotEqualAndTimesOut) {
  auto instance = newInstance();
  ASSERT_TRUE(instance);
  Func wait = exported(instance, "wait32");
  EXPECT_EQ(call(wait, std::vector{Value::i32(0), Value::i32(7), Value::i64(-1)}).results.at(0), Value::i32(1));
  EXPECT_EQ(call(wait, std::vector{Value::i32(0), Value::i32(0), Value::i64(1000000)}).results.at(0), Value::i32(2));
  // The timeout's extremes: 0 times out at once; every negative value,
  // INT64_MIN too, means no timeout (checked with a not-equal value, which
  // returns at once whatever the timeout).
  EXPECT_EQ(call(wait, std::vector{Value::i32(0), Value::i32(0), Value::i64(0)}).results.at(0), Value::i32(2));
  EXPECT_EQ(call(wait, std::vector{Value::i32(0), Value::i32(0), Value::i64(1)}).results.at(0), Value::i32(2));
  EXPECT_EQ(call(wait, std::vector{Value::i32(0), Value::i32(9), Value::i64(INT64_MIN)}).results.at(0), Value::i32(1));
  // Addresses at the end of the one-page memory and past it.
  EXPECT_EQ(call(wait, std::vector{Value::i32(65532), Value::i32(0), Value::i64(0)}).results.at(0), Value::i32(2));
  for (uint32_t address : {65536u, 0x80000000u, 0xfffffffcu}) {
    CallOutcome outside = call(wait, std::vector{Value::i32(address), Value::i32(0), Value::i64(0)});
    ASSERT_TRUE(outside.trap) << address;
    EXPECT_EQ(outside.trap->kind, TrapKind::MemoryOutOfBounds) << address;
  }
  CallOutcome unaligned = call(wait, std::vector{Value::i32(2), Value::i32(0), Value::i64(0)});
  ASSERT_TRUE(unaligned.trap);
  EXPECT_EQ(unaligned.trap->kind, TrapKind::UnalignedAtomic);
}

// Waits on another thread with {timeout} until notify wakes it; returns what
// the wait returned.
CallOutcome waitUntilNotified(const std::shared_ptr<Instance>& waiterInstance,
                              const std::shared_ptr<Instance>& notifierInstance, int64_t timeout,
                              uint32_t& woken) {
  std::atomic<bool> started{false};
  CallOutcome waited;
  std::thread waiter([&] {
    started = true;
    waited = call(exported(waiterInstance, "wait32"), std::vector{Value::i32(64), Value::i32(0), Value::i64(timeout)});
  });
  while (!started) std::this_thread::yield();
  Func notify = exported(notifierInstance, "notify");
  woken = 0;
  for (int attempt = 0; attempt < 100000 && woken == 0; ++attempt) {
    woken = call(notify, std::vector{Value::i32(64), Value::i32(1)}).results.at(0).asI32();
    if (!woken) std::this_thread::yield();
  }
  waiter.join();
  return waited;
}

TEST_P(Atomics, NotifyWakesAWaiterOnAnotherThread) {
  auto waiterInstance = newInstance();
  auto notifierInstance = newInstance();
  ASSERT_TRUE(waiterInstance && notifierInstance);
  uint32_t woken = 0;
  CallOutcome waited = waitUntilNotified(waiterInstance, notifierInstance, -1, woken);
  EXPECT_EQ(woken, 1u);
  ASSERT_TRUE(waited.ok());
  EXPECT_EQ(waited.results.at(0), Value::i32(0));  // "ok": woken by notify
}

// Regression: now + INT64_MAX ns overflowed the clock, so the wait returned
// "timed-out" at once instead of waiting.
TEST_P(Atomics, HugeTimeoutsWaitUntilNotified) {
  auto waiterInstance = newInstance();
  auto notifierInstance = newInstance();
  ASSERT_TRUE(waiterInstance && notifierInstance);
  for (int64_t timeout : {INT64_MAX, INT64_MAX / 2, int64_t{1} << 62}) {
    uint32_t woken = 0;
    CallOutcome waited = waitUntilNotified(waiterInstance, notifierInstance, timeout, woken);
    EXPECT_EQ(woken, 1u) << "timeout " << timeout;
    ASSERT_TRUE(waited.ok());
    EXPECT_EQ(waited.results.at(0), Value::i32(0)) << "timeout " << timeout;
  }
}

// A guest that waits with no timeout, or one of centuries, must not outlast
// an interrupt: Instance::interrupt stops its instance's wait (and only its),
// Engine::interrupt every one, each wait trapping "interrupted"; a wait that
// begins once its instance is interrupted traps at once; the waiters of
// other instances keep waiting until notified.
TEST_P(Atomics, InterruptsStopWaitsWithoutTimeouts) {
  auto stopped = newInstance(), kept = newInstance(), notifier = newInstance();
  ASSERT_TRUE(stopped && kept && notifier);
  auto waitOn = [](const std::shared_ptr<Instance>& instance, int64_t timeout) {
    return std::async(std::launch::async, [instance, timeout] {
      return call(exported(instance, "wait32"), std::vector{Value::i32(128), Value::i32(0), Value::i64(timeout)});
    });
  };
  auto expectInterrupted = [](std::future<CallOutcome>& waiting, const char* what) {
    if (waiting.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      std::fprintf(stderr, "FAIL: %s: the wait outlasted the interrupt\n", what);
      std::_Exit(1);  // the waiting thread cannot be joined
    }
    CallOutcome outcome = waiting.get();
    ASSERT_TRUE(outcome.trap) << what << ": returned " << outcome.results.at(0).asI32();
    EXPECT_EQ(outcome.trap->kind, TrapKind::Interrupted) << what << ": " << outcome.trap->describe();
  };
  for (int64_t timeout : {int64_t{-1}, INT64_MAX}) {
    std::future<CallOutcome> interrupted = waitOn(stopped, timeout);
    std::future<CallOutcome> waiting = waitOn(kept, timeout);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // both parked, most likely
    stopped->interrupt();
    expectInterrupted(interrupted, "Instance::interrupt");
    EXPECT_EQ(waiting.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout)
        << "another instance's wait ended";
    // A wait that begins interrupted does not park.
    std::future<CallOutcome> late = waitOn(stopped, timeout);
    expectInterrupted(late, "a wait begun after the interrupt");
    stopped->clearInterrupt();
    uint32_t woken = 0;
    Func notify = exported(notifier, "notify");
    for (int attempt = 0; attempt < 100000 && woken == 0; ++attempt)
      woken = call(notify, std::vector{Value::i32(128), Value::i32(1)}).results.at(0).asI32();
    EXPECT_EQ(woken, 1u);
    ASSERT_EQ(waiting.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    CallOutcome notified = waiting.get();
    ASSERT_TRUE(notified.ok());
    EXPECT_EQ(notified.results.at(0), Value::i32(0));  // "ok"
  }
  std::future<CallOutcome> a = waitOn(stopped, -1), b = waitOn(kept, -1);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  engine_->interrupt();
  expectInterrupted(a, "Engine::interrupt, first instance");
  expectInterrupted(b, "Engine::interrupt, second instance");
  engine_->clearInterrupt();
}

// notify(count) wakes at most count waiters and returns how many it woke;
// every waiter is woken in the end, and a notify with none waiting wakes none.
TEST_P(Atomics, NotifyWakesAtMostCountWaiters) {
  constexpr int kWaiters = 3;
  auto notifier = newInstance();
  ASSERT_TRUE(notifier);
  Func notify = exported(notifier, "notify");
  EXPECT_EQ(call(notify, std::vector{Value::i32(96), Value::i32(5)}).results.at(0), Value::i32(0));
  std::atomic<int> returned{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i < kWaiters; ++i)
    waiters.emplace_back([&] {
      auto instance = newInstance();
      if (!instance) return;
      CallOutcome waited = call(exported(instance, "wait32"), std::vector{Value::i32(96), Value::i32(0), Value::i64(-1)});
      if (waited.ok() && waited.results.at(0) == Value::i32(0)) ++returned;
    });
  uint32_t total = 0;
  for (int round = 0; round < 100000 && total < kWaiters; ++round) {
    uint32_t woken = call(notify, std::vector{Value::i32(96), Value::i32(2)}).results.at(0).asI32();
    EXPECT_LE(woken, 2u);
    total += woken;
    if (total < kWaiters) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (std::thread& waiter : waiters) waiter.join();
  EXPECT_EQ(total, uint32_t{kWaiters});
  EXPECT_EQ(returned.load(), kWaiters);
  EXPECT_EQ(call(notify, std::vector{Value::i32(96), Value::i32(1)}).results.at(0), Value::i32(0));
}

TEST_P(Atomics, ConcurrentAddsAreNotLost) {
  constexpr int kThreads = 4, kAdds = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      auto instance = newInstance();
      if (!instance) return;
      Func add = exported(instance, "add");
      for (int i = 0; i < kAdds; ++i) call(add, std::vector{Value::i32(128), Value::i32(1)});
    });
  }
  for (std::thread& thread : threads) thread.join();
  auto reader = newInstance();
  ASSERT_TRUE(reader);
  EXPECT_EQ(call(exported(reader, "load"), std::vector{Value::i32(128)}).results.at(0),
            Value::i32(kThreads * kAdds));
}

WEFT_FOR_EACH_STRATEGY(Atomics);

}  // namespace
}  // namespace weft::test
