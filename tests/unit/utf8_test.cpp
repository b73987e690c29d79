#include "support/utf8.h"

#include <gtest/gtest.h>

#include <string>

namespace weft {
namespace {

bool valid(const std::string& s) { return isValidUtf8(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(valid(""));
  EXPECT_TRUE(valid("plain ascii"));
  EXPECT_TRUE(valid("\xc3\xa9"));          // é
  EXPECT_TRUE(valid("\xe2\x82\xac"));      // €
  EXPECT_TRUE(valid("\xf0\x9f\x98\x80"));  // U+1F600
  EXPECT_TRUE(valid("\xf4\x8f\xbf\xbf"));  // U+10FFFF
}

TEST(Utf8, RejectsOverlongSurrogatesAndTruncation) {
  EXPECT_FALSE(valid("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(valid("\xe0\x80\xaf"));      // overlong '/'
  EXPECT_FALSE(valid("\xed\xa0\x80"));      // U+D800, a surrogate
  EXPECT_FALSE(valid("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(valid("\xe2\x82"));          // truncated
  EXPECT_FALSE(valid("\x80"));              // lone continuation byte
  EXPECT_FALSE(valid("\xf8\x88\x80\x80\x80"));
}

}  // namespace
}  // namespace weft
