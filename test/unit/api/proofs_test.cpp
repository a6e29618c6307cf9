// Verifiable lookups end to end over a real index: the API's bundles and state
// proofs (routes_proofs.cpp) checked by the verifier (proofs/verify.h), for each
// kind of history, and every kind of tampering refused with the step named.
#include <api/api.h>

#include <gtest/gtest.h>

#include <filesystem>

#include <bitcoin/script.h>
#include <bns/ops/ops.h>
#include <crypto/hash.h>
#include <proofs/verify.h>
#include <subdomain/index.h>
#include <subdomain/record.h>
#include <util/bytes.h>

#include "bns/chain_fixture.h"

namespace blockstack::api {
namespace {

using testutil::H160;
using testutil::MAGIC;

class ProofsTest : public ::testing::Test, protected testutil::Scenario {
 protected:
  explicit ProofsTest(bns::EpochSchedule epochs = bns::EpochSchedule::Single(3)) : Scenario(std::move(epochs)) {}
  void SetUp() override {
    CreateNamespace("test", 0xffffffff);
    m_dir = testutil::MakeTempDir("proofs");
    m_store = std::move(*atlas::ZonefileStore::Open(m_dir + "/zonefiles.db"));
    ApiSettings settings;
    settings.db_path = node->dir + "/names.db";
    settings.rules = chain.rules;
    settings.name_table = false;
    auto made = Api::Create(settings, *m_store);
    ASSERT_TRUE(made) << made.error().message;
    m_api = std::move(*made);
    node->engine->SetOnCommitted([this](const interfaces::BlockCommitted& b) { m_api->OnBlockCommitted(b); });
  }
  void TearDown() override {
    node->engine->SetOnCommitted(nullptr);
    m_api.reset();
    m_store.reset();
    std::filesystem::remove_all(m_dir);
  }
  net::Response Call(const std::string& path, const std::map<std::string, std::string>& query = {}) {
    net::Request r;
    r.method = "GET";
    r.path = path;
    r.target = path;
    // The target carries the query, as a server's does (answers are cached by it).
    for (const auto& [k, v] : query) r.target += (r.target == path ? "?" : "&") + k + "=" + v;
    r.query = query;
    return m_api->Handle(r);
  }
  proofs::HistoryBundle Bundle(const std::string& name, const std::map<std::string, std::string>& query = {}) {
    auto res = Call("/v1/proofs/names/" + name, query);
    EXPECT_EQ(res.status, 200u) << res.body;
    auto b = proofs::ParseHistoryBundle(res.body);
    if (!b) throw std::runtime_error(b.error().message);
    return *b;
  }
  proofs::StateAnswer State(const std::string& name) {
    auto res = Call("/v1/proofs/state/" + name);
    EXPECT_EQ(res.status, 200u) << res.body;
    auto s = proofs::ParseStateAnswer(res.body);
    if (!s) throw std::runtime_error(s.error().message);
    return *s;
  }
  // The whole check a client makes: the history against the trusted hash, the
  // record against the state root, and the two agree.
  proofs::VerifiedHistory Verified(const std::string& name) {
    const std::string trusted = LastCh();
    auto history = proofs::VerifyHistory(Bundle(name), trusted);
    if (!history) throw std::runtime_error(history.error().message);
    auto state = State(name);
    EXPECT_EQ(state.consensus_hash, trusted);
    auto value = proofs::VerifyState(state, state.root);
    EXPECT_TRUE(value && value->has_value());
    EXPECT_EQ(**value, proofs::StateValueAfter(history->ops))
        << "the state holds the newest operation's record after all of them";
    return *history;
  }
  // The root a node started now builds from the database: the same as the one
  // kept block by block.
  void ExpectSameRootFromTheDatabase() {
    ApiSettings settings;
    settings.db_path = node->dir + "/names.db";
    settings.rules = chain.rules;
    settings.name_table = false;
    auto fresh = Api::Create(settings, *m_store);
    ASSERT_TRUE(fresh);
    net::Request r;
    r.method = "GET";
    r.path = r.target = "/v1/proofs/roots";
    auto rebuilt = proofs::ParseRootAnswer((*fresh)->Handle(r).body);
    auto kept = proofs::ParseRootAnswer(Call("/v1/proofs/roots").body);
    ASSERT_TRUE(rebuilt && kept);
    EXPECT_EQ(rebuilt->root, kept->root);
  }
  std::string m_dir;
  std::unique_ptr<atlas::ZonefileStore> m_store;
  std::unique_ptr<Api> m_api;
};

void Accepted(const bns::db::OpRow& op) { ASSERT_TRUE(op.accepted) << op.reason; }

TEST_F(ProofsTest, EveryKindOfHistoryVerifies) {
  const uint32_t reg = Register(alice, "alice.test", H160(1));
  Accepted(OpAt(reg));
  auto h = Verified("alice.test");
  ASSERT_EQ(h.ops.size(), 1u);
  EXPECT_EQ(h.ops[0].opcode, ':');
  EXPECT_EQ(h.ops[0].address, alice.address);
  EXPECT_EQ(h.ops[0].value_hash, H160(1).Hex());

  chain.Op(alice, bns::ops::BuildUpdate(MAGIC, "alice.test", LastCh(), H160(2)), {chain.Pay(alice, 5000)});
  Accepted(OpAt(MineAndSync()));
  for (int i = 0; i < 9; ++i) MineAndSync();  // links over empty blocks
  chain.Op(alice, bns::ops::BuildTransfer(MAGIC, "alice.test", true, LastCh()),
           {chain.Pay(bob, 5500), chain.Pay(alice, 5000)});
  Accepted(OpAt(MineAndSync()));
  h = Verified("alice.test");
  ASSERT_EQ(h.ops.size(), 3u);
  EXPECT_EQ(h.ops[1].opcode, '+');
  EXPECT_EQ(h.ops[1].value_hash, H160(2).Hex());
  EXPECT_EQ(h.ops[2].opcode, '>');
  EXPECT_EQ(h.ops[2].address, bob.address);

  // Renewal by the new owner, then a revoke.
  chain.Op(bob, bns::ops::BuildRegistration(MAGIC, "alice.test", std::nullopt),
           {chain.Pay(bob, 5500), chain.Pay(bob, 5500), chain.Pay(chain.rules.BurnAddress(), 100000)});
  Accepted(OpAt(MineAndSync()));
  chain.Op(bob, bns::ops::BuildRevoke(MAGIC, "alice.test"), {chain.Pay(bob, 5000)});
  Accepted(OpAt(MineAndSync()));
  h = Verified("alice.test");
  ASSERT_EQ(h.ops.size(), 5u);
  EXPECT_EQ(h.ops[3].opcode, ':');
  EXPECT_EQ(h.ops[4].opcode, '~');
  EXPECT_TRUE(h.ops[4].revoked);

  // Anchored on an older block, the history stops there.
  auto old = proofs::VerifyHistory(Bundle("alice.test", {{"anchor", std::to_string(reg + 1)}}), node->Ch(reg + 1));
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->ops.size(), 2u);
  auto by_hash = Bundle("alice.test", {{"anchor", node->Ch(reg + 1)}});
  EXPECT_EQ(by_hash.anchor_height, reg + 1);

