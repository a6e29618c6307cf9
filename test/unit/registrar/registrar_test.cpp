// The registrar's rules and its queue: one test per validation rule, the batch
// zone file (its layout, the 40 KiB cut, the records a node reads back), and the
// request and batch states across a reopen, as after a crash.
#include <registrar/queue.h>
#include <registrar/registrar.h>
#include <registrar/validate.h>

#include <gtest/gtest.h>

#include <filesystem>

#include <subdomain/record.h>
#include <testutil/vectors.h>

namespace blockstack::registrar {
namespace {

const auto& REGTEST = bitcoin::Params(bitcoin::Network::Regtest);

TEST(RegistrarValidateTest, Labels) {
  EXPECT_TRUE(ValidateLabel("alice", 1));
  EXPECT_TRUE(ValidateLabel("a-b_c+9", 1));
  EXPECT_TRUE(ValidateLabel(std::string(37, 'a'), 1));
  EXPECT_FALSE(ValidateLabel(std::string(38, 'a'), 1));
  EXPECT_FALSE(ValidateLabel("", 1));
  EXPECT_FALSE(ValidateLabel("Alice", 1));
  EXPECT_FALSE(ValidateLabel("a.b", 1));
  EXPECT_FALSE(ValidateLabel("a b", 1));
  EXPECT_FALSE(ValidateLabel("\xc3\xa9", 1));
  auto short_name = ValidateLabel("ab", 3);
  ASSERT_FALSE(short_name);
  EXPECT_TRUE(short_name.error().message.starts_with("NameLength:"));
}

TEST(RegistrarValidateTest, Owners) {
  EXPECT_TRUE(ValidateOwner("mp5oSHvEhB5hqsqoevrLQ45ZwTrDZiYaKn", REGTEST));
  EXPECT_TRUE(ValidateOwner("2MuXogRGTh7uADB2wKBqFcsPTprVKnChJe6", REGTEST));
  auto mainnet = ValidateOwner("19Zr9EqFt9eT4mNBwMsxa8sF5UFWe9C6Ya", REGTEST);
  ASSERT_FALSE(mainnet);
  EXPECT_NE(mainnet.error().message.find("not a regtest address"), std::string::npos);
  EXPECT_FALSE(ValidateOwner("not an address", REGTEST));
  EXPECT_FALSE(ValidateOwner("", REGTEST));
  EXPECT_TRUE(ValidateOwner("19Zr9EqFt9eT4mNBwMsxa8sF5UFWe9C6Ya", bitcoin::Params(bitcoin::Network::Mainnet)));
}

TEST(RegistrarValidateTest, Zonefiles) {
  EXPECT_TRUE(ValidateSubdomainZonefile("$ORIGIN a\n"));
  EXPECT_TRUE(ValidateSubdomainZonefile(""));
  auto big = ValidateSubdomainZonefile(std::string(MAX_SUBDOMAIN_ZONEFILE_BYTES + 1, 'x'));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, util::ErrorCode::TooLarge);
  EXPECT_FALSE(ValidateSubdomainZonefile("\xff\xfe"));
}

QueuedRequest Req(const std::string& label, std::size_t zonefile_bytes = 40) {
  QueuedRequest q;
  q.label = label;
  q.owner = "mp5oSHvEhB5hqsqoevrLQ45ZwTrDZiYaKn";
  q.zonefile = "$ORIGIN " + label + "\n" + std::string(zonefile_bytes, 'z');
  return q;
}

TEST(RegistrarBatchTest, ZonefileHoldsTheRecordsAndTheResolverAndIsCutAt40KiB) {
  std::vector<QueuedRequest> queued;
  for (int i = 0; i < 200; ++i) queued.push_back(Req("user" + std::to_string(i), 200));
  auto [text, labels] = BatchZonefile("corp.id", "https://reg.example", 40960, 1000, queued);
  EXPECT_LE(text.size(), 40960u);
  ASSERT_GT(labels.size(), 50u);
  ASSERT_LT(labels.size(), 200u);
  EXPECT_EQ(labels.front(), "user0");
  auto parsed = subdomain::ParseZonefileSubdomains("corp.id", text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->records.size(), labels.size());
  EXPECT_EQ(parsed->records[3].fqn, "user3.corp.id");
  EXPECT_EQ(parsed->records[3].owner, queued[3].owner);
  EXPECT_EQ(parsed->records[3].zonefile, queued[3].zonefile);
  EXPECT_EQ(parsed->records[3].seqn, 0);
  ASSERT_TRUE(parsed->resolver);
  EXPECT_EQ(*parsed->resolver, "https://reg.example");
  // The record limit applies too.
  EXPECT_EQ(BatchZonefile("corp.id", "", 40960, 5, queued).second.size(), 5u);
  // A request too big for any batch yields none.
  EXPECT_TRUE(BatchZonefile("corp.id", "", 300, 5, {Req("huge", 4000)}).second.empty());
}

TEST(RegistrarQueueTest, RequestsAndBatchesKeepTheirStateAcrossAReopen) {
  auto dir = testutil::MakeTempDir("registrar");
  const std::string path = dir + "/q.db";
  {
    auto db = RegistrarDb::Open(path);
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(db->Add("alice", "mowner1", "zf-a", "1.2.3.4", 100));
    ASSERT_TRUE(db->Add("bob", "mowner2", "zf-b", "1.2.3.4", 101));
    auto dup = db->Add("alice", "mother", "zf", "5.6.7.8", 102);
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, util::ErrorCode::Conflict);
    EXPECT_EQ(*db->CountIp("1.2.3.4", 10), 2);
    EXPECT_EQ(*db->CountIp("1.2.3.4", 1), 1);  // counted up to the limit only
    EXPECT_EQ(*db->CountOwner("mowner1", 10), 1);
    auto id = db->CreateBatch("zonefile", "hash", {"alice"}, 200);
    ASSERT_TRUE(id);
    ASSERT_TRUE(db->SetSigned(*id, "txid1", util::Bytes{1, 2, 3}));
  }
  // Reopened (as after a kill): the batch is still open, signed, with its transaction.
  auto db = RegistrarDb::Open(path);
  ASSERT_TRUE(db);
  auto open = db->Open();
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].status, "signed");
  EXPECT_EQ((*open)[0].txid, "txid1");
  EXPECT_EQ((*open)[0].raw_tx, (util::Bytes{1, 2, 3}));
  EXPECT_EQ((*db->Get("alice"))->status, "submitted");
  EXPECT_EQ((*db->Get("alice"))->status_more, "txid1");
  ASSERT_EQ(db->Queued(10)->size(), 1u);  // bob only
  // Dropped: alice is queued again, before bob (arrival order).
  ASSERT_TRUE(db->Drop((*open)[0].id, "reorganised away"));
  auto queued = db->Queued(10);
  ASSERT_EQ(queued->size(), 2u);
  EXPECT_EQ((*queued)[0].label, "alice");
  EXPECT_TRUE(db->Open()->empty());
  // A second batch, sent and published: both anchored.
  auto id2 = db->CreateBatch("zonefile2", "hash2", {"alice", "bob"}, 300);
  ASSERT_TRUE(db->SetSigned(*id2, "txid2", util::Bytes{4}));
  ASSERT_TRUE(db->SetSent(*id2, 301));
  ASSERT_TRUE(db->Publish(*id2, 812));
  EXPECT_EQ((*db->Get("bob"))->status, "anchored");
  EXPECT_TRUE(db->Open()->empty());
  EXPECT_TRUE(db->Queued(10)->empty());
  ASSERT_TRUE(db->Add("carol", "mowner3", "zf-c", "", 400));
  ASSERT_TRUE(db->Refuse("carol", "registered on chain meanwhile"));
  EXPECT_EQ((*db->Get("carol"))->status, "error");
  EXPECT_EQ(db->After(0, 10)->size(), 3u);
  EXPECT_EQ(db->After(2, 10)->size(), 1u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace blockstack::registrar
