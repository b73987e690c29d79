// DESIGN 1 and 5, shown: one Module's code serves every instance, on every
// thread, and is never written after creation.
#include <gtest/gtest.h>

#include <sys/mman.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "runtime/code_cache.h"
#include "runtime_test_support.h"

namespace weft::test {
namespace {

uint64_t codeHash(const uint8_t* data, size_t size) { return checksum64(data, size); }

// The permissions of the mapping that contains {address}, from /proc/self/maps.
std::string mappingPermissions(const void* address) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  auto target = reinterpret_cast<uintptr_t>(address);
  while (std::getline(maps, line)) {
    uintptr_t start = 0, end = 0;
    char perms[8] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %7s", &start, &end, perms) == 3 && target >= start && target < end)
      return perms;
  }
  return "";
}

TEST(Sharing, TenThousandInstancesShareOneCopyOfTheCode) {
  auto engine = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::BoundsChecked, 1, Tier::Baseline));
  auto module = compileTestModule(engine, "counter");
  ASSERT_TRUE(module);
  const uint8_t* code = module->code().memory().data();
  size_t codeSize = module->code().memory().size();
  uint64_t hashBefore = codeHash(code, codeSize);

  constexpr int kInstances = 10000;
  std::vector<std::shared_ptr<Instance>> instances;
  instances.reserve(kInstances);
  for (int i = 0; i < kInstances; ++i) {
    InstantiateOutcome outcome = Instance::create(module, {});
    ASSERT_TRUE(outcome.ok()) << "instance " << i;
    instances.push_back(outcome.instance);
  }
  // Each instance has its own state: bumping one twice does not touch the others.
  for (int i = 0; i < kInstances; ++i) {
    CallOutcome out = call(*instances[i]->exportedFunction("bump"), {});
    ASSERT_TRUE(out.ok());
    ASSERT_EQ(out.results[0], Value::i32(1001));
  }
  EXPECT_EQ(call(*instances[7]->exportedFunction("bump"), {}).results.at(0), Value::i32(2002));
  EXPECT_EQ(call(*instances[8]->exportedFunction("bump"), {}).results.at(0), Value::i32(2002));

  EngineMemoryUsage usage = engine->memoryUsage();
  EXPECT_EQ(usage.modules, 1u);
  EXPECT_EQ(usage.instances, static_cast<uint32_t>(kInstances));
  EXPECT_EQ(usage.code, module->codeBytes()) << "code counted once, not per instance";
  EXPECT_EQ(usage.linearMemory, uint64_t{kInstances} * kPageSize);
  InstanceMemoryUsage one = instances[0]->memoryUsage();
  EXPECT_EQ(usage.instanceData, uint64_t{kInstances} * one.instanceData);
  EXPECT_LT(one.instanceData, 4096u) << "instance data should be small for a small module";
  std::printf("[ figures ] 10000 bounds-checked instances: code %llu bytes once, instance data %llu bytes each\n",
              static_cast<unsigned long long>(usage.code), static_cast<unsigned long long>(one.instanceData));

  // Same bytes, and never writable: W^X.
  EXPECT_EQ(codeHash(code, codeSize), hashBefore);
  EXPECT_EQ(mappingPermissions(code), "r-xp");
  instances.clear();
  EXPECT_EQ(engine->memoryUsage().instances, 0u);
}

TEST(Sharing, GuardInstancesUpToTheAddressSpaceThenACleanError) {
  auto engine = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::Guard, 1, Tier::Baseline));
  auto module = compileTestModule(engine, "counter");
  ASSERT_TRUE(module);
  std::vector<std::shared_ptr<Instance>> instances;
  std::optional<Error> limit;
  constexpr int kCap = 40000;  // 40000 x 8 GiB is more than a 47-bit address space holds
  while (instances.size() < kCap) {
    InstantiateOutcome outcome = Instance::create(module, {});
    if (outcome.error) {
      limit = outcome.error;
      break;
    }
    ASSERT_FALSE(outcome.trap);
    instances.push_back(outcome.instance);
  }
  ASSERT_TRUE(limit) << "expected the address space to run out before " << kCap << " guarded memories";
  EXPECT_EQ(limit->kind, ErrorKind::LimitExceeded);
  EXPECT_NE(limit->message.find("address space"), std::string::npos) << limit->message;
  EXPECT_GT(instances.size(), 100u);  // sanitizers take much of the address space
  std::printf("[ figures ] guard strategy: %zu instances before the address space ran out (%s)\n",
              instances.size(), limit->message.c_str());
  // Everything made so far still works.
  EXPECT_EQ(call(*instances.back()->exportedFunction("bump"), {}).results.at(0), Value::i32(1001));
  instances.resize(10);
  EXPECT_TRUE(Instance::create(module, {}).ok()) << "freed reservations are reusable";
}

TEST(Sharing, OneModuleInstantiatedAndRunFromManyThreads) {
  for (MemoryStrategy strategy : {MemoryStrategy::Guard, MemoryStrategy::BoundsChecked}) {
    auto engine = std::make_shared<Engine>(EngineConfig::with(strategy, 0, Tier::Baseline));
    auto module = compileTestModule(engine, "traps");
    ASSERT_TRUE(module);
    uint64_t hashBefore = codeHash(module->code().memory().data(), module->code().memory().size());
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 200; ++i) {
          InstantiateOutcome outcome = Instance::create(module, {});
          if (!outcome.ok()) {
            failures++;
            continue;
          }
          Func divide = *outcome.instance->exportedFunction("divide");
          CallOutcome out = call(divide, std::vector{Value::i32(1000 * t + i), Value::i32(1)});
          if (!out.ok() || out.results[0] != Value::i32(1000 * t + i)) failures++;
          CallOutcome trap = call(divide, std::vector{Value::i32(1), Value::i32(0)});
          if (!trap.trap || trap.trap->kind != TrapKind::IntegerDivideByZero) failures++;
          CallOutcome fault = call(*outcome.instance->exportedFunction("load"), std::vector{Value::i32(kPageSize)});
          if (!fault.trap || fault.trap->kind != TrapKind::MemoryOutOfBounds) failures++;
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0) << memoryStrategyName(strategy);
    EXPECT_EQ(codeHash(module->code().memory().data(), module->code().memory().size()), hashBefore);
  }
}

TEST(Sharing, ModulesCompiledInParallelMatchSerialCompilation) {
  auto serial = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::Guard, 1, Tier::Baseline));
  auto parallel = std::make_shared<Engine>(EngineConfig::with(MemoryStrategy::Guard, 4, Tier::Baseline));
  auto a = compileTestModule(serial, "traps");
  auto b = compileTestModule(parallel, "traps");
  ASSERT_TRUE(a && b);
  ASSERT_EQ(a->code().memory().size(), b->code().memory().size());
  EXPECT_EQ(codeHash(a->code().memory().data(), a->code().memory().size()),
            codeHash(b->code().memory().data(), b->code().memory().size()))
      << "code must not depend on the compiling thread or the engine instance";
}

}  // namespace
}  // namespace weft::test