  ExpectSameRootFromTheDatabase();

  // Imports into a revealed namespace (their fee a float in the serialisation),
  // then ready.
  CreateNamespace("imp", 0xffffffff, /*ready=*/false);
  chain.Op(creator, bns::ops::BuildImport(MAGIC, "carol.imp"),
           {chain.Pay(bob, 5500), {5500, bitcoin::MakeP2pkhScript(H160(5))}});
  Accepted(OpAt(MineAndSync()));
  chain.Op(creator, bns::ops::BuildReady(MAGIC, "imp"), {chain.Pay(creator, 5000)});
  Accepted(OpAt(MineAndSync()));
  h = Verified("carol.imp");
  ASSERT_EQ(h.ops.size(), 1u);
  EXPECT_EQ(h.ops[0].opcode, ';');
  EXPECT_EQ(h.ops[0].address, bob.address);
  ExpectSameRootFromTheDatabase();

  // A name never registered: no history, and the state proves it absent.
  EXPECT_EQ(Call("/v1/proofs/names/nobody.test").status, 404u);
  auto absent = State("nobody.test");
  auto value = proofs::VerifyState(absent, absent.root);
  ASSERT_TRUE(value) << value.error().message;
  EXPECT_FALSE(value->has_value());
}

// Epoch 2 has no grace period: a name expires and someone else registers it.
class ProofsExpiryTest : public ProofsTest {
 protected:
  ProofsExpiryTest() : ProofsTest(bns::EpochSchedule::Single(2)) {}
};

TEST_F(ProofsExpiryTest, ExpiryAndReRegistrationVerify) {
  CreateNamespace("exp", 5);  // 5 blocks x 2
  Accepted(OpAt(Register(alice, "short.exp")));
  for (int i = 0; i < 10; ++i) MineAndSync();
  const uint32_t again = Register(bob, "short.exp");
  Accepted(OpAt(again));
  auto h = Verified("short.exp");
  ASSERT_EQ(h.ops.size(), 2u);
  EXPECT_EQ(h.ops[0].address, alice.address);
  EXPECT_EQ(h.ops[1].address, bob.address);
  EXPECT_EQ(h.ops[1].first_registered, again);
  ExpectSameRootFromTheDatabase();
}

TEST_F(ProofsTest, TamperedBundlesAreRefusedWithTheStepNamed) {
  Register(alice, "alice.test", H160(1));
  Register(bob, "bob.test", H160(3));  // another operation in the same kind of block
  chain.Op(alice, bns::ops::BuildUpdate(MAGIC, "alice.test", LastCh(), H160(2)), {chain.Pay(alice, 5000)});
  chain.Op(bob, bns::ops::BuildUpdate(MAGIC, "bob.test", LastCh(), H160(4)), {chain.Pay(bob, 5000)});
  Accepted(OpAt(MineAndSync()));
  for (int i = 0; i < 5; ++i) MineAndSync();
  const std::string trusted = LastCh();
  const auto good = Bundle("alice.test");
  ASSERT_TRUE(proofs::VerifyHistory(good, trusted));
  ASSERT_EQ(good.blocks.front().ops.size(), 2u);

  auto refused = [&](const proofs::HistoryBundle& b, const std::string& step) {
    auto r = proofs::VerifyHistory(b, trusted);
    ASSERT_FALSE(r) << "accepted a bundle that should fail at " << step;
    EXPECT_NE(r.error().message.find(step), std::string::npos) << r.error().message;
  };
  // Another anchor than the one trusted.
  auto b = good;
  b.anchor_consensus_hash = node->Ch(b.anchor_height - 1);
  refused(b, "anchor");
  EXPECT_FALSE(proofs::VerifyHistory(good, trusted, good.anchor_height - 1));
  // A dropped operation (the other name's update in the same block).
  b = good;
  b.blocks.front().ops.erase(b.blocks.front().ops.begin() + 1);
  refused(b, "block " + std::to_string(b.blocks.front().height));
  // An operation altered (another zone-file hash).
  b = good;
  for (auto& text : b.blocks.front().ops) {
    if (auto at = text.find(H160(2).Hex()); at != std::string::npos) text.replace(at, 40, H160(9).Hex());
  }
  refused(b, "block " + std::to_string(b.blocks.front().height));
  // Reordered operations hash the same (the ops hash sorts them), so they pass;
  // reordered blocks or links do not.
  b = good;
  std::reverse(b.blocks.begin(), b.blocks.end());
  refused(b, "block");
  b = good;
  std::swap(b.links[0], b.links[1]);
  refused(b, "link");
  // A wrong link: an earlier hash changed, or an ops hash.
  b = good;
  b.links[1].previous[0][0] = b.links[1].previous[0][0] == 'a' ? 'b' : 'a';
  refused(b, "link at block " + std::to_string(b.links[1].height));
  b = good;
  b.links.back().ops_hash[0] = b.links.back().ops_hash[0] == 'a' ? 'b' : 'a';
  refused(b, "link at block " + std::to_string(b.links.back().height));
  // Truncated: a link dropped, a block's own operations dropped.
  b = good;
  b.links.pop_back();
  refused(b, "no link proves");
  b = good;
  b.blocks.front().name_ops.clear();
  refused(b, "names none");
  // Another transaction in place of the name's.
  b = good;
  b.blocks.front().name_ops[0].raw_tx = b.blocks.back().name_ops[0].raw_tx;
  refused(b, "operation " + b.blocks.front().name_ops[0].txid);
  // An earlier block left out entirely: the rest still verifies against the
  // trusted hash (a skip list proves what it holds, not what it omits), but the
  // state root holds the record after two operations, not one.
  b = good;
  b.blocks.pop_back();
  auto shorter = proofs::VerifyHistory(b, trusted);
  ASSERT_TRUE(shorter) << shorter.error().message;
  auto state = State("alice.test");
  auto held = proofs::VerifyState(state, state.root);
  ASSERT_TRUE(held && held->has_value());
  EXPECT_NE(proofs::StateValueAfter(shorter->ops), **held);
  EXPECT_EQ(proofs::StateValueAfter(proofs::VerifyHistory(good, trusted)->ops), **held);
  // A wrong root: the state proof leads elsewhere.
  auto other = State("bob.test");
  EXPECT_FALSE(proofs::VerifyState(state, proofs::StateKey("x")));
  auto swapped = state;
  swapped.proof = other.proof;
  EXPECT_FALSE(proofs::VerifyState(swapped, state.root));
}

TEST_F(ProofsTest, EveryOperationOnTheNameInABlockMustBeGiven) {
  Register(alice, "alice.test", H160(1));
  // An update and a transfer of the same name in one block.
  chain.Op(alice, bns::ops::BuildUpdate(MAGIC, "alice.test", LastCh(), H160(2)), {chain.Pay(alice, 5000)});
  chain.Op(alice, bns::ops::BuildTransfer(MAGIC, "alice.test", true, LastCh()),
           {chain.Pay(bob, 5500), chain.Pay(alice, 5000)});
  const uint32_t both = MineAndSync();
  Accepted(OpAt(both, 0));
  Accepted(OpAt(both, 1));
  auto h = Verified("alice.test");
  ASSERT_EQ(h.ops.size(), 3u);
  EXPECT_EQ(h.ops[2].address, bob.address);
  // Leaving out the transfer's transaction hides it: refused.
  auto b = Bundle("alice.test");
  ASSERT_EQ(b.blocks.front().name_ops.size(), 2u);
  b.blocks.front().name_ops.pop_back();
  auto r = proofs::VerifyHistory(b, LastCh());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("has 2 operation(s) on alice.test, the bundle gives 1"), std::string::npos)
      << r.error().message;
}

