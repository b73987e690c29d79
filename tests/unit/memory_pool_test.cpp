// The memory pool (runtime/memory_pool.h): a dropped instance's memory is
// kept, zeroed, and reused by the engine's next instance, which must see
// nothing of the one before: every byte reads zero (also past the pages
// kept resident, and in pages the earlier instance grew), the memory has its
// own module's size, an access past its end still traps, and memories that
// cannot be pooled (an image's file mapping) are unmapped as before.
#include <gtest/gtest.h>

#include "module_builder.h"
#include "runtime/linear_memory.h"
#include "runtime/memory_pool.h"
#include "runtime_test_support.h"

namespace weft::test {
namespace {

class MemoryPools : public ::testing::TestWithParam<MemoryStrategy> {
 protected:
  std::shared_ptr<Engine> engineWith(uint32_t slots, uint64_t keepResident = uint64_t{1} << 20) {
    EngineConfig config = EngineConfig::with(GetParam(), 1, Tier::Baseline);
    config.memoryPoolSlots = slots;
    config.memoryPoolKeepResidentBytes = keepResident;
    return std::make_shared<Engine>(config);
  }
  static LinearMemory& memoryOf(const std::shared_ptr<Instance>& instance) {
    return *instance->exportByName("memory")->memory;
  }
  static int32_t callI32(const std::shared_ptr<Instance>& instance, const char* name, int32_t arg) {
    Value argument{ValType::I32, static_cast<uint32_t>(arg)};
    CallOutcome outcome = call(exported(instance, name), std::span<const Value>(&argument, 1));
    EXPECT_TRUE(outcome.ok()) << name;
    return outcome.ok() && !outcome.results.empty() ? static_cast<int32_t>(outcome.results[0].bits) : -1;
  }
  static bool loadTraps(const std::shared_ptr<Instance>& instance, uint32_t address) {
    Value argument{ValType::I32, address};
    CallOutcome outcome = call(exported(instance, "load"), std::span<const Value>(&argument, 1));
    return outcome.trap.has_value();
  }
  static bool allZero(LinearMemory& memory) {
    const uint8_t* bytes = memory.data();
    for (uint64_t i = 0; i < memory.byteLength(); ++i)
      if (bytes[i] != 0) return false;
    return true;
  }
  // An instance that grows its memory to {pages} and writes 0xab over all of it.
  static void dirty(const std::shared_ptr<Instance>& instance, uint32_t pages) {
    uint32_t now = static_cast<uint32_t>(memoryOf(instance).pages());
    if (pages > now) {
      EXPECT_EQ(callI32(instance, "grow", static_cast<int32_t>(pages - now)), static_cast<int32_t>(now));
    }
    Value byte{ValType::I32, 0xab};
    EXPECT_TRUE(call(exported(instance, "fill"), std::span<const Value>(&byte, 1)).ok());
    EXPECT_EQ(memoryOf(instance).data()[memoryOf(instance).byteLength() - 1], 0xab);
  }
};

TEST_P(MemoryPools, TheNextInstanceGetsTheMemoryZeroedAtItsOwnSize) {
  auto engine = engineWith(4);
  auto module = compileTestModule(engine, "pooled_memory");
  ASSERT_TRUE(module);
  uint8_t* firstBase;
  {
    auto first = instantiateOk(module);
    ASSERT_TRUE(first);
    firstBase = memoryOf(first).data();
    dirty(first, 3);
  }
  EXPECT_EQ(engine->memoryUsage().pooledMemories, 1u);
  auto second = instantiateOk(module);
  ASSERT_TRUE(second);
  if (GetParam() == MemoryStrategy::Guard) {
    // Any guard reservation fits: this one was grown to 3 pages.
    EXPECT_EQ(engine->memoryPool()->reuses(), 1u);
    EXPECT_EQ(memoryOf(second).data(), firstBase);
  }
  EXPECT_EQ(memoryOf(second).pages(), 1u);
  EXPECT_TRUE(allZero(memoryOf(second)));
  EXPECT_TRUE(loadTraps(second, 65536)) << "the page the first instance grew must not be accessible";
  EXPECT_FALSE(loadTraps(second, 65535));
  EXPECT_EQ(callI32(second, "grow", 2), 1);
  EXPECT_TRUE(allZero(memoryOf(second))) << "the pages grown again must read zero";
}

TEST_P(MemoryPools, PagesPastTheResidentWindowAreZeroedToo) {
  auto engine = engineWith(4, /*keepResident=*/4096);
  auto module = compileTestModule(engine, "pooled_memory_3_pages");
  ASSERT_TRUE(module);
  for (int round = 0; round < 3; ++round) {
    auto instance = instantiateOk(module);
    ASSERT_TRUE(instance);
    EXPECT_EQ(memoryOf(instance).pages(), 3u);
    EXPECT_TRUE(allZero(memoryOf(instance))) << "round " << round;
    dirty(instance, 3);
  }
  EXPECT_EQ(engine->memoryPool()->reuses(), 2u);
}

TEST_P(MemoryPools, SameSizedMemoriesAreReusedInBothStrategies) {
  auto engine = engineWith(4);
  auto module = compileTestModule(engine, "pooled_memory");
  ASSERT_TRUE(module);
  for (int round = 0; round < 5; ++round) {
    auto instance = instantiateOk(module);
    ASSERT_TRUE(instance);
    EXPECT_TRUE(allZero(memoryOf(instance))) << "round " << round;
    dirty(instance, 1);
  }
  EXPECT_EQ(engine->memoryPool()->reuses(), 4u);
  EXPECT_EQ(engine->memoryUsage().pooledMemories, 1u);
}

// Guard: the reservation is reused, its accessible size cut back.
// Bounds-checked: a mapping is reused at its own size only, so this one is not.
TEST_P(MemoryPools, AMemoryOfAnotherSizeIsCutBackOrNotReused) {
  auto engine = engineWith(4);
  auto big = compileTestModule(engine, "pooled_memory_3_pages");
  auto small = compileTestModule(engine, "pooled_memory");
  ASSERT_TRUE(big && small);
  dirty(instantiateOk(big), 3);
  auto instance = instantiateOk(small);
  ASSERT_TRUE(instance);
  EXPECT_EQ(engine->memoryPool()->reuses(), GetParam() == MemoryStrategy::Guard ? 1u : 0u);
  EXPECT_EQ(memoryOf(instance).pages(), 1u);
  EXPECT_TRUE(allZero(memoryOf(instance)));
  EXPECT_TRUE(loadTraps(instance, 65536));
  EXPECT_TRUE(loadTraps(instance, 3 * 65536 - 1));
}

// Guard: a reservation cut back for a smaller memory, then opened up again
// for a larger one: the pages opened again (written two instances before)
// read zero and none is resident for nothing meanwhile.
TEST_P(MemoryPools, PagesOpenedAgainReadZero) {
  auto engine = engineWith(1);
  auto big = compileTestModule(engine, "pooled_memory_3_pages");
  auto small = compileTestModule(engine, "pooled_memory");
  ASSERT_TRUE(big && small);
  dirty(instantiateOk(big), 3);
  dirty(instantiateOk(small), 1);
  EXPECT_EQ(engine->memoryUsage().pooledMemoryBytes, 65536u) << "the cut-back pages were given back";
  auto instance = instantiateOk(big);
  ASSERT_TRUE(instance);
  EXPECT_EQ(engine->memoryPool()->reuses(), GetParam() == MemoryStrategy::Guard ? 2u : 0u);
  EXPECT_EQ(memoryOf(instance).pages(), 3u);
  EXPECT_TRUE(allZero(memoryOf(instance)));
}

// A full pool lets its oldest mapping go for the newest: bounds-checked
// mappings that grew (a size no new memory asks for) do not block it.
TEST_P(MemoryPools, AFullPoolEvictsItsOldestMapping) {
  auto engine = engineWith(2);
  auto module = compileTestModule(engine, "pooled_memory");
  ASSERT_TRUE(module);
  {
    auto a = instantiateOk(module), b = instantiateOk(module);
    ASSERT_TRUE(a && b);
    dirty(a, 5);
    dirty(b, 5);
  }
  EXPECT_EQ(engine->memoryUsage().pooledMemories, 2u);
  dirty(instantiateOk(module), 1);
  EXPECT_EQ(engine->memoryUsage().pooledMemories, 2u);
  auto next = instantiateOk(module);
  ASSERT_TRUE(next);
  EXPECT_TRUE(allZero(memoryOf(next)));
  EXPECT_EQ(engine->memoryPool()->reuses(), GetParam() == MemoryStrategy::Guard ? 2u : 1u)
      << "bounds-checked: the 1-page mapping was kept, a 5-page one evicted";
}

// A window that is not a whole number of pages is rounded up to wasm pages
// (madvise needs an aligned start): the pool still works.
TEST_P(MemoryPools, AnUnalignedWindowIsRoundedToPages) {
  auto engine = engineWith(4, /*keepResident=*/5000);
  auto module = compileTestModule(engine, "pooled_memory_3_pages");
  ASSERT_TRUE(module);
  dirty(instantiateOk(module), 3);
  EXPECT_EQ(engine->memoryUsage().pooledMemories, 1u);
  EXPECT_EQ(engine->memoryUsage().pooledMemoryBytes, 65536u);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  EXPECT_EQ(engine->memoryPool()->reuses(), 1u);
  EXPECT_TRUE(allZero(memoryOf(instance)));
}

TEST_P(MemoryPools, TheSlotsBoundWhatIsKept) {
  auto engine = engineWith(2);
  auto module = compileTestModule(engine, "pooled_memory");
  ASSERT_TRUE(module);
  {
    std::vector<std::shared_ptr<Instance>> live;
    for (int i = 0; i < 5; ++i) live.push_back(instantiateOk(module));
  }
  EXPECT_EQ(engine->memoryUsage().pooledMemories, 2u);
  auto none = engineWith(0);
  EXPECT_EQ(none->memoryPool(), nullptr);
  auto unpooled = compileTestModule(none, "pooled_memory");
  ASSERT_TRUE(unpooled);
  instantiateOk(unpooled);
  EXPECT_EQ(none->memoryUsage().pooledMemories, 0u);
}

TEST_P(MemoryPools, AMemoryTheHostHoldsReturnsWhenTheHostLetsGo) {
  auto engine = engineWith(4);
  auto module = compileTestModule(engine, "pooled_memory");
  ASSERT_TRUE(module);
  std::shared_ptr<LinearMemory> kept;
  {
    auto instance = instantiateOk(module);
    ASSERT_TRUE(instance);
    dirty(instance, 2);
    kept = instance->exportByName("memory")->memory;
  }
  EXPECT_EQ(engine->memoryUsage().pooledMemories, 0u) << "still in use by the host";
  EXPECT_EQ(kept->data()[65536 + 5], 0xab);
  kept.reset();
  EXPECT_EQ(engine->memoryUsage().pooledMemories, 1u);
}

TEST_P(MemoryPools, AMemoryMappedFromAnImageIsNotPooled) {
  auto engine = engineWith(4);
  Bytes segment{0x00, 0x41, 0x00, 0x0b};  // active, memory 0, offset 0
  appendU32(segment, 100000);
  segment.insert(segment.end(), 100000, 0x5a);
  Bytes memoryType = cat({Bytes{0x00}, u32(4)});
  Bytes exportMemory = cat({u32(6), Bytes{'m', 'e', 'm', 'o', 'r', 'y'}, Bytes{0x02}, u32(0)});
  Bytes bytes = cat({header(), section(5, vec({memoryType})), section(7, vec({exportMemory})),
                     section(11, vec({segment}))});
  Result<std::shared_ptr<const Module>> module = Module::compile(engine, bytes);
  ASSERT_TRUE(module) << module.error().describe();
  {
    auto instance = instantiateOk(module.value());
    ASSERT_TRUE(instance);
    ASSERT_TRUE(module.value()->memoryImage(0)) << "the test needs a memory image";
    memoryOf(instance).data()[7] = 1;
  }
  EXPECT_EQ(engine->memoryUsage().pooledMemories, 0u);
  auto next = instantiateOk(module.value());
  ASSERT_TRUE(next);
  EXPECT_EQ(memoryOf(next).data()[7], 0x5a);
}

WEFT_FOR_EACH_STRATEGY(MemoryPools);

}  // namespace
}  // namespace weft::test
