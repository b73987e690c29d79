// Initial memory images (runtime/memory_image.h): a module's data segments are
// laid out once and mapped copy-on-write into each instance's memory. Every
// instance sees the segments (a later one over an earlier one), a write in one
// never shows in another nor in an instance made later, growing keeps the
// contents, and a module whose segments cannot be imaged instantiates (or
// traps) as it always did.
#include <gtest/gtest.h>

#include "module_builder.h"
#include "runtime/linear_memory.h"
#include "runtime_test_support.h"

namespace weft::test {
namespace {

constexpr uint32_t kBigSegment = 100000;  // past MemoryImage::kMinDataBytes

uint8_t pattern(uint32_t i) { return static_cast<uint8_t>(i * 7 + 3); }

// A memory of {minPages} (max 10) exported as "memory", a segment of
// {bigBytes} pattern bytes at {bigAt}, then "WEFT!" at 10 over it.
Bytes imageModule(uint32_t minPages, uint32_t bigAt, uint32_t bigBytes) {
  Bytes big;
  for (uint32_t i = 0; i < bigBytes; ++i) big.push_back(pattern(i));
  auto activeSegment = [](uint32_t offset, const Bytes& data) {
    Bytes out{0x00, 0x41};  // active, memory 0, i32.const offset
    appendS32(out, static_cast<int32_t>(offset));
    out.push_back(0x0b);
    appendU32(out, static_cast<uint32_t>(data.size()));
    out.insert(out.end(), data.begin(), data.end());
    return out;
  };
  Bytes memoryType = cat({Bytes{0x01}, u32(minPages), u32(10)});
  Bytes exportMemory = cat({u32(6), Bytes{'m', 'e', 'm', 'o', 'r', 'y'}, Bytes{0x02}, u32(0)});
  return cat({header(), section(5, vec({memoryType})), section(7, vec({exportMemory})),
              section(11, vec({activeSegment(bigAt, big), activeSegment(10, Bytes{'W', 'E', 'F', 'T', '!'})}))});
}

class MemoryImages : public ::testing::TestWithParam<MemoryStrategy> {
 protected:
  std::shared_ptr<Engine> engine_ = std::make_shared<Engine>(EngineConfig::with(GetParam(), 1, Tier::Baseline));

