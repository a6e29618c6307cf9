#include <util/lru_cache.h>

#include <gtest/gtest.h>

#include <string>

namespace blockstack::util {
namespace {

TEST(LruCacheTest, EvictsTheLeastRecentlyUsed) {
  LruCache<std::string, int> cache(2);
  cache.Put("a", 1);
  cache.Put("b", 2);
  EXPECT_EQ(cache.Get("a"), 1);  // a is now the most recent
  cache.Put("c", 3);             // evicts b
  EXPECT_FALSE(cache.Get("b"));
  EXPECT_EQ(cache.Get("a"), 1);
  EXPECT_EQ(cache.Get("c"), 3);
  EXPECT_EQ(cache.Size(), 2u);
}

TEST(LruCacheTest, PutReplacesAndZeroCapacityKeepsNothing) {
  LruCache<std::string, int> cache(2);
  cache.Put("a", 1);
  cache.Put("a", 5);
  EXPECT_EQ(cache.Get("a"), 5);
  EXPECT_EQ(cache.Size(), 1u);
  LruCache<std::string, int> none(0);
  none.Put("a", 1);
  EXPECT_FALSE(none.Get("a"));
}

}  // namespace
}  // namespace blockstack::util
