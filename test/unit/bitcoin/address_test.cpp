#include <bitcoin/address.h>

#include <gtest/gtest.h>

#include "testutil/vectors.h"

namespace blockstack::bitcoin {
namespace {

TEST(AddressTest, MainnetP2pkhFromTestKeys) {
  auto v = testutil::LoadVectors("gaia/test_keys.json");
  for (const auto& k : testutil::Cases(v, "keys")) {
    auto pub = crypto::PublicKey::FromHex(k["publicKeyHex"].get<std::string>());
    ASSERT_TRUE(pub);
    std::string addr = P2pkhAddress(*pub, Params(Network::Mainnet));
    EXPECT_EQ(addr, k["address"]);
    auto script = ScriptFromAddress(addr, Params(Network::Mainnet));
    ASSERT_TRUE(script);
    EXPECT_EQ(AddressFromScript(*script, Params(Network::Mainnet)), addr);
  }
}

TEST(AddressTest, BurnAddressAndP2sh) {
  util::Hash160 zero;
  EXPECT_EQ(AddressFromHash160(zero, 0x00), "1111111111111111111114oLvT2");
  auto p2sh = AddressFromScript(MakeP2shScript(zero), Params(Network::Mainnet));
  ASSERT_TRUE(p2sh);
  EXPECT_EQ(p2sh->front(), '3');
}

TEST(AddressTest, RegtestUsesTestnetVersions) {
  auto pub = crypto::PublicKey::FromHex("027d28f9951ce46538951e3697c62588a87f1f1f295de4a14fdd4c780fc52cfe69");
  std::string addr = P2pkhAddress(*pub, Params(Network::Regtest));
  EXPECT_TRUE(addr.front() == 'm' || addr.front() == 'n') << addr;
  auto decoded = DecodeAddress(addr);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->version, 0x6f);
  util::Hash160 h;
  auto p2sh = AddressFromScript(MakeP2shScript(h), Params(Network::Testnet));
  EXPECT_EQ(p2sh->front(), '2');
}

TEST(AddressTest, RejectsOtherNetworkAndGarbage) {
  auto r = ScriptFromAddress("1NZNxhoxobqwsNvTb16pdeiqvFvce3Yg8U", Params(Network::Regtest));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, util::ErrorCode::InvalidArgument);
  EXPECT_FALSE(ScriptFromAddress("1NZNxhoxobqwsNvTb16pdeiqvFvce3Yg8V", Params(Network::Mainnet)));
  EXPECT_FALSE(ScriptFromAddress("", Params(Network::Mainnet)));
  EXPECT_FALSE(AddressFromScript(util::Bytes{0x6a}, Params(Network::Mainnet)));
  EXPECT_FALSE(AddressFromScript(*util::FromHex("0014000102030405060708090a0b0c0d0e0f10111213"), Params(Network::Mainnet)));
}

}  // namespace
}  // namespace blockstack::bitcoin
