#include <crypto/base58check.h>

#include <gtest/gtest.h>

namespace blockstack::crypto {
namespace {

TEST(Base58CheckTest, BurnAddress) {
  util::Bytes payload(21, 0);
  EXPECT_EQ(EncodeBase58Check(payload), "1111111111111111111114oLvT2");
  auto back = DecodeBase58Check("1111111111111111111114oLvT2");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, payload);
}

TEST(Base58CheckTest, RejectsBadChecksum) {
  auto r = DecodeBase58Check("1111111111111111111114oLvT3");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::InvalidArgument);
}

TEST(Base58CheckTest, RejectsTooShort) { EXPECT_FALSE(DecodeBase58Check("1")); }

}  // namespace
}  // namespace blockstack::crypto