TEST_F(ProofsTest, BadAnchorsAndNamesGetClearErrors) {
  Register(alice, "alice.test", H160(1));
  const uint32_t last = *node->db->LastBlock().value();
  EXPECT_EQ(Call("/v1/proofs/names/alice.test", {{"anchor", std::to_string(last + 1)}}).status, 400u);
  EXPECT_EQ(Call("/v1/proofs/names/alice.test", {{"anchor", "50"}}).status, 400u);
  EXPECT_EQ(Call("/v1/proofs/names/alice.test", {{"anchor", "zz"}}).status, 400u);
  EXPECT_EQ(Call("/v1/proofs/names/alice.test", {{"anchor", std::string(32, 'f')}}).status, 404u);
  EXPECT_EQ(Call("/v1/proofs/names/Alice.test").status, 400u);
  EXPECT_EQ(Call("/v1/proofs/state/no_dot").status, 400u);
  EXPECT_EQ(Call("/v1/proofs/roots/" + std::to_string(last + 5)).status, 404u);
  EXPECT_EQ(Call("/v1/proofs/roots/x").status, 400u);
  auto root = proofs::ParseRootAnswer(Call("/v1/proofs/roots/" + std::to_string(last)).body);
  ASSERT_TRUE(root) << root.error().message;
  EXPECT_EQ(root->consensus_hash, LastCh());
  // Far below the chain's tip (catching up) no root is computed, and no proof
  // served; near it again, the tree answers with every change applied.
  m_api->OnChainTip(last + 5000, true);
  Register(bob, "bob.test", H160(2));
  EXPECT_EQ(Call("/v1/proofs/state/bob.test").status, 503u);
  EXPECT_EQ(Call("/v1/proofs/roots").status, 404u);
  m_api->OnChainTip(last + 3, false);
  MineAndSync();
  auto caught_up = State("bob.test");
  auto bob_value = proofs::VerifyState(caught_up, caught_up.root);
  ASSERT_TRUE(bob_value && bob_value->has_value());
  ExpectSameRootFromTheDatabase();
}

}  // namespace
}  // namespace blockstack::api