  std::shared_ptr<const Module> compile(const Bytes& bytes) {
    Result<std::shared_ptr<const Module>> module = Module::compile(engine_, bytes);
    if (!module) ADD_FAILURE() << module.error().describe();
    return module ? module.value() : nullptr;
  }
  static LinearMemory& memoryOf(const std::shared_ptr<Instance>& instance) {
    return *instance->exportByName("memory")->memory;
  }
  static bool holdsSegments(LinearMemory& memory, uint32_t bigAt = 0) {
    const uint8_t* bytes = memory.data();
    if (std::memcmp(bytes + 10, "WEFT!", 5) != 0) return false;
    for (uint32_t i = 0; i < kBigSegment; ++i) {
      uint32_t at = bigAt + i;
      if (at >= 10 && at < 15) continue;
      if (bytes[at] != pattern(i)) return false;
    }
    return true;
  }
};

TEST_P(MemoryImages, InstancesShareTheImageButNeverTheirWrites) {
  auto module = compile(imageModule(4, 0, kBigSegment));
  ASSERT_TRUE(module);
  auto first = instantiateOk(module);
  auto second = instantiateOk(module);
  ASSERT_TRUE(first && second);
  std::shared_ptr<const MemoryImage> image = module->memoryImage(0);
  ASSERT_TRUE(image) << "100000 bytes of segments are worth an image";
  EXPECT_GE(image->size(), kBigSegment);
  EXPECT_EQ(image->size() % 4096, 0u);
  LinearMemory& one = memoryOf(first);
  LinearMemory& two = memoryOf(second);
  ASSERT_TRUE(holdsSegments(one));
  ASSERT_TRUE(holdsSegments(two));
  EXPECT_EQ(one.data()[kBigSegment + 5], 0) << "past the segments the memory is zero";

  // Writes inside the image (the overlapping segment's bytes too), at its
  // last byte, and past it.
  for (uint32_t at : {0u, 12u, 50000u, static_cast<uint32_t>(image->size()) - 1, 200000u}) one.data()[at] = 0xee;
  two.data()[50001] = 0x11;
  EXPECT_EQ(two.data()[0], pattern(0));
  EXPECT_EQ(two.data()[12], 'F');
  EXPECT_EQ(two.data()[50000], pattern(50000));
  EXPECT_EQ(two.data()[image->size() - 1], image->size() - 1 < kBigSegment ? pattern(image->size() - 1) : 0);
  EXPECT_EQ(two.data()[200000], 0);
  EXPECT_EQ(one.data()[50001], pattern(50001)) << "the second instance's write showed in the first";
  two.data()[50001] = pattern(50001);  // as it was: holdsSegments(two) below

  // A later instance starts from the image, not from anyone's writes.
  auto third = instantiateOk(module);
  ASSERT_TRUE(third);
  EXPECT_TRUE(holdsSegments(memoryOf(third)));

  // Growing (bounds-checked: the memory moves, the image's pages copied
  // along) keeps every byte, and the new pages are zero.
  ASSERT_EQ(one.grow(3), 4);
  EXPECT_EQ(one.data()[0], 0xee);
  EXPECT_EQ(one.data()[12], 0xee);
  EXPECT_EQ(one.data()[1], pattern(1));
  EXPECT_EQ(one.data()[200000], 0xee);
  EXPECT_EQ(one.data()[7 * 65536 - 1], 0);
  one.data()[7 * 65536 - 1] = 1;
  EXPECT_TRUE(holdsSegments(two)) << "another instance's grow changed this one";
  EXPECT_EQ(two.pages(), 4u);
  // And after the grow, writes still stay where they are made.
  one.data()[3] = 0x42;
  EXPECT_EQ(two.data()[3], pattern(3));
  EXPECT_EQ(memoryOf(third).data()[3], pattern(3));
}

TEST_P(MemoryImages, AnImageCoveringTheWholeMemoryGrows) {
  // 2 pages, all of them data: the image is the whole memory, one mapping of
  // the image file, which must not be stretched past the file's end.
  auto module = compile(imageModule(2, 0, 2 * 65536));
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  auto other = instantiateOk(module);
  ASSERT_TRUE(instance && other);
  ASSERT_TRUE(module->memoryImage(0));
  EXPECT_EQ(module->memoryImage(0)->size(), 2u * 65536);
  LinearMemory& memory = memoryOf(instance);
  memory.data()[100] = 0x5a;
  ASSERT_EQ(memory.grow(2), 2);
  for (uint32_t at = 2 * 65536; at < 4 * 65536; at += 4096) {
    ASSERT_EQ(memory.data()[at], 0) << at;
    memory.data()[at] = 0x77;
  }
  EXPECT_EQ(memory.data()[4 * 65536 - 1], 0);
  EXPECT_EQ(memory.data()[100], 0x5a);
  EXPECT_EQ(memory.data()[65536 + 7], pattern(65536 + 7));
  EXPECT_EQ(memoryOf(other).data()[100], pattern(100));
  ASSERT_EQ(memory.grow(1), 4) << "and again, by the usual way";
  EXPECT_EQ(memory.data()[2 * 65536], 0x77);
}

TEST_P(MemoryImages, ASegmentAtAnOffsetPlacesTheImageThere) {
  auto module = compile(imageModule(4, 70000, kBigSegment));
  ASSERT_TRUE(module);
  auto instance = instantiateOk(module);
  ASSERT_TRUE(instance);
  ASSERT_TRUE(module->memoryImage(0));
  LinearMemory& memory = memoryOf(instance);
  EXPECT_EQ(std::memcmp(memory.data() + 10, "WEFT!", 5), 0);
  EXPECT_EQ(memory.data()[9], 0);
  EXPECT_EQ(memory.data()[69999], 0);
  for (uint32_t i = 0; i < kBigSegment; ++i) ASSERT_EQ(memory.data()[70000 + i], pattern(i)) << i;
}

TEST_P(MemoryImages, SegmentsThatCannotBeImagedInstantiateAsBefore) {
  // Past the memory's minimum: no image, and instantiation traps.
  auto outOfBounds = compile(imageModule(2, 65536, kBigSegment));
  ASSERT_TRUE(outOfBounds);
  EXPECT_FALSE(outOfBounds->memoryImage(0));
  InstantiateOutcome trapped = Instance::create(outOfBounds, {});
  ASSERT_TRUE(trapped.trap);
  EXPECT_EQ(trapped.trap->kind, TrapKind::MemoryOutOfBounds);
  // At the extremes of a 32-bit offset: no image, and the same trap.
  for (uint32_t offset : {0x7fffffffu, 0x80000000u, 0xffffffffu}) {
    auto far = compile(imageModule(4, offset, kBigSegment));
    ASSERT_TRUE(far);
    EXPECT_FALSE(far->memoryImage(0)) << offset;
    InstantiateOutcome farTrap = Instance::create(far, {});
    ASSERT_TRUE(farTrap.trap) << offset;
    EXPECT_EQ(farTrap.trap->kind, TrapKind::MemoryOutOfBounds);
  }
  // Too little data to be worth a mapping: copied, as before.
  auto small = compile(imageModule(1, 100, 1000));
  ASSERT_TRUE(small);
  EXPECT_FALSE(small->memoryImage(0));
  auto instance = instantiateOk(small);
  ASSERT_TRUE(instance);
  EXPECT_EQ(std::memcmp(memoryOf(instance).data() + 10, "WEFT!", 5), 0);
  EXPECT_EQ(memoryOf(instance).data()[100 + 999], pattern(999));
  // No memory index past the module's.
  EXPECT_FALSE(small->memoryImage(1));
  EXPECT_FALSE(small->memoryImage(UINT32_MAX));
}

TEST_P(MemoryImages, TheImageIsCountedOnceInTheModulesMetadata) {
  auto module = compile(imageModule(4, 0, kBigSegment));
  ASSERT_TRUE(module);
  uint64_t before = module->metadataBytes();
  auto first = instantiateOk(module);
  uint64_t withImage = module->metadataBytes();
  EXPECT_GE(withImage - before, module->memoryImage(0)->size());
  auto second = instantiateOk(module);
  EXPECT_EQ(module->metadataBytes(), withImage) << "a second instance added to the shared image";
}

WEFT_FOR_EACH_STRATEGY(MemoryImages);

}  // namespace
}  // namespace weft::test
