#include <subdomain/index.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>

#include <crypto/base58check.h>
#include <crypto/hash.h>
#include <subdomain/record.h>
#include <util/bytes.h>

namespace blockstack::subdomain {
namespace {

constexpr uint32_t FIRST_BLOCK = 100;

// The name database's side: slots in chain order.
class FakeSlots : public interfaces::ZonefileIndex {
 public:
  std::vector<interfaces::ZonefileSlot> slots;
  std::optional<uint32_t> last_block;
  // Run once when ConsensusHashAt has been called this many more times: a
  // reorganisation landing while the index reads.
  int calls_until_hook = -1;
  std::function<void()> hook;

  util::Result<std::vector<interfaces::ZonefileSlot>> SlotsFrom(uint32_t height) override {
    std::vector<interfaces::ZonefileSlot> out;
    for (const auto& s : slots)
      if (s.block_height >= height) out.push_back(s);
    return out;
  }
  util::Result<uint64_t> SlotCountBelow(uint32_t height) override {
    uint64_t n = 0;
    for (const auto& s : slots) n += s.block_height < height ? 1 : 0;
    return n;
  }
  util::Result<std::optional<uint32_t>> LastBlock() override { return last_block; }
  // Like a real consensus hash, it changes with anything at or below the height.
  util::Result<std::optional<std::string>> ConsensusHashAt(uint32_t height) override {
    if (calls_until_hook >= 0 && calls_until_hook-- == 0) hook();
    if (!last_block || height > *last_block) return std::optional<std::string>();
    std::string all = std::to_string(height);
    for (const auto& s : slots)
      if (s.block_height <= height) all += s.name + s.hash + s.txid;
    return std::optional<std::string>(crypto::Hash160Of(util::AsBytes(all)).Hex());
  }
};

std::string Address(const crypto::PrivateKey& key) {
  return crypto::EncodeVersionedHash(0x6f, crypto::Hash160Of(key.GetPublicKey().Serialize()));
}

std::string SubZonefile(std::string_view fqn, std::string_view url) {
  return "$ORIGIN " + std::string(fqn) + "\n$TTL 3600\n_http._tcp\tIN\tURI\t10\t1\t\"" + std::string(url) + "\"\n";
}

// A TXT line for fqn carried by domain's zone file, signed by signer when given.
std::string Txt(std::string_view domain, std::string_view fqn, const std::string& owner, int64_t seqn,
                const crypto::PrivateKey* signer = nullptr, std::string_view url = "https://hub/p.json") {
  Record r;
  r.fqn = std::string(fqn);
  r.domain = std::string(domain);
  r.owner = owner;
  r.seqn = seqn;
  r.zonefile = SubZonefile(fqn, url);
  r.independent = !r.fqn.ends_with("." + r.domain);
  return MakeTxtRecord(r, signer) + "\n";
}

class SubdomainIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = std::filesystem::temp_directory_path() / ("subdomain_index_test_" + std::to_string(::getpid()) + "_" +
                                                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(m_dir);
    std::filesystem::create_directories(m_dir);
    Reopen();
  }
  void TearDown() override {
    m_index.reset();
    std::filesystem::remove_all(m_dir);
  }
  void Reopen() {
    m_index.reset();
    auto opened = SubdomainIndex::Open((m_dir / "subdomains.db").string(), FIRST_BLOCK, m_slots,
                                       [this](std::string_view hash) -> util::Result<std::optional<std::string>> {
                                         auto it = m_store.find(std::string(hash));
                                         if (it == m_store.end()) return std::optional<std::string>();
                                         return std::optional<std::string>(it->second);
                                       });
    ASSERT_TRUE(opened) << opened.error().message;
    m_index = std::move(*opened);
  }
  // Announces a zone file for name at block (its bytes stored when store is set);
  // returns its hash.
  std::string Announce(std::string_view name, uint32_t block, const std::string& txt_lines, bool store = true) {
    const std::string text = "$ORIGIN " + std::string(name) + "\n$TTL 3600\n" + txt_lines;
    const std::string hash = crypto::Hash160Of(util::AsBytes(text)).Hex();
    interfaces::ZonefileSlot s;
    s.name = std::string(name);
    s.hash = hash;
    s.txid = std::string(64, static_cast<char>('a' + m_slots.slots.size() % 6));
    s.block_height = block;
    s.vtxindex = static_cast<uint32_t>(m_slots.slots.size());
    m_slots.slots.push_back(s);
    m_slots.last_block = std::max(m_slots.last_block.value_or(0), block);
    m_texts[hash] = text;
    if (store) m_store[hash] = text;
    return hash;
  }
  // Stores a zone file announced before and tells the index, as Atlas does.
  void Deliver(const std::string& hash) {
    m_store[hash] = m_texts.at(hash);
    m_index->OnStored(hash);
  }
  void Update() {
    auto st = m_index->Update();
    ASSERT_TRUE(st) << st.error().message;
  }
  std::optional<SubdomainState> Get(std::string_view fqn) {
    auto got = m_index->Lookup(fqn);
    EXPECT_TRUE(got) << got.error().message;
    return got ? *got : std::nullopt;
  }
  std::string OwnerOf(std::string_view fqn) {
    auto st = Get(fqn);
    return st ? st->owner : "";
  }

