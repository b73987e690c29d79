// The compilers' inline vector and reusable pool: order kept by erase and
// eraseIf, copies of only the used part, indices handed back and reused, and
// an overflow that stops the process instead of writing past the storage.
#include "support/bounded_vector.h"
#include "support/reusable_pool.h"

#include <gtest/gtest.h>

namespace weft {
namespace {

struct Pair {
  uint32_t key;
  uint8_t tag;
};

TEST(BoundedVector, EraseAndEraseIfKeepTheOrder) {
  BoundedVector<Pair, 8> v;
  for (uint32_t i = 0; i < 8; ++i) v.push_back({i, static_cast<uint8_t>(i * 3)});
  EXPECT_EQ(v.size(), 8u);
  v.erase(v.begin() + 2);
  v.eraseIf([](const Pair& p) { return p.key % 2 == 1; });
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].key, 0u);
  EXPECT_EQ(v[1].key, 4u);
  EXPECT_EQ(v[2].key, 6u);
  EXPECT_EQ(v[2].tag, 18);
}

// eraseIf writes every element back, kept or not: what {drop} changes in a
// kept element stays, and a dropped one leaves no trace among those kept.
TEST(BoundedVector, EraseIfKeepsChangesToKeptElementsAndEraseValueDropsEveryCopy) {
  BoundedVector<Pair, 8> v;
  for (uint32_t i = 0; i < 6; ++i) v.push_back({i, 0});
  v.eraseIf([](Pair& p) {
    p.tag = static_cast<uint8_t>(p.key + 100);
    return p.key == 0 || p.key == 3 || p.key == 5;
  });
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].key, 1u);
  EXPECT_EQ(v[0].tag, 101);
  EXPECT_EQ(v[1].key, 2u);
  EXPECT_EQ(v[1].tag, 102);
  EXPECT_EQ(v[2].key, 4u);
  EXPECT_EQ(v[2].tag, 104);

  BoundedVector<uint32_t, 8> values;
  for (uint32_t x : {4u, 9u, 4u, 1u, 4u}) values.push_back(x);
  values.eraseValue(4);
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0], 9u);
  EXPECT_EQ(values[1], 1u);
  values.eraseValue(7);  // absent: nothing changes
  EXPECT_EQ(values.size(), 2u);
  values.eraseValue(9);
  values.eraseValue(1);
  EXPECT_TRUE(values.empty());
}

TEST(BoundedVector, CopiesHoldTheSameElementsAndAreIndependent) {
  BoundedVector<uint32_t, 4> a;
  a.push_back(7);
  a.push_back(9);
  BoundedVector<uint32_t, 4> b = a;
  b.push_back(11);
  a = b;
  a[0] = 1;
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(b[0], 7u);
  EXPECT_EQ(a[2], 11u);
  a.clear();
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(b.size(), 3u);
}

TEST(BoundedVectorDeathTest, GoingPastTheCapacityAborts) {
  BoundedVector<uint32_t, 2> v;
  v.push_back(1);
  v.push_back(2);
  EXPECT_DEATH(v.push_back(3), "");
}

TEST(ReusablePool, IndicesComeBackAndReferencesStayValid) {
  ReusablePool<BoundedVector<uint32_t, 4>> pool;
  uint32_t a = pool.acquire();
  pool[a].push_back(5);
  BoundedVector<uint32_t, 4>& first = pool[a];
  for (int i = 0; i < 1000; ++i) pool.acquire();  // grows: the first stays where it is
  EXPECT_EQ(&first, &pool[a]);
  EXPECT_EQ(first[0], 5u);
  uint32_t b = pool.acquire();
  pool.release(b);
  EXPECT_EQ(b, ReusablePool<int>::kNone);
  uint32_t none = ReusablePool<int>::kNone;
  pool.release(none);  // releasing nothing is allowed
  pool.reset();
  EXPECT_EQ(pool.acquire(), 0u);  // everything free again, from the start
}

}  // namespace
}  // namespace weft
