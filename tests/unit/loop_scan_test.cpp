// The baseline's loop look-ahead (compiler/baseline/loop_scan.h): the
// locals a loop uses and their weights, memory accesses, where the loop ends,
// and that it gives up, rather than guess or read past the bytes, on
// anything it does not know, on a truncated body and past its budget.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "compiler/baseline/loop_scan.h"

namespace weft {
namespace {

// Bodies start just past a loop's block type, as the compiler hands them.
constexpr uint8_t kEnd = 0x0b, kLoop = 0x03, kBlock = 0x02, kIf = 0x04, kVoid = 0x40;
constexpr uint8_t kLocalGet = 0x20, kLocalSet = 0x21, kLocalTee = 0x22, kDrop = 0x1a;

uint32_t weightOf(const LoopScanner& scan, uint32_t local) {
  for (const LoopLocalUse& u : scan.locals())
    if (u.local == local) return u.weight;
  return 0;
}

TEST(LoopScan, WeighsTheLoopsOwnUsesAndEachNestedLoopOnce) {
  std::vector<uint8_t> body = {
      kLocalGet, 1, kLocalSet, 2,                  // own body: a read of 1, a write of 2
      kLoop, kVoid,                                // a nested loop: 3 read and written many times,
      kLocalGet, 3, kLocalTee, 3, kLocalSet, 3,    // counted once, as written (2)
      kLocalGet, 4, kDrop,                         // 4 only read there (1)
      kEnd,
      kLoop, kVoid, kLocalGet, 3, kDrop, kEnd,     // a second nested loop reads 3: one more
      kBlock, kVoid, kLocalGet, 1, kDrop, kEnd,    // a block is not a loop: a plain read of 1
      kEnd,                                        // the scanned loop's end
      kLocalSet, 5,                                // past the end: not the loop's
  };
  LoopScanner scan;
  ASSERT_TRUE(scan.scan(body, 6));
  EXPECT_EQ(weightOf(scan, 1), 2u);
  EXPECT_EQ(weightOf(scan, 2), 2u);
  EXPECT_EQ(weightOf(scan, 3), 3u);
  EXPECT_EQ(weightOf(scan, 4), 1u);
  EXPECT_EQ(weightOf(scan, 5), 0u);
  EXPECT_FALSE(scan.accessesMemory());
  EXPECT_EQ(scan.loopEnd(), body.data() + 28);
  ASSERT_EQ(scan.locals().size(), 4u);
  for (size_t i = 1; i < scan.locals().size(); ++i)
    EXPECT_GE(scan.locals()[i - 1].weight, scan.locals()[i].weight) << "heaviest first";
}

TEST(LoopScan, SkipsEveryImmediateLayoutToTheRightEnd) {
  std::vector<uint8_t> body = {
      0x41, 0xff, 0xff, 0xff, 0xff, 0x07,              // i32.const, a 5-byte LEB
      0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01,  // i64.const, 10 bytes
      kDrop, kDrop,
      0x43, 0x0b, 0x0b, 0x0b, 0x0b, kDrop,             // f32.const whose bytes look like `end`
      0x44, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, kDrop,
      kIf, 0x7f, 0x41, 0x00, 0x05, 0x41, 0x01, kEnd, kDrop,  // if (result i32) else end
      0x0e, 0x02, 0x00, 0x01, 0x00,                    // br_table of 2 and a default
      0x28, 0x02, 0x80, 0x01, kDrop,                   // i32.load align=2 offset=128
      0xfd, 0x0c, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,  // v128.const
      0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, kDrop,
      0xfd, 0x54, 0x00, 0x00, 0x03,                    // v128.load8_lane: memarg, lane
      0x1c, 0x01, 0x7f,                                // select with one type
      0x11, 0x00, 0x00,                                // call_indirect type 0 table 0
      0xfc, 0x0a, 0x00, 0x00,                          // memory.copy 0 0
      kLocalGet, 0x81, 0x01,                           // local.get 129, a 2-byte index
      kEnd,
  };
  LoopScanner scan;
  ASSERT_TRUE(scan.scan(body, 200));
  EXPECT_EQ(scan.loopEnd(), body.data() + body.size() - 1);
  EXPECT_TRUE(scan.accessesMemory());
  EXPECT_EQ(weightOf(scan, 129), 1u);
}

TEST(LoopScan, GivesUpOnWhatItCannotRead) {
  LoopScanner scan;
  std::vector<uint8_t> truncated = {kLocalGet, 1, kLoop, kVoid, kEnd};  // the outer end is missing
  EXPECT_FALSE(scan.scan(truncated, 4));
  EXPECT_TRUE(scan.locals().empty());
  EXPECT_EQ(scan.loopEnd(), nullptr);
  std::vector<uint8_t> cutLeb = {0x41, 0xff, 0xff};  // runs off in a LEB
  EXPECT_FALSE(scan.scan(cutLeb, 4));
  std::vector<uint8_t> unknown = {0x06, kVoid, kEnd, kEnd};  // `try`: not an opcode Weft decodes
  EXPECT_FALSE(scan.scan(unknown, 4));
  std::vector<uint8_t> unknownPrefixed = {0xfc, 0x80, 0x02, kEnd};  // sub-opcode 256
  EXPECT_FALSE(scan.scan(unknownPrefixed, 4));
  std::vector<uint8_t> multiMemory = {0x28, 0x42, 0x01, 0x00, kDrop, kEnd};  // a memory index in the memarg
  EXPECT_FALSE(scan.scan(multiMemory, 4));
  std::vector<uint8_t> hugeBrTable = {0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, kEnd};
  EXPECT_FALSE(scan.scan(hugeBrTable, 4));
  std::vector<uint8_t> deep(65 * 2, 0);
  for (size_t i = 0; i < 65; ++i) deep[2 * i] = kBlock, deep[2 * i + 1] = kVoid;
  deep.insert(deep.end(), 66, kEnd);
  EXPECT_FALSE(scan.scan(deep, 4)) << "nesting past 64 blocks";
}

TEST(LoopScan, GivesUpPastItsBudgetAndIgnoresUnknownLocals) {
  LoopScanner scan;
  std::vector<uint8_t> longBody;
  while (longBody.size() <= LoopScanner::kBudgetBytes) longBody.insert(longBody.end(), {kLocalGet, 0, kDrop});
  longBody.push_back(kEnd);
  EXPECT_FALSE(scan.scan(longBody, 1));
  std::vector<uint8_t> body = {kLocalGet, 7, kDrop, kLocalGet, 0, kDrop,
                               kLocalSet, 0xff, 0xff, 0xff, 0xff, 0x0f, kEnd};  // local 2^32-1
  ASSERT_TRUE(scan.scan(body, 1));  // local 7 does not exist: the iterator reports it; the scan ignores it
  ASSERT_EQ(scan.locals().size(), 1u);
  EXPECT_EQ(scan.locals()[0].local, 0u);
  // A scan over fewer locals after one over more: indices of the earlier
  // function's are unknown now.
  ASSERT_TRUE(scan.scan(body, 8));
  ASSERT_TRUE(scan.scan(body, 1));
  EXPECT_EQ(scan.locals().size(), 1u);
}

}  // namespace
}  // namespace weft
