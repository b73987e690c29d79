#include "support/byte_reader.h"

#include <gtest/gtest.h>

#include <vector>

namespace weft {
namespace {

struct Leb {
  std::vector<uint8_t> bytes;
  ByteReader reader() const { return ByteReader(bytes.data(), bytes.data() + bytes.size(), 100); }
};

TEST(ByteReader, UnsignedLebDecodesMinimalAndPaddedForms) {
  uint32_t v;
  Leb one{{0x05}};
  auto r1 = one.reader();
  ASSERT_TRUE(r1.readVarU32(v));
  EXPECT_EQ(v, 5u);
  // 5 encoded with redundant continuation bytes is still 5.
  Leb padded{{0x85, 0x80, 0x80, 0x80, 0x00}};
  auto r2 = padded.reader();
  ASSERT_TRUE(r2.readVarU32(v));
  EXPECT_EQ(v, 5u);
  Leb max{{0xff, 0xff, 0xff, 0xff, 0x0f}};
  auto r3 = max.reader();
  ASSERT_TRUE(r3.readVarU32(v));
  EXPECT_EQ(v, 0xffffffffu);
  EXPECT_TRUE(r3.atEnd());
}

TEST(ByteReader, UnsignedLebRejectsUnusedBitsAndOverlongForms) {
  uint32_t v;
  Leb unusedBits{{0xff, 0xff, 0xff, 0xff, 0x1f}};
  auto r1 = unusedBits.reader();
  EXPECT_FALSE(r1.readVarU32(v));
  EXPECT_EQ(r1.failureMessage(), "integer too large");
  EXPECT_EQ(r1.failureOffset(), 100u);  // reported where the integer starts
  Leb tooLong{{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}};
  auto r2 = tooLong.reader();
  EXPECT_FALSE(r2.readVarU32(v));
  EXPECT_EQ(r2.failureMessage(), "integer representation too long");
  Leb truncated{{0x80, 0x80}};
  auto r3 = truncated.reader();
  EXPECT_FALSE(r3.readVarU32(v));
  EXPECT_EQ(r3.failureMessage(), "unexpected end");
  EXPECT_EQ(r3.failureOffset(), 102u);
}

TEST(ByteReader, SignedLebSignExtendsAndChecksTheLastByte) {
  int32_t v;
  Leb minusOne{{0x7f}};
  auto r1 = minusOne.reader();
  ASSERT_TRUE(r1.readVarS32(v));
  EXPECT_EQ(v, -1);
  Leb min{{0x80, 0x80, 0x80, 0x80, 0x78}};
  auto r2 = min.reader();
  ASSERT_TRUE(r2.readVarS32(v));
  EXPECT_EQ(v, INT32_MIN);
  // The last byte's unused bits must copy the sign bit.
  Leb badSign{{0x80, 0x80, 0x80, 0x80, 0x70}};
  auto r3 = badSign.reader();
  EXPECT_FALSE(r3.readVarS32(v));
  Leb badPositive{{0xff, 0xff, 0xff, 0xff, 0x0f}};  // 0xffffffff is not an s32
  auto r4 = badPositive.reader();
  EXPECT_FALSE(r4.readVarS32(v));
}

TEST(ByteReader, S33AndS64Ranges) {
  int64_t v;
  Leb s33max{{0xff, 0xff, 0xff, 0xff, 0x0f}};  // 2^32 - 1 fits s33
  auto r1 = s33max.reader();
  ASSERT_TRUE(r1.readVarS33(v));
  EXPECT_EQ(v, 0xffffffffll);
  Leb s64min{{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}};
  auto r2 = s64min.reader();
  ASSERT_TRUE(r2.readVarS64(v));
  EXPECT_EQ(v, INT64_MIN);
  Leb s64bad{{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}};
  auto r3 = s64bad.reader();
  EXPECT_FALSE(r3.readVarS64(v));
}

TEST(ByteReader, FirstFailureWinsAndOutputsAreZeroed) {
  Leb empty{{}};
  auto r = empty.reader();
  uint8_t byte = 7;
  uint64_t wide = 7;
  EXPECT_FALSE(r.readByte(byte));
  EXPECT_EQ(byte, 0);
  EXPECT_FALSE(r.readFixedU64(wide));
  EXPECT_EQ(wide, 0u);
  r.failAtOffset(5, "a later problem");
  EXPECT_EQ(r.failureMessage(), "unexpected end");
  EXPECT_EQ(r.failureOffset(), 100u);
}

}  // namespace
}  // namespace weft
