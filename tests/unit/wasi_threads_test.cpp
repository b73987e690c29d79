// wasi-threads from C++ (host/wasi/wasi_threads.h), and one Module run on many
// threads over one shared memory without WASI: every thread an instance of
// the one copy of the code (DESIGN 1-2), growing the memory safely (TSan runs
// these).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "host/wasi/wasi_threads.h"
#include "runtime_test_support.h"

namespace weft::test {
namespace {

using namespace std::chrono_literals;

class WasiThreadsTest : public ::testing::TestWithParam<MemoryStrategy> {};

// Executable mappings of the process: a new instance must not add one.
int executableMappings() {
  std::ifstream maps("/proc/self/maps");
  int count = 0;
  for (std::string line; std::getline(maps, line);) {
    char perms[8] = {};
    if (std::sscanf(line.c_str(), "%*x-%*x %7s", perms) == 1 && perms[2] == 'x') ++count;
  }
  return count;
}

uint32_t wordAt(LinearMemory& memory, uint32_t address) {
  return std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(memory.data() + address)).load();
}

// The program, its WASI context and threads host, its first instance.
struct Program {
  std::shared_ptr<Engine> engine;
  std::shared_ptr<const Module> module;
  std::shared_ptr<WasiThreads> threads;
  std::shared_ptr<Instance> main;

  Program(MemoryStrategy strategy, WasiThreads::OnEnd onEnd, WasiThreadsConfig config = {}) {
    engine = std::make_shared<Engine>(EngineConfig::with(strategy, 1, Tier::Baseline));
    module = compileTestModule(engine, "threads_gate");
    if (!module) return;
    Result<std::shared_ptr<WasiContext>> context = WasiContext::create(WasiConfig{});
    EXPECT_TRUE(context);
    threads = WasiThreads::create(module, context.value(), config, std::move(onEnd));
    Result<std::vector<Extern>> imports = threads->imports();
    EXPECT_TRUE(imports) << (imports ? "" : imports.error().message);
    if (!imports) return;
    InstantiateOutcome outcome = Instance::create(module, imports.value());
    EXPECT_TRUE(outcome.ok());
    main = outcome.instance;
  }
  LinearMemory& memory() { return *main->memory(0); }
  int32_t call(const char* name, int32_t arg) {
    CallOutcome out = weft::call(*main->exportedFunction(name), std::vector<Value>{Value::i32(arg)});
    EXPECT_TRUE(out.ok());
    return out.ok() ? static_cast<int32_t>(out.results.at(0).asI32()) : INT32_MIN;
  }
};

TEST_P(WasiThreadsTest, EightThreadsAreNineInstancesOfOneCopyOfTheCode) {
  std::atomic<int> abnormalEnds{0};
  Program program(GetParam(), [&](const WasiThreadEnd&) { ++abnormalEnds; });
  ASSERT_TRUE(program.main);
  EngineMemoryUsage alone = program.engine->memoryUsage();
  ASSERT_EQ(alone.instances, 1u);
  int mappingsBefore = executableMappings();

  std::atomic<int32_t> finished{INT32_MIN};
  std::thread runner([&] { finished = program.call("run", 8); });
  // Until all eight are in, waiting at the gate.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while ((wordAt(program.memory(), 0) < 8 || program.threads->liveThreads() < 8) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  ASSERT_EQ(wordAt(program.memory(), 0), 8u);
  EngineMemoryUsage usage = program.engine->memoryUsage();
  EXPECT_EQ(usage.modules, 1u);
  EXPECT_EQ(usage.instances, 9u) << "the main instance and one per thread";
  EXPECT_EQ(usage.code, alone.code) << "the code is counted once, not per thread";
  EXPECT_EQ(usage.instanceData, 9 * alone.instanceData);
  EXPECT_EQ(usage.linearMemory, alone.linearMemory) << "one memory for all threads";
  EXPECT_EQ(executableMappings(), mappingsBefore) << "a thread's instance mapped code of its own";
  EXPECT_EQ(program.main->privateCode(), nullptr);
  std::printf("[ figures ] 8 threads: code %llu bytes once, instance data %llu bytes per thread\n",
              static_cast<unsigned long long>(usage.code), static_cast<unsigned long long>(alone.instanceData));

  std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(program.memory().data() + 4)).store(1);  // open the gate
  runner.join();
  EXPECT_EQ(finished.load(), 8);
  program.threads->join();
  EXPECT_EQ(program.threads->liveThreads(), 0u);
  EXPECT_EQ(program.threads->spawnedThreads(), 8u);
  EXPECT_EQ(program.engine->memoryUsage().instances, 1u) << "each thread's instance is released when it ends";
  EXPECT_EQ(abnormalEnds.load(), 0);
}