  std::filesystem::path m_dir;
  FakeSlots m_slots;
  std::map<std::string, std::string> m_store, m_texts;
  std::unique_ptr<SubdomainIndex> m_index;
  crypto::PrivateKey k1 = crypto::PrivateKey::Generate(), k2 = crypto::PrivateKey::Generate(),
                     k3 = crypto::PrivateKey::Generate();
};

TEST_F(SubdomainIndexTest, CreationThenSignedUpdateAndTransfer) {
  Announce("foo.id", 100, Txt("foo.id", "bob.foo.id", Address(k1), 0));
  Update();
  auto st = Get("bob.foo.id");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->owner, Address(k1));
  EXPECT_EQ(st->seqn, 0);
  EXPECT_EQ(st->domain, "foo.id");
  EXPECT_EQ(st->block_height, 100u);
  EXPECT_EQ(st->zonefile, SubZonefile("bob.foo.id", "https://hub/p.json"));
  EXPECT_EQ(st->zonefile_hash, crypto::Hash160Of(util::AsBytes(st->zonefile)).Hex());

  Announce("foo.id", 101, Txt("foo.id", "bob.foo.id", Address(k1), 1, &k1, "https://hub/v2.json"));
  Announce("foo.id", 102, Txt("foo.id", "bob.foo.id", Address(k2), 2, &k1));  // transfer to k2
  Update();
  st = Get("bob.foo.id");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->seqn, 2);
  EXPECT_EQ(st->owner, Address(k2));
  EXPECT_EQ(st->block_height, 102u);
  EXPECT_EQ(*m_index->NamesOwnedBy(Address(k2)), std::vector<std::string>{"bob.foo.id"});
  EXPECT_TRUE(m_index->NamesOwnedBy(Address(k1))->empty());
  EXPECT_EQ(*m_index->Count(), 1u);
  EXPECT_FALSE(Get("nobody.foo.id"));
  auto history = m_index->History("bob.foo.id");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 3u);
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_EQ((*history)[i].seqn, i);
    EXPECT_EQ((*history)[i].block_height, 100u + i);
  }
  EXPECT_EQ((*history)[1].zonefile, SubZonefile("bob.foo.id", "https://hub/v2.json"));
  EXPECT_TRUE(m_index->History("nobody.foo.id")->empty());
  EXPECT_FALSE(st->resolver);
  Announce("foo.id", 103,
           "_resolver\tIN\tURI\t10\t1\t\"https://registrar.example\"\n" + Txt("foo.id", "amy.foo.id", Address(k1), 0));
  Update();
  EXPECT_EQ(Get("amy.foo.id")->resolver, "https://registrar.example");
}

