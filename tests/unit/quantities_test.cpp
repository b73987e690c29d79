// The command line's sizes and durations: units, case, and values at and past
// 64 bits (a limit that wraps to a small number would be a silent surprise).
#include "support/quantities.h"

#include <gtest/gtest.h>

namespace weft {
namespace {

TEST(Quantities, ByteSizesTakeBinaryUnitsInAnyCase) {
  EXPECT_EQ(parseByteSize("0"), 0u);
  EXPECT_EQ(parseByteSize("65536"), 65536u);
  EXPECT_EQ(parseByteSize("64K"), 65536u);
  EXPECT_EQ(parseByteSize("64kib"), 65536u);
  EXPECT_EQ(parseByteSize("64M"), 64u << 20);
  EXPECT_EQ(parseByteSize("2g"), uint64_t{2} << 30);
  EXPECT_EQ(parseByteSize("3T"), uint64_t{3} << 40);
  EXPECT_EQ(parseByteSize("7b"), 7u);
}

TEST(Quantities, ByteSizesRefuseWhatIsNotASizeOrDoesNotFit) {
  for (const char* bad : {"", "M", "-1", "1.5M", "64 M", "64MB", "64X", "0x10", "18446744073709551616",
                          "16777216T", "17179869184G"})
    EXPECT_FALSE(parseByteSize(bad)) << bad;
  EXPECT_EQ(parseByteSize("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parseByteSize("16777215T"), uint64_t{16777215} << 40);
}

TEST(Quantities, CountsAreDigitsOnly) {
  EXPECT_EQ(parseCount("0"), 0u);
  EXPECT_EQ(parseCount("4294967296"), uint64_t{1} << 32);
  EXPECT_EQ(parseCount("18446744073709551615"), UINT64_MAX);
  for (const char* bad : {"", "10K", "-1", "1e3", " 5", "5 ", "18446744073709551616"})
    EXPECT_FALSE(parseCount(bad)) << bad;
}

TEST(Quantities, DurationsNeedOneOfTheirUnits) {
  EXPECT_EQ(parseDuration("500ms"), std::chrono::milliseconds(500));
  EXPECT_EQ(parseDuration("2s"), std::chrono::milliseconds(2000));
  EXPECT_EQ(parseDuration("1m"), std::chrono::milliseconds(60000));
  EXPECT_EQ(parseDuration("1h"), std::chrono::milliseconds(3600000));
  EXPECT_EQ(parseDuration("0s"), std::chrono::milliseconds(0));
  for (const char* bad : {"", "2", "s", "1.5s", "-1s", "2 s", "2S", "2sec", "9223372036854775808ms",
                          "9223372036854776s", "99999999999999999999s"})
    EXPECT_FALSE(parseDuration(bad)) << bad;
  EXPECT_EQ(parseDuration("9223372036854775807ms"), std::chrono::milliseconds(INT64_MAX));
}

}  // namespace
}  // namespace weft
