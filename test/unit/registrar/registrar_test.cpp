// The registrar's rules and its queue: one test per validation rule, the batch
// zone file (its layout, the 40 KiB cut, the records a node reads back), and the
// request and batch states across a reopen, as after a crash.
#include <registrar/queue.h>
#include <registrar/registrar.h>
#include <registrar/validate.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include <net/http_server.h>
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

// A registrar of corp.id on regtest whose node is a stand-in: it knows
// "taken.corp.id" on chain, and stops answering when told.
class RequestRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto node = net::HttpServer::Start("127.0.0.1", 0, [this](const net::Request& req) {
      if (m_node_down) return net::Response::Json(503, {{"error", "down"}});
      if (req.path == "/v1/names/taken.corp.id") return net::Response::Json(200, {{"status", "registered_subdomain"}});
      return net::Response::Json(404, {{"status", "available"}});
    });
    ASSERT_TRUE(node);
    m_node = std::move(*node);
    m_path = std::filesystem::temp_directory_path() / ("registrar-rules-" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(m_path);
  }
  void TearDown() override {
    m_registrar.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(m_path.string() + suffix);
  }
  void Start(RegistrarConfig cfg) {
    cfg.domain = "corp.id";
    cfg.network = bitcoin::Network::Regtest;
    auto db = RegistrarDb::Open(m_path.string());
    ASSERT_TRUE(db);
    std::vector<std::unique_ptr<client::NodeClient>> nodes;
    auto node = client::NodeClient::Create("http://127.0.0.1:" + std::to_string(m_node->Port()));
    ASSERT_TRUE(node);
    nodes.push_back(std::move(*node));
    auto rpc = bitcoin::rpc::RpcClient::Create("http://u:p@127.0.0.1:1");
    auto wallet = bitcoin::rpc::RpcClient::Create("http://u:p@127.0.0.1:1");
    ASSERT_TRUE(rpc && wallet);
    m_registrar = std::make_unique<Registrar>(std::move(cfg), bitcoin::Spender::P2pkh(crypto::PrivateKey::Generate()),
                                              std::nullopt, std::move(*db), std::move(nodes), std::move(*rpc),
                                              std::move(*wallet));
  }
  // POST /register; the answer's status and message.
  std::pair<unsigned, std::string> Post(const std::string& body, const std::string& ip = "10.0.0.1",
                                        const std::string& auth = "") {
    net::Request req;
    req.method = "POST";
    req.path = req.target = "/register";
    req.body = body;
    req.body_size = body.size();
    req.remote_ip = ip;
    if (!auth.empty()) req.headers["authorization"] = auth;
    auto res = m_registrar->Handle(req);
    auto json = nlohmann::json::parse(res.body, nullptr, false);
    return {res.status, json.is_object() ? json.value("message", "") : ""};
  }
  static std::string Body(const std::string& name, const std::string& owner = OWNER, const std::string& zf = "") {
    return nlohmann::json{{"name", name}, {"owner_address", owner}, {"zonefile", zf}}.dump();
  }
  static constexpr const char* OWNER = "mp5oSHvEhB5hqsqoevrLQ45ZwTrDZiYaKn";
  static constexpr const char* OWNER2 = "mfha3wmTvGAYZ4iZ7nDdXdDDrNSGjLwRxV";
  static constexpr const char* REFUSED = "Failed to validate your registration request.";

  std::unique_ptr<net::HttpServer> m_node;
  std::atomic<bool> m_node_down{false};
  std::filesystem::path m_path;
  std::unique_ptr<Registrar> m_registrar;
};

TEST_F(RequestRulesTest, BodiesThatAreNotRequests) {
  Start({});
  EXPECT_EQ(Post("{not json").first, 400u);
  EXPECT_EQ(Post("[1, 2]").first, 400u);
  EXPECT_EQ(Post(R"({"name": 5, "owner_address": "x", "zonefile": ""})").first, 400u);
  EXPECT_EQ(Post(R"({"name": "a", "owner_address": null, "zonefile": ""})").first, 400u);
}

