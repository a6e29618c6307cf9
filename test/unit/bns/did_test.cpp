// DIDs as reference/original/blockstack-did-spec.md writes them (its example
// hash and addresses), and as the original parsed them.
#include <bns/did.h>

#include <gtest/gtest.h>

#include <bitcoin/address.h>

namespace blockstack::bns {
namespace {

const auto& MAIN = bitcoin::Params(bitcoin::Network::Mainnet);
const auto& TEST = bitcoin::Params(bitcoin::Network::Testnet);
constexpr const char* HASH = "1651c1a6001d4750e46be8a02cc19550d4309b71";

TEST(DidTest, TheSpecsExampleAddresses) {
  EXPECT_EQ(*NameDid("1331okvQ3Jr2efzaJE42Supevzfzg8ahYW", 3, MAIN),
            "did:stack:v0:1331okvQ3Jr2efzaJE42Supevzfzg8ahYW-3");
  // The creator's address is written for the node's network.
  EXPECT_EQ(*NameDid("1331okvQ3Jr2efzaJE42Supevzfzg8ahYW", 0, TEST),
            "did:stack:v0:mhYy6p1NrLHHRnUC1o2QGq2ynzGhduVoEX-0");
  EXPECT_EQ(*SubdomainDid("1331okvQ3Jr2efzaJE42Supevzfzg8ahYW", 1),
            "did:stack:v0:SPL1qbhYmg3EAyn2qf36zoyDamuRXm2Gjk-1");
  EXPECT_EQ(*SubdomainDid("mhYy6p1NrLHHRnUC1o2QGq2ynzGhduVoEX", 1),
            "did:stack:v0:SPL1qbhYmg3EAyn2qf36zoyDamuRXm2Gjk-1");
  EXPECT_FALSE(NameDid("not-an-address", 0, MAIN));
  EXPECT_FALSE(SubdomainDid("", 0));

  auto name = ParseDid("did:stack:v0:1331okvQ3Jr2efzaJE42Supevzfzg8ahYW-3");
  ASSERT_TRUE(name);
  EXPECT_FALSE(name->subdomain);
  EXPECT_FALSE(name->p2sh);
  EXPECT_EQ(name->hash.Hex(), HASH);
  EXPECT_EQ(name->index, 3u);
  auto sub = ParseDid("did:stack:v0:SPL1qbhYmg3EAyn2qf36zoyDamuRXm2Gjk-0");
  ASSERT_TRUE(sub);
  EXPECT_TRUE(sub->subdomain);
  EXPECT_EQ(sub->hash.Hex(), HASH);
  EXPECT_EQ(OwnerForms(sub->hash, sub->p2sh, TEST),
            (std::vector<std::string>{"mhYy6p1NrLHHRnUC1o2QGq2ynzGhduVoEX", "1331okvQ3Jr2efzaJE42Supevzfzg8ahYW"}));
  EXPECT_EQ(OwnerForms(sub->hash, sub->p2sh, MAIN), std::vector<std::string>{"1331okvQ3Jr2efzaJE42Supevzfzg8ahYW"});
  EXPECT_EQ(OwnerForms("mhYy6p1NrLHHRnUC1o2QGq2ynzGhduVoEX", MAIN),
            std::vector<std::string>{"1331okvQ3Jr2efzaJE42Supevzfzg8ahYW"});
}

TEST(DidTest, P2shOwnersKeepTheirKind) {
  util::Hash160 h;
  h.data[0] = 7;
  const std::string p2sh = bitcoin::AddressFromHash160(h, MAIN.p2sh_version);
  auto did = SubdomainDid(p2sh, 0);
  ASSERT_TRUE(did);
  auto parsed = ParseDid(*did);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->subdomain && parsed->p2sh);
  EXPECT_EQ(OwnerForms(parsed->hash, true, MAIN), std::vector<std::string>{p2sh});
  auto name = ParseDid(*NameDid(p2sh, 2, TEST));
  ASSERT_TRUE(name);
  EXPECT_TRUE(!name->subdomain && name->p2sh);
  EXPECT_EQ(name->index, 2u);
}

TEST(DidTest, MalformedAndUnreachable) {
  for (const char* bad :
       {"", "did:stack:v0:", "did:stack:v0:-1", "did:stack:v1:1331okvQ3Jr2efzaJE42Supevzfzg8ahYW-1",
        "did:stack:v0:1331okvQ3Jr2efzaJE42Supevzfzg8ahYW", "did:stack:v0:1331okvQ3Jr2efzaJE42Supevzfzg8ahYW-",
        "did:stack:v0:1331okvQ3Jr2efzaJE42Supevzfzg8ahYW-+1", "did:stack:v0:1331okvQ3Jr2efzaJE42Supevzfzg8ahYX-1",
        "did:stack:v0:0331okvQ3Jr2efzaJE42Supevzfzg8ahYW-1", "did:stack:v0:1331okvQ3Jr2efzaJE42Supevzfzg8ahYW-1 ",
        "did:stack:v0:1331okvQ3Jr2efzaJE42Supevzfzg8ahYW-1-2", "did:stack:v0:1111-1"}) {
    auto r = ParseDid(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, util::ErrorCode::InvalidArgument) << bad;
  }
  // A well-formed DID whose index no address can reach.
  auto far = ParseDid("did:stack:v0:1331okvQ3Jr2efzaJE42Supevzfzg8ahYW-184467440737095516160");
  ASSERT_FALSE(far);
  EXPECT_EQ(far.error().code, util::ErrorCode::NotFound);
}

}  // namespace
}  // namespace blockstack::bns