namespace blockstack::api {
namespace {

// The subdomain index reads slots from the name database as the node's does.
class DbSlots : public interfaces::ZonefileIndex {
 public:
  explicit DbSlots(const std::string& path) : m_db(std::move(*bns::db::NameDb::Open(path, /*read_only=*/true))) {}
  util::Result<std::vector<interfaces::ZonefileSlot>> SlotsFrom(uint32_t height) override {
    return m_db->ZonefileSlotsFrom(height);
  }
  util::Result<uint64_t> SlotCountBelow(uint32_t height) override { return m_db->ZonefileSlotCountBelow(height); }
  util::Result<std::optional<uint32_t>> LastBlock() override { return m_db->LastBlock(); }
  util::Result<std::optional<std::string>> ConsensusHashAt(uint32_t height) override {
    m_db->ClearCaches();
    return m_db->ConsensusHashAt(height);
  }

 private:
  std::unique_ptr<bns::db::NameDb> m_db;
};

class SubdomainProofsTest : public ProofsTest {
 protected:
  void SetUp() override {
    ProofsTest::SetUp();
    m_slots = std::make_unique<DbSlots>(node->dir + "/names.db");
    auto index = subdomain::SubdomainIndex::Open(m_dir + "/subdomains.db", chain.rules.first_block, *m_slots,
                                                 [this](std::string_view hash) { return m_store->Get(hash); });
    ASSERT_TRUE(index) << index.error().message;
    m_index = std::move(*index);
    m_api->SetSubdomains(m_index.get());
  }
  void TearDown() override {
    m_api->SetSubdomains(nullptr);
    m_index.reset();
    m_slots.reset();
    ProofsTest::TearDown();
  }
  // A domain zone file carrying these TXT lines, stored; its hash.
  util::Hash160 Zonefile(const std::string& domain, const std::string& lines) {
    const std::string text = "$ORIGIN " + domain + "\n$TTL 3600\n" + lines;
    EXPECT_TRUE(m_store->Put(text));
    m_texts[crypto::Hash160Of(util::AsBytes(text)).Hex()] = text;
    return crypto::Hash160Of(util::AsBytes(text));
  }
  static std::string Txt(const std::string& domain, const std::string& fqn, const std::string& owner, int64_t seqn,
                         const crypto::PrivateKey* signer, const std::string& url) {
    subdomain::Record r;
    r.fqn = fqn;
    r.domain = domain;
    r.owner = owner;
    r.seqn = seqn;
    r.zonefile = "$ORIGIN " + fqn + "\n$TTL 3600\n_http._tcp\tIN\tURI\t10\t1\t\"" + url + "\"\n";
    r.independent = !fqn.ends_with("." + domain);
    return subdomain::MakeTxtRecord(r, signer) + "\n";
  }
  void Update(const testutil::Wallet& who, const std::string& name, const util::Hash160& zh) {
    chain.Op(who, bns::ops::BuildUpdate(MAGIC, name, LastCh(), zh), {chain.Pay(who, 5000)});
    Accepted(OpAt(MineAndSync()));
  }
  proofs::SubdomainBundle SubBundle(const std::string& fqn) {
    IndexZonefiles();
    auto res = Call("/v1/proofs/names/" + fqn);
    EXPECT_EQ(res.status, 200u) << res.body;
    auto b = proofs::ParseSubdomainBundle(res.body);
    if (!b) throw std::runtime_error(b.error().message);
    return *b;
  }
  void IndexZonefiles() {
    auto st = m_index->Update();
    if (!st) throw std::runtime_error(st.error().message);
  }
  // Verifies a bundle and replays it.
  util::Result<std::optional<proofs::ProvedSubdomain>> Prove(const proofs::SubdomainBundle& b,
                                                             const std::string& trusted) {
    BS_TRY(auto page, proofs::VerifySubdomainPage(b, trusted));
    return proofs::ReplaySubdomain(b.subdomain, b.first_block, page.slots);
  }
  std::unique_ptr<DbSlots> m_slots;
  std::unique_ptr<subdomain::SubdomainIndex> m_index;
  std::map<std::string, std::string> m_texts;
};

TEST_F(SubdomainProofsTest, ASubdomainsRecordsReplayToTheIndexsState) {
  const crypto::PrivateKey k1 = crypto::PrivateKey::Generate(), k2 = crypto::PrivateKey::Generate();
  const std::string a1 = bitcoin::P2pkhAddress(k1.GetPublicKey(), chain.rules.Net());
  const std::string a2 = bitcoin::P2pkhAddress(k2.GetPublicKey(), chain.rules.Net());
  // Created in the domain's registration, a zone file about someone else, an
  // update signed by the first owner that hands it over, then an update from
  // another domain's zone file signed by the new owner.
  Register(alice, "example.test",
           Zonefile("example.test", Txt("example.test", "sub.example.test", a1, 0, nullptr, "https://a/1")));
  Register(bob, "other.test", H160(9));
  Update(alice, "example.test",
         Zonefile("example.test", Txt("example.test", "else.example.test", a1, 0, nullptr, "https://e/1")));
  Update(alice, "example.test",
         Zonefile("example.test", Txt("example.test", "sub.example.test", a2, 1, &k1, "https://a/2")));
  Update(bob, "other.test", Zonefile("other.test", Txt("other.test", "sub.example.test", a2, 2, &k2, "https://a/3")));
  for (int i = 0; i < 3; ++i) MineAndSync();
  const std::string trusted = LastCh();

  const auto b = SubBundle("sub.example.test");
  EXPECT_EQ(b.domain.history.name, "example.test");
  EXPECT_EQ(b.domain.history.blocks.size(), 3u);
  EXPECT_EQ(b.domain.zonefiles.size(), 3u);
  ASSERT_EQ(b.others.size(), 1u);
  EXPECT_EQ(b.others[0].history.name, "other.test");
  EXPECT_EQ(b.others[0].history.blocks.size(), 1u) << "only the block that carried the record";
  auto proved = Prove(b, trusted);
  ASSERT_TRUE(proved) << proved.error().message;
  ASSERT_TRUE(proved->has_value());
  const auto& p = **proved;
  auto kept = m_index->Lookup("sub.example.test");
  ASSERT_TRUE(kept && kept->has_value());
  EXPECT_EQ(p.owner, a2);
  EXPECT_EQ(p.seqn, 2);
  EXPECT_EQ(p.carrier, "other.test");
  EXPECT_EQ(p.accepted, 3u);
  EXPECT_EQ(p.owner, (*kept)->owner);
  EXPECT_EQ(p.zonefile_hash, (*kept)->zonefile_hash);
  EXPECT_EQ(p.txid, (*kept)->txid);
  EXPECT_EQ(p.height, (*kept)->block_height);

  // Anchored before the hand-over: the creation's state.
  const uint32_t before = b.domain.history.blocks.front().height - 1;
  auto res = Call("/v1/proofs/names/sub.example.test", {{"anchor", std::to_string(before)}});
  ASSERT_EQ(res.status, 200u) << res.body;
  auto old = proofs::ParseSubdomainBundle(res.body);
  ASSERT_TRUE(old);
  auto old_proved = Prove(*old, node->Ch(before));
  ASSERT_TRUE(old_proved && old_proved->has_value());
  EXPECT_EQ((*old_proved)->owner, a1);
  EXPECT_EQ((*old_proved)->seqn, 0);

  // A subdomain no zone file carries: proved to have no record.
  auto none = Prove(SubBundle("nobody.example.test"), trusted);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_FALSE(none->has_value());
  // No state of its own; a domain never registered has no bundle.
  EXPECT_EQ(Call("/v1/proofs/state/sub.example.test").status, 400u);
  EXPECT_EQ(Call("/v1/proofs/names/sub.nothing.test").status, 404u);

  // Tampering: an altered zone file, a withheld one, a forged record, another
  // carrier's history that does not verify, another domain.
  auto altered = b;
  auto& first_zf = altered.domain.zonefiles.begin()->second;
  ASSERT_TRUE(first_zf);
  first_zf->back() = ' ';
  auto refused = Prove(altered, trusted);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().message.starts_with("zone files: ")) << refused.error().message;