// DIDs: the n-th subdomain an owner created, in inventory and file order, counting
// only first records that were accepted; later transfers change nothing.
TEST_F(SubdomainIndexTest, CreationsAreCountedPerOwnerInInventoryOrder) {
  const std::vector<std::string> k1s{Address(k1)};
  Announce("foo.id", 100,
           Txt("foo.id", "carl.foo.id", Address(k1), 0) + Txt("foo.id", "amy.foo.id", Address(k2), 0) +
               Txt("foo.id", "bob.foo.id", Address(k1), 0));
  Announce("bar.id", 101,
           Txt("bar.id", "dan.bar.id", Address(k1), 0) +
               Txt("bar.id", "bad.bar.id", Address(k1), 1));                   // no sequence 0: not a creation
  Announce("foo.id", 102, Txt("foo.id", "carl.foo.id", Address(k3), 1, &k1));  // transferred away
  Update();
  EXPECT_EQ(*m_index->Creator("carl.foo.id"), Address(k1));
  EXPECT_EQ(*m_index->Creator("amy.foo.id"), Address(k2));
  EXPECT_FALSE(*m_index->Creator("bad.bar.id"));
  EXPECT_FALSE(*m_index->Creator("nobody.foo.id"));
  EXPECT_EQ(*m_index->CreationIndex("carl.foo.id", k1s), 0u);
  EXPECT_EQ(*m_index->CreationIndex("bob.foo.id", k1s), 1u);  // after carl, in file order
  EXPECT_EQ(*m_index->CreationIndex("dan.bar.id", k1s), 2u);
  EXPECT_EQ(*m_index->CreationIndex("amy.foo.id", {Address(k2)}), 0u);
  EXPECT_FALSE(*m_index->CreationIndex("bad.bar.id", k1s));
  for (uint64_t i = 0; i < 3; ++i) {
    auto fqn = m_index->CreatedBy(k1s, i);
    ASSERT_TRUE(fqn && *fqn);
    EXPECT_EQ(*m_index->CreationIndex(**fqn, k1s), i) << **fqn;
  }
  EXPECT_FALSE(*m_index->CreatedBy(k1s, 3));
  EXPECT_FALSE(*m_index->CreatedBy(k1s, UINT64_MAX));
  EXPECT_FALSE(*m_index->CreatedBy({Address(k3)}, 0));  // an owner by transfer created nothing
  EXPECT_FALSE(*m_index->CreatedBy({}, 0));
  // Two forms of one owner (an address on two networks) count as one.
  const std::string mainnet_k2 = crypto::EncodeVersionedHash(0x00, crypto::Hash160Of(k2.GetPublicKey().Serialize()));
  Announce("foo.id", 103, Txt("foo.id", "eve.foo.id", mainnet_k2, 0));
  Update();
  EXPECT_EQ(*m_index->CreationIndex("eve.foo.id", {Address(k2), mainnet_k2}), 1u);
  EXPECT_EQ(**m_index->CreatedBy({Address(k2), mainnet_k2}, 1), "eve.foo.id");
  EXPECT_EQ(*m_index->CreationIndex("eve.foo.id", {mainnet_k2}), 0u);
}

TEST_F(SubdomainIndexTest, NamesArePagedInNameOrder) {
  std::string zonefile;
  for (const char* leaf : {"carl", "amy", "bob"})
    zonefile += Txt("foo.id", std::string(leaf) + ".foo.id", Address(k1), 0);
  Announce("foo.id", 100, zonefile);
  Update();
  EXPECT_EQ(*m_index->Names(0, 100), (std::vector<std::string>{"amy.foo.id", "bob.foo.id", "carl.foo.id"}));
  EXPECT_EQ(*m_index->Names(1, 1), std::vector<std::string>{"bob.foo.id"});
  EXPECT_TRUE(m_index->Names(3, 100)->empty());
  EXPECT_TRUE(m_index->Names(UINT64_MAX, UINT64_MAX)->empty());
}