TEST_P(WasiThreadsTest, ATrapOrAnExitInAThreadReachesTheEmbeddersHandler) {
  std::mutex lock;
  std::condition_variable changed;
  std::vector<WasiThreadEnd> ends;
  Program program(GetParam(), [&](const WasiThreadEnd& end) {
    std::lock_guard hold(lock);
    ends.push_back(end);
    changed.notify_all();
  });
  ASSERT_TRUE(program.main);
  int32_t trapper = program.call("spawn", 99);
  ASSERT_GT(trapper, 0);
  {
    std::unique_lock hold(lock);
    ASSERT_TRUE(changed.wait_for(hold, 60s, [&] { return ends.size() == 1; }));
    EXPECT_EQ(ends[0].tid, static_cast<uint32_t>(trapper));
    ASSERT_TRUE(ends[0].trap);
    EXPECT_FALSE(ends[0].exitCode);
    EXPECT_EQ(ends[0].trap->kind, TrapKind::Unreachable);
    EXPECT_NE(ends[0].trap->describe().find("wasi_thread_start"), std::string::npos) << ends[0].trap->describe();
  }
  int32_t exiter = program.call("spawn", 107);
  ASSERT_GT(exiter, trapper) << "thread ids are unique and increasing";
  {
    std::unique_lock hold(lock);
    ASSERT_TRUE(changed.wait_for(hold, 60s, [&] { return ends.size() == 2; }));
    EXPECT_EQ(ends[1].tid, static_cast<uint32_t>(exiter));
    EXPECT_EQ(ends[1].exitCode, std::optional<uint32_t>(7));
  }
  program.threads->join();
}

TEST_P(WasiThreadsTest, TheThreadLimitIsAnErrorCodeForTheGuest) {
  WasiThreadsConfig config;
  config.maxThreads = 2;
  Program program(GetParam(), [](const WasiThreadEnd&) {}, config);
  ASSERT_TRUE(program.main);
  EXPECT_GT(program.call("spawn", 1), 0);
  EXPECT_GT(program.call("spawn", 2), 0);
  EXPECT_EQ(program.call("spawn", 3), WasiThreads::kErrorAgain);
  std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(program.memory().data() + 4)).store(1);
  program.threads->join();
  EXPECT_GT(program.call("spawn", 4), 0) << "an ended thread frees its place";
  program.threads->join();
}

// Without WASI: an embedder instantiates one Module on four threads over one
// shared memory; they add atomically and grow the memory at once.
TEST_P(WasiThreadsTest, OneModuleOnFourThreadsOverOneSharedMemory) {
  auto engine = std::make_shared<Engine>(EngineConfig::with(GetParam(), 1, Tier::Baseline));
  auto module = compileTestModule(engine, "shared_counter");
  ASSERT_TRUE(module);
  MemoryType type;
  type.limits.min = 1;
  type.limits.max = 200;
  type.limits.shared = true;
  Result<std::shared_ptr<LinearMemory>> memory = LinearMemory::create(type, GetParam());
  ASSERT_TRUE(memory);
  uint8_t* base = memory.value()->data();
  constexpr int kThreads = 4, kAdds = 100000, kGrows = 40;
  std::mutex lock;
  std::vector<int32_t> oldSizes;
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t)
    workers.emplace_back([&] {
      std::vector<Extern> imports{Extern::of(memory.value())};
      InstantiateOutcome outcome = Instance::create(module, imports);
      if (!outcome.ok()) {
        ++failures;
        return;
      }
      Instance& instance = *outcome.instance;
      std::vector<int32_t> mine;
      for (int round = 0; round < kGrows; ++round) {
        CallOutcome added = call(*instance.exportedFunction("add"), std::vector<Value>{Value::i32(kAdds / kGrows)});
        CallOutcome grown = call(*instance.exportedFunction("grow"), {});
        CallOutcome touched = call(*instance.exportedFunction("touch_last"), {});
        if (!added.ok() || !grown.ok() || !touched.ok() || touched.results[0] != Value::i32(42)) ++failures;
        if (grown.ok()) mine.push_back(static_cast<int32_t>(grown.results[0].asI32()));
      }
      std::lock_guard hold(lock);
      oldSizes.insert(oldSizes.end(), mine.begin(), mine.end());
    });
  for (std::thread& worker : workers) worker.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(std::atomic_ref<uint32_t>(*reinterpret_cast<uint32_t*>(base)).load(), uint32_t{kThreads * kAdds});
  EXPECT_EQ(memory.value()->data(), base) << "a shared memory never moves";
  // 160 grows of one page from 1 page, never over the maximum of 200: each
  // grow saw a different old size, 1 to 160.
  EXPECT_EQ(memory.value()->pages(), uint64_t{1 + kThreads * kGrows});
  std::set<int32_t> distinct(oldSizes.begin(), oldSizes.end());
  EXPECT_EQ(distinct.size(), size_t{kThreads * kGrows});
  EXPECT_EQ(*distinct.begin(), 1);
  EXPECT_EQ(*distinct.rbegin(), kThreads * kGrows);
}

INSTANTIATE_TEST_SUITE_P(Strategies, WasiThreadsTest,
                         ::testing::Values(MemoryStrategy::Guard, MemoryStrategy::BoundsChecked),
                         [](const auto& info) {
                           return std::string(info.param == MemoryStrategy::Guard ? "Guard" : "BoundsChecked");
                         });

}  // namespace
}  // namespace weft::test
