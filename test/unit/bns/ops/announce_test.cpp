// ANNOUNCE (spec bns.md §2.10).
#include "rule_fixture.h"

namespace blockstack::bns {
namespace {

TEST_F(RuleTest, AnnounceNeedsAnAnnouncerName) {
  CreateNamespace("test", 0xffffffff);
  Register(alice, "alice.test", H160(0x42));
  chain.Op(alice, ops::BuildAnnounce(MAGIC, H160(0x42)), {chain.Pay(alice, 5000)});
  uint32_t h = MineAndSync();
  EXPECT_REJECTED(OpAt(h), "announcer");
  // with alice.test as an announcer, its own value hash may be announced; also by
  // a node catching up, whose index of name histories is left out meanwhile
  chain.rules.announcers = {"alice.test"};
  for (uint32_t catch_up_blocks : {1000u, 1u}) {
    testutil::Node announcing(chain.source, chain.rules, catch_up_blocks);
    announcing.Sync();
    auto ops_at = announcing.db->OpsAt(h);
    ASSERT_EQ(ops_at->size(), 1u);
    EXPECT_TRUE((*ops_at)[0].accepted) << (*ops_at)[0].reason << " " << catch_up_blocks;
    // ANNOUNCE never changes the consensus hash
    EXPECT_EQ(announcing.Ch(h), node->Ch(h));
  }
}

}  // namespace
}  // namespace blockstack::bns