TEST_F(SubdomainIndexTest, UpdatesNeedTheNextSequenceAndTheOwnersSignature) {
  Announce("foo.id", 100, Txt("foo.id", "bob.foo.id", Address(k1), 0));
  Announce("foo.id", 101, Txt("foo.id", "bob.foo.id", Address(k3), 1));       // unsigned
  Announce("foo.id", 102, Txt("foo.id", "bob.foo.id", Address(k3), 1, &k3));  // signed by the wrong key
  Announce("foo.id", 103, Txt("foo.id", "bob.foo.id", Address(k3), 2, &k1));  // skips a number
  Announce("foo.id", 104, Txt("foo.id", "bob.foo.id", Address(k3), 0));       // a second creation
  Update();
  auto st = Get("bob.foo.id");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->owner, Address(k1));
  EXPECT_EQ(st->seqn, 0);
  // The first valid record of a sequence number wins; later ones of that number lose.
  Announce("foo.id", 105, Txt("foo.id", "bob.foo.id", Address(k2), 1, &k1));
  Announce("foo.id", 106, Txt("foo.id", "bob.foo.id", Address(k3), 1, &k1));
  Update();
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k2));
  // Now the record at 103 (sequence 2 signed by k1) is stale: k2 owns it.
  EXPECT_EQ(Get("bob.foo.id")->seqn, 1);
}

TEST_F(SubdomainIndexTest, ZonefilesArrivingLateRewriteHistory) {
  const std::string first = Announce("foo.id", 100, Txt("foo.id", "bob.foo.id", Address(k1), 0), false);
  Announce("foo.id", 101, Txt("foo.id", "bob.foo.id", Address(k3), 0) + Txt("foo.id", "amy.foo.id", Address(k2), 0));
  const std::string third = Announce("foo.id", 102, Txt("foo.id", "bob.foo.id", Address(k2), 1, &k1), false);
  Update();
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k3));  // the only creation we can see
  EXPECT_EQ(OwnerOf("amy.foo.id"), Address(k2));
  Deliver(third);
  Update();
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k3));  // k1's update does not apply to k3's
  Deliver(first);
  Update();
  // With every file present the chain's order decides: k1 created it first and gave it to k2.
  auto st = Get("bob.foo.id");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->owner, Address(k2));
  EXPECT_EQ(st->seqn, 1);
  EXPECT_TRUE(m_index->NamesOwnedBy(Address(k3))->empty());
}

TEST_F(SubdomainIndexTest, OtherDomainsMayUpdateButNeverCreateOrTransfer) {
  Announce("foo.id", 100, Txt("foo.id", "bob.foo.id", Address(k1), 0));
  Announce("bar.id", 101, Txt("bar.id", "carol.foo.id", Address(k1), 0));     // creation from elsewhere
  Announce("bar.id", 102, Txt("bar.id", "bob.foo.id", Address(k2), 1, &k1));  // transfer from elsewhere
  Update();
  EXPECT_FALSE(Get("carol.foo.id"));
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k1));
  EXPECT_EQ(Get("bob.foo.id")->seqn, 0);
  Announce("bar.id", 103, Txt("bar.id", "bob.foo.id", Address(k1), 1, &k1, "https://elsewhere/p.json"));
  Update();
  auto st = Get("bob.foo.id");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->seqn, 1);
  EXPECT_EQ(st->domain, "bar.id");
  EXPECT_EQ(st->zonefile, SubZonefile("bob.foo.id", "https://elsewhere/p.json"));
}

TEST_F(SubdomainIndexTest, AReorganisationTakesRecordsBack) {
  Announce("foo.id", 100, Txt("foo.id", "bob.foo.id", Address(k1), 0));
  Announce("foo.id", 110, Txt("foo.id", "bob.foo.id", Address(k2), 1, &k1));
  Update();
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k2));
  // Block 110 is replaced by a branch where k1 gives it to k3 instead.
  m_slots.slots.pop_back();
  Announce("foo.id", 111, Txt("foo.id", "bob.foo.id", Address(k3), 1, &k1));
  Update();
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k3));
  EXPECT_TRUE(m_index->NamesOwnedBy(Address(k2))->empty());
  // A branch that drops everything above block 100.
  m_slots.slots.resize(1);
  m_slots.last_block = 105;
  Update();
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k1));
}