  auto withheld = b;
  withheld.domain.zonefiles.erase(withheld.domain.zonefiles.begin());
  refused = Prove(withheld, trusted);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("neither given nor declared missing"), std::string::npos);

  auto forged = b;
  forged.others[0].zonefiles.begin()->second =
      "$ORIGIN other.test\n$TTL 3600\n" + Txt("other.test", "sub.example.test", a1, 3, &k2, "https://evil/");
  refused = Prove(forged, trusted);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().message.starts_with("other.test: zone files: ")) << refused.error().message;

  auto bad_carrier = b;
  bad_carrier.others[0].history.blocks[0].ops.pop_back();
  refused = Prove(bad_carrier, trusted);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().message.starts_with("other.test: block ")) << refused.error().message;

  auto other_domain = b;
  other_domain.subdomain = "sub.other.test";
  refused = Prove(other_domain, trusted);
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().message.starts_with("subdomain bundle: ")) << refused.error().message;

  // A zone file declared missing is replayed without: the state it leaves is
  // older (the CLI asks peers for such files and reports the rest).
  auto missing = b;
  for (auto& [hash, text] : missing.others[0].zonefiles) text.reset();
  auto partial = Prove(missing, trusted);
  ASSERT_TRUE(partial && partial->has_value());
  EXPECT_EQ((*partial)->seqn, 1);
}

}  // namespace
}  // namespace blockstack::api