TEST_F(RequestRulesTest, NameSyntaxAndLength) {
  RegistrarConfig cfg;
  cfg.name_min_length = 3;
  Start(cfg);
  auto [status, message] = Post(Body("Bad_Name"));
  EXPECT_EQ(status, 409u);
  EXPECT_TRUE(message.starts_with(REFUSED)) << message;
  EXPECT_NE(message.find("invalid"), std::string::npos);
  auto [short_status, short_message] = Post(Body("ab"));
  EXPECT_EQ(short_status, 400u);
  EXPECT_NE(short_message.find("NameLength:"), std::string::npos);
  EXPECT_EQ(Post(Body(std::string(38, 'a'))).first, 409u);
  EXPECT_EQ(Post(Body("abc.corp.id")).first, 202u);  // a full name of this domain is taken too
}

TEST_F(RequestRulesTest, OtherDomainsOwnersOfOtherNetworksAndBigZonefiles) {
  Start({});
  auto [status, message] = Post(Body("alice.other.id"));
  EXPECT_EQ(status, 409u);
  EXPECT_NE(message.find("Wrong domain"), std::string::npos);
  auto [net_status, net_message] = Post(Body("alice", "19Zr9EqFt9eT4mNBwMsxa8sF5UFWe9C6Ya"));
  EXPECT_EQ(net_status, 409u);
  EXPECT_NE(net_message.find("not a regtest address"), std::string::npos);
  EXPECT_EQ(Post(Body("alice", OWNER, std::string(MAX_SUBDOMAIN_ZONEFILE_BYTES + 1, 'z'))).first, 413u);
}

TEST_F(RequestRulesTest, AvailabilityOnChainAndInTheQueue) {
  RegistrarConfig cfg;
  cfg.owner_limit = 0;
  Start(cfg);
  auto [status, message] = Post(Body("taken"));
  EXPECT_EQ(status, 409u);
  EXPECT_NE(message.find("taken.corp.id is already registered"), std::string::npos);
  EXPECT_EQ(Post(Body("alice")).first, 202u);
  auto [again, again_message] = Post(Body("alice", OWNER2));
  EXPECT_EQ(again, 409u);
  EXPECT_NE(again_message.find("already queued for this name"), std::string::npos);
}

TEST_F(RequestRulesTest, OwnerAndIpLimitsAndApiKeys) {
  RegistrarConfig cfg;
  cfg.owner_limit = 1;
  cfg.ip_limit = 2;
  cfg.api_keys = {"sesame"};
  Start(cfg);
  EXPECT_EQ(Post(Body("a1")).first, 202u);
  auto [owner_status, owner_message] = Post(Body("a2"));
  EXPECT_EQ(owner_status, 409u);
  EXPECT_NE(owner_message.find("Owner already registered"), std::string::npos);
  EXPECT_EQ(Post(Body("a3", OWNER2)).first, 202u);  // the second from 10.0.0.1
  auto [ip_status, ip_message] = Post(Body("a4", "mfnsvtcCyP2gwYLXKPLksyiAr4MZ6ewZNw"));
  EXPECT_EQ(ip_status, 409u);
  EXPECT_NE(ip_message.find("IP address \"10.0.0.1\" already registered 2 subdomains"), std::string::npos);
  EXPECT_EQ(Post(Body("a5", "mfnsvtcCyP2gwYLXKPLksyiAr4MZ6ewZNw"), "10.0.0.2").first, 202u);
  // A key skips both limits; a wrong key does not.
  EXPECT_EQ(Post(Body("a6"), "10.0.0.1", "bearer wrong").first, 409u);
  EXPECT_EQ(Post(Body("a6"), "10.0.0.1", "Bearer sesame").first, 202u);
}

TEST_F(RequestRulesTest, ApiKeyRequired) {
  RegistrarConfig cfg;
  cfg.api_key_required = true;
  cfg.api_keys = {"sesame"};
  Start(cfg);
  auto [status, message] = Post(Body("a1"));
  EXPECT_EQ(status, 409u);
  EXPECT_NE(message.find("without API key are disabled"), std::string::npos);
  EXPECT_EQ(Post(Body("a1"), "10.0.0.1", "bearer sesame").first, 202u);
}

TEST_F(RequestRulesTest, ANodeThatDoesNotAnswerQueuesNothing) {
  Start({});
  m_node_down = true;
  auto [status, message] = Post(Body("alice"));
  EXPECT_EQ(status, 503u);
  EXPECT_NE(message.find("cannot ask the node whether alice.corp.id exists"), std::string::npos);
  m_node_down = false;
  EXPECT_EQ(Post(Body("alice")).first, 202u);
}

}  // namespace
}  // namespace blockstack::registrar