TEST_F(SubdomainIndexTest, ADeepReorganisationIsFoundToo) {
  Announce("foo.id", 100, Txt("foo.id", "bob.foo.id", Address(k1), 0));
  for (uint32_t b = 101; b < 140; ++b) Announce("filler.id", b, "");
  Update();
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k1));
  // A branch from block 99 where k3 created bob at block 100, with as many slots.
  auto fillers = std::vector(m_slots.slots.begin() + 1, m_slots.slots.end());
  m_slots.slots.clear();
  Announce("foo.id", 100, Txt("foo.id", "bob.foo.id", Address(k3), 0));
  m_slots.slots.insert(m_slots.slots.end(), fillers.begin(), fillers.end());
  Update();
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k3));
  EXPECT_TRUE(m_index->NamesOwnedBy(Address(k1))->empty());
}

TEST_F(SubdomainIndexTest, AReorganisationWhileReadingIsNotHalfApplied) {
  Announce("foo.id", 100, Txt("foo.id", "bob.foo.id", Address(k1), 0));
  Update();
  Announce("foo.id", 101, "");
  m_slots.last_block = 102;
  // The chain changes under the index after it has read the new slots (its third
  // consensus hash): block 100 now holds k3's creation.
  const std::string k3_creation = Txt("foo.id", "bob.foo.id", Address(k3), 0);
  m_slots.calls_until_hook = 2;
  m_slots.hook = [&] {
    auto second = m_slots.slots.back();
    m_slots.slots.clear();
    Announce("foo.id", 100, k3_creation);
    m_slots.slots.push_back(second);
  };
  Update();
  Update();
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k3));
}

TEST_F(SubdomainIndexTest, SlotsBeforeTheFirstBlockAndBadFilesAreIgnored) {
  Announce("foo.id", 99, Txt("foo.id", "early.foo.id", Address(k1), 0));
  Announce("foo.id", 100, "garbage \"\n");
  Announce("foo.id", 101,
           Txt("foo.id", "bob.foo.id", Address(k1), 0) + "x\tIN\tTXT\t\"owner=1\" \"seqn=0\" \"parts=3\"\n");
  Announce("foo.id", 102, Txt("foo.id", "amy.foo.id", Address(k1), 0));
  Update();
  EXPECT_FALSE(Get("early.foo.id"));
  EXPECT_FALSE(Get("bob.foo.id"));  // its file lacks a piece of another record: none of it counts
  EXPECT_EQ(OwnerOf("amy.foo.id"), Address(k1));
}

TEST_F(SubdomainIndexTest, StateSurvivesAReopen) {
  Announce("foo.id", 100, Txt("foo.id", "bob.foo.id", Address(k1), 0));
  const std::string late = Announce("foo.id", 101, Txt("foo.id", "bob.foo.id", Address(k2), 1, &k1), false);
  const std::string later = Announce("foo.id", 102, Txt("foo.id", "bob.foo.id", Address(k3), 2, &k2), false);
  Update();
  Reopen();
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k1));
  Deliver(late);
  Update();
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k2));
  // A zone file stored while the index was closed (nobody told it) is found
  // when it opens again.
  m_store[later] = m_texts.at(later);
  Update();
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k2));
  Reopen();
  Update();
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k3));
  // Another first block is refused.
  m_index.reset();
  EXPECT_FALSE(SubdomainIndex::Open(
      (m_dir / "subdomains.db").string(), FIRST_BLOCK + 1, m_slots,
      [](std::string_view) -> util::Result<std::optional<std::string>> { return std::optional<std::string>(); }));
}

TEST_F(SubdomainIndexTest, TheWorkerRunsWhenWoken) {
  m_index->Start();
  Announce("foo.id", 100, Txt("foo.id", "bob.foo.id", Address(k1), 0));
  m_index->Wake();
  for (int i = 0; i < 500 && !Get("bob.foo.id"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(OwnerOf("bob.foo.id"), Address(k1));
  m_index->Stop();
}

}  // namespace
}  // namespace blockstack::subdomain
